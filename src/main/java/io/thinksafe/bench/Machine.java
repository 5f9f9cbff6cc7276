package io.thinksafe.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;
import io.thinksafe.model.cpu.Vectors;

/**
 * This machine's limits, measured in the same run as the benchmark they judge: streaming read
 * bandwidth (the bound of token-by-token decoding) and float32 matmul throughput (the bound of
 * large batches). Each is the best of several tries and of two methods, so the limit is what the
 * hardware can be seen to do, not what one library happens to reach.
 */
public record Machine(double readGBs, double torchSumGBs, double javaReadGBs, double peakGflops) {
    public static Machine measure(NDManager m) {
        long n = 256L << 20; // 1 GiB of float32, far beyond any cache
        double torchSum = 0;
        double javaRead = 0;
        try (NDArray big = m.randomUniform(0, 1, new Shape(n), DataType.FLOAT32)) {
            ByteBuffer view = big.toByteBuffer(true).order(ByteOrder.LITTLE_ENDIAN);
            big.sum().close();
            javaRead(view);
            for (int i = 0; i < 5; i++) {
                long t = System.nanoTime();
                big.sum().close();
                torchSum = Math.max(torchSum, n * 4 / ((System.nanoTime() - t) / 1e9) / 1e9);
                t = System.nanoTime();
                javaRead(view);
                javaRead = Math.max(javaRead, n * 4 / ((System.nanoTime() - t) / 1e9) / 1e9);
            }
        }
        return new Machine(Math.max(torchSum, javaRead), torchSum, javaRead, matmulPeak(m));
    }

    /** Sums the buffer with every core, as a pure stream of loads. */
    private static float javaRead(ByteBuffer b) {
        int threads = Runtime.getRuntime().availableProcessors();
        int bytes = b.capacity();
        CompletableFuture<?>[] parts = new CompletableFuture<?>[threads];
        Object mem = Vectors.wrap(b);
        float[] sums = new float[threads];
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        for (int p = 0; p < threads; p++) {
            int from = (int) ((long) bytes * p / threads) / 256 * 256;
            int to = p == threads - 1 ? bytes : (int) ((long) bytes * (p + 1) / threads) / 256 * 256;
            int idx = p;
            parts[p] = CompletableFuture.runAsync(() -> sums[idx] = Vectors.sum(mem, from, to), pool);
        }
        CompletableFuture.allOf(parts).join();
        pool.shutdown();
        float s = 0;
        for (float v : sums) {
            s += v;
        }
        return s;
    }

    /** Best float32 GEMM rate over a few large shapes and both operand orders. */
    private static double matmulPeak(NDManager m) {
        double best = 0;
        int[][] shapes = {{1024, 1024, 3072}, {2048, 1024, 4096}, {512, 3072, 1024}};
        for (int[] s : shapes) {
            try (NDManager t = m.newSubManager()) {
                NDArray x = t.randomNormal(new Shape(s[0], s[1]));
                NDArray w = t.randomNormal(new Shape(s[2], s[1]));
                NDArray xt = x.transpose();
                for (int rep = 0; rep < 4; rep++) {
                    long t0 = System.nanoTime();
                    ai.djl.nn.core.Linear.linear(x, w).close();
                    double a = 2.0 * s[0] * s[1] * s[2] / ((System.nanoTime() - t0) / 1e9) / 1e9;
                    t0 = System.nanoTime();
                    w.matMul(xt).close();
                    double b = 2.0 * s[0] * s[1] * s[2] / ((System.nanoTime() - t0) / 1e9) / 1e9;
                    best = Math.max(best, Math.max(a, b));
                }
            }
        }
        return best;
    }
}
