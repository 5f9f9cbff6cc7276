package io.thinksafe.microworld;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.model.Architecture;
import io.thinksafe.model.DType;
import io.thinksafe.model.ModelConfig;
import io.thinksafe.model.RandomCheckpoint;
import io.thinksafe.model.RopeScaling;
import io.thinksafe.text.BpeTrainer;
import io.thinksafe.text.ByteLevelTokenizer;
import io.thinksafe.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The micro-world's models before training: one byte-level BPE tokenizer learned from the world's
 * text and shared by all, and the shapes and chat templates of the student (Qwen3), the teacher
 * (Qwen3, other size), the Llama-Guard-style judge (Llama) and the WildGuard-style judge (Mistral).
 */
final class MicroModels {
    static final int MERGES = 1200;

    /** Which model of the world, with its architecture and how its tokenizer config reads. */
    enum Role {
        STUDENT(Architecture.QWEN3, 128, 384, 4, 4, 2, 32),
        TEACHER(Architecture.QWEN3, 160, 448, 3, 5, 1, 32),
        LLAMA_GUARD(Architecture.LLAMA, 96, 256, 2, 4, 2, 24),
        WILDGUARD(Architecture.MISTRAL, 96, 256, 2, 4, 2, 24);

        final Architecture arch;
        final int hidden;
        final int ffn;
        final int layers;
        final int heads;
        final int kvHeads;
        final int headDim;

        Role(Architecture arch, int hidden, int ffn, int layers, int heads, int kvHeads, int headDim) {
            this.arch = arch;
            this.hidden = hidden;
            this.ffn = ffn;
            this.layers = layers;
            this.heads = heads;
            this.kvHeads = kvHeads;
            this.headDim = headDim;
        }

        boolean chat() {
            return this == STUDENT || this == TEACHER;
        }
    }

    private MicroModels() {}

    /** Learns the merges from the world's text and writes {@code tokenizer.json}. */
    static void writeTokenizer(Path file, List<String> corpus) {
        List<String> specials = World.SPECIALS;
        List<String[]> merges = BpeTrainer.train(corpus, MERGES, concat(specials, World.THINK_TAGS));
        ByteLevelTokenizer.write(file, specials, merges, World.THINK_TAGS);
    }

    static int vocabSize() {
        return 256 + MERGES + World.SPECIALS.size() + World.THINK_TAGS.size();
    }

    static int specialId(String token) {
        int i = World.SPECIALS.indexOf(token);
        if (i < 0) {
            throw new IllegalArgumentException(token);
        }
        return 256 + MERGES + i;
    }

    /** A randomly initialised checkpoint of the role, with the world's tokenizer and the role's template. */
    static Path writeInitial(Path dir, Role role, Path tokenizerJson, long seed) {
        String eos = eosToken(role);
        Integer bos = switch (role) {
            case LLAMA_GUARD -> specialId("<|begin_of_text|>");
            case WILDGUARD -> specialId("<s>");
            default -> null;
        };
        List<Integer> eosIds = role.chat() ? List.of(specialId("<|im_end|>"), specialId("<|endoftext|>")) : List.of(specialId(eos));
        ModelConfig c = ModelConfig.builder(role.arch).vocab(vocabSize()).hidden(role.hidden).intermediate(role.ffn)
                .layers(role.layers).heads(role.heads, role.kvHeads).headDim(role.headDim).rmsNormEps(1e-6)
                .rope(10_000, RopeScaling.NONE).tiedEmbeddings(role.chat()).maxPositions(2048).dtype(DType.F32)
                .eos(eosIds).bos(bos).pad(specialId("<|endoftext|>")).build();
        RandomCheckpoint.write(dir, c, DType.F32, 1, seed, null);
        try {
            Files.copy(tokenizerJson, dir.resolve("tokenizer.json"));
        } catch (IOException e) {
            throw new ThinkSafeException(dir + ": cannot write the tokenizer (" + e.getMessage() + ")");
        }
        Json.writePretty(dir.resolve("tokenizer_config.json"), tokenizerConfig(role));
        return dir;
    }

    static String eosToken(Role role) {
        return switch (role) {
            case LLAMA_GUARD -> "<|eot_id|>";
            case WILDGUARD -> "</s>";
            default -> "<|im_end|>";
        };
    }

    static ObjectNode tokenizerConfig(Role role) {
        ObjectNode tc = Json.object();
        tc.put("tokenizer_class", "PreTrainedTokenizerFast");
        tc.put("model_max_length", 2048);
        switch (role) {
            case LLAMA_GUARD -> {
                tc.put("bos_token", "<|begin_of_text|>");
                tc.put("eos_token", "<|eot_id|>");
                tc.put("chat_template", resource("guard-chat.jinja"));
            }
            case WILDGUARD -> {
                tc.put("bos_token", "<s>");
                tc.put("eos_token", "</s>");
            }
            default -> {
                tc.putNull("bos_token");
                tc.put("eos_token", "<|im_end|>");
                tc.put("pad_token", "<|endoftext|>");
                tc.put("chat_template", resource("student-chat.jinja"));
            }
        }
        return tc;
    }

    static String resource(String name) {
        try (InputStream in = MicroModels.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("missing resource " + name, e);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
