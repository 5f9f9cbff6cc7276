package io.thinksafe.export;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face byte-level BPE tokenizer as llama.cpp reads it from GGUF metadata ({@code tokenizer.*}):
 * one token text per id up to config.json's vocab_size (ids the tokenizer lacks are {@code [PADn]},
 * unused), token types, merges, the pre-tokenizer's llama.cpp name, special token ids, whether a BOS
 * or EOS is added, and the chat templates. The rules follow llama.cpp's converter (gguf-py's
 * SpecialVocab and {@code get_vocab_base}), except that add_bos/add_eos are always written, so
 * llama.cpp's per-family defaults never override what the tokenizer itself does.
 *
 * @param specialIds GGUF key suffix ("bos_token_id", ...) to token id
 * @param chatTemplates template name to text; "default" is {@code tokenizer.chat_template}
 */
record GgufVocab(String pre, List<String> tokens, int[] tokenTypes, List<String> merges, Map<String, Integer> specialIds,
                 boolean addBos, boolean addEos, Map<String, String> chatTemplates) {

    /** llama.cpp's token types ({@code llama_token_type}). */
    static final int NORMAL = 1;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int UNUSED = 5;

    private static final List<String> SPECIAL_KINDS = List.of("bos", "eos", "unk", "sep", "pad");
    private static final Map<String, String> GGUF_ID_KEYS = Map.of("bos", "bos_token_id", "eos", "eos_token_id",
            "unk", "unknown_token_id", "sep", "seperator_token_id", "pad", "padding_token_id");

    static GgufVocab read(Path modelDir, int vocabSize) {
        Path file = modelDir.resolve("tokenizer.json");
        if (!Files.exists(file)) {
            throw new ThinkSafeException(modelDir + ": tokenizer.json is missing; the export writes the vocabulary llama.cpp tokenizes with");
        }
        JsonNode root = Json.read(file);
        JsonNode model = root.path("model");
        if (!model.path("type").asText().equals("BPE") || model.path("byte_fallback").asBoolean(false)) {
            throw new ThinkSafeException(file + ": field 'model' is a " + model.path("type").asText("?")
                    + (model.path("byte_fallback").asBoolean(false) ? " with byte_fallback (SentencePiece-style)" : "")
                    + " tokenizer; export supports byte-level BPE tokenizers (Qwen2/Qwen3, Llama 3)");
        }
        String pre = PreTokenizer.llamaCppName(root.path("pre_tokenizer"), file);

        Map<Integer, JsonNode> added = new HashMap<>();
        Map<String, Integer> addedIds = new LinkedHashMap<>();
        for (JsonNode t : root.path("added_tokens")) {
            added.put(t.path("id").asInt(), t);
            addedIds.putIfAbsent(t.path("content").asText(), t.path("id").asInt());
        }
        Map<Integer, String> byId = new HashMap<>();
        model.path("vocab").fields().forEachRemaining(f -> byId.put(f.getValue().asInt(), f.getKey()));
        List<Integer> ids = new ArrayList<>(byId.keySet());
        ids.addAll(added.keySet());
        for (int id : ids) {
            if (id < 0 || id >= vocabSize) {
                throw new ThinkSafeException(file + ": token id " + id + " is outside config.json's vocab_size " + vocabSize);
            }
        }

        List<String> tokens = new ArrayList<>(vocabSize);
        int[] types = new int[vocabSize];
        Map<String, Integer> seen = new HashMap<>();
        for (int id = 0; id < vocabSize; id++) {
            JsonNode a = added.get(id);
            String text;
            if (a != null) {
                text = a.path("content").asText();
                boolean control = a.path("special").asBoolean(false) || looksSpecial(text);
                types[id] = control ? CONTROL : USER_DEFINED;
                if (!control) {
                    text = text.replace('\u2581', ' '); // llama.cpp matches user-defined tokens pre-normalised
                }
            } else if (byId.containsKey(id)) {
                text = byId.get(id);
                types[id] = NORMAL;
            } else {
                text = "[PAD" + id + "]";
                types[id] = UNUSED;
            }
            Integer other = seen.put(text, id);
            if (other != null) {
                throw new ThinkSafeException(file + ": token '" + text + "' has ids " + other + " and " + id
                        + "; llama.cpp needs each token text once");
            }
            tokens.add(text);
        }

        JsonNode tokenizerConfig = readOptional(modelDir.resolve("tokenizer_config.json"));
        JsonNode config = readOptional(modelDir.resolve("config.json"));
        Map<String, Integer> special = specialIds(tokenizerConfig, config, addedIds, vocabSize);
        boolean addBos = addsToken(tokenizerConfig, root, "bos", special, tokens);
        boolean addEos = tokenizerConfig.path("add_eos_token").asBoolean(false);
        return new GgufVocab(pre, tokens, types, merges(model.path("merges"), file), ggufKeys(special), addBos, addEos,
                chatTemplates(modelDir, tokenizerConfig));
    }

    /** Added tokens that are not marked special but are meant as control tokens (llama.cpp's converter rule). */
    static boolean looksSpecial(String text) {
        return text.equals("<pad>") || text.equals("<mask>") || text.equals("<2mass>") || text.equals("[@BOS@]")
                || (text.startsWith("<|") && text.endsWith("|>"))
                || (text.startsWith("<\uff5c") && text.endsWith("\uff5c>"))
                || (text.startsWith("<unused") && text.endsWith(">"));
    }

    /** tokenizer_config.json's {@code X_token} first (by content among the added tokens), then config.json's {@code X_token_id}. */
    private static Map<String, Integer> specialIds(JsonNode tokenizerConfig, JsonNode config, Map<String, Integer> addedIds,
                                                   int vocabSize) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String kind : SPECIAL_KINDS) {
            JsonNode entry = tokenizerConfig.path(kind + "_token");
            String content = entry.isTextual() ? entry.asText() : entry.path("content").isTextual() ? entry.path("content").asText() : null;
            Integer id = content == null ? null : addedIds.get(content);
            if (id == null && config.path(kind + "_token_id").isInt()) {
                id = config.get(kind + "_token_id").asInt(); // a list of eos ids is not one token: skipped, as llama.cpp's converter does
            }
            if (id != null && id >= 0 && id < vocabSize) {
                out.put(kind, id);
            }
        }
        return out;
    }

    private static Map<String, Integer> ggufKeys(Map<String, Integer> special) {
        Map<String, Integer> out = new LinkedHashMap<>();
        special.forEach((kind, id) -> out.put(GGUF_ID_KEYS.get(kind), id));
        return out;
    }

    /**
     * Whether encoding adds a BOS: tokenizer_config.json's {@code add_bos_token}, else a post-processor
     * template that starts with the BOS token (how Llama 3's tokenizer.json says it).
     */
    private static boolean addsToken(JsonNode tokenizerConfig, JsonNode root, String kind, Map<String, Integer> special,
                                     List<String> tokens) {
        JsonNode flag = tokenizerConfig.path("add_" + kind + "_token");
        if (flag.isBoolean()) {
            return flag.asBoolean();
        }
        Integer id = special.get(kind);
        if (id == null) {
            return false;
        }
        JsonNode post = root.path("post_processor");
        List<JsonNode> processors = new ArrayList<>();
        if (post.path("type").asText().equals("Sequence")) {
            post.path("processors").forEach(processors::add);
        } else {
            processors.add(post);
        }
        for (JsonNode p : processors) {
            JsonNode single = p.path("single");
            if (p.path("type").asText().equals("TemplateProcessing") && single.size() > 1) {
                String first = single.get(0).path("SpecialToken").path("id").asText(null);
                return tokens.get(id).equals(first);
            }
        }
        return false;
    }

    /** Merges as llama.cpp stores them: "left right", a space inside a part written as U+0120 (its byte-level form). */
    private static List<String> merges(JsonNode merges, Path file) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : merges) {
            if (m.isTextual()) {
                out.add(m.asText());
            } else if (m.isArray() && m.size() == 2) {
                out.add(m.get(0).asText().replace(' ', '\u0120') + " " + m.get(1).asText().replace(' ', '\u0120'));
            } else {
                throw new ThinkSafeException(file + ": field 'model.merges' holds " + m + "; expected \"a b\" or [\"a\", \"b\"]");
            }
        }
        return out;
    }

    /** tokenizer_config.json's chat_template (a string, or named templates), else chat_template.jinja. */
    private static Map<String, String> chatTemplates(Path modelDir, JsonNode tokenizerConfig) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode t = tokenizerConfig.path("chat_template");
        if (t.isTextual()) {
            out.put("default", t.asText());
        } else if (t.isArray()) {
            t.forEach(named -> out.put(named.path("name").asText(), named.path("template").asText()));
        } else {
            Path jinja = modelDir.resolve("chat_template.jinja");
            if (Files.exists(jinja)) {
                try {
                    out.put("default", Files.readString(jinja, StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new ThinkSafeException(jinja + ": cannot read (" + e.getMessage() + ")");
                }
            }
        }
        return out;
    }

    private static JsonNode readOptional(Path file) {
        return Files.exists(file) ? Json.read(file) : Json.object();
    }

    /** Writes the {@code tokenizer.*} keys. */
    void addTo(GgufWriter w) {
        w.putString("tokenizer.ggml.model", "gpt2");
        w.putString("tokenizer.ggml.pre", pre);
        w.put("tokenizer.ggml.tokens", new GgufValue.TextArray(tokens));
        w.put("tokenizer.ggml.token_type", new GgufValue.Int32Array(tokenTypes));
        w.put("tokenizer.ggml.merges", new GgufValue.TextArray(merges));
        specialIds.forEach((key, id) -> w.putUint32("tokenizer.ggml." + key, id));
        w.putBool("tokenizer.ggml.add_bos_token", addBos);
        w.putBool("tokenizer.ggml.add_eos_token", addEos);
        List<String> named = new ArrayList<>();
        chatTemplates.forEach((name, text) -> {
            if (name.equals("default")) {
                w.putString("tokenizer.chat_template", text);
            } else {
                w.putString("tokenizer.chat_template." + name, text);
                named.add(name);
            }
        });
        if (!named.isEmpty()) {
            w.put("tokenizer.chat_templates", new GgufValue.TextArray(named));
        }
    }
}
