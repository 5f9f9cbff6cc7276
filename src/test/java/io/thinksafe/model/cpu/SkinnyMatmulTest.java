package io.thinksafe.model.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinksafe.model.DType;
import io.thinksafe.model.Weight;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SkinnyMatmulTest {
    /** A weight [n, k] of the given dtype in a direct buffer, and its exact values as floats. */
    record Case(Weight weight, float[] values) {}

    static final ai.djl.ndarray.NDManager MANAGER = ai.djl.ndarray.NDManager.newBaseManager(ai.djl.Device.cpu());

    /** Float32 weights are tensors (over a mapping or trainable memory); 16-bit ones raw buffers. */
    static Case weight(DType dtype, int n, int k, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        ByteBuffer buf = ByteBuffer.allocateDirect(2 * n * k).order(ByteOrder.LITTLE_ENDIAN);
        float[] exact = new float[n * k];
        for (int i = 0; i < exact.length; i++) {
            float v = (float) r.nextGaussian();
            if (dtype == DType.F16 && i % 97 == 5) {
                v = (float) (r.nextGaussian() * 1e-6); // f16 subnormals take their own path
            }
            short bits = dtype == DType.F16 ? DType.floatToF16(v) : DType.floatToBf16(v);
            buf.putShort(2 * i, bits);
            exact[i] = dtype == DType.F32 ? v : dtype == DType.F16 ? DType.f16ToFloat(bits) : DType.bf16ToFloat(bits);
        }
        Weight w = dtype == DType.F32 ? Weight.of(MANAGER.create(exact, new ai.djl.ndarray.types.Shape(n, k)))
                : Weight.of16Bit(dtype, new ByteBuffer[] {buf}, n, n, k);
        return new Case(w, exact);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16", "F16"})
    void eachRowIsTheSameBitsWhateverShareTheCallAndMatchesAPlainProduct(DType dtype) {
        int n = 700;
        for (int k : new int[] {83, 64, 1040}) { // 83: not a multiple of the vector width, so the scalar tail runs
            Case c = weight(dtype, n, k, 2 + k);
            SplittableRandom r = new SplittableRandom(k);
            float[] x = new float[7 * k];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            float[] alone = SkinnyMatmul.multiply(c.weight(), Arrays.copyOf(x, k), 1);
            for (int rows : new int[] {2, 4, 5, 7}) {
                float[] many = SkinnyMatmul.multiply(c.weight(), Arrays.copyOf(x, rows * k), rows);
                for (int j = 0; j < n; j++) {
                    assertThat(Float.floatToIntBits(many[j])).as("k %d rows %d output %d", k, rows, j)
                            .isEqualTo(Float.floatToIntBits(alone[j]));
                }
                for (int i = 1; i < rows; i++) {
                    float[] single = SkinnyMatmul.multiply(c.weight(), Arrays.copyOfRange(x, i * k, (i + 1) * k), 1);
                    for (int j = 0; j < n; j++) {
                        assertThat(Float.floatToIntBits(many[i * n + j])).isEqualTo(Float.floatToIntBits(single[j]));
                    }
                }
            }
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int t = 0; t < k; t++) {
                    dot += (double) c.values()[j * k + t] * x[t];
                }
                assertThat((double) alone[j]).as("k %d output %d", k, j)
                        .isCloseTo(dot, org.assertj.core.data.Offset.offset(1e-4 * Math.sqrt(k)));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16", "F16"})
    void widenedRowsAreTheExactValuesInTheKernelsColumnOrder(DType dtype) {
        for (int k : new int[] {83, 64}) {
            Case c = weight(dtype, 300, k, 7 + k);
            ByteBuffer out = ByteBuffer.allocateDirect(4 * 250 * k).order(ByteOrder.LITTLE_ENDIAN);
            SkinnyMatmul.widen(c.weight(), 30, 280, out);
            int[] order = SkinnyMatmul.columnOrder(c.weight());
            if (dtype != DType.F32) {
                assertThat(order).as("16-bit rows come evens first").isNotNull();
                assertThat(java.util.Arrays.stream(order).sorted().toArray()).isEqualTo(java.util.stream.IntStream.range(0, k).toArray());
            }
            for (int r = 0; r < 250; r++) {
                for (int p = 0; p < k; p++) {
                    int column = order == null ? p : order[p];
                    assertThat(Float.floatToRawIntBits(out.getFloat(4 * (r * k + p)))).as("k %d row %d column %d", k, r, p)
                            .isEqualTo(Float.floatToRawIntBits(c.values()[(30 + r) * k + column]));
                }
            }
        }
    }

    @org.junit.jupiter.api.Test
    void halfFloatsWidenExactlyIncludingSubnormalsAndInfinities() {
        int[] lanes = new int[Vectors.LANES];
        for (int h = 0; h < 0x10000; h += Vectors.LANES) {
            for (int t = 0; t < lanes.length; t++) {
                lanes[t] = h + t;
            }
            jdk.incubator.vector.FloatVector v = RowKernels.widenHalf(jdk.incubator.vector.IntVector.fromArray(Vectors.I, lanes, 0));
            for (int t = 0; t < lanes.length; t++) {
                float expected = DType.f16ToFloat((short) (h + t));
                if (Float.isNaN(expected)) {
                    assertThat(Float.isFinite(v.lane(t))).as("half %04x (NaN)", h + t).isFalse();
                } else {
                    assertThat(Float.floatToRawIntBits(v.lane(t))).as("half %04x", h + t)
                            .isEqualTo(Float.floatToRawIntBits(expected));
                }
            }
        }
    }
}
