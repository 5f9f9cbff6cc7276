package io.thinksafe.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.thinksafe.model.Adapter;
import io.thinksafe.model.Architecture;
import io.thinksafe.model.DType;
import io.thinksafe.model.LoraConfig;
import io.thinksafe.model.ModelConfig;
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

    public static void run(PrintStream out, int layers, int seqLen, int reps) {
        try (NDManager m = NDManager.newBaseManager()) {
            Machine machine = Machine.measure(m);
            out.printf(Locale.ROOT, "machine: float32 matmul peak %.1f GFLOP/s, %d cores%n", machine.peakGflops(),
                    Runtime.getRuntime().availableProcessors());
            out.println("model            tokens  recompute  step s   tokens/s   GFLOP/s   % of peak");
            ModelConfig tiny = ModelConfig.builder(Architecture.QWEN3).vocab(32000).hidden(256).intermediate(768).layers(4)
                    .heads(4, 2).headDim(64).rmsNormEps(1e-6).rope(1_000_000, RopeScaling.NONE).tiedEmbeddings(true)
                    .maxPositions(40960).dtype(DType.BF16).eos(2).pad(1).build();
            for (ModelConfig c : new ModelConfig[] {tiny, EngineBenchmark.qwen3_0_6b(layers)}) {
                String name = c == tiny ? "tiny (4x256)" : "Qwen3-0.6B shape";
                try (Transformer t = TransformerLoader.random(c, 2)) {
                    Adapter adapter = Adapter.attach(t, LoraConfig.paperDefaults(), 3);
                    adapter.parameters().forEach(p -> p.setRequiresGradient(true));
                    adapter.setTraining(true);
                    TokenizedExample ex = example(c.vocabSize(), seqLen);
                    for (boolean recompute : new boolean[] {false, true}) {
                        ForwardBackward passes = ForwardBackward.lora(t, adapter, recompute);
                        passes.sft(List.of(ex), 1f / ex.targets(), 1); // warm-up
                        long t0 = System.nanoTime();
                        for (int r = 0; r < reps; r++) {
                            passes.sft(List.of(ex), 1f / ex.targets(), 1);
                        }
                        double s = (System.nanoTime() - t0) / 1e9 / reps;
                        double gflops = usefulFlops(c, seqLen, ex.targets()) / s / 1e9;
                        out.printf(Locale.ROOT, "%-16s %6d  %-9s  %6.2f  %9.1f  %8.1f   %6.1f%%%n", name, seqLen,
                                recompute ? "yes" : "no", s, seqLen / s, gflops, 100 * gflops / machine.peakGflops());
                    }
                    for (NDArray p : adapter.parameters()) {
                        p.getGradient().muli(0);
                    }
                }
            }
        }
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
