package io.thinksafe.export;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinksafe.ThinkSafeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Names a tokenizer.json pre-tokenizer the way llama.cpp knows it ({@code tokenizer.ggml.pre}).
 * llama.cpp does not read the regular expression from the file: it runs its own copy of each known
 * family's, chosen by this name. llama.cpp's converter finds the name by hashing the ids of a test
 * text; we compare the expression itself with the families llama.cpp implements, and refuse others
 * rather than let llama.cpp cut text differently.
 */
final class PreTokenizer {
    private PreTokenizer() {}

    /** Qwen2/Qwen3 (and DeepSeek-R1-Distill-Qwen): every digit alone. llama.cpp: "qwen2". */
    static final String QWEN2_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Llama 3 (R1-Distill-Llama, Llama-Guard-3): digits in groups of up to three. llama.cpp: "llama-bpe". */
    static final String LLAMA3_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** The llama.cpp name for a byte-level BPE pre-tokenizer: one regex split, then ByteLevel without its own regex. */
    static String llamaCppName(JsonNode preTokenizer, Path file) {
        List<JsonNode> steps = new ArrayList<>();
        if (preTokenizer.path("type").asText().equals("Sequence")) {
            preTokenizer.path("pretokenizers").forEach(steps::add);
        } else if (!preTokenizer.isMissingNode() && !preTokenizer.isNull()) {
            steps.add(preTokenizer);
        }
        String found = describe(steps);
        if (steps.size() == 2 && isIsolatingSplit(steps.get(0)) && isPlainByteLevel(steps.get(1))) {
            String regex = steps.get(0).path("pattern").path("Regex").asText();
            if (regex.equals(QWEN2_SPLIT)) {
                return "qwen2";
            }
            if (regex.equals(LLAMA3_SPLIT)) {
                return "llama-bpe";
            }
        }
        throw new ThinkSafeException(file + ": field 'pre_tokenizer' (" + found + ") is not one llama.cpp implements"
                + " under a name we can map; supported: the Qwen2/Qwen3 split and the Llama 3 split, each followed by ByteLevel");
    }

    private static boolean isIsolatingSplit(JsonNode step) {
        return step.path("type").asText().equals("Split") && step.path("pattern").has("Regex")
                && step.path("behavior").asText().equals("Isolated") && !step.path("invert").asBoolean(false);
    }

    private static boolean isPlainByteLevel(JsonNode step) {
        return step.path("type").asText().equals("ByteLevel") && !step.path("use_regex").asBoolean(true)
                && !step.path("add_prefix_space").asBoolean(false);
    }

    private static String describe(List<JsonNode> steps) {
        List<String> parts = new ArrayList<>();
        for (JsonNode s : steps) {
            String type = s.path("type").asText("?");
            parts.add(s.path("pattern").has("Regex") ? type + " " + s.path("pattern").path("Regex").asText() : type);
        }
        return parts.isEmpty() ? "none" : String.join(", then ", parts);
    }
}
