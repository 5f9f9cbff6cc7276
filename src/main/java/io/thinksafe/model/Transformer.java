package io.thinksafe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * The decoder shared by Qwen3, Qwen2, Llama and Mistral: token embedding, {@code numLayers} blocks
 * of (RMSNorm → grouped-query attention with RoPE → residual, RMSNorm → SwiGLU MLP → residual), a
 * final RMSNorm and the output projection.
 *
 * <p>A forward call takes a ragged batch: each sequence brings its new tokens and (optionally) its
 * own KV cache. All tokens of all sequences are packed into one [N, hidden] matrix for the
 * projections, which is where the FLOPs are; attention runs per sequence over its own cache. So
 * nothing is padded, prompts of any lengths share a batch, and a sequence may join or leave
 * between steps.
 */
public final class Transformer implements AutoCloseable {
    /** One sequence's part of a forward call. {@code cache} may be null for a one-shot forward. */
    public record Segment(int[] tokens, KvCache cache, KeyMask mask) {
        public Segment(int[] tokens, KvCache cache) {
            this(tokens, cache, null);
        }

        public Segment {
            if (mask != null && cache != null) {
                throw new IllegalArgumentException("a custom attention mask applies to a whole sequence at once, not with a cache");
            }
        }

        int start() {
            return cache == null ? 0 : cache.length();
        }
    }

    /**
     * Keys hidden from queries beyond causality, for one sequence (training objectives such as SafeKey's
     * query-mask modelling, where the answer may not look back at the prompt). Positions count from the
     * sequence's first token; a query always sees itself.
     */
    public interface KeyMask {
        boolean hidden(int query, int key);
    }

    /**
     * One decoder block's weights, by name. Layers are made by the loader and changed only through
     * {@link #mapProjections} and {@link #mapNorms}, so adding a field touches those three places.
     */
    public record Layer(NDArray inputNorm, Linear q, Linear k, Linear v, Linear o, NDArray qNorm, NDArray kNorm,
                        NDArray postNorm, Linear gate, Linear up, Linear down) {
        public Linear projection(Projection p) {
            return switch (p) {
                case Q -> q;
                case K -> k;
                case V -> v;
                case O -> o;
                case GATE -> gate;
                case UP -> up;
                case DOWN -> down;
            };
        }

        /** This layer with each projection replaced by {@code f(which, projection)}. */
        public Layer mapProjections(BiFunction<Projection, Linear, Linear> f) {
            return new Layer(inputNorm, f.apply(Projection.Q, q), f.apply(Projection.K, k), f.apply(Projection.V, v),
                    f.apply(Projection.O, o), qNorm, kNorm, postNorm, f.apply(Projection.GATE, gate),
                    f.apply(Projection.UP, up), f.apply(Projection.DOWN, down));
        }

        /** This layer with each norm weight (present ones) replaced by {@code f(weight)}. */
        public Layer mapNorms(UnaryOperator<NDArray> f) {
            return new Layer(f.apply(inputNorm), q, k, v, o, qNorm == null ? null : f.apply(qNorm),
                    kNorm == null ? null : f.apply(kNorm), f.apply(postNorm), gate, up, down);
        }
    }

    private final ModelConfig config;
    private final NDManager manager;
    private Weight embedding;
    private final Layer[] layers;
    private NDArray finalNorm;
    private Linear lmHead;
    private final Rope rope;
    private long kvBudget = Long.MAX_VALUE;

    public Transformer(ModelConfig config, NDManager manager, Weight embedding, List<Layer> layers,
                       NDArray finalNorm, Linear lmHead) {
        this.config = config;
        this.manager = manager;
        this.embedding = embedding;
        this.layers = layers.toArray(new Layer[0]);
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.rope = new Rope(config, manager);
    }

    public ModelConfig config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    public List<Layer> layers() {
        return List.of(layers);
    }

