package io.thinksafe.model.cpu;

import static io.thinksafe.model.cpu.Vectors.F;
import static io.thinksafe.model.cpu.Vectors.I;
import static io.thinksafe.model.cpu.Vectors.LANES;

import io.thinksafe.model.DType;
import java.nio.ByteBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Dot products of weight rows, read where they lie (mapped file or tensor memory) in their own dtype,
 * with float32 input rows. Each kernel consumes {@code 2·LANES} weights per step as two float vectors:
 * for float32 two consecutive loads; for bf16 and f16 one load of {@code LANES} ints, each holding two
 * 16-bit weights, whose low halves (even elements) and high halves (odd elements) become the two
 * vectors, widened in registers. The input is laid out to match ({@link #prepare}): for 16-bit
 * weights each block of {@code 2·LANES} inputs is reordered evens first, then odds. So 16-bit weights
 * cost half the memory traffic of float32, and no lane ever crosses another.
 *
 * <p>Every kernel accumulates one row the same way (even vectors, odd vectors, their sum's lanes added
 * in order, then the scalar tail), so a row's result does not depend on which kernel computed it, nor
 * on whether the JIT has compiled it yet: decoding is batch-invariant.
 */
abstract class RowKernels {
    static final int STEP = 2 * LANES;

    static RowKernels of(DType dtype) {
        return switch (dtype) {
            case F32 -> F32_ROWS;
            case BF16 -> BF16_ROWS;
            case F16 -> F16_ROWS;
            default -> throw new IllegalArgumentException("no Java kernel for " + dtype + " weights");
        };
    }

    static boolean supports(DType dtype) {
        return dtype == DType.F32 || dtype == DType.BF16 || dtype == DType.F16;
    }

    /** Bytes per weight. */
    abstract int bytes();

    /** Where each column of a widened row comes from: null for the natural order. */
    int[] columnOrder(int k) {
        return null;
    }

    /** Input rows x [m, k] in the layout the kernel reads (see the class comment). */
    abstract float[] prepare(float[] x, int m, int k);

    /**
     * Widens {@code count} weights at byte {@code srcOff} of {@code src} into float32 at byte {@code dstOff}
     * of {@code dst}, for libtorch's products on many rows, in the order {@link #columnOrder} gives (the
     * buffers are the same memory, for the scalar tail).
     */
    abstract void widen(ByteBuffer srcBuf, Object src, long srcOff, Object dst, long dstOff, ByteBuffer dstBuf, int count);

    /** Row (at byte {@code off} of {@code mem}; {@code buf} is the same memory, for the scalar tail) · one input row. */
    abstract float dot(ByteBuffer buf, Object mem, int off, float[] x, int xOff, int k);


    /**
     * Four rows (anywhere in memory: {@code mem[i]} at byte {@code off[i]}, {@code buf[i]} the same memory for
     * the tail) · one input row into {@code y[r[i]]}: four independent load streams, which this machine's
     * prefetchers serve faster than two (measured 10-30% on a weight larger than the caches).
     */
    abstract void dot1x4(ByteBuffer[] buf, Object[] mem, int[] off, float[] x, int k, float[] y, int[] r);

    /** One row · four input rows (x rows {@code xOff}, +k, +2k, +3k): the weights are loaded once for all four. */
    abstract void dot4(ByteBuffer buf, Object mem, int off, float[] x, int xOff, int k, float[] y, int yOff, int yStride);

    /*
     * The loops are written out per weight format, not shared through an abstract load: a shared loop
     * would be one compiled method whose load call sees every format, and a call the JIT cannot inline
     * makes it box every vector (tens of times slower).
     */

    private static final RowKernels F32_ROWS = new RowKernels() {
        @Override
        int bytes() {
            return 4;
        }

        @Override
        float[] prepare(float[] x, int m, int k) {
            return x;
        }

        @Override
        void widen(ByteBuffer srcBuf, Object src, long srcOff, Object dst, long dstOff, ByteBuffer dstBuf, int count) {
            int j = 0;
            for (; j + LANES <= count; j += LANES) {
                Vectors.store(Vectors.floats(src, srcOff + 4L * j), dst, dstOff + 4L * j);
            }
            for (; j < count; j++) {
                dstBuf.putFloat((int) (dstOff + 4L * j), srcBuf.getFloat((int) (srcOff + 4L * j)));
            }
        }

        @Override
        float dot(ByteBuffer buf, Object mem, int off, float[] x, int xOff, int k) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            int j = 0;
            for (; j + STEP <= k; j += STEP) {
                a0 = Vectors.floats(mem, off + 4L * j).fma(FloatVector.fromArray(F, x, xOff + j), a0);
                a1 = Vectors.floats(mem, off + 4L * (j + LANES)).fma(FloatVector.fromArray(F, x, xOff + j + LANES), a1);
            }
            float sum = Vectors.sum(a0.add(a1));
            for (; j < k; j++) {
                sum += buf.getFloat(off + 4 * j) * x[xOff + j];
            }
            return sum;
        }

        @Override
        void dot1x4(ByteBuffer[] buf, Object[] mem, int[] off, float[] x, int k, float[] y, int[] r) {
            Object m0 = mem[0];
            Object m1 = mem[1];
            Object m2 = mem[2];
            Object m3 = mem[3];
            long o0 = off[0];
            long o1 = off[1];
            long o2 = off[2];
            long o3 = off[3];
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector b0 = FloatVector.zero(F);
            FloatVector b1 = FloatVector.zero(F);
            FloatVector c0 = FloatVector.zero(F);
            FloatVector c1 = FloatVector.zero(F);
            FloatVector d0 = FloatVector.zero(F);
            FloatVector d1 = FloatVector.zero(F);
            int j = 0;
            for (; j + STEP <= k; j += STEP) {
                FloatVector x0 = FloatVector.fromArray(F, x, j);
                FloatVector x1 = FloatVector.fromArray(F, x, j + LANES);
                a0 = Vectors.floats(m0, o0 + 4L * j).fma(x0, a0);
                b0 = Vectors.floats(m1, o1 + 4L * j).fma(x0, b0);
                c0 = Vectors.floats(m2, o2 + 4L * j).fma(x0, c0);
                d0 = Vectors.floats(m3, o3 + 4L * j).fma(x0, d0);
                a1 = Vectors.floats(m0, o0 + 4L * (j + LANES)).fma(x1, a1);
                b1 = Vectors.floats(m1, o1 + 4L * (j + LANES)).fma(x1, b1);
                c1 = Vectors.floats(m2, o2 + 4L * (j + LANES)).fma(x1, c1);
                d1 = Vectors.floats(m3, o3 + 4L * (j + LANES)).fma(x1, d1);
            }
            float[] s = {Vectors.sum(a0.add(a1)), Vectors.sum(b0.add(b1)), Vectors.sum(c0.add(c1)), Vectors.sum(d0.add(d1))};
            for (int i = 0; i < 4; i++) {
                for (int t = j; t < k; t++) {
                    s[i] += buf[i].getFloat(off[i] + 4 * t) * x[t];
                }
                y[r[i]] = s[i];
            }
        }

        @Override
        void dot4(ByteBuffer buf, Object mem, int off, float[] x, int xOff, int k, float[] y, int yOff, int yStride) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector b0 = FloatVector.zero(F);
            FloatVector b1 = FloatVector.zero(F);
            FloatVector c0 = FloatVector.zero(F);
            FloatVector c1 = FloatVector.zero(F);
            FloatVector d0 = FloatVector.zero(F);
            FloatVector d1 = FloatVector.zero(F);
            int j = 0;
            for (; j + STEP <= k; j += STEP) {
                FloatVector w0 = Vectors.floats(mem, off + 4L * j);
                FloatVector w1 = Vectors.floats(mem, off + 4L * (j + LANES));
                a0 = w0.fma(FloatVector.fromArray(F, x, xOff + j), a0);
                a1 = w1.fma(FloatVector.fromArray(F, x, xOff + j + LANES), a1);
                b0 = w0.fma(FloatVector.fromArray(F, x, xOff + k + j), b0);
                b1 = w1.fma(FloatVector.fromArray(F, x, xOff + k + j + LANES), b1);
                c0 = w0.fma(FloatVector.fromArray(F, x, xOff + 2 * k + j), c0);
                c1 = w1.fma(FloatVector.fromArray(F, x, xOff + 2 * k + j + LANES), c1);
                d0 = w0.fma(FloatVector.fromArray(F, x, xOff + 3 * k + j), d0);
                d1 = w1.fma(FloatVector.fromArray(F, x, xOff + 3 * k + j + LANES), d1);
            }
            float s0 = Vectors.sum(a0.add(a1));
            float s1 = Vectors.sum(b0.add(b1));
            float s2 = Vectors.sum(c0.add(c1));
            float s3 = Vectors.sum(d0.add(d1));
            for (; j < k; j++) {
                float wj = buf.getFloat(off + 4 * j);
                s0 += wj * x[xOff + j];
                s1 += wj * x[xOff + k + j];
                s2 += wj * x[xOff + 2 * k + j];
                s3 += wj * x[xOff + 3 * k + j];
            }
            y[yOff] = s0;
            y[yOff + yStride] = s1;
            y[yOff + 2 * yStride] = s2;
            y[yOff + 3 * yStride] = s3;
        }
    };

    /**
     * 16-bit weights: one load of {@code LANES} ints gives {@code 2·LANES} weights, the even elements in
     * the low halves and the odd ones in the high halves; {@link #even} and {@link #odd} widen each half.
     */
    private abstract static class HalfRows extends RowKernels {
        abstract FloatVector even(IntVector pairs);

        abstract FloatVector odd(IntVector pairs);

        abstract float scalar(short bits);

        /** Widened in the kernels' layout: each block of {@code 2·LANES} weights evens first, then odds. */
        @Override
        void widen(ByteBuffer srcBuf, Object src, long srcOff, Object dst, long dstOff, ByteBuffer dstBuf, int count) {
            int j = 0;
            for (; j + STEP <= count; j += STEP) {
                IntVector w = Vectors.ints(src, srcOff + 2L * j);
                Vectors.store(even(w), dst, dstOff + 4L * j);
                Vectors.store(odd(w), dst, dstOff + 4L * (j + LANES));
            }
            for (; j < count; j++) {
                dstBuf.putFloat((int) (dstOff + 4L * j), scalar(srcBuf.getShort((int) (srcOff + 2L * j))));
            }
        }

        @Override
        int[] columnOrder(int k) {
            int[] order = new int[k];
            int full = k - k % STEP;
            for (int j = 0; j < full; j += STEP) {
                for (int t = 0; t < LANES; t++) {
                    order[j + t] = j + 2 * t;
                    order[j + LANES + t] = j + 2 * t + 1;
                }
            }
            for (int j = full; j < k; j++) {
                order[j] = j;
            }
            return order;
        }

        @Override
        int bytes() {
            return 2;
        }

        @Override
        float[] prepare(float[] x, int m, int k) {
            float[] p = new float[x.length];
            int full = k - k % STEP;
            for (int r = 0; r < m; r++) {
                int base = r * k;
                for (int j = 0; j < full; j += STEP) {
                    for (int t = 0; t < LANES; t++) {
                        p[base + j + t] = x[base + j + 2 * t];
                        p[base + j + LANES + t] = x[base + j + 2 * t + 1];
                    }
                }
                System.arraycopy(x, base + full, p, base + full, k - full);
            }
            return p;
        }

        @Override
        float dot(ByteBuffer buf, Object mem, int off, float[] x, int xOff, int k) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            int j = 0;
            for (; j + STEP <= k; j += STEP) {
                IntVector w = Vectors.ints(mem, off + 2L * j);
                a0 = even(w).fma(FloatVector.fromArray(F, x, xOff + j), a0);
                a1 = odd(w).fma(FloatVector.fromArray(F, x, xOff + j + LANES), a1);
            }
            float sum = Vectors.sum(a0.add(a1));
            for (; j < k; j++) {
                sum += scalar(buf.getShort(off + 2 * j)) * x[xOff + j];
            }
            return sum;
        }

        @Override
        void dot1x4(ByteBuffer[] buf, Object[] mem, int[] off, float[] x, int k, float[] y, int[] r) {
            Object m0 = mem[0];
            Object m1 = mem[1];
            Object m2 = mem[2];
            Object m3 = mem[3];
            long o0 = off[0];
            long o1 = off[1];
            long o2 = off[2];
            long o3 = off[3];
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector b0 = FloatVector.zero(F);
            FloatVector b1 = FloatVector.zero(F);
            FloatVector c0 = FloatVector.zero(F);
            FloatVector c1 = FloatVector.zero(F);
            FloatVector d0 = FloatVector.zero(F);
            FloatVector d1 = FloatVector.zero(F);
            int j = 0;
            for (; j + STEP <= k; j += STEP) {
                FloatVector x0 = FloatVector.fromArray(F, x, j);
                FloatVector x1 = FloatVector.fromArray(F, x, j + LANES);
                IntVector w0 = Vectors.ints(m0, o0 + 2L * j);
                IntVector w1 = Vectors.ints(m1, o1 + 2L * j);
                IntVector w2 = Vectors.ints(m2, o2 + 2L * j);
                IntVector w3 = Vectors.ints(m3, o3 + 2L * j);
                a0 = even(w0).fma(x0, a0);
                b0 = even(w1).fma(x0, b0);
                c0 = even(w2).fma(x0, c0);
                d0 = even(w3).fma(x0, d0);
                a1 = odd(w0).fma(x1, a1);
                b1 = odd(w1).fma(x1, b1);
                c1 = odd(w2).fma(x1, c1);
                d1 = odd(w3).fma(x1, d1);
            }
            float[] s = {Vectors.sum(a0.add(a1)), Vectors.sum(b0.add(b1)), Vectors.sum(c0.add(c1)), Vectors.sum(d0.add(d1))};
            for (int i = 0; i < 4; i++) {
                for (int t = j; t < k; t++) {
                    s[i] += scalar(buf[i].getShort(off[i] + 2 * t)) * x[t];
                }
                y[r[i]] = s[i];
            }
        }

        @Override
        void dot4(ByteBuffer buf, Object mem, int off, float[] x, int xOff, int k, float[] y, int yOff, int yStride) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector b0 = FloatVector.zero(F);
            FloatVector b1 = FloatVector.zero(F);
            FloatVector c0 = FloatVector.zero(F);
            FloatVector c1 = FloatVector.zero(F);
            FloatVector d0 = FloatVector.zero(F);
            FloatVector d1 = FloatVector.zero(F);
            int j = 0;
            for (; j + STEP <= k; j += STEP) {
                IntVector w = Vectors.ints(mem, off + 2L * j);
                FloatVector w0 = even(w);
                FloatVector w1 = odd(w);
                a0 = w0.fma(FloatVector.fromArray(F, x, xOff + j), a0);
                a1 = w1.fma(FloatVector.fromArray(F, x, xOff + j + LANES), a1);
                b0 = w0.fma(FloatVector.fromArray(F, x, xOff + k + j), b0);
                b1 = w1.fma(FloatVector.fromArray(F, x, xOff + k + j + LANES), b1);
                c0 = w0.fma(FloatVector.fromArray(F, x, xOff + 2 * k + j), c0);
                c1 = w1.fma(FloatVector.fromArray(F, x, xOff + 2 * k + j + LANES), c1);
                d0 = w0.fma(FloatVector.fromArray(F, x, xOff + 3 * k + j), d0);
                d1 = w1.fma(FloatVector.fromArray(F, x, xOff + 3 * k + j + LANES), d1);
            }
            float s0 = Vectors.sum(a0.add(a1));
            float s1 = Vectors.sum(b0.add(b1));
            float s2 = Vectors.sum(c0.add(c1));
            float s3 = Vectors.sum(d0.add(d1));
            for (; j < k; j++) {
                float wj = scalar(buf.getShort(off + 2 * j));
                s0 += wj * x[xOff + j];
                s1 += wj * x[xOff + k + j];
                s2 += wj * x[xOff + 2 * k + j];
                s3 += wj * x[xOff + 3 * k + j];
            }
            y[yOff] = s0;
            y[yOff + yStride] = s1;
            y[yOff + 2 * yStride] = s2;
            y[yOff + 3 * yStride] = s3;
        }
    }

    private static final RowKernels BF16_ROWS = new HalfRows() {
        // bfloat16 is the top half of a float32: shift the even element up, mask the odd one in place
        @Override
        FloatVector even(IntVector pairs) {
            return pairs.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
        }

        @Override
        FloatVector odd(IntVector pairs) {
            return pairs.and(0xffff0000).reinterpretAsFloats();
        }

        @Override
        float scalar(short bits) {
            return Float.intBitsToFloat((bits & 0xffff) << 16);
        }

    };

    private static final RowKernels F16_ROWS = new HalfRows() {
        /**
         * One row at a time: four rows' f16 widening inlined into one loop pass C2's node budget for
         * inlining (NodeCountInliningCutoff, seen with -XX:+PrintInlining), and the rows it did not inline
         * ran in the Vector API's Java fallback, 5x slower than the bf16 kernel. Same sums, same order.
         */
        @Override
        void dot1x4(ByteBuffer[] buf, Object[] mem, int[] off, float[] x, int k, float[] y, int[] r) {
            for (int i = 0; i < 4; i++) {
                y[r[i]] = dot(buf[i], mem[i], off[i], x, 0, k);
            }
        }

        @Override
        FloatVector even(IntVector pairs) {
            return widenHalf(pairs.and(0xffff));
        }

        @Override
        FloatVector odd(IntVector pairs) {
            return widenHalf(pairs.lanewise(VectorOperators.LSHR, 16));
        }

        @Override
        float scalar(short bits) {
            return DType.f16ToFloat(bits);
        }

    };

    /**
     * IEEE half bits (in the low 16 bits of each lane) to float32, as significand times a power of two:
     * the significand (with the implicit 1 unless the exponent field is 0) made a float exactly, the
     * power {@code 2^(max(e,1) - 25)} built as a normal float, one exact product; normals and subnormals
     * alike, with no compare or blend (the masks and blends an exact case analysis needs ran 20x slower on
     * Java 17's C2). No intermediate is ever a subnormal float: an x86 core takes a microcode assist, about
     * a hundred cycles, for each instruction that reads one, and about 0.2% of a model's f16 weights are
     * subnormal halves (an earlier version that scaled the bits read as a tiny float decoded f16 5x slower
     * than bf16). Halves with the top exponent (Inf, NaN) come out at 2^16 or more, above every finite half
     * (65504); scaling by 2^112 and back sends exactly those to infinity (a NaN weight becomes an infinity:
     * the model's output is ruined either way). Every float vector here comes from reinterpreting a freshly
     * computed int vector: a float result reinterpreted as ints and back, or an int-to-float {@code convert},
     * left C2 without the vector's exact class inside the decode kernel, and the operations after it ran in
     * the Vector API's Java fallback (measured with JFR: f16 decoded at 2.9 tokens/s where bf16 ran 15.9).
     */
    static FloatVector widenHalf(IntVector h) {
        IntVector e = h.lanewise(VectorOperators.LSHR, 10).and(0x1f);
        IntVector significand = h.and(0x3ff).or(e.min(1).lanewise(VectorOperators.LSHL, 10));
        // the sign rides on the power of two, so the one reinterpretation is of a freshly computed int vector
        FloatVector power = e.max(1).add(127 - 25).lanewise(VectorOperators.LSHL, 23)
                .or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
        // the significand (below 2^11) as a float: placed under the exponent of 2^23, then 2^23 taken off, exactly
        FloatVector exact = significand.or(0x4b000000).reinterpretAsFloats().sub(0x1p23f);
        return exact.mul(power).mul(0x1p112f).mul(0x1p-112f);
    }

    static {
        // the 16-bit kernels pair int lanes with float lanes
        if (I.length() != F.length()) {
            throw new IllegalStateException("int and float vector species differ in lanes");
        }
    }
}
