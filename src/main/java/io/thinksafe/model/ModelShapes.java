package io.thinksafe.model;

import io.thinksafe.ThinkSafeException;
import java.util.List;
import java.util.Locale;

/**
 * The dimensions of the real models the paper uses, for random checkpoints and benchmarks at real
 * sizes (no weights can be downloaded here). Values are those of each model's config.json.
 */
public final class ModelShapes {
    private ModelShapes() {}

    public static final List<String> NAMES = List.of("qwen3-0.6b", "qwen3-1.7b", "qwen3-8b", "llama3.1-8b", "mistral-7b");

    /** A shape by name (also the short forms {@code 0.6b}, {@code 1.7b}, {@code 8b} for Qwen3). */
    public static ModelConfig.Builder named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "qwen3-0.6b", "0.6b" -> qwen3(1024, 3072, 28, 16, true);
            case "qwen3-1.7b", "1.7b" -> qwen3(2048, 6144, 28, 16, true);
            case "qwen3-8b", "8b" -> qwen3(4096, 12288, 36, 32, false);
            case "llama3.1-8b" -> ModelConfig.builder(Architecture.LLAMA).vocab(128256).hidden(4096).intermediate(14336)
                    .layers(32).heads(32, 8).headDim(128).rmsNormEps(1e-5)
                    .rope(500_000, new RopeScaling(RopeScaling.Type.LLAMA3, 8, 1, 4, 8192))
                    .maxPositions(131072).bos(128000).eos(128001, 128008, 128009);
            case "mistral-7b" -> ModelConfig.builder(Architecture.MISTRAL).vocab(32768).hidden(4096).intermediate(14336)
                    .layers(32).heads(32, 8).headDim(128).rmsNormEps(1e-5).rope(1_000_000, RopeScaling.NONE)
                    .maxPositions(32768).bos(1).eos(2);
            default -> throw new ThinkSafeException("unknown shape '" + name + "'; known: " + String.join(", ", NAMES)
                    + " (or 0.6b, 1.7b, 8b)");
        };
    }

    private static ModelConfig.Builder qwen3(int hidden, int intermediate, int layers, int heads, boolean tied) {
        return ModelConfig.builder(Architecture.QWEN3).vocab(151936).hidden(hidden).intermediate(intermediate)
                .layers(layers).heads(heads, 8).headDim(128).rmsNormEps(1e-6).rope(1_000_000, RopeScaling.NONE)
                .tiedEmbeddings(tied).maxPositions(40960).eos(151645, 151643).pad(151643);
    }
}
