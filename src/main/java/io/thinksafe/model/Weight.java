package io.thinksafe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.util.function.Function;

/**
 * A weight matrix [rows, cols] held in the dtype its checkpoint stores: float32, bfloat16 or float16.
 *
 * <p>Float32 weights are a tensor (over the mapped file, or trainable memory), as libtorch wants them.
 * 16-bit weights stay in the mapped file: DJL's libtorch cannot hold bfloat16 (creating such a tensor
 * aborts the JVM), and widening a whole checkpoint to float32 doubles its memory (an 8B model no longer
 * fits 24 GB). So the Java decode kernels read 16-bit rows straight from the mapping and widen them in
 * registers, and libtorch sees float32 copies of one matrix, or one block of rows, at a time
 * ({@link #float32Rows}), made for a product and freed after it.
 */
public final class Weight {
    /** Largest row block handed to libtorch as one float32 copy: well under glibc's mmap threshold (32 MiB
     * in the launcher), so the allocator reuses the same memory instead of faulting in fresh pages (a block
     * of exactly 32 MiB was measured 3x slower: every block was a new mapping). */
    public static final long BLOCK_BYTES = 16L << 20;
    /** Largest byte range in one buffer (ByteBuffers are int-indexed). */
    private static final long MAX_BUFFER = 1L << 30;

    private final DType dtype;
    private final int rows;
    private final int cols;
    /** Float32 weights as a tensor; null for 16-bit weights. */
    private final NDArray tensor;
    /** Row blocks of the raw little-endian data (16-bit: the mapping; float32: views of the tensor, made on demand). */
    private ByteBuffer[] blocks;
    private int rowsPerBlock;
    /** What the Java kernels keep per block (e.g. a MemorySegment over it), made once. */
    private volatile Object[] kernelViews;

    private Weight(DType dtype, int rows, int cols, NDArray tensor, ByteBuffer[] blocks, int rowsPerBlock) {
        this.dtype = dtype;
        this.rows = rows;
        this.cols = cols;
        this.tensor = tensor;
        this.blocks = blocks;
        this.rowsPerBlock = rowsPerBlock;
    }

    /** A float32 (or, for gradient checks, float64) tensor [rows, cols] as a weight (no copy). */
    public static Weight of(NDArray tensor) {
        Shape s = tensor.getShape();
        if (s.dimension() != 2) {
            throw new IllegalArgumentException("a weight matrix must be 2-D, got " + s);
        }
        DType dtype = tensor.getDataType() == DataType.FLOAT64 ? DType.F64 : DType.F32; // float64: gradient checks
        return new Weight(dtype, Math.toIntExact(s.get(0)), Math.toIntExact(s.get(1)), tensor, null, 0);
    }

    /**
     * 16-bit weights over raw little-endian data in row blocks: {@code blocks[b]} holds rows
     * {@code b·rowsPerBlock} up to the next block.
     */
    public static Weight of16Bit(DType dtype, ByteBuffer[] blocks, int rowsPerBlock, int rows, int cols) {
        if (dtype != DType.BF16 && dtype != DType.F16) {
            throw new IllegalArgumentException("16-bit weights are BF16 or F16, got " + dtype);
        }
        return new Weight(dtype, rows, cols, null, blocks, rowsPerBlock);
    }

