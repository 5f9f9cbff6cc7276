package io.thinksafe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.util.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@code .safetensors} file: an 8-byte little-endian header length, a JSON header naming each
 * tensor's dtype, shape and byte range, then the raw little-endian data. Tensors are memory-mapped,
 * never read through the Java heap: float32 data becomes a tensor over the mapped pages themselves;
 * bf16/f16 weight matrices stay in the mapping as they are ({@link #loadWeight}), and small bf16/f16
 * tensors (norms, biases) are decoded into float32 tensors.
 *
 * <p>The mapping is read-only (model files are often read-only, and we never write to them): a
 * float32 weight tensor must not be updated in place. Code that trains full weights copies them first.
 */
public final class SafetensorsFile {
    /** A tensor's entry in the header; offsets are absolute positions in the file. */
    public record Entry(String name, DType dtype, long[] shape, long begin, long end) {
        public long numel() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private static final long MAX_HEADER = 100L << 20;
    /** Largest byte range we map or decode at once; ByteBuffers are int-indexed. */
    private static final long MAX_CHUNK = 1L << 30;

    private final Path path;
    private final long fileSize;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, long fileSize, Map<String, Entry> entries, Map<String, String> metadata) {
        this.path = path;
        this.fileSize = fileSize;
        this.entries = entries;
        this.metadata = metadata;
    }

    public static SafetensorsFile open(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new ThinkSafeException(path + ": not a safetensors file (only " + size + " bytes)");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long headerLen = len.getLong(0);
            if (headerLen <= 0 || headerLen > MAX_HEADER || headerLen > size - 8) {
                throw new ThinkSafeException(path + ": not a safetensors file (header length " + headerLen
                        + " does not fit a file of " + size + " bytes; truncated or another format?)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8);
            JsonNode root;
            try {
                root = Json.MAPPER.readTree(header.array());
            } catch (IOException e) {
                throw new ThinkSafeException(path + ": safetensors header is not valid JSON");
            }
            return new SafetensorsFile(path, size, parseEntries(path, root, 8 + headerLen, size), parseMetadata(root));
        } catch (NoSuchFileException e) {
            throw new ThinkSafeException(path + ": file not found");
        } catch (IOException e) {
            throw new ThinkSafeException(path + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static Map<String, Entry> parseEntries(Path path, JsonNode root, long dataStart, long size) {
        if (!root.isObject()) {
            throw new ThinkSafeException(path + ": safetensors header is not a JSON object");
        }
        Map<String, Entry> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            if (name.equals("__metadata__")) {
                continue;
            }
            JsonNode t = f.getValue();
            String where = path + ": tensor '" + name + "'";
            DType dtype = DType.parse(t.path("dtype").asText(""));
            if (dtype == null) {
                throw new ThinkSafeException(where + " has unsupported dtype '" + t.path("dtype").asText() + "'");
            }
            JsonNode shapeNode = t.path("shape");
            JsonNode offs = t.path("data_offsets");
            if (!shapeNode.isArray() || !offs.isArray() || offs.size() != 2) {
                throw new ThinkSafeException(where + " has a malformed header entry (needs shape and data_offsets)");
            }
            long[] shape = new long[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeNode.get(i).asLong(-1);
                if (shape[i] < 0) {
                    throw new ThinkSafeException(where + " has a negative or non-integer dimension");
                }
            }
            long begin = offs.get(0).asLong(-1);
            long end = offs.get(1).asLong(-1);
            Entry e = new Entry(name, dtype, shape, dataStart + begin, dataStart + end);
            if (begin < 0 || end < begin || end - begin != e.numel() * dtype.bytes) {
                throw new ThinkSafeException(where + ": byte range [" + begin + ", " + end + ") does not hold "
                        + e.numel() + " " + dtype + " elements");
            }
            if (e.end() > size) {
                throw new ThinkSafeException(where + " ends at byte " + e.end() + " but the file has only "
                        + size + " bytes (truncated file?)");
            }
            out.put(name, e);
        }
        return Collections.unmodifiableMap(out);
    }

    private static Map<String, String> parseMetadata(JsonNode root) {
        Map<String, String> out = new LinkedHashMap<>();
        root.path("__metadata__").fields().forEachRemaining(f -> out.put(f.getKey(), f.getValue().asText()));
        return Collections.unmodifiableMap(out);
    }

    public Path path() {
        return path;
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new ThinkSafeException(path + ": missing tensor '" + name + "'");
        }
        return e;
    }

    /** Maps a byte range read-only; the mapping lives as long as the returned buffer is reachable. */
    private ByteBuffer map(long begin, long length) {
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("range too large to map at once: " + length);
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            if (begin + length > ch.size()) {
                throw new ThinkSafeException(path + ": file shrank to " + ch.size() + " bytes while loading");
            }
            return ch.map(FileChannel.MapMode.READ_ONLY, begin, length).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new ThinkSafeException(path + ": cannot map (" + e.getMessage() + ")");
        }
    }

    /** Loads a floating-point tensor as float32, attached to {@code manager}. */
    public NDArray loadFloat32(String name, NDManager manager) {
        Entry e = entry(name);
        if (!e.dtype().isFloat()) {
            throw new ThinkSafeException(path + ": tensor '" + name + "' has dtype " + e.dtype()
                    + " but a floating-point weight was expected");
        }
        long rowElems = e.shape().length == 0 ? 1 : e.numel() / Math.max(1, e.shape()[0]);
        long rowBytesF32 = Math.max(1, rowElems) * 4;
        if (e.numel() * 4 <= MAX_CHUNK || e.shape().length == 0 || rowBytesF32 > MAX_CHUNK) {
            return loadRows(e, 0, e.shape().length == 0 ? 1 : e.shape()[0], manager);
        }
        // Over 1 GiB as float32: load row blocks and join them (ByteBuffers are int-indexed).
        long rows = e.shape()[0];
        long rowsPerChunk = MAX_CHUNK / rowBytesF32;
        NDList parts = new NDList();
        try {
            for (long r = 0; r < rows; r += rowsPerChunk) {
                parts.add(loadRows(e, r, Math.min(rows, r + rowsPerChunk), manager));
            }
            return NDArrays.concat(parts, 0);
        } finally {
            parts.close();
        }
    }

    /**
     * Loads a 2-D weight as a {@link Weight}: float32 as a tensor over the mapping (as {@link #loadFloat32}),
     * bfloat16 and float16 kept as they are in the file, mapped read-only in row blocks (no copy, no
     * widening: pages are read as the kernels touch them).
     */
    public Weight loadWeight(String name, NDManager manager) {
        Entry e = entry(name);
        if (e.shape().length != 2) {
            throw new ThinkSafeException(path + ": tensor '" + name + "' has shape " + java.util.Arrays.toString(e.shape())
                    + " but a 2-D weight matrix was expected");
        }
        if ((e.dtype() != DType.BF16 && e.dtype() != DType.F16) || manager.getDevice().isGpu()) {
            return Weight.of(loadFloat32(name, manager));
        }
        int rows = Math.toIntExact(e.shape()[0]);
        int cols = Math.toIntExact(e.shape()[1]);
        int perBlock = Weight.rowsPerBuffer(cols, 2);
        int n = (rows + perBlock - 1) / perBlock;
        ByteBuffer[] blocks = new ByteBuffer[n];
        for (int b = 0; b < n; b++) {
            long from = (long) b * perBlock;
            long to = Math.min(rows, from + perBlock);
            blocks[b] = map(e.begin() + from * cols * 2, (to - from) * cols * 2);
        }
        return Weight.of16Bit(e.dtype(), blocks, perBlock, rows, cols);
    }

    private NDArray loadRows(Entry e, long rowFrom, long rowTo, NDManager manager) {
        if (manager.getDevice().isGpu()) {
            // decode on the CPU (we write into the tensor's memory), then copy to the device
            try (NDManager cpu = NDManager.newBaseManager(ai.djl.Device.cpu())) {
                NDArray onGpu = loadRows(e, rowFrom, rowTo, cpu).toDevice(manager.getDevice(), false);
                onGpu.attach(manager);
                return onGpu;
            }
        }
        long[] shape = e.shape().clone();
        long rowElems = 1;
        for (int i = 1; i < shape.length; i++) {
            rowElems *= shape[i];
        }
        if (shape.length > 0) {
            shape[0] = rowTo - rowFrom;
        }
        long count = (rowTo - rowFrom) * rowElems;
        long srcBegin = e.begin() + rowFrom * rowElems * e.dtype().bytes;
        Shape s = new Shape(shape);
        if (count == 0) {
            return manager.zeros(s, DataType.FLOAT32);
        }
        ByteBuffer src = map(srcBegin, count * e.dtype().bytes);
        if (e.dtype() == DType.F32) {
            return manager.create(src, s, DataType.FLOAT32); // zero-copy over the private mapping
        }
        NDArray out = manager.create(s, DataType.FLOAT32);
        ByteBuffer dst = out.toByteBuffer(true).order(ByteOrder.nativeOrder());
        decodeToFloat32(e.dtype(), src, dst, (int) count);
        return out;
    }

    static void decodeToFloat32(DType dtype, ByteBuffer src, ByteBuffer dst, int count) {
        switch (dtype) {
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    dst.putInt(4 * i, (src.getShort(2 * i) & 0xffff) << 16);
                }
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    dst.putFloat(4 * i, DType.f16ToFloat(src.getShort(2 * i)));
                }
            }
            case F64 -> {
                for (int i = 0; i < count; i++) {
                    dst.putFloat(4 * i, (float) src.getDouble(8 * i));
                }
            }
            default -> throw new IllegalArgumentException("not a float dtype: " + dtype);
        }
    }

    @Override
    public String toString() {
        return path + " (" + entries.size() + " tensors, " + fileSize + " bytes)";
    }
}
