package io.thinksafe.export;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a GGUF file (version 3, little-endian): the header, the metadata, the tensor directory and
 * then each tensor's data at an offset aligned to 32 bytes. Tensor data is produced only while the
 * file is written, one tensor at a time, so a model never has to fit in memory twice.
 *
 * <p>Hand-written: Maven Central has no maintained Java GGUF library (com.llama4j:gguf is listed on
 * central.sonatype.com at 0.1.1, but its artifacts are not on repo1.maven.org), and the format is a
 * few dozen lines.
 */
public final class GgufWriter {
    static final int ALIGNMENT = 32;
    private static final int VERSION = 3;
    private static final byte[] MAGIC = {'G', 'G', 'U', 'F'};

    /** Produces a tensor's bytes in GGML order (rows of its last dimension, contiguous). */
    public interface TensorData {
        void writeTo(ByteSink sink) throws IOException;
    }

    /** Where tensor bytes go; buffers are written from position to limit. */
    public interface ByteSink {
        void write(ByteBuffer bytes) throws IOException;
    }

    /**
     * A tensor: {@code shape} is row-major as in PyTorch ([rows, columns]); GGUF stores it reversed
     * (ggml's ne[0] is the contiguous dimension).
     */
    public record Tensor(String name, long[] shape, GgmlType type, TensorData data) {
        long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        long bytes() {
            return type.bytes(elements());
        }
    }

    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();

    public GgufWriter put(String key, GgufValue value) {
        if (metadata.put(key, value) != null) {
            throw new IllegalArgumentException("metadata key written twice: " + key);
        }
        return this;
    }

    public GgufWriter putUint32(String key, long value) {
        return put(key, new GgufValue.Uint32(value));
    }

    public GgufWriter putFloat32(String key, double value) {
        return put(key, new GgufValue.Float32((float) value));
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, new GgufValue.Bool(value));
    }

    public GgufWriter putString(String key, String value) {
        return put(key, new GgufValue.Text(value));
    }

    public void addTensor(Tensor t) {
        long last = t.shape()[t.shape().length - 1];
        if (last % t.type().blockSize != 0) {
            throw new IllegalArgumentException(t.name() + ": rows of " + last + " do not fill " + t.type() + " blocks");
        }
        tensors.add(t);
    }

    /** Writes the file; {@code afterTensor} runs after each tensor's data (progress). */
    public void write(OutputStream stream, Runnable afterTensor) throws IOException {
        Output out = new Output(stream);
        out.bytes(MAGIC);
        out.u32(VERSION);
        out.u64(tensors.size());
        out.u64(metadata.size());
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            out.string(e.getKey());
            writeValue(out, e.getValue());
        }
        long offset = 0;
        for (Tensor t : tensors) {
            out.string(t.name());
            out.u32(t.shape().length);
            for (int d = t.shape().length - 1; d >= 0; d--) {
                out.u64(t.shape()[d]);
            }
            out.u32(t.type().id);
            out.u64(offset);
            offset += padded(t.bytes());
        }
        out.pad();
        for (Tensor t : tensors) {
            long start = out.position;
            t.data().writeTo(out::buffer);
            long written = out.position - start;
            if (written != t.bytes()) {
                throw new IllegalStateException(t.name() + ": wrote " + written + " bytes, expected " + t.bytes());
            }
            out.pad();
            afterTensor.run();
        }
        out.flush();
    }

    static long padded(long n) {
        return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static void writeValue(Output out, GgufValue v) throws IOException {
        if (v instanceof GgufValue.Uint32 u) {
            out.u32(GgufValue.UINT32);
            out.u32(u.value());
        } else if (v instanceof GgufValue.Float32 f) {
            out.u32(GgufValue.FLOAT32);
            out.u32(Float.floatToRawIntBits(f.value()));
        } else if (v instanceof GgufValue.Bool b) {
            out.u32(GgufValue.BOOL);
            out.bytes(new byte[] {(byte) (b.value() ? 1 : 0)});
        } else if (v instanceof GgufValue.Text s) {
            out.u32(GgufValue.STRING);
            out.string(s.value());
        } else if (v instanceof GgufValue.TextArray a) {
            out.u32(GgufValue.ARRAY);
            out.u32(GgufValue.STRING);
            out.u64(a.values().size());
            for (String s : a.values()) {
                out.string(s);
            }
        } else if (v instanceof GgufValue.Int32Array a) {
            out.u32(GgufValue.ARRAY);
            out.u32(GgufValue.INT32);
            out.u64(a.values().length);
            for (int x : a.values()) {
                out.u32(x);
            }
        } else {
            throw new IllegalArgumentException("unknown GGUF value " + v);
        }
    }

    /** Little-endian output that counts bytes, for alignment. */
    private static final class Output {
        private final OutputStream stream;
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        long position;

        Output(OutputStream stream) {
            this.stream = stream;
        }

        void bytes(byte[] b) throws IOException {
            stream.write(b);
            position += b.length;
        }

        void u32(long v) throws IOException {
            scratch.clear();
            scratch.putInt((int) v);
            stream.write(scratch.array(), 0, 4);
            position += 4;
        }

        void u64(long v) throws IOException {
            scratch.clear();
            scratch.putLong(v);
            stream.write(scratch.array(), 0, 8);
            position += 8;
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            bytes(b);
        }

        void buffer(ByteBuffer b) throws IOException {
            int n = b.remaining();
            if (b.hasArray()) {
                stream.write(b.array(), b.arrayOffset() + b.position(), n);
                b.position(b.limit());
            } else {
                byte[] copy = new byte[n];
                b.get(copy);
                stream.write(copy);
            }
            position += n;
        }

        void pad() throws IOException {
            int n = (int) (padded(position) - position);
            if (n > 0) {
                bytes(new byte[n]);
            }
        }

        void flush() throws IOException {
            stream.flush();
        }
    }
}
