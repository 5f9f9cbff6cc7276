package io.thinksafe.export;

import io.thinksafe.model.DType;
import java.nio.ByteBuffer;

/**
 * Float32 values to the bytes of a GGML tensor type, rounding as llama.cpp's converter does: f16 and
 * bf16 round to nearest even; Q8_0 takes per block of 32 the scale d = max|x| / 127 (stored as f16)
 * and q = x / d rounded half away from zero (C's {@code roundf}), computed in float32 with the
 * unrounded d, as {@code quantize_row_q8_0_ref} does.
 */
final class TensorEncoding {
    private TensorEncoding() {}

    /** Appends {@code count} values from {@code values[from]} to {@code out} (little-endian). */
    static void encode(float[] values, int from, int count, GgmlType type, ByteBuffer out) {
        switch (type) {
            case F32 -> {
                for (int i = 0; i < count; i++) {
                    out.putFloat(values[from + i]);
                }
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    out.putShort(DType.floatToF16(values[from + i]));
                }
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    out.putShort(DType.floatToBf16(values[from + i]));
                }
            }
            case Q8_0 -> {
                for (int b = 0; b < count; b += type.blockSize) {
                    encodeQ8Block(values, from + b, out);
                }
            }
        }
    }

    private static void encodeQ8Block(float[] values, int from, ByteBuffer out) {
        int n = GgmlType.Q8_0.blockSize;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            amax = Math.max(amax, Math.abs(values[from + i]));
        }
        float d = amax / 127f;
        float inverse = d != 0 ? 1f / d : 0f;
        out.putShort(DType.floatToF16(d));
        for (int i = 0; i < n; i++) {
            out.put((byte) roundHalfAwayFromZero(values[from + i] * inverse));
        }
    }

    /** C's roundf; exact because a float plus 0.5 is exact in double. */
    static int roundHalfAwayFromZero(float x) {
        double r = Math.floor(Math.abs((double) x) + 0.5);
        return (int) Math.copySign(r, x);
    }
}