    /**
     * Every weight as a float32 tensor, in Hugging Face naming ({@code model.layers.0.self_attn.q_proj.weight},
     * …); a tied output projection is not listed twice; LoRA-wrapped projections list their base weight.
     * For models whose weights are tensors (float32 checkpoints, or after {@link #mapWeights}).
     */
    public Map<String, NDArray> namedWeights() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put("model.embed_tokens.weight", tensorOf(embedding));
        for (int i = 0; i < layers.length; i++) {
            Layer l = layers[i];
            String p = "model.layers." + i + ".";
            out.put(p + "input_layernorm.weight", l.inputNorm());
            for (Projection proj : Projection.values()) {
                putLinear(out, p + proj.path, l.projection(proj));
                if (proj == Projection.O && l.qNorm() != null) {
                    out.put(p + "self_attn.q_norm.weight", l.qNorm());
                    out.put(p + "self_attn.k_norm.weight", l.kNorm());
                }
                if (proj == Projection.O) {
                    out.put(p + "post_attention_layernorm.weight", l.postNorm());
                }
            }
        }
        out.put("model.norm.weight", finalNorm);
        if (!config.tieWordEmbeddings()) {
            putLinear(out, "lm_head", lmHead);
        }
        return out;
    }

    private static NDArray tensorOf(Weight w) {
        if (w.tensor() == null) {
            throw new IllegalStateException("weights held as " + w.dtype() + "; mapWeights makes float32 tensors first");
        }
        return w.tensor();
    }

    private static void putLinear(Map<String, NDArray> out, String name, Linear l) {
        DenseLinear d = l instanceof LoraLinear lora ? lora.base() : (DenseLinear) l;
        out.put(name + ".weight", tensorOf(d.weight()));
        if (d.bias() != null) {
            out.put(name + ".bias", d.bias());
        }
    }

    /**
     * Replaces every weight by {@code f(float32 weight)} (a private copy for full fine-tuning, a float64
     * copy for gradient checks); 16-bit weights are widened first. A tied output projection keeps
     * sharing the embedding. Only for plain (not LoRA-wrapped) models.
     */
    public void mapWeights(UnaryOperator<NDArray> f) {
        embedding = Weight.of(f.apply(embedding.float32(manager)));
        for (int i = 0; i < layers.length; i++) {
            layers[i] = layers[i].mapNorms(f).mapProjections((p, l) -> {
                if (!(l instanceof DenseLinear d)) {
                    throw new IllegalStateException("mapWeights needs plain projections; remove adapters first");
                }
                return new DenseLinear(Weight.of(f.apply(d.weight().float32(manager))), d.bias() == null ? null : f.apply(d.bias()));
            });
        }
        finalNorm = f.apply(finalNorm);
        lmHead = config.tieWordEmbeddings() ? new DenseLinear(embedding, null)
                : new DenseLinear(Weight.of(f.apply(((DenseLinear) lmHead).weight().float32(manager))), null);
    }

    /** Swaps a layer's weights (e.g. to wrap projections with LoRA); not thread-safe with forward calls. */
    public void setLayer(int index, Layer layer) {
        layers[index] = layer;
    }

    public Weight embedding() {
        return embedding;
    }

    public NDArray finalNormWeight() {
        return finalNorm;
    }

    public Linear lmHead() {
        return lmHead;
    }

    /** KV cache bytes an engine may hold for this model (the memory plan's grant; unlimited when not planned). */
    public long kvBudget() {
        return kvBudget;
    }

    public void setKvBudget(long bytes) {
        kvBudget = bytes;
    }

    public KvCache newCache(int initialCapacity) {
        return new KvCache(config, manager, initialCapacity);
    }

    /** The token ids and positions of a ragged batch, packed in segment order. */
    public record Packed(long[] ids, long[] positions, int maxPosition, List<Segment> segments) {
        public static Packed of(List<Segment> segments) {
            int n = 0;
            int maxPos = 0;
            for (Segment s : segments) {
                n += s.tokens().length;
                maxPos = Math.max(maxPos, s.start() + s.tokens().length - 1);
            }
            long[] ids = new long[n];
            long[] pos = new long[n];
            int i = 0;
            for (Segment s : segments) {
                for (int t = 0; t < s.tokens().length; t++, i++) {
                    ids[i] = s.tokens()[t];
                    pos[i] = s.start() + t;
                }
            }
            return new Packed(ids, pos, maxPos, segments);
        }
    }

    /**
     * Runs the new tokens of every segment through the decoder, appending their keys and values
     * to the segments' caches, and returns the final-norm hidden states [N, hidden] in segment
     * order, attached to {@code out}.
     */
    public NDArray hidden(List<Segment> segments, NDManager out) {
        Packed p = Packed.of(segments);
        NDManager tmp = out.newSubManager();
        try {
            NDArray positions = tmp.create(p.positions());
            NDArray x = embed(p, tmp);
            for (int l = 0; l < layers.length; l++) {
                // Each block's temporaries live in their own manager, freed as soon as the block is done.
                NDManager layerTmp = tmp.newSubManager();
                x.attach(layerTmp);
                NDArray y = layer(l, x, positions, p);
                y.attach(tmp);
                layerTmp.close();
                x = y;
            }
            NDArray h = finalNorm(x);
            h.attach(out);
            finish(segments);
            return h;
        } finally {
            tmp.close();
        }
    }

    /** Token embeddings [N, hidden] of a packed batch, attached to {@code m}. */
    public NDArray embed(Packed p, NDManager m) {
        for (long id : p.ids()) {
            if (id < 0 || id >= config.vocabSize()) {
                throw new io.thinksafe.ThinkSafeException("token id " + id + " is outside the model's vocabulary (0.."
                        + (config.vocabSize() - 1) + "): the tokenizer does not belong to this model");
            }
        }
        return embedding.gather(p.ids(), m);
    }

    /** Marks the segments' new tokens as cached, once every layer has stored them. */
    public void finish(List<Segment> segments) {
        for (Segment s : segments) {
            if (s.cache() != null) {
                s.cache().advance(s.tokens().length);
            }
        }
    }

    /** The final RMSNorm. */
    public NDArray finalNorm(NDArray x) {
        return rmsNorm(x, finalNorm);
    }

    /** Logits [rows, vocab] for hidden states [rows, hidden]. */
    public NDArray logits(NDArray hidden) {
        return lmHead.forward(hidden);
    }

    /**
     * Decoder layer {@code index} on x [N, hidden] (positions [N] int64): attention with residual,
     * then the MLP with residual. Results belong to x's manager.
     */
    public NDArray layer(int index, NDArray x, NDArray positions, Packed p) {
        int maxPos = p.maxPosition();
        List<Segment> segments = p.segments();
        Layer layer = layers[index];
        int n = (int) x.getShape().get(0);
        int hd = config.headDim();
        NDArray h = rmsNorm(x, layer.inputNorm());
        NDArray q = layer.q().forward(h).reshape(n, config.numHeads(), hd);
        NDArray k = layer.k().forward(h).reshape(n, config.numKvHeads(), hd);
        NDArray v = layer.v().forward(h).reshape(n, config.numKvHeads(), hd);
        if (config.qkNorm()) {
            q = rmsNorm(q, layer.qNorm());
            k = rmsNorm(k, layer.kNorm());
        }
        q = rope.apply(q, positions, maxPos);
        k = rope.apply(k, positions, maxPos);
        NDArray attn = attention(index, q, k, v, segments);
        NDArray x1 = x.add(layer.o().forward(attn));
        NDArray h2 = rmsNorm(x1, layer.postNorm());
        NDArray gate = layer.gate().forward(h2);
        NDArray act = gate.mul(Activation.sigmoid(gate)); // SiLU
        NDArray mlp = layer.down().forward(act.mul(layer.up().forward(h2)));
        return x1.add(mlp);
    }

    /** Queries per attention block, at most: keeps each block's scores small (see {@link #queryBlock}). */
    private static final int QUERY_BLOCK = 256;
    /** Score floats per block: big temporaries page-fault on every allocation here, so stay well under 32 MiB. */
    private static final long SCORE_BUDGET = 4L << 20;

    /**
     * Attention of each segment's new queries over its cached and new keys; returns [N, heads·headDim].
     * Long segments go in blocks of queries, each against only the keys it can see (causality and
     * the sliding window cut the rest), so prefill and training skip about half the score matrix.
     */
    private NDArray attention(int layerIndex, NDArray q, NDArray k, NDArray v, List<Segment> segments) {
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int groups = heads / kvHeads;
        int hd = config.headDim();
        float scale = (float) (1.0 / Math.sqrt(hd));
        int window = config.windowForLayer(layerIndex);
        NDList outs = new NDList(segments.size());
        int offset = 0;
        for (Segment s : segments) {
            int t = s.tokens().length;
            NDArray ks = contiguous(k.get("{}:{}", offset, offset + t).transpose(1, 0, 2)); // [kvH, T, D]
            NDArray vs = contiguous(v.get("{}:{}", offset, offset + t).transpose(1, 0, 2));
            // Heads sharing a KV head sit together: [kvH, groups, T, D].
            NDArray qg = contiguous(Torch.times(q.get("{}:{}", offset, offset + t), scale).transpose(1, 0, 2))
                    .reshape(kvHeads, groups, t, hd);
            offset += t;
            int start = s.start();
            NDArray keys = ks;
            NDArray values = vs;
            if (s.cache() != null) {
                NDArray[] kv = s.cache().append(layerIndex, ks, vs);
                keys = kv[0];
                values = kv[1];
            }
            NDList blocks = new NDList();
            int block = queryBlock(heads, start + t);
            for (int b0 = 0; b0 < t; b0 += block) {
                int b1 = Math.min(t, b0 + block);
                int tb = b1 - b0;
                int keysEnd = start + b1;
                int keysStart = window > 0 ? Math.max(0, start + b0 - window + 1) : 0;
                NDArray qb = tb == t ? qg.reshape(kvHeads, groups * t, hd)
                        : qg.get(":, :, {}:{}", b0, b1).reshape(kvHeads, groups * tb, hd);
                NDArray kb = keys.get(":, {}:{}", keysStart, keysEnd);
                NDArray vb = values.get(":, {}:{}", keysStart, keysEnd);
                NDArray scores = qb.matMul(kb.transpose(0, 2, 1)); // [kvH, groups·Tb, S]
                NDArray mask = mask(scores.getManager(), start + b0, tb, keysStart, keysEnd, window, s.mask());
                if (mask != null) {
                    int sLen = keysEnd - keysStart;
                    scores = scores.reshape(kvHeads, groups, tb, sLen).add(mask).reshape(kvHeads, groups * tb, sLen);
                }
                blocks.add(scores.softmax(-1).matMul(vb).reshape(kvHeads, groups, tb, hd));
            }
            NDArray o = blocks.size() == 1 ? blocks.get(0) : NDArrays.concat(blocks, 2);
            outs.add(o.reshape(heads, t, hd).transpose(1, 0, 2).reshape(t, heads * hd));
        }
        return outs.size() == 1 ? outs.get(0) : NDArrays.concat(outs, 0);
    }

    /** Queries per block for {@code keys} visible keys: up to {@link #QUERY_BLOCK}, fewer for long contexts. */
    static int queryBlock(int heads, int keys) {
        return (int) Math.max(1, Math.min(QUERY_BLOCK, SCORE_BUDGET / ((long) heads * keys)));
    }

    /** {@code a} laid out densely (a copy when it is a strided view), so products run at full speed. */
    private static NDArray contiguous(NDArray a) {
        return a.flatten().reshape(a.getShape());
    }

    /**
     * Additive mask [T, keysEnd - keysStart]: query {@code i} (at position first+i) sees keys at
     * positions {@code <= first+i}, and with a sliding window only the last {@code window} of them, and
     * of those not the ones the sequence's own {@link KeyMask} hides. Null when nothing is masked.
     */
    private static NDArray mask(NDManager m, int first, int t, int keysStart, int keysEnd, int window, KeyMask extra) {
        int total = keysEnd - keysStart;
        boolean any = false;
        float[] data = new float[t * total];
        for (int i = 0; i < t; i++) {
            int p = first + i;
            for (int j = 0; j < total; j++) {
                int key = keysStart + j;
                boolean visible = key <= p && (window <= 0 || p - key < window)
                        && (extra == null || key == p || !extra.hidden(p, key));
                if (!visible) {
                    data[i * total + j] = Float.NEGATIVE_INFINITY;
                    any = true;
                }
            }
        }
        return any ? m.create(data, new Shape(t, total)) : null;
    }

    /** x · rsqrt(mean(x²) + eps) · weight over the last axis, in float32 as transformers does. */
    NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray variance = x.square().mean(new int[] {-1}, true);
        NDArray inv = variance.add((float) config.rmsNormEps()).sqrt();
        return x.div(inv).mul(weight);
    }

    @Override
    public void close() {
        manager.close();
    }
}
