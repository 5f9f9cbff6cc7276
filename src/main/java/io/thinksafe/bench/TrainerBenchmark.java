package io.thinksafe.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.thinksafe.model.Adapter;
import io.thinksafe.model.Architecture;
import io.thinksafe.model.DType;
import io.thinksafe.model.LoraConfig;
import io.thinksafe.model.ModelConfig;
import io.thinksafe.model.ModelShapes;
import io.thinksafe.model.RopeScaling;
import io.thinksafe.model.Transformer;
import io.thinksafe.model.TransformerLoader;
import io.thinksafe.train.ForwardBackward;
import io.thinksafe.train.TokenizedExample;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * LoRA training throughput (forward + backward of one micro-batch) on a random Qwen3-0.6B-shaped
 * model and a tiny one, with and without activation recompute, as achieved GFLOP/s next to the
 * float32 matmul peak measured in the same run. Only useful FLOPs count: the forward (2·P·T through
 * the layers, the output projection on target rows, causal attention) and the backward through the
 * frozen weights (the same again; attention twice); recomputed forwards are not counted.
 */
public final class TrainerBenchmark {
    private TrainerBenchmark() {}

    /**
     * @param shape a named shape (see ModelShapes), or null for the tiny model and the 0.6B shape
     * @param recomputeModes which settings to time (false = keep activations, true = recompute)
     */
    public static void run(PrintStream out, String shape, DType dtype, int layers, int seqLen, int reps, boolean[] recomputeModes) {
        try (NDManager m = NDManager.newBaseManager()) {
            Machine machine = Machine.measure(m);
            out.printf(Locale.ROOT, "machine: float32 matmul peak %.1f GFLOP/s, %d cores; java %s%n", machine.peakGflops(),
                    Runtime.getRuntime().availableProcessors(), Runtime.version());
            out.println("model               dtype  tokens  recompute  step s   tokens/s   GFLOP/s   % of peak");
            List<ModelConfig> configs = new java.util.ArrayList<>();
            if (shape == null) {
                configs.add(ModelConfig.builder(Architecture.QWEN3).vocab(32000).hidden(256).intermediate(768).layers(4)
                        .heads(4, 2).headDim(64).rmsNormEps(1e-6).rope(1_000_000, RopeScaling.NONE).tiedEmbeddings(true)
                        .maxPositions(40960).dtype(dtype).eos(2).pad(1).build());
            }
            ModelConfig.Builder main = ModelShapes.named(shape == null ? "0.6b" : shape).dtype(dtype);
            if (layers > 0) {
                main.layers(layers);
            }
            configs.add(main.build());
            for (ModelConfig c : configs) {
                String name = c.hiddenSize() == 256 ? "tiny (4x256)" : (shape == null ? "0.6b" : shape) + " shape";
                try (Transformer t = TransformerLoader.random(c, 2, dtype)) {
                    Adapter adapter = Adapter.attach(t, LoraConfig.paperDefaults(), 3);
                    adapter.parameters().forEach(p -> p.setRequiresGradient(true));
                    adapter.setTraining(true);
                    TokenizedExample ex = example(c.vocabSize(), seqLen);
                    for (boolean recompute : recomputeModes) {
                        ForwardBackward passes = ForwardBackward.lora(t, adapter, recompute);
                        passes.sft(List.of(ex), 1f / ex.targets(), 1); // warm-up
                        long t0 = System.nanoTime();
                        for (int r = 0; r < reps; r++) {
                            passes.sft(List.of(ex), 1f / ex.targets(), 1);
                        }
                        double sec = (System.nanoTime() - t0) / 1e9 / reps;
                        double gflops = usefulFlops(c, seqLen, ex.targets()) / sec / 1e9;
                        out.printf(Locale.ROOT, "%-19s %-5s  %6d  %-9s  %6.2f  %9.1f  %8.1f   %6.1f%%%n", name, dtype, seqLen,
                                recompute ? "yes" : "no", sec, seqLen / sec, gflops, 100 * gflops / machine.peakGflops());
                    }
                    for (NDArray p : adapter.parameters()) {
                        p.getGradient().muli(0);
                    }
                }
            }
            out.printf(Locale.ROOT, "peak RSS of this process (VmHWM): %.2f GB%n", peakRss() / 1e9);
        }
    }

    /** The process's peak resident set (VmHWM), in bytes; -1 where /proc is missing. */
    public static long peakRss() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException e) {
            return -1;
        }
        return -1;
    }

    /** A random sequence whose second half is the target (as an assistant reply after a prompt). */
    static TokenizedExample example(int vocab, int len) {
        SplittableRandom r = new SplittableRandom(4);
        int[] tokens = new int[len];
        for (int i = 0; i < len; i++) {
            tokens[i] = r.nextInt(vocab);
        }
        return new TokenizedExample("bench", tokens, len / 2, false);
    }

    static double usefulFlops(ModelConfig c, int t, int targets) {
        long h = c.hiddenSize();
        long linear = c.numLayers() * (h * c.numHeads() * c.headDim() * 2 + h * c.numKvHeads() * c.headDim() * 2
                + 3 * h * c.intermediateSize());
        double forward = 2.0 * linear * t + 2.0 * c.vocabSize() * h * targets
                + 2.0 * c.numLayers() * c.numHeads() * c.headDim() * (double) t * t; // QKᵀ and PV, causal half
        return 2 * forward; // the backward through frozen weights costs the same again
    }
}
