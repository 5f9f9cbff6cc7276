package io.thinksafe.bench;

import ai.djl.ndarray.NDManager;
import io.thinksafe.generate.LocalEngine;
import io.thinksafe.generate.SamplingParams;
import io.thinksafe.generate.TokenRequest;
import io.thinksafe.model.DType;
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
 * Prefill and decode throughput of the embedded engine on a random model with Qwen3-0.6B's shape,
 * each next to the bound this machine sets, measured in the same run: weight bytes per step over
 * read bandwidth for small batches, FLOPs over matmul peak for large ones (the roofline's lower).
 */
public final class EngineBenchmark {
    public static ModelConfig qwen3_0_6b(int layers) {
        return ModelShapes.named("qwen3-0.6b").layers(layers).dtype(DType.BF16).build();
    }

    public static void run(PrintStream out, int layers, int[] batches, int promptLen, int decodeSteps) {
        ModelConfig c = qwen3_0_6b(layers);
        out.printf(Locale.ROOT, "model: Qwen3-0.6B shape (%d layers, hidden 1024, 16/8 heads, head_dim 128, FFN 3072, vocab 151936), %.0fM params, random float32 weights%n",
                c.numLayers(), c.parameterCount() / 1e6);
        try (Transformer model = TransformerLoader.random(c, 1); NDManager m = NDManager.newBaseManager()) {
            Machine machine = Machine.measure(m);
            out.printf(Locale.ROOT, "machine: read bandwidth %.1f GB/s (libtorch sum %.1f, Java vector read %.1f), float32 matmul peak %.1f GFLOP/s, %d cores%n",
                    machine.readGBs(), machine.torchSumGBs(), machine.javaReadGBs(), machine.peakGflops(),
                    Runtime.getRuntime().availableProcessors());
            long linearParams = c.parameterCount() - (long) c.vocabSize() * c.hiddenSize() // minus the embedding lookup
                    + (long) c.vocabSize() * c.hiddenSize(); // plus the output projection (tied: same matrix)
            long nonHeadParams = linearParams - (long) c.vocabSize() * c.hiddenSize();
            double weightBytes = linearParams * 4.0;
            out.printf(Locale.ROOT, "weights read per decode step: %.2f GB%n%n", weightBytes / 1e9);
            out.println("phase     batch   tokens/s   bound       limit tok/s   % of limit");

            // Prefill: one prompt; every position goes through the layers, only the last through the head.
            double prefill = prefillTokensPerSecond(model, promptLen);
            double attnFlopsPrefill = 2.0 * c.numLayers() * c.numHeads() * c.headDim() * promptLen; // causal half of QK and PV per token, avg
            double flopsPerPrefillToken = 2.0 * nonHeadParams + attnFlopsPrefill + 2.0 * c.vocabSize() * c.hiddenSize() / promptLen;
            double prefillLimit = machine.peakGflops() * 1e9 / flopsPerPrefillToken;
            row(out, "prefill", "1x" + promptLen, prefill, "compute", prefillLimit);

            for (int b : batches) {
                // about the same wall time per batch size: many steps for small batches, few for large
                int steps = Math.max(decodeSteps, (int) Math.round(4 * decodeSteps / Math.sqrt(b)));
                double tps = decodeTokensPerSecond(model, b, 32, steps);
                int context = 32 + steps / 2;
                double flopsPerToken = 2.0 * linearParams + 4.0 * c.numLayers() * c.numHeads() * c.headDim() * context;
                double computeLimit = machine.peakGflops() * 1e9 / flopsPerToken;
                double kvBytes = 2.0 * c.numLayers() * c.numKvHeads() * c.headDim() * 4 * context * b;
                double bandwidthLimit = b * machine.readGBs() * 1e9 / (weightBytes + kvBytes);
                boolean computeBound = computeLimit < bandwidthLimit;
                row(out, "decode", String.valueOf(b), tps, computeBound ? "compute" : "bandwidth",
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
