package io.thinksafe.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Learns byte-level BPE merges from a corpus, for the tokenizers of our synthetic models: pieces
 * are cut by {@link ByteLevelTokenizer#SPLIT}, written in the byte alphabet, and the most frequent
 * adjacent pair is merged until {@code merges} have been learned (ties go to the smaller pair, so
 * a corpus gives one answer). The result is read by Hugging Face's own tokenizers.
 *
 * <p>Hand-written because no Java library trains Hugging Face BPE files (DJL's binding only loads
 * them); the algorithm is the textbook one over distinct pieces, fast on small closed vocabularies.
 */
public final class BpeTrainer {
    private BpeTrainer() {}

    private static final class Word {
        final List<String> symbols;
        final long count;

        Word(List<String> symbols, long count) {
            this.symbols = symbols;
            this.count = count;
        }
    }

    public static List<String[]> train(Iterable<String> texts, int merges, List<String> specialTokens) {
        Pattern split = Pattern.compile(ByteLevelTokenizer.SPLIT);
        Map<String, Long> pieces = new HashMap<>();
        for (String text : texts) {
            for (String part : withoutSpecials(text, specialTokens)) {
                Matcher m = split.matcher(part);
                while (m.find()) {
                    pieces.merge(m.group(), 1L, Long::sum);
                }
            }
        }
        List<Word> words = new ArrayList<>();
        pieces.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            List<String> symbols = new ArrayList<>();
            for (byte b : e.getKey().getBytes(StandardCharsets.UTF_8)) {
                symbols.add(ByteLevelTokenizer.byteChar(b & 0xff));
            }
            words.add(new Word(symbols, e.getValue()));
        });
        List<String[]> out = new ArrayList<>();
        for (int k = 0; k < merges; k++) {
            Map<String, Long> pairs = new HashMap<>();
            for (Word w : words) {
                for (int i = 0; i + 1 < w.symbols.size(); i++) {
                    pairs.merge(w.symbols.get(i) + '\u0000' + w.symbols.get(i + 1), w.count, Long::sum);
                }
            }
            String best = null;
            long bestCount = 1; // a pair seen once is not worth a token
            for (Map.Entry<String, Long> p : pairs.entrySet()) {
                if (p.getValue() > bestCount || (p.getValue() == bestCount && best != null && p.getKey().compareTo(best) < 0)) {
                    best = p.getKey();
                    bestCount = p.getValue();
                }
            }
            if (best == null) {
                break;
            }
            String[] pair = best.split("\u0000", -1);
            out.add(pair);
            String merged = pair[0] + pair[1];
            for (Word w : words) {
                List<String> s = w.symbols;
                for (int i = 0; i + 1 < s.size(); i++) {
                    if (s.get(i).equals(pair[0]) && s.get(i + 1).equals(pair[1])) {
                        s.set(i, merged);
                        s.remove(i + 1);
                    }
                }
            }
        }
        return out;
    }

    /** The text between special tokens (they are matched whole by the tokenizer, never merged). */
    private static List<String> withoutSpecials(String text, List<String> specials) {
        List<String> parts = new ArrayList<>();
        parts.add(text);
        for (String sp : specials) {
            List<String> next = new ArrayList<>();
            for (String p : parts) {
                int from = 0;
                int at;
                while ((at = p.indexOf(sp, from)) >= 0) {
                    next.add(p.substring(from, at));
                    from = at + sp.length();
                }
                next.add(p.substring(from));
            }
            parts = next;
        }
        return parts;
    }
}
