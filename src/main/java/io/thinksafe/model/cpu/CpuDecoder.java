package io.thinksafe.model.cpu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.thinksafe.model.Decoder;
import io.thinksafe.model.DenseLinear;
import io.thinksafe.model.Kernels;
import io.thinksafe.model.KvCache;
import io.thinksafe.model.Linear;
import io.thinksafe.model.LoraLinear;
import io.thinksafe.model.ModelConfig;
import io.thinksafe.model.Transformer;
import io.thinksafe.model.Weight;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * One decoding step (one new token for each of a few sequences) computed on float arrays in Java,
 * in the manner of llama3.java, over the same weights and KV caches as {@link Transformer}.
 *
 * <p>Why a second forward: a decode step is ~50 small tensor operations per layer, and through
 * DJL each costs a JNI crossing and a libtorch dispatch on data the weight stream has just evicted
 * from cache; measured on a 0.6B model they took as long as the matrix products. Here everything
 * but the products is a few loops over arrays, and the products go to {@link SkinnyMatmul} (few
 * sequences; weights read in their own dtype) or to libtorch (many). LoRA adapters stay unmerged:
 * {@link LoraLinear#addDelta} adds each one's update. {@link Transformer#hidden} stays the reference:
 * prefill, scoring and training run there, and tests hold the two to the same log-probs.
 */
final class CpuDecoder implements Decoder {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = S.length();

    /** A layer's weights as the decoder uses them: norms as arrays, projections grouped by shared input. */
    private record Layer(float[] inputNorm, Linear[] qkv, float[][] qkvBias, Linear[] o, float[][] oBias,
                         float[] qNorm, float[] kNorm, float[] postNorm, Linear[] gateUp, float[][] gateUpBias,
                         Linear[] down, float[][] downBias) {}

    private final ModelConfig c;
    private final NDManager manager;
    private final Weight embedding;
    private final Layer[] layers;
    private final float[] finalNorm;
    private final Linear[] head;
    private final float[] inverseFrequencies;

    private CpuDecoder(Transformer t, Layer[] layers, Linear head) {
        this.c = t.config();
        this.manager = t.manager();
        this.embedding = t.embedding();
        this.layers = layers;
        this.finalNorm = t.finalNormWeight().toFloatArray();
        this.head = new Linear[] {head};
        this.inverseFrequencies = c.ropeScaling().inverseFrequencies(c.ropeTheta(), c.headDim());
    }

    /**
     * A decoder over {@code t}'s weights, or null when the kernels cannot read them (a weight on a GPU,
     * a float64 weight in a gradient check, a projection that is neither plain nor LoRA).
     */
    static CpuDecoder of(Transformer t) {
        if (!(t.lmHead() instanceof DenseLinear head) || !SkinnyMatmul.supports(head.weight())
                || !SkinnyMatmul.supports(t.embedding())) {
            return null;
        }
        Layer[] layers = new Layer[t.layers().size()];
        for (int i = 0; i < layers.length; i++) {
            Transformer.Layer l = t.layers().get(i);
            Linear[] all = {l.q(), l.k(), l.v(), l.o(), l.gate(), l.up(), l.down()};
            for (Linear x : all) {
                if (base(x) == null || !SkinnyMatmul.supports(base(x).weight())) {
                    return null;
                }
            }
            Linear[] qkv = {l.q(), l.k(), l.v()};
            Linear[] gateUp = {l.gate(), l.up()};
            layers[i] = new Layer(l.inputNorm().toFloatArray(), qkv, biases(qkv), new Linear[] {l.o()},
                    biases(new Linear[] {l.o()}), l.qNorm() == null ? null : l.qNorm().toFloatArray(),
                    l.kNorm() == null ? null : l.kNorm().toFloatArray(), l.postNorm().toFloatArray(), gateUp,
                    biases(gateUp), new Linear[] {l.down()}, biases(new Linear[] {l.down()}));
        }
        return new CpuDecoder(t, layers, head);
    }

    /** The plain projection under a LoRA wrapper (or the projection itself), or null for anything else. */
    private static DenseLinear base(Linear l) {
        return l instanceof DenseLinear d ? d : l instanceof LoraLinear lora ? lora.base() : null;
    }

    private static float[][] biases(Linear[] ls) {
        float[][] out = new float[ls.length][];
        for (int i = 0; i < ls.length; i++) {
            NDArray b = base(ls[i]).bias();
            out[i] = b == null ? null : b.toFloatArray();
        }
        return out;
    }

    @Override
    public float[] step(int[] tokens, KvCache[] caches) {
        int b = tokens.length;
        int h = c.hiddenSize();
        float[] x = new float[b * h];
        for (int i = 0; i < b; i++) {
            embedding.row(tokens[i], x, i * h);
            caches[i].reserve(1);
        }
        for (int l = 0; l < layers.length; l++) {
            layer(l, x, b, caches);
        }
        for (KvCache cache : caches) {
            cache.advance(1);
        }
        return rmsNorm(x, b, h, finalNorm);
    }

    @Override
    public float[] logits(float[] hidden, int b) {
        return project(head, new float[][] {null}, hidden, b)[0];
    }

    private void layer(int index, float[] x, int b, KvCache[] caches) {
        Layer w = layers[index];
        int h = c.hiddenSize();
        int hd = c.headDim();
        float[][] qkv = project(w.qkv(), w.qkvBias(), rmsNorm(x, b, h, w.inputNorm()), b);
        float[] q = qkv[0];
        float[] k = qkv[1];
        float[] v = qkv[2];
        int qDim = c.numHeads() * hd;
        int kvDim = c.numKvHeads() * hd;
        for (int i = 0; i < b; i++) {
            int pos = caches[i].length();
            if (w.qNorm() != null) {
                headNorm(q, i * qDim, c.numHeads(), w.qNorm());
                headNorm(k, i * kvDim, c.numKvHeads(), w.kNorm());
            }
            rope(q, i * qDim, c.numHeads(), pos);
            rope(k, i * kvDim, c.numKvHeads(), pos);
            store(caches[i], index, k, v, i * kvDim, pos);
        }
        float[] attn = attention(index, q, b, caches);
        float[] o = project(w.o(), w.oBias(), attn, b)[0];
        for (int j = 0; j < x.length; j++) {
            x[j] += o[j];
        }
        float[][] gu = project(w.gateUp(), w.gateUpBias(), rmsNorm(x, b, h, w.postNorm()), b);
        float[] g = gu[0];
        swiGlu(g, gu[1]);
        float[] down = project(w.down(), w.downBias(), g, b)[0];
        for (int j = 0; j < x.length; j++) {
            x[j] += down[j];
        }
    }

    /** g ← SiLU(g) · u, vectorised (the exponentials dominate otherwise at large batches), the same bits in any JIT tier. */
    private static void swiGlu(float[] g, float[] u) {
        int j = 0;
        for (; j + LANES <= g.length; j += LANES) {
            FloatVector gv = FloatVector.fromArray(S, g, j);
            FloatVector sig = Vectors.exp(gv.neg()).add(1f);
            gv.div(sig).mul(FloatVector.fromArray(S, u, j)).intoArray(g, j);
        }
        for (; j < g.length; j++) {
            g[j] = g[j] / (1f + Vectors.exp(-g[j])) * u[j];
        }
    }

    /**
     * x [m, in] through several matrices that share it: the kernel reads each weight once for up to
     * {@link SkinnyMatmul#MAX_ROWS} rows; more rows go to libtorch (16-bit weights widened a block at a
     * time). Then biases, then each LoRA adapter's own update.
     */
    private float[][] project(Linear[] ls, float[][] biases, float[] x, int m) {
        Weight[] ws = new Weight[ls.length];
        for (int i = 0; i < ls.length; i++) {
            ws[i] = base(ls[i]).weight();
        }
        float[][] ys;
        if (m <= SkinnyMatmul.MAX_ROWS) {
            ys = SkinnyMatmul.multiply(ws, x, m);
        } else {
            ys = new float[ls.length][];
            try (NDManager tmp = manager.newSubManager()) {
                NDArray xt = tmp.create(x, new Shape(m, ws[0].cols())).transpose();
                for (int i = 0; i < ls.length; i++) {
                    // [out, m] turned to [m, out] by libtorch's copy (vectorised), not a Java loop over the logits
                    ys[i] = Kernels.current().timesTransposed(ws[i], xt).transpose().toFloatArray();
                }
            }
        }
        for (int i = 0; i < ls.length; i++) {
            addBias(ys[i], biases[i], m);
            if (ls[i] instanceof LoraLinear lora) {
                lora.addDelta(x, m, ys[i], SkinnyMatmul::multiply);
            }
        }
        return ys;
    }

    private static void addBias(float[] y, float[] bias, int m) {
        if (bias == null) {
            return;
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < bias.length; j++) {
                y[i * bias.length + j] += bias[j];
            }
        }
    }

    private float[] rmsNorm(float[] x, int rows, int n, float[] weight) {
        float[] out = new float[x.length];
        float eps = (float) c.rmsNormEps();
        for (int r = 0; r < rows; r++) {
            normInto(x, r * n, n, weight, out, eps);
        }
        return out;
    }

    private static void normInto(float[] x, int off, int n, float[] weight, float[] out, float eps) {
        float ss = 0;
        for (int j = 0; j < n; j++) {
            ss += x[off + j] * x[off + j];
        }
        float inv = (float) Math.sqrt(ss / n + eps);
        for (int j = 0; j < n; j++) {
            out[off + j] = x[off + j] / inv * weight[j];
        }
    }

    /** Qwen3's RMSNorm over each head of a projection, in place. */
    private void headNorm(float[] v, int off, int heads, float[] weight) {
        int hd = c.headDim();
        float eps = (float) c.rmsNormEps();
        for (int hh = 0; hh < heads; hh++) {
            normInto(v, off + hh * hd, hd, weight, v, eps);
        }
    }

    /** Rotates each head's pairs (i, i + headDim/2) by position {@code pos}, as rotate_half does. */
    private void rope(float[] v, int off, int heads, int pos) {
        int hd = c.headDim();
        int half = hd / 2;
        for (int i = 0; i < half; i++) {
            float angle = (float) pos * inverseFrequencies[i];
            float cos = (float) Math.cos(angle);
            float sin = (float) Math.sin(angle);
            for (int hh = 0; hh < heads; hh++) {
                int a = off + hh * hd + i;
                float x1 = v[a];
                float x2 = v[a + half];
                v[a] = x1 * cos - x2 * sin;
                v[a + half] = x2 * cos + x1 * sin;
            }
        }
    }

    private void store(KvCache cache, int layer, float[] k, float[] v, int off, int pos) {
        int hd = c.headDim();
        int cap = cache.capacity();
        FloatBuffer keys = cache.keyView(layer).asFloatBuffer();
        FloatBuffer values = cache.valueView(layer).asFloatBuffer();
        // bulk puts: plain buffer copies, the same on every JDK
        for (int g = 0; g < c.numKvHeads(); g++) {
            keys.put((g * cap + pos) * hd, k, off + g * hd, hd);
            values.put((g * cap + pos) * hd, v, off + g * hd, hd);
        }
    }

    /**
     * Each new query over its sequence's cached keys and values. One task per (sequence, KV head):
     * the query heads that share a KV head are processed two at a time, so each key and value row is
     * read once per pair (decode attention is bound by reading the cache).
     */
    private float[] attention(int layer, float[] q, int b, KvCache[] caches) {
        int heads = c.numHeads();
        int kvHeads = c.numKvHeads();
        int hd = c.headDim();
        int groups = heads / kvHeads;
        int window = c.windowForLayer(layer);
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[] out = new float[b * heads * hd];
        Workers.run(b * kvHeads, task -> {
            int i = task / kvHeads;
            int g = task % kvHeads;
            KvCache cache = caches[i];
            int pos = cache.length(); // the new token's position; its key is stored already
            int first = window > 0 ? Math.max(0, pos - window + 1) : 0;
            int n = pos - first + 1;
            int row0 = (g * cache.capacity() + first) * hd; // float index of the first visible key
            ByteBuffer keyBuf = cache.keyView(layer);
            ByteBuffer valueBuf = cache.valueView(layer);
            Object keys = Vectors.wrap(keyBuf);
            Object values = Vectors.wrap(valueBuf);
            float[] pa = new float[n];
            float[] pb = new float[n];
            for (int r = 0; r < groups; r += 2) {
                int qa = (i * heads + g * groups + r) * hd;
                boolean pair = r + 1 < groups;
                int qb = pair ? qa + hd : qa;
                for (int j = 0; j < n; j++) {
                    scores2(keyBuf, keys, (row0 + j * hd) * 4, q, qa, qb, hd, pa, pb, j);
                }
                softmax(pa, scale);
                if (pair) {
                    softmax(pb, scale);
                    weightedSum2(valueBuf, values, row0, pa, pb, hd, out, qa, qb);
                } else {
                    weightedSum2(valueBuf, values, row0, pa, pa, hd, out, qa, qa);
                }
            }
        });
        return out;
    }

    /** Dot products of one key row with two query vectors. */
    private static void scores2(ByteBuffer kBuf, Object k, int off, float[] q, int qa, int qb, int hd, float[] pa, float[] pb, int j) {
        FloatVector a = FloatVector.zero(S);
        FloatVector bv = FloatVector.zero(S);
        int d = 0;
        for (; d + LANES <= hd; d += LANES) {
            FloatVector kv = Vectors.floats(k, off + 4L * d);
            a = kv.fma(FloatVector.fromArray(S, q, qa + d), a);
            bv = kv.fma(FloatVector.fromArray(S, q, qb + d), bv);
        }
        float sa = Vectors.sum(a);
        float sb = Vectors.sum(bv);
        for (; d < hd; d++) {
            float kd = kBuf.getFloat(off + 4 * d);
            sa += kd * q[qa + d];
            sb += kd * q[qb + d];
        }
        pa[j] = sa;
        pb[j] = sb;
    }

    /** p ← softmax(p · scale), in place. */
    private static void softmax(float[] p, float scale) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < p.length; j++) {
            p[j] *= scale;
            max = Math.max(max, p[j]);
        }
        float sum = 0;
        for (int j = 0; j < p.length; j++) {
            p[j] = (float) Math.exp(p[j] - max);
            sum += p[j];
        }
        for (int j = 0; j < p.length; j++) {
            p[j] /= sum;
        }
    }

    /** out[oa + d] = Σ_j pa[j]·V[j][d] and likewise for pb, reading each value row once for both. */
    private static void weightedSum2(ByteBuffer vBuf, Object v, int row0, float[] pa, float[] pb, int hd, float[] out, int oa, int ob) {
        int n = pa.length;
        int d = 0;
        for (; d + LANES <= hd; d += LANES) {
            FloatVector acca = FloatVector.zero(S);
            FloatVector accb = FloatVector.zero(S);
            for (int j = 0; j < n; j++) {
                FloatVector vv = Vectors.floats(v, (row0 + j * hd + d) * 4L);
                acca = vv.fma(FloatVector.broadcast(S, pa[j]), acca);
                accb = vv.fma(FloatVector.broadcast(S, pb[j]), accb);
            }
            acca.intoArray(out, oa + d);
            accb.intoArray(out, ob + d);
        }
        for (; d < hd; d++) {
            float a = 0;
            float b = 0;
            for (int j = 0; j < n; j++) {
                float vd = vBuf.getFloat((row0 + j * hd + d) * 4);
                a += pa[j] * vd;
                b += pb[j] * vd;
            }
            out[oa + d] = a;
            out[ob + d] = b;
        }
    }
}
