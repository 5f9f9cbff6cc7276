package io.thinksafe.export;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a GGUF file back for tests, independently of the writer: metadata values (scalars, strings,
 * arrays as lists) and the tensor directory, with each tensor's absolute data position.
 */
record GgufFile(int version, Map<String, Object> metadata, Map<String, Integer> metadataTypes, List<TensorInfo> tensors,
                long dataStart, long size, ByteBuffer bytes) {

    record TensorInfo(String name, long[] ggmlShape, int type, long offset) {}

    static GgufFile read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[4];
        b.get(magic);
        if (!new String(magic, StandardCharsets.US_ASCII).equals("GGUF")) {
            throw new IOException("not a GGUF file");
        }
        int version = b.getInt();
        long tensorCount = b.getLong();
        long kvCount = b.getLong();
        Map<String, Object> meta = new LinkedHashMap<>();
        Map<String, Integer> types = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = string(b);
            int type = b.getInt();
            types.put(key, type);
            meta.put(key, value(b, type));
        }
        List<TensorInfo> tensors = new ArrayList<>();
        for (long i = 0; i < tensorCount; i++) {
            String name = string(b);
            long[] shape = new long[b.getInt()];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = b.getLong();
            }
            tensors.add(new TensorInfo(name, shape, b.getInt(), b.getLong()));
        }
        long dataStart = (b.position() + 31) / 32 * 32;
        return new GgufFile(version, meta, types, tensors, dataStart, b.capacity(), b);
    }

    TensorInfo tensor(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    /** Float32 values of an F32 tensor. */
    float[] floats(String name) {
        TensorInfo t = tensor(name);
        long n = 1;
        for (long d : t.ggmlShape()) {
            n *= d;
        }
        float[] out = new float[(int) n];
        for (int i = 0; i < out.length; i++) {
            out[i] = bytes.getFloat((int) (dataStart + t.offset()) + 4 * i);
        }
        return out;
    }

    private static String string(ByteBuffer b) {
        byte[] s = new byte[(int) b.getLong()];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static Object value(ByteBuffer b, int type) throws IOException {
        switch (type) {
            case 0, 1: return (int) b.get();
            case 2, 3: return (int) b.getShort();
            case 4: return Integer.toUnsignedLong(b.getInt());
            case 5: return b.getInt();
            case 6: return b.getFloat();
            case 7: return b.get() != 0;
            case 8: return string(b);
            case 9: {
                int elementType = b.getInt();
                long n = b.getLong();
                List<Object> list = new ArrayList<>();
                for (long i = 0; i < n; i++) {
                    list.add(value(b, elementType));
                }
                return list;
            }
            case 10, 11: return b.getLong();
            case 12: return b.getDouble();
            default: throw new IOException("unknown GGUF value type " + type);
        }
    }
}
