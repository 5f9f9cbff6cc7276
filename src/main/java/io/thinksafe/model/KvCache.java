package io.thinksafe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Keys and values of one sequence for every layer, stored [kvHeads, capacity, headDim] so that the
 * first {@code length} positions of each head are a strided view the attention product reads
 * without copying. Grows by doubling; writes are in place.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final int kvHeads;
    private final int headDim;
    private int capacity;
    private int length;
    /** Direct views of the tensors' memory for the Java decode path; refreshed when the cache grows. */
    private ByteBuffer[] keyViews;
    private ByteBuffer[] valueViews;

    public KvCache(ModelConfig config, NDManager parent, int initialCapacity) {
        this.manager = parent.newSubManager();
        this.kvHeads = config.numKvHeads();
        this.headDim = config.headDim();
        this.keys = new NDArray[config.numLayers()];
        this.values = new NDArray[config.numLayers()];
        this.capacity = Math.max(16, initialCapacity);
        for (int l = 0; l < keys.length; l++) {
            keys[l] = manager.zeros(new Shape(kvHeads, capacity, headDim), DataType.FLOAT32);
            values[l] = manager.zeros(new Shape(kvHeads, capacity, headDim), DataType.FLOAT32);
        }
    }

    /** Positions already cached; new tokens continue from here. */
    public int length() {
        return length;
    }

    /** Bytes held, for memory budgets. */
    public long bytes() {
        return 2L * keys.length * kvHeads * (long) capacity * headDim * 4;
    }

    /**
     * Stores {@code k}, {@code v} [kvHeads, T, headDim] of layer {@code layer} after the cached
     * positions and returns views of all keys and values so far, [kvHeads, length + T, headDim].
     */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        int t = (int) k.getShape().get(1);
        if (length + t > capacity) {
            grow(length + t);
        }
        NDIndex slot = new NDIndex(":, {}:{}", length, length + t);
        keys[layer].set(slot, k);
        values[layer].set(slot, v);
        NDIndex upTo = new NDIndex(":, :{}", length + t);
        NDArray kView = keys[layer].get(upTo);
        NDArray vView = values[layer].get(upTo);
        kView.attach(k.getManager());
        vView.attach(k.getManager());
        return new NDArray[] {kView, vView};
    }

    /** Makes room for {@code extra} more positions (growing moves the data and renews the views). */
    public void reserve(int extra) {
        if (length + extra > capacity) {
            grow(length + extra);
        }
    }

    /** The memory of layer {@code l}'s keys, [kvHeads, capacity, headDim] float32, little-endian. */
    public ByteBuffer keyView(int l) {
        views();
        return keyViews[l];
    }

    public ByteBuffer valueView(int l) {
        views();
        return valueViews[l];
    }

    public int capacity() {
        return capacity;
    }

    private void views() {
        if (keyViews == null) {
            keyViews = new ByteBuffer[keys.length];
            valueViews = new ByteBuffer[keys.length];
            for (int l = 0; l < keys.length; l++) {
                keyViews[l] = keys[l].toByteBuffer(true).order(ByteOrder.LITTLE_ENDIAN);
                valueViews[l] = values[l].toByteBuffer(true).order(ByteOrder.LITTLE_ENDIAN);
            }
        }
    }

    /** Called once all layers have stored a step's {@code t} new positions. */
    public void advance(int t) {
        length += t;
    }

    private void grow(int needed) {
        int cap = capacity;
        while (cap < needed) {
            cap *= 2;
        }
        for (int l = 0; l < keys.length; l++) {
            keys[l] = regrow(keys[l], cap);
            values[l] = regrow(values[l], cap);
        }
        capacity = cap;
        keyViews = null;
        valueViews = null;
    }

    private NDArray regrow(NDArray old, int cap) {
        NDArray bigger = manager.zeros(new Shape(kvHeads, cap, headDim), DataType.FLOAT32);
        if (length > 0) {
            try (NDArray kept = old.get(":, :{}", length)) {
                bigger.set(new NDIndex(":, :{}", length), kept);
            }
        }
        old.close();
        return bigger;
    }

    @Override
    public void close() {
        manager.close();
    }
}
