package io.thinksafe.export;

/**
 * The GGML tensor types an export writes, with their ids in GGUF files ({@code ggml_type}) and their
 * storage: elements per block and bytes per block. Q8_0 is blocks of 32 int8 values after one f16 scale.
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q8_0(8, 32, 2 + 32),
    BF16(30, 1, 2);

    public final int id;
    public final int blockSize;
    public final int blockBytes;

    GgmlType(int id, int blockSize, int blockBytes) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** Bytes that {@code elements} values take; a row's length must be a multiple of the block size. */
    public long bytes(long elements) {
        if (elements % blockSize != 0) {
            throw new IllegalArgumentException(elements + " elements do not fill whole " + this + " blocks of " + blockSize);
        }
        return elements / blockSize * blockBytes;
    }
}
