package io.thinksafe.text;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.util.Json;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a byte-level BPE {@code tokenizer.json}: the GPT-2 byte alphabet as 256 tokens, then the
 * tokens of the given merges, then the special tokens — a real Hugging Face tokenizer file that
 * encodes any text exactly, for the small synthetic models of tests and the micro-world. Text is
 * pre-split as Qwen's tokenizer does it (letters in words, every digit alone, punctuation runs,
 * whitespace), so numbers reach the model one digit at a time. Ids: byte b is id b; merge i makes
 * id 256 + i; special token j is id 256 + merges + j.
 */
public final class ByteLevelTokenizer {
    private ByteLevelTokenizer() {}

    /** GPT-2's reversible map from bytes to printable characters (the alphabet byte-level BPE works in). */
    public static String byteChar(int b) {
        int[] map = BYTE_TO_CHAR;
        return new String(Character.toChars(map[b]));
    }

    private static final int[] BYTE_TO_CHAR = buildMap();

    private static int[] buildMap() {
        int[] map = new int[256];
        boolean[] printable = new boolean[256];
        for (int b = '!'; b <= '~'; b++) {
            printable[b] = true;
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            printable[b] = true;
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            printable[b] = true;
        }
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            map[b] = printable[b] ? b : 256 + extra++;
        }
        return map;
    }

    /** How text is cut into pieces before byte-pair merging (Qwen's pattern: digits one by one). */
    public static final String SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** Bytes only, no merges. */
    public static void write(Path file, List<String> specialTokens) {
        write(file, specialTokens, List.of());
    }

    /** {@code merges}: pairs of tokens (in the byte alphabet) merged in this order. */
    public static void write(Path file, List<String> specialTokens, List<String[]> merges) {
        write(file, specialTokens, merges, List.of());
    }

    /**
     * {@code plainAdded}: added tokens that are whole tokens but not special, so decoding keeps them
     * (e.g. {@code <think>}, as in Qwen3); their ids follow the special tokens'.
     */
    public static void write(Path file, List<String> specialTokens, List<String[]> merges, List<String> plainAdded) {
        ObjectNode root = Json.object();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        int first = 256 + merges.size();
        for (int i = 0; i < specialTokens.size(); i++) {
            added.addObject().put("id", first + i).put("content", specialTokens.get(i)).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        }
        for (int i = 0; i < plainAdded.size(); i++) {
            added.addObject().put("id", first + specialTokens.size() + i).put("content", plainAdded.get(i)).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", false);
        }
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode steps = pre.putArray("pretokenizers");
        ObjectNode split = steps.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", SPLIT);
        split.put("behavior", "Isolated").put("invert", false);
        steps.addObject().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", false).put("use_regex", false);
        root.putNull("post_processor");
        root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", false)
                .put("trim_offsets", true).put("use_regex", false);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int b = 0; b < 256; b++) {
            vocab.put(byteChar(b), b);
        }
        for (int i = 0; i < merges.size(); i++) {
            vocab.put(merges.get(i)[0] + merges.get(i)[1], 256 + i);
        }
        for (int i = 0; i < specialTokens.size(); i++) {
            vocab.put(specialTokens.get(i), first + i);
        }
        for (int i = 0; i < plainAdded.size(); i++) {
            vocab.put(plainAdded.get(i), first + specialTokens.size() + i);
        }
        ArrayNode m = model.putArray("merges");
        for (String[] pair : merges) {
            m.addArray().add(pair[0]).add(pair[1]);
        }
        Json.writePretty(file, root);
    }
}
