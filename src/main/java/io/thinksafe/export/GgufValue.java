package io.thinksafe.export;

import java.util.List;

/**
 * A metadata value of a GGUF file, in the type llama.cpp checks when it reads the key (it refuses a
 * key of the wrong type, so a count is {@link Uint32}, an epsilon {@link Float32}). The type ids are
 * those of {@code gguf_type}.
 */
public sealed interface GgufValue {
    int UINT32 = 4;
    int INT32 = 5;
    int FLOAT32 = 6;
    int BOOL = 7;
    int STRING = 8;
    int ARRAY = 9;

    record Uint32(long value) implements GgufValue {
        public Uint32 {
            if (value < 0 || value > 0xffffffffL) {
                throw new IllegalArgumentException("not an unsigned 32-bit value: " + value);
            }
        }
    }

    record Float32(float value) implements GgufValue {}

    record Bool(boolean value) implements GgufValue {}

    record Text(String value) implements GgufValue {}

    record TextArray(List<String> values) implements GgufValue {
        public TextArray {
            values = List.copyOf(values);
        }
    }

    record Int32Array(int[] values) implements GgufValue {}
}
