package io.thinksafe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Builds a {@link Transformer} from a checkpoint, checking every tensor against config.json. */
public final class TransformerLoader {
    private TransformerLoader() {}

    /** How weight matrices are held once loaded. */
    public enum Storage {
        /** In the checkpoint's dtype: float32 as tensors over the mapping, bf16/f16 mapped as they are. */
        AS_STORED,
        /** Widened to float32 tensors at load (twice the memory of a 16-bit checkpoint): the GPU path and tests. */
        FLOAT32
    }

    public static Transformer load(Checkpoint ckpt) {
        return load(ckpt, Storage.AS_STORED);
    }

    public static Transformer load(Checkpoint ckpt, Storage storage) {
        NDManager manager = NDManager.newBaseManager(Torch.device());
        try {
            return load(ckpt, manager, storage);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static Transformer load(Checkpoint ckpt, NDManager m, Storage storage) {
        ModelConfig c = ckpt.config();
        long h = c.hiddenSize();
        long qDim = (long) c.numHeads() * c.headDim();
        long kvDim = (long) c.numKvHeads() * c.headDim();
        long inter = c.intermediateSize();
        Weight embed = weight(ckpt, m, storage, "model.embed_tokens.weight", c.vocabSize(), h);
        List<Transformer.Layer> layers = new ArrayList<>(c.numLayers());
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            String a = p + "self_attn.";
            layers.add(new Transformer.Layer(
                    ckpt.load(p + "input_layernorm.weight", m, h),
                    linear(ckpt, m, storage, a + "q_proj", qDim, h, c.qkvBias()),
                    linear(ckpt, m, storage, a + "k_proj", kvDim, h, c.qkvBias()),
                    linear(ckpt, m, storage, a + "v_proj", kvDim, h, c.qkvBias()),
                    linear(ckpt, m, storage, a + "o_proj", h, qDim, c.outputBias()),
                    c.qkNorm() ? ckpt.load(a + "q_norm.weight", m, c.headDim()) : null,
                    c.qkNorm() ? ckpt.load(a + "k_norm.weight", m, c.headDim()) : null,
                    ckpt.load(p + "post_attention_layernorm.weight", m, h),
                    linear(ckpt, m, storage, p + "mlp.gate_proj", inter, h, c.mlpBias()),
                    linear(ckpt, m, storage, p + "mlp.up_proj", inter, h, c.mlpBias()),
                    linear(ckpt, m, storage, p + "mlp.down_proj", h, inter, c.mlpBias())));
        }
        NDArray norm = ckpt.load("model.norm.weight", m, h);
        Linear head = c.tieWordEmbeddings()
                ? new DenseLinear(embed, null)
                : new DenseLinear(weight(ckpt, m, storage, "lm_head.weight", c.vocabSize(), h), null);
        return new Transformer(c, m, embed, layers, norm, head);
    }

    private static Weight weight(Checkpoint ckpt, NDManager m, Storage storage, String name, long rows, long cols) {
        return storage == Storage.FLOAT32 ? Weight.of(ckpt.load(name, m, rows, cols)) : ckpt.loadWeight(name, m, rows, cols);
    }

    private static Linear linear(Checkpoint ckpt, NDManager m, Storage storage, String prefix, long out, long in, boolean bias) {
        Weight w = weight(ckpt, m, storage, prefix + ".weight", out, in);
        NDArray b = bias ? ckpt.load(prefix + ".bias", m, out) : null;
        return new DenseLinear(w, b);
    }

    /**
     * A model with random weights built in memory (no file), for benchmarks at real model shapes:
     * float32 tensors, or bf16/f16 data in memory libtorch owns (as raw bytes: it never computes on
     * them). Weights are drawn by libtorch: reproducible for a seed on one machine, not across versions.
     */
    public static Transformer random(ModelConfig c, long seed, DType dtype) {
        NDManager m = NDManager.newBaseManager(Torch.device());
        ai.djl.engine.Engine.getEngine("PyTorch").setRandomSeed((int) seed);
        long h = c.hiddenSize();
        long qDim = (long) c.numHeads() * c.headDim();
        long kvDim = (long) c.numKvHeads() * c.headDim();
        long inter = c.intermediateSize();
        Weight embed = randomWeight(m, c.vocabSize(), h, dtype);
        List<Transformer.Layer> layers = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            layers.add(new Transformer.Layer(ones(m, h),
                    randomLinear(m, qDim, h, c.qkvBias(), dtype), randomLinear(m, kvDim, h, c.qkvBias(), dtype),
                    randomLinear(m, kvDim, h, c.qkvBias(), dtype), randomLinear(m, h, qDim, c.outputBias(), dtype),
                    c.qkNorm() ? ones(m, c.headDim()) : null, c.qkNorm() ? ones(m, c.headDim()) : null,
                    ones(m, h), randomLinear(m, inter, h, c.mlpBias(), dtype), randomLinear(m, inter, h, c.mlpBias(), dtype),
                    randomLinear(m, h, inter, c.mlpBias(), dtype)));
        }
        Linear head = c.tieWordEmbeddings() ? new DenseLinear(embed, null)
                : new DenseLinear(randomWeight(m, c.vocabSize(), h, dtype), null);
        return new Transformer(c, m, embed, layers, ones(m, h), head);
    }

    public static Transformer random(ModelConfig c, long seed) {
        return random(c, seed, DType.F32);
    }

    private static NDArray ones(NDManager m, long n) {
        return m.ones(new Shape(n));
    }

    private static Linear randomLinear(NDManager m, long out, long in, boolean bias, DType dtype) {
        return new DenseLinear(randomWeight(m, out, in, dtype), bias ? m.zeros(new Shape(out)) : null);
    }

    private static Weight randomWeight(NDManager m, long rows, long cols, DType dtype) {
        float std = 1f / (float) Math.sqrt(cols);
        if (dtype == DType.F32) {
            return Weight.of(m.randomNormal(0, std, new Shape(rows, cols), DataType.FLOAT32));
        }
        int perBlock = Weight.rowsPerBuffer(cols, 2);
        int blocks = (int) ((rows + perBlock - 1) / perBlock);
        ByteBuffer[] data = new ByteBuffer[blocks];
        for (int b = 0; b < blocks; b++) {
            long n = Math.min(rows - (long) b * perBlock, perBlock);
            NDArray raw = m.create(new Shape(n * cols * 2), DataType.INT8); // bytes libtorch owns
            data[b] = raw.toByteBuffer(true).order(ByteOrder.LITTLE_ENDIAN);
            // draw a block of rows at a time, round to 16 bits as torch does
            long perDraw = Math.max(1, (16L << 20) / cols);
            for (long r = 0; r < n; r += perDraw) {
                long k = Math.min(perDraw, n - r);
                float[] v;
                try (NDArray draw = m.randomNormal(0, std, new Shape(k, cols), DataType.FLOAT32)) {
                    v = draw.toFloatArray();
                }
                int base = Math.toIntExact(r * cols * 2);
                for (int i = 0; i < v.length; i++) {
                    data[b].putShort(base + 2 * i, dtype == DType.BF16 ? DType.floatToBf16(v[i]) : DType.floatToF16(v[i]));
                }
            }
        }
        return Weight.of16Bit(dtype, data, perBlock, Math.toIntExact(rows), Math.toIntExact(cols));
    }
}
