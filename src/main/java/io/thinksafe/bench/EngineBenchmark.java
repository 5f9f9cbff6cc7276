package io.thinksafe.bench;

import ai.djl.ndarray.NDManager;
import io.thinksafe.generate.LocalEngine;
import io.thinksafe.generate.SamplingParams;
import io.thinksafe.generate.TokenRequest;
import io.thinksafe.model.DType;
import io.thinksafe.model.Kernels;
import io.thinksafe.model.ModelConfig;
import io.thinksafe.model.ModelShapes;
import io.thinksafe.model.Transformer;
import io.thinksafe.model.TransformerLoader;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Prefill and decode throughput of the embedded engine on a random model of a real shape, each next to
 * the bound this machine sets, measured in the same run: weight bytes per step (in the weights' own
 * dtype) over read bandwidth for small batches, FLOPs over matmul peak for large ones (the roofline's
 * lower).
 */
public final class EngineBenchmark {
    /**
     * @param checkpoint a model directory to load instead of a random model of {@code shape} (its own dtype),
     *                   or null
     */
    public static void run(PrintStream out, java.nio.file.Path checkpoint, String shape, DType dtype, int layers, int[] batches,
                           int promptLen, int decodeSteps) {
        io.thinksafe.model.Checkpoint ckpt = checkpoint == null ? null : io.thinksafe.model.Checkpoint.open(checkpoint);
        if (ckpt != null) {
            shape = checkpoint.getFileName().toString();
            dtype = ckpt.storageDtype();
        }
        ModelConfig.Builder b = ckpt != null ? ckpt.config().toBuilder() : ModelShapes.named(shape).dtype(dtype);
        if (layers > 0 && ckpt == null) {
            b.layers(layers);
        }
        ModelConfig c = b.build();
        out.printf(Locale.ROOT, "model: %s shape (%d layers, hidden %d, %d/%d heads, head_dim %d, FFN %d, vocab %d, %s), %.0fM params, %s weights%n",
                shape, c.numLayers(), c.hiddenSize(), c.numHeads(), c.numKvHeads(), c.headDim(), c.intermediateSize(),
                c.vocabSize(), c.tieWordEmbeddings() ? "tied" : "untied", c.parameterCount() / 1e6, ckpt != null ? dtype + " (from " + checkpoint + ")" : "random " + dtype);
        out.printf(Locale.ROOT, "java: %s; kernels: %s%n", Runtime.version(), Kernels.current().description());
        try (Transformer model = ckpt != null ? TransformerLoader.load(ckpt) : TransformerLoader.random(c, 1, dtype);
             NDManager m = NDManager.newBaseManager()) {
            Machine machine = Machine.measure(m);
            out.printf(Locale.ROOT, "machine: read bandwidth %.1f GB/s (libtorch sum %.1f, Java vector read %.1f), float32 matmul peak %.1f GFLOP/s, %d cores%n",
                    machine.readGBs(), machine.torchSumGBs(), machine.javaReadGBs(), machine.peakGflops(),
                    Runtime.getRuntime().availableProcessors());
            long head = (long) c.vocabSize() * c.hiddenSize();
            long linearParams = c.parameterCount() - head // minus the embedding lookup
                    - (c.tieWordEmbeddings() ? 0 : head) + head; // plus the output projection, once
            long nonHeadParams = linearParams - head;
            double weightBytes = linearParams * (double) dtype.bytes;
            out.printf(Locale.ROOT, "weights read per decode step: %.2f GB (%s)%n%n", weightBytes / 1e9, dtype);
            out.println("phase     batch   tokens/s   bound       limit tok/s   % of limit");

            // Prefill: one prompt; every position goes through the layers, only the last through the head.
            double prefill = prefillTokensPerSecond(model, promptLen);
            double attnFlopsPrefill = 2.0 * c.numLayers() * c.numHeads() * c.headDim() * promptLen; // causal half of QK and PV per token, avg
            double flopsPerPrefillToken = 2.0 * nonHeadParams + attnFlopsPrefill + 2.0 * head / promptLen;
            double prefillLimit = machine.peakGflops() * 1e9 / flopsPerPrefillToken;
            row(out, "prefill", "1x" + promptLen, prefill, "compute", prefillLimit);

            for (int batch : batches) {
                // about the same wall time per batch size: many steps for small batches, few for large
                int steps = Math.max(decodeSteps, (int) Math.round(4 * decodeSteps / Math.sqrt(batch)));
                double tps = decodeTokensPerSecond(model, batch, 32, steps);
                int context = 32 + steps / 2;
                double flopsPerToken = 2.0 * linearParams + 4.0 * c.numLayers() * c.numHeads() * c.headDim() * context;
                double computeLimit = machine.peakGflops() * 1e9 / flopsPerToken;
                double kvBytes = 2.0 * c.numLayers() * c.numKvHeads() * c.headDim() * 4 * context * batch; // float32 cache
                double bandwidthLimit = batch * machine.readGBs() * 1e9 / (weightBytes + kvBytes);
                boolean computeBound = computeLimit < bandwidthLimit;
                row(out, "decode", String.valueOf(batch), tps, computeBound ? "compute" : "bandwidth",
                        Math.min(computeLimit, bandwidthLimit));
            }
        }
    }

    private static void row(PrintStream out, String phase, String batch, double tps, String bound, double limit) {
        out.printf(Locale.ROOT, "%-9s %-7s %9.1f   %-9s %12.1f   %6.1f%%%n", phase, batch, tps, bound, limit, 100 * tps / limit);
    }

    private static int[] prompt(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(150_000);
        }
        return t;
    }

    private static double prefillTokensPerSecond(Transformer model, int len) {
        double best = 0;
        for (int rep = 0; rep < 3; rep++) {
            LocalEngine engine = new LocalEngine(model, null, Set.of(), new LocalEngine.Options(1, len, 1L << 34));
            long t = System.nanoTime();
            engine.run(List.of(new TokenRequest(0, prompt(len, rep), SamplingParams.greedy(1))), r -> { }, null);
            best = Math.max(best, len / ((System.nanoTime() - t) / 1e9));
        }
        return best;
    }

    /**
     * Sampled tokens per second over pure decode steps (after every prompt is in the cache), after a
     * warm-up run of the same shape so that the JIT has compiled the decode path.
     */
    private static double decodeTokensPerSecond(Transformer model, int batch, int promptLen, int steps) {
        timedDecode(model, batch, promptLen, Math.max(4, steps / 2));
        return timedDecode(model, batch, promptLen, steps);
    }

    private static double timedDecode(Transformer model, int batch, int promptLen, int steps) {
        List<TokenRequest> reqs = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            reqs.add(new TokenRequest(i, prompt(promptLen, 100 + i), SamplingParams.qwen3(steps + 1, i)));
        }
        LocalEngine engine = new LocalEngine(model, null, Set.of(),
                new LocalEngine.Options(batch, batch * promptLen, 1L << 34));
        long[] last = {0};
        double[] time = {0};
        long[] tokens = {0};
        boolean[] warm = {false};
        last[0] = System.nanoTime();
        engine.run(reqs, r -> { }, (active, waiting, sampled, prefilled) -> {
            long now = System.nanoTime();
            // the first pure decode step warms caches; count the ones after it
            if (prefilled == 0 && active == batch) {
                if (warm[0]) {
                    time[0] += (now - last[0]) / 1e9;
                    tokens[0] += sampled;
                }
                warm[0] = true;
            }
            last[0] = now;
        });
        return tokens[0] / time[0];
    }
}
