package io.thinksafe.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.model.Architecture;
import io.thinksafe.model.DType;
import io.thinksafe.model.ModelConfig;
import io.thinksafe.model.RandomCheckpoint;
import io.thinksafe.model.RopeScaling;
import io.thinksafe.text.ByteLevelTokenizer;
import io.thinksafe.util.Json;
import java.nio.file.Path;
import java.util.List;

/**
 * A tiny random Qwen3-shaped chat model with a byte-level tokenizer (259 tokens): small enough that
 * a GRPO step takes a fraction of a second, with a real chat template. {@code opensThink} makes the
 * generation prompt end inside a think block, as R1-Distill's does.
 */
final class TinyChatModel {
    static final List<String> SPECIALS = List.of("<|user|>", "<|assistant|>", "<|end|>");

    private TinyChatModel() {}

    static Path write(Path dir, long seed, boolean opensThink) {
        int vocab = 256 + SPECIALS.size();
        int end = 256 + 2;
        ModelConfig c = ModelConfig.builder(Architecture.QWEN3).vocab(vocab).hidden(32).intermediate(64).layers(2)
                .heads(4, 2).headDim(8).rmsNormEps(1e-6).rope(1_000_000, RopeScaling.NONE).tiedEmbeddings(true)
                .maxPositions(4096).dtype(DType.F32).eos(end).pad(end).build();
        RandomCheckpoint.write(dir, c, DType.F32, 1, seed, null);
        ByteLevelTokenizer.write(dir.resolve("tokenizer.json"), SPECIALS);
        ObjectNode tc = Json.object();
        tc.put("eos_token", "<|end|>");
        tc.put("chat_template", "{% for m in messages %}<|user|>{{ m['content'] }}{% endfor %}"
                + "{% if add_generation_prompt %}<|assistant|>" + (opensThink ? "<think>\n" : "") + "{% endif %}");
        Json.writePretty(dir.resolve("tokenizer_config.json"), tc);
        return dir;
    }
}
