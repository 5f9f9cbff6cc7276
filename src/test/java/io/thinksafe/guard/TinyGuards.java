package io.thinksafe.guard;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.model.Architecture;
import io.thinksafe.model.DType;
import io.thinksafe.model.ModelConfig;
import io.thinksafe.model.RandomCheckpoint;
import io.thinksafe.model.RopeScaling;
import io.thinksafe.text.ByteLevelTokenizer;
import io.thinksafe.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Tiny random judges with the real formats: a Llama checkpoint with Llama-Guard-3's special tokens
 * and prompt template, and a Mistral checkpoint for WildGuard, both with byte-level tokenizers.
 */
public final class TinyGuards {
    static final List<String> LLAMA_SPECIALS = List.of("<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>",
            "<|end_header_id|>", "<|eot_id|>");
    static final List<String> MISTRAL_SPECIALS = List.of("<unk>", "<s>", "</s>");

    private TinyGuards() {}

    public static Path llamaGuard(Path dir, long seed, int maxPositions) {
        int vocab = 256 + LLAMA_SPECIALS.size();
        ModelConfig c = ModelConfig.builder(Architecture.LLAMA).vocab(vocab).hidden(32).intermediate(64).layers(2)
                .heads(4, 2).headDim(8).rmsNormEps(1e-5).rope(500_000, RopeScaling.NONE).maxPositions(maxPositions)
                .dtype(DType.BF16).eos(256 + 4, 256 + 1).bos(256).build();
        RandomCheckpoint.write(dir, c, DType.BF16, 1, seed, null);
        ByteLevelTokenizer.write(dir.resolve("tokenizer.json"), LLAMA_SPECIALS);
        ObjectNode tc = Json.object();
        tc.put("bos_token", "<|begin_of_text|>");
        tc.put("eos_token", "<|eot_id|>");
        tc.put("chat_template", resource("llama-guard-3.jinja"));
        Json.writePretty(dir.resolve("tokenizer_config.json"), tc);
        return dir;
    }

    public static Path wildGuard(Path dir, long seed, int maxPositions) {
        int vocab = 256 + MISTRAL_SPECIALS.size();
        ModelConfig c = ModelConfig.builder(Architecture.MISTRAL).vocab(vocab).hidden(32).intermediate(64).layers(2)
                .heads(4, 2).headDim(8).rmsNormEps(1e-5).rope(1_000_000, RopeScaling.NONE).maxPositions(maxPositions)
                .dtype(DType.BF16).eos(256 + 2).bos(256 + 1).build();
        RandomCheckpoint.write(dir, c, DType.BF16, 1, seed, null);
        ByteLevelTokenizer.write(dir.resolve("tokenizer.json"), MISTRAL_SPECIALS);
        return dir;
    }

    static String resource(String name) {
        try (InputStream in = LlamaGuard.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