    /** Rows per block such that a block of {@code cols} values of {@code bytes} each fits one buffer. */
    static int rowsPerBuffer(long cols, int bytes) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, MAX_BUFFER / (cols * bytes)));
    }

    public DType dtype() {
        return dtype;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Bytes the weight occupies as held. */
    public long bytes() {
        return (long) rows * cols * dtype.bytes;
    }

    /** The float32 tensor, or null for 16-bit weights (use {@link #float32Rows}). */
    public NDArray tensor() {
        return tensor;
    }

    /** True for a float32 weight that collects gradients (full fine-tuning, LoRA factors). */
    public boolean trainable() {
        return tensor != null && tensor.hasGradient();
    }

    /**
     * Rows {@code [from, to)} as float32 for libtorch: a view of the tensor for float32 weights (autograd
     * sees through it), otherwise a widened copy owned by {@code m}.
     */
    public NDArray float32Rows(int from, int to, NDManager m) {
        if (tensor != null) {
            return from == 0 && to == rows ? tensor : tensor.get("{}:{}", from, to);
        }
        NDArray out = m.create(new Shape(to - from, cols), DataType.FLOAT32);
        widenRows(from, to, out.toByteBuffer(true).order(ByteOrder.nativeOrder()), 0);
        return out;
    }

    /** The whole matrix as float32 (see {@link #float32Rows}). */
    public NDArray float32(NDManager m) {
        return float32Rows(0, rows, m);
    }

    /** Rows per libtorch block: at most {@link #BLOCK_BYTES} of float32 each. */
    public int rowsPerTorchBlock() {
        return (int) Math.max(1, Math.min(rows, BLOCK_BYTES / (4L * cols)));
    }

    /**
     * Rows {@code [from, to)} widened to float32 into {@code dst} (native order) from byte {@code dstOffset}.
     * Plain Java over bulk buffer copies, so it runs on every JDK; safe to call from several threads on
     * disjoint ranges.
     */
    public void widenRows(int from, int to, ByteBuffer dst, long dstOffset) {
        int per = rowsPerBlock();
        if (dtype == DType.F32) {
            // rows may cross a block boundary: copy block by block
            int r = from;
            long out = dstOffset;
            while (r < to) {
                int end = Math.min(to, (r / per + 1) * per);
                ByteBuffer b = block(r).duplicate().order(ByteOrder.LITTLE_ENDIAN);
                int at = (r % per) * cols * 4;
                b.limit(at + (end - r) * cols * 4).position(at);
                ByteBuffer d = dst.duplicate();
                d.position(Math.toIntExact(out));
                d.put(b);
                out += (long) (end - r) * cols * 4;
                r = end;
            }
            return;
        }
        short[] in = new short[Math.min(CHUNK, (to - from) * cols)];
        int[] bits = new int[in.length];
        IntBuffer out = dst.asIntBuffer();
        long outIndex = dstOffset / 4;
        for (int r = from; r < to; ) {
            int end = Math.min(to, (r / per + 1) * per);
            ShortBuffer src = block(r).asShortBuffer();
            long first = (long) (r % per) * cols;
            long count = (long) (end - r) * cols;
            for (long done = 0; done < count; ) {
                int n = (int) Math.min(in.length, count - done);
                src.get(Math.toIntExact(first + done), in, 0, n);
                widen(dtype, in, bits, n);
                out.put(Math.toIntExact(outIndex), bits, 0, n);
                outIndex += n;
                done += n;
            }
            r = end;
        }
    }

    private static final int CHUNK = 1 << 14;

    /** 16-bit values to float32 bit patterns. */
    static void widen(DType dtype, short[] in, int[] out, int n) {
        if (dtype == DType.BF16) {
            for (int i = 0; i < n; i++) {
                out[i] = (in[i] & 0xffff) << 16; // bfloat16 is the top half of a float32
            }
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = Float.floatToRawIntBits(DType.f16ToFloat(in[i]));
            }
        }
    }

    /** Row {@code r} widened into {@code dst[off .. off + cols)}. */
    public void row(int r, float[] dst, int off) {
        if (tensor != null && blocks == null && tensor.getDevice().isGpu()) {
            System.arraycopy(tensor.get(r).toFloatArray(), 0, dst, off, cols);
            return;
        }
        ByteBuffer b = block(r);
        int at = (r % rowsPerBlock()) * cols;
        if (dtype == DType.F32) {
            b.asFloatBuffer().get(at, dst, off, cols);
            return;
        }
        short[] in = new short[cols];
        int[] bits = new int[cols];
        b.asShortBuffer().get(at, in, 0, cols);
        widen(dtype, in, bits, cols);
        for (int j = 0; j < cols; j++) {
            dst[off + j] = Float.intBitsToFloat(bits[j]);
        }
    }

    /**
     * The rows {@code ids} as a float32 tensor [ids.length, cols] (an embedding lookup). For a float32
     * tensor this is libtorch's gather, so a trainable embedding receives its gradient.
     */
    public NDArray gather(long[] ids, NDManager m) {
        if (tensor != null) {
            NDArray out = tensor.get(m.create(ids));
            out.attach(m);
            return out;
        }
        float[] data = new float[Math.toIntExact((long) ids.length * cols)];
        for (int i = 0; i < ids.length; i++) {
            row(Math.toIntExact(ids[i]), data, i * cols);
        }
        return m.create(data, new Shape(ids.length, cols));
    }

    /** The data buffer holding row {@code r} (little-endian). */
    public ByteBuffer block(int r) {
        ByteBuffer[] b = blocks();
        return b[r / rowsPerBlock];
    }

    public int rowsPerBlock() {
        blocks();
        return rowsPerBlock;
    }

    /** The row blocks of the raw data (for float32, views of the tensor's memory, made once). */
    public synchronized ByteBuffer[] blocks() {
        if (blocks == null) {
            if (tensor.getDevice().isGpu()) {
                throw new IllegalStateException("a weight on the GPU has no host memory to read");
            }
            int perBlock = rowsPerBuffer(cols, 4);
            int n = (rows + perBlock - 1) / perBlock;
            ByteBuffer[] views = new ByteBuffer[n];
            for (int b = 0; b < n; b++) {
                if (n == 1) {
                    views[b] = tensor.toByteBuffer(true);
                } else {
                    // a row slice of a contiguous matrix is contiguous: a view, not a copy
                    try (NDArray slice = tensor.get("{}:{}", b * perBlock, Math.min(rows, (b + 1) * perBlock))) {
                        views[b] = slice.toByteBuffer(true);
                    }
                }
                views[b].order(ByteOrder.LITTLE_ENDIAN);
            }
            rowsPerBlock = perBlock;
            blocks = views;
        }
        return blocks;
    }

    /** Per-block objects the Java kernels read through (made by {@code wrap} once, then kept). */
    public Object[] kernelViews(Function<ByteBuffer, Object> wrap) {
        Object[] v = kernelViews;
        if (v == null) {
            synchronized (this) {
                if (kernelViews == null) {
                    ByteBuffer[] b = blocks();
                    Object[] made = new Object[b.length];
                    for (int i = 0; i < b.length; i++) {
                        made[i] = wrap.apply(b[i]);
                    }
                    kernelViews = made;
                }
                v = kernelViews;
            }
        }
        return v;
    }

    @Override
    public String toString() {
        return "Weight[" + rows + "x" + cols + " " + dtype + "]";
    }
}
