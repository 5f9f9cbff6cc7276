package io.thinksafe.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoder's hyper-parameters, read from a Hugging Face {@code config.json}.
 *
 * @param slidingWindow attention window in tokens for the layers that use one, 0 for none
 * @param firstSlidingLayer index of the first layer with a window (Qwen2's max_window_layers), 0 for all
 */
public record ModelConfig(
        Architecture architecture,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        boolean mlpBias,
        int slidingWindow,
        int firstSlidingLayer,
        int maxPositionEmbeddings,
        DType torchDtype,
        List<Integer> eosTokenIds,
        Integer bosTokenId,
        Integer padTokenId) {

    /**
     * A builder for configs made in code (tests, benchmarks, the micro-world, random checkpoints), so
     * that the many integers of a config are named where they are set. Defaults are those of a
     * config.json that leaves the field out; {@link #build} checks the shape as {@link #parse} does.
     */
    public static Builder builder(Architecture architecture) {
        return new Builder(architecture);
    }

    /** A builder starting from this config, to change a few fields. */
    public Builder toBuilder() {
        Builder b = new Builder(architecture);
        b.vocabSize = vocabSize;
        b.hiddenSize = hiddenSize;
        b.intermediateSize = intermediateSize;
        b.numLayers = numLayers;
        b.numHeads = numHeads;
        b.numKvHeads = numKvHeads;
        b.headDim = headDim;
        b.rmsNormEps = rmsNormEps;
        b.ropeTheta = ropeTheta;
        b.ropeScaling = ropeScaling;
        b.tieWordEmbeddings = tieWordEmbeddings;
        b.attentionBias = attentionBias;
        b.mlpBias = mlpBias;
        b.slidingWindow = slidingWindow;
        b.firstSlidingLayer = firstSlidingLayer;
        b.maxPositionEmbeddings = maxPositionEmbeddings;
        b.torchDtype = torchDtype;
        b.eosTokenIds = eosTokenIds;
        b.bosTokenId = bosTokenId;
        b.padTokenId = padTokenId;
        return b;
    }

    /** See {@link ModelConfig#builder}. */
    public static final class Builder {
        private final Architecture architecture;
        private int vocabSize;
        private int hiddenSize;
        private int intermediateSize;
        private int numLayers;
        private int numHeads;
        private int numKvHeads;
        private int headDim;
        private double rmsNormEps = 1e-6;
        private double ropeTheta = 10_000;
        private RopeScaling ropeScaling = RopeScaling.NONE;
        private boolean tieWordEmbeddings;
        private boolean attentionBias;
        private boolean mlpBias;
        private int slidingWindow;
        private int firstSlidingLayer;
        private int maxPositionEmbeddings = 32768;
        private DType torchDtype;
        private List<Integer> eosTokenIds = List.of();
        private Integer bosTokenId;
        private Integer padTokenId;

        private Builder(Architecture architecture) {
            this.architecture = architecture;
        }

        public Builder vocab(int n) {
            vocabSize = n;
            return this;
        }

        public Builder hidden(int n) {
            hiddenSize = n;
            return this;
        }

        public Builder intermediate(int n) {
            intermediateSize = n;
            return this;
        }

        public Builder layers(int n) {
            numLayers = n;
            return this;
        }

        /** Query heads and key/value heads (grouped-query attention when they differ). */
        public Builder heads(int query, int keyValue) {
            numHeads = query;
            numKvHeads = keyValue;
            return this;
        }

        /** Per-head width; when not set, hidden / query heads. */
        public Builder headDim(int n) {
            headDim = n;
            return this;
        }

        public Builder rmsNormEps(double eps) {
            rmsNormEps = eps;
            return this;
        }

        public Builder rope(double theta, RopeScaling scaling) {
            ropeTheta = theta;
            ropeScaling = scaling;
            return this;
        }

        public Builder tiedEmbeddings(boolean tied) {
            tieWordEmbeddings = tied;
            return this;
        }

        public Builder attentionBias(boolean on) {
            attentionBias = on;
            return this;
        }

        public Builder mlpBias(boolean on) {
            mlpBias = on;
            return this;
        }

        /** A sliding attention window of {@code tokens} from layer {@code firstLayer} on (0: every layer). */
        public Builder slidingWindow(int tokens, int firstLayer) {
            slidingWindow = tokens;
            firstSlidingLayer = firstLayer;
            return this;
        }

        public Builder maxPositions(int n) {
            maxPositionEmbeddings = n;
            return this;
        }

        public Builder dtype(DType dtype) {
            torchDtype = dtype;
            return this;
        }

        public Builder eos(Integer... ids) {
            eosTokenIds = List.of(ids);
            return this;
        }

        public Builder eos(List<Integer> ids) {
            eosTokenIds = List.copyOf(ids);
            return this;
        }

        public Builder bos(Integer id) {
            bosTokenId = id;
            return this;
        }

        public Builder pad(Integer id) {
            padTokenId = id;
            return this;
        }

        public ModelConfig build() {
            int hd = headDim > 0 ? headDim : (numHeads > 0 ? hiddenSize / numHeads : 0);
            if (vocabSize <= 0 || hiddenSize <= 0 || intermediateSize <= 0 || numLayers <= 0 || numHeads <= 0
                    || numKvHeads <= 0 || hd <= 0) {
                throw new IllegalArgumentException("vocab, hidden, intermediate, layers, heads and head_dim must be positive");
            }
            if (numHeads % numKvHeads != 0) {
                throw new IllegalArgumentException("query heads (" + numHeads + ") must be a multiple of key/value heads ("
                        + numKvHeads + ")");
            }
            if (hd % 2 != 0) {
                throw new IllegalArgumentException("head_dim " + hd + " must be even for rotary embeddings");
            }
            return new ModelConfig(architecture, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads,
                    hd, rmsNormEps, ropeTheta, ropeScaling, tieWordEmbeddings, attentionBias, mlpBias, slidingWindow,
                    firstSlidingLayer, maxPositionEmbeddings, torchDtype, eosTokenIds, bosTokenId, padTokenId);
        }
    }

    /** Qwen3 normalises each query/key head before RoPE. */
    public boolean qkNorm() {
        return architecture == Architecture.QWEN3;
    }

    /** Biases on q/k/v: always in Qwen2, by {@code attention_bias} elsewhere. */
    public boolean qkvBias() {
        return architecture == Architecture.QWEN2 || attentionBias;
    }

    /** Bias on o_proj: only where {@code attention_bias} says so (Qwen2 has none). */
    public boolean outputBias() {
        return architecture != Architecture.QWEN2 && attentionBias;
    }

    public int windowForLayer(int layer) {
        return slidingWindow > 0 && layer >= firstSlidingLayer ? slidingWindow : 0;
    }

    public long parameterCount() {
        long h = hiddenSize;
        long attn = h * numHeads * headDim * 2 + h * numKvHeads * headDim * 2;
        long mlp = 3 * h * intermediateSize;
        long perLayer = attn + mlp + 2 * h + (qkNorm() ? 2L * headDim : 0);
        long embed = (long) vocabSize * h;
        return numLayers * perLayer + embed + h + (tieWordEmbeddings ? 0 : embed);
    }

    public static ModelConfig load(Path configJson) {
        return parse(Json.read(configJson), configJson.toString());
    }

    public static ModelConfig parse(JsonNode c, String where) {
        Field f = new Field(c, where);
        JsonNode archs = c.path("architectures");
        String className = archs.isArray() && archs.size() > 0 ? archs.get(0).asText() : null;
        if (className == null) {
            throw new ThinkSafeException(where + ": field 'architectures' is missing; expected one of "
                    + Architecture.supportedList());
        }
        Architecture arch = Architecture.fromClassName(className);
        if (arch == null) {
            throw new ThinkSafeException(where + ": unknown architecture '" + className + "'; supported: "
                    + Architecture.supportedList());
        }
        String act = c.path("hidden_act").asText("silu");
        if (!act.equals("silu")) {
            throw new ThinkSafeException(where + ": field 'hidden_act' is '" + act + "'; only 'silu' is supported");
        }
        int hidden = f.positiveInt("hidden_size");
        int heads = f.positiveInt("num_attention_heads");
        int kvHeads = c.hasNonNull("num_key_value_heads") ? f.positiveInt("num_key_value_heads") : heads;
        if (heads % kvHeads != 0) {
            throw new ThinkSafeException(where + ": num_attention_heads (" + heads
                    + ") is not a multiple of num_key_value_heads (" + kvHeads + ")");
        }
        int headDim = c.hasNonNull("head_dim") ? f.positiveInt("head_dim") : hidden / heads;
        if (headDim % 2 != 0) {
            throw new ThinkSafeException(where + ": head_dim " + headDim + " must be even for rotary embeddings");
        }
        // transformers 5 moved theta and scaling into rope_parameters; read either form.
        JsonNode ropeParams = c.path("rope_parameters");
        double theta = c.path("rope_theta").asDouble(ropeParams.path("rope_theta").asDouble(10000.0));
        JsonNode scalingNode = c.hasNonNull("rope_scaling") ? c.get("rope_scaling") : ropeParams;
        RopeScaling scaling = parseScaling(scalingNode, where);

        int window = 0;
        int firstSliding = 0;
        if (arch == Architecture.MISTRAL) {
            window = c.path("sliding_window").asInt(0);
        } else if ((arch == Architecture.QWEN2 || arch == Architecture.QWEN3)
                && c.path("use_sliding_window").asBoolean(false)) {
            window = c.path("sliding_window").asInt(0);
            firstSliding = c.path("max_window_layers").asInt(0);
        }
        return builder(arch)
                .vocab(f.positiveInt("vocab_size"))
                .hidden(hidden)
                .intermediate(f.positiveInt("intermediate_size"))
                .layers(f.positiveInt("num_hidden_layers"))
                .heads(heads, kvHeads)
                .headDim(headDim)
                .rmsNormEps(c.path("rms_norm_eps").asDouble(1e-6))
                .rope(theta, scaling)
                .tiedEmbeddings(c.path("tie_word_embeddings").asBoolean(false))
                .attentionBias(c.path("attention_bias").asBoolean(false))
                .mlpBias(c.path("mlp_bias").asBoolean(false))
                .slidingWindow(Math.max(0, window), firstSliding)
                .maxPositions(c.path("max_position_embeddings").asInt(32768))
                .dtype(DType.fromTorchName(c.path("torch_dtype").asText(c.path("dtype").asText(null))))
                .eos(intList(c.path("eos_token_id")))
                .bos(c.hasNonNull("bos_token_id") ? c.get("bos_token_id").asInt() : null)
                .pad(c.hasNonNull("pad_token_id") ? c.get("pad_token_id").asInt() : null)
                .build();
    }

    private static RopeScaling parseScaling(JsonNode s, String where) {
        if (s == null || s.isMissingNode() || s.isNull() || !s.isObject()) {
            return RopeScaling.NONE;
        }
        String type = s.path("rope_type").asText(s.path("type").asText("default"));
        double factor = s.path("factor").asDouble(1.0);
        return switch (type) {
            case "default" -> RopeScaling.NONE;
            case "linear" -> new RopeScaling(RopeScaling.Type.LINEAR, factor, 0, 0, 0);
            case "llama3" -> new RopeScaling(RopeScaling.Type.LLAMA3, factor,
                    s.path("low_freq_factor").asDouble(1.0), s.path("high_freq_factor").asDouble(4.0),
                    s.path("original_max_position_embeddings").asInt(8192));
            default -> throw new ThinkSafeException(where + ": rope_scaling type '" + type
                    + "' is not supported (supported: default, linear, llama3)");
        };
    }

    static List<Integer> intList(JsonNode n) {
        List<Integer> out = new ArrayList<>();
        if (n.isInt()) {
            out.add(n.asInt());
        } else if (n.isArray()) {
            n.forEach(x -> out.add(x.asInt()));
        }
        return List.copyOf(out);
    }

    /** Writes this config as a Hugging Face config.json object. */
    public ObjectNode toJson() {
        ObjectNode c = Json.object();
        c.putArray("architectures").add(architecture.className);
        c.put("model_type", architecture.modelType);
        c.put("vocab_size", vocabSize);
        c.put("hidden_size", hiddenSize);
        c.put("intermediate_size", intermediateSize);
        c.put("num_hidden_layers", numLayers);
        c.put("num_attention_heads", numHeads);
        c.put("num_key_value_heads", numKvHeads);
        c.put("head_dim", headDim);
        c.put("hidden_act", "silu");
        c.put("rms_norm_eps", rmsNormEps);
        c.put("rope_theta", ropeTheta);
        switch (ropeScaling.type()) {
            case DEFAULT -> c.putNull("rope_scaling");
            case LINEAR -> c.putObject("rope_scaling").put("rope_type", "linear").put("factor", ropeScaling.factor());
            case LLAMA3 -> c.putObject("rope_scaling").put("rope_type", "llama3").put("factor", ropeScaling.factor())
                    .put("low_freq_factor", ropeScaling.lowFreqFactor())
                    .put("high_freq_factor", ropeScaling.highFreqFactor())
                    .put("original_max_position_embeddings", ropeScaling.originalMaxPositions());
        }
        c.put("tie_word_embeddings", tieWordEmbeddings);
        if (architecture != Architecture.QWEN2) {
            c.put("attention_bias", attentionBias);
        }
        if (architecture == Architecture.LLAMA) {
            c.put("mlp_bias", mlpBias);
        }
        if (architecture == Architecture.MISTRAL) {
            if (slidingWindow > 0) {
                c.put("sliding_window", slidingWindow);
            } else {
                c.putNull("sliding_window");
            }
        } else if (architecture == Architecture.QWEN2 || architecture == Architecture.QWEN3) {
            c.put("use_sliding_window", slidingWindow > 0);
            c.put("sliding_window", slidingWindow > 0 ? slidingWindow : 4096);
            c.put("max_window_layers", firstSlidingLayer);
        }
        c.put("max_position_embeddings", maxPositionEmbeddings);
        if (torchDtype != null) {
            c.put("torch_dtype", torchDtype.torchName());
        }
        if (eosTokenIds.size() == 1) {
            c.put("eos_token_id", eosTokenIds.get(0));
        } else if (!eosTokenIds.isEmpty()) {
            eosTokenIds.forEach(c.putArray("eos_token_id")::add);
        }
        if (bosTokenId != null) {
            c.put("bos_token_id", bosTokenId);
        }
        if (padTokenId != null) {
            c.put("pad_token_id", padTokenId);
        }
        return c;
    }

    private record Field(JsonNode c, String where) {
        int positiveInt(String name) {
            JsonNode n = c.get(name);
            if (n == null || n.isNull()) {
                throw new ThinkSafeException(where + ": field '" + name + "' is missing");
            }
            if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() <= 0) {
                throw new ThinkSafeException(where + ": field '" + name + "' must be a positive integer, got " + n);
            }
            return n.asInt();
        }
    }
}
