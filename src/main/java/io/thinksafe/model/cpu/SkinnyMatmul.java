package io.thinksafe.model.cpu;

import io.thinksafe.model.Weight;
import java.nio.ByteBuffer;

/**
 * {@code y = x·Wᵀ} for a handful of rows of {@code x}, reading W where it lies (mapped file or tensor
 * memory) in its own dtype, with every core.
 *
 * <p>Why not libtorch: measured here, its single-row product (gemv) runs on one thread and reads
 * weights at about 25 GB/s against 40–65 GB/s the machine streams with two, and its sgemm for 2–8
 * rows is slower still (8–11 GB/s); and it cannot read bf16 at all. Token-by-token decoding is exactly
 * that shape, and it is bound by weight bandwidth, so this kernel reads each weight row once, splits
 * rows across the cores, and applies each row to up to four input rows per pass. Several matrices
 * that share an input (q/k/v, gate/up) go in one call so the cores meet once per group, not once per
 * matrix.
 */
public final class SkinnyMatmul {
    /** Row counts up to this go through the kernel; larger products are left to libtorch. */
    public static final int MAX_ROWS = Integer.getInteger("thinksafe.skinnyRows", 8);
    /** Rows per task: large enough to stream, small enough to balance the cores. */
    private static final int ROWS_PER_TASK = 256;

    private SkinnyMatmul() {}

    /** True when the kernel can read this weight (float32, bf16 or f16 in host memory). */
    public static boolean supports(Weight w) {
        return Vectors.AVAILABLE && RowKernels.supports(w.dtype())
                && (w.tensor() == null || !w.tensor().getDevice().isGpu());
    }

    /** Returns y [m, rows] = x [m, cols] · Wᵀ. */
    public static float[] multiply(Weight w, float[] x, int m) {
        return multiply(new Weight[] {w}, x, m)[0];
    }

    /** One weight as the kernels see it: its row blocks, the objects the vector loads take, its format. */
    private record View(ByteBuffer[] buffers, Object[] memory, int rowsPerBlock, int rows, int cols, RowKernels kernels) {
        static View of(Weight w) {
            return new View(w.blocks(), w.kernelViews(Vectors::wrap), w.rowsPerBlock(), w.rows(), w.cols(),
                    RowKernels.of(w.dtype()));
        }
    }

    /** The products of one input x [m, cols] with several matrices of the same width, in one pass. */
    public static float[][] multiply(Weight[] ws, float[] x, int m) {
        float[][] ys = new float[ws.length][];
        View[] views = new View[ws.length];
        float[][] inputs = new float[ws.length][];
        int[] firstTask = new int[ws.length + 1];
        for (int i = 0; i < ws.length; i++) {
            views[i] = View.of(ws[i]);
            // the input in each weight format's layout, made once per format
            for (int j = 0; j < i && inputs[i] == null; j++) {
                if (views[j].kernels() == views[i].kernels()) {
                    inputs[i] = inputs[j];
                }
            }
            if (inputs[i] == null) {
                inputs[i] = views[i].kernels().prepare(x, m, ws[i].cols());
            }
            ys[i] = new float[m * ws[i].rows()];
            firstTask[i + 1] = firstTask[i] + (ws[i].rows() + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        }
        Workers.run(firstTask[ws.length], task -> {
            int i = 0;
            while (task >= firstTask[i + 1]) {
                i++;
            }
            int from = (task - firstTask[i]) * ROWS_PER_TASK;
            range(views[i], inputs[i], m, ys[i], from, Math.min(views[i].rows(), from + ROWS_PER_TASK));
        });
        return ys;
    }

    /**
     * Rows {@code [from, to)} of {@code w} widened to float32 into {@code dst} (from its start), with every
     * core: the block a libtorch product on many rows reads. Columns come in the order {@link #columnOrder}
     * gives (16-bit weights: evens then odds in each block, so no lane crosses another); the other operand
     * is reordered to match.
     */
    public static void widen(Weight w, int from, int to, ByteBuffer dst) {
        View v = View.of(w);
        Object out = Vectors.wrap(dst);
        int per = v.rowsPerBlock();
        int rowBytes = w.cols() * v.kernels().bytes();
        int rowsPerTask = Math.max(1, (int) Math.min(to - from, (1L << 20) / Math.max(1, rowBytes))); // ~1 MiB of weights a task
        int tasks = (to - from + rowsPerTask - 1) / rowsPerTask;
        Workers.run(tasks, t -> {
            for (int r = from + t * rowsPerTask, end = Math.min(to, r + rowsPerTask); r < end; r++) {
                v.kernels().widen(v.buffers()[r / per], v.memory()[r / per], (long) (r % per) * rowBytes, out,
                        (long) (r - from) * w.cols() * 4, dst, w.cols());
            }
        });
    }

    /** The column order of {@link #widen}'s output for {@code w}, or null when it is the natural one. */
    public static int[] columnOrder(Weight w) {
        return RowKernels.of(w.dtype()).columnOrder(w.cols());
    }

    private static void range(View w, float[] x, int m, float[] y, int from, int to) {
        int k = w.cols();
        int n = w.rows();
        int per = w.rowsPerBlock();
        int rowBytes = k * w.kernels().bytes();
        RowKernels kern = w.kernels();
        if (m == 1) {
            // Rows from the four quarters of the range at once: four independent streams of loads, which
            // the hardware prefetchers serve faster than one (measured: two streams ~60 vs one ~45 GB/s,
            // four 10-30% above two on this machine). Every row still sums exactly as dot() would.
            int quarter = (to - from) / 4;
            ByteBuffer[] bufs = new ByteBuffer[4];
            Object[] mems = new Object[4];
            int[] offs = new int[4];
            int[] rows = new int[4];
            for (int r = from; r < from + quarter; r++) {
                for (int i = 0; i < 4; i++) {
                    int row = r + i * quarter;
                    bufs[i] = w.buffers()[row / per];
                    mems[i] = w.memory()[row / per];
                    offs[i] = (row % per) * rowBytes;
                    rows[i] = row;
                }
                kern.dot1x4(bufs, mems, offs, x, k, y, rows);
            }
            for (int r = from + 4 * quarter; r < to; r++) {
                y[r] = kern.dot(w.buffers()[r / per], w.memory()[r / per], (r % per) * rowBytes, x, 0, k);
            }
            return;
        }
        for (int r = from; r < to; r++) {
            ByteBuffer buf = w.buffers()[r / per];
            Object mem = w.memory()[r / per];
            int offset = (r % per) * rowBytes;
            int i = 0;
            for (; i + 4 <= m; i += 4) {
                kern.dot4(buf, mem, offset, x, i * k, k, y, i * n + r, n);
            }
            for (; i < m; i++) {
                y[i * n + r] = kern.dot(buf, mem, offset, x, i * k, k);
            }
        }
    }
}
