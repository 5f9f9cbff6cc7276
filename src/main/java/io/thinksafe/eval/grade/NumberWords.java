package io.thinksafe.eval.grade;

import java.util.Locale;
import java.util.Map;

/**
 * Number words to digits ({@code twenty-one} → {@code 21}, {@code three hundred and five} →
 * {@code 305}), applied only when the whole answer is number words, so that a text answer that
 * merely contains one ("one of them") is left alone.
 */
public final class NumberWords {
    private static final Map<String, Long> UNITS = Map.ofEntries(
            Map.entry("zero", 0L), Map.entry("one", 1L), Map.entry("two", 2L), Map.entry("three", 3L), Map.entry("four", 4L),
            Map.entry("five", 5L), Map.entry("six", 6L), Map.entry("seven", 7L), Map.entry("eight", 8L), Map.entry("nine", 9L),
            Map.entry("ten", 10L), Map.entry("eleven", 11L), Map.entry("twelve", 12L), Map.entry("thirteen", 13L),
            Map.entry("fourteen", 14L), Map.entry("fifteen", 15L), Map.entry("sixteen", 16L), Map.entry("seventeen", 17L),
            Map.entry("eighteen", 18L), Map.entry("nineteen", 19L), Map.entry("twenty", 20L), Map.entry("thirty", 30L),
            Map.entry("forty", 40L), Map.entry("fifty", 50L), Map.entry("sixty", 60L), Map.entry("seventy", 70L),
            Map.entry("eighty", 80L), Map.entry("ninety", 90L));
    private static final Map<String, Long> SCALES = Map.of("thousand", 1_000L, "million", 1_000_000L, "billion", 1_000_000_000L);

    private NumberWords() {}

    /** The digits for {@code text} when it is nothing but number words; otherwise {@code text} unchanged. */
    public static String toDigits(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT).replace('-', ' ');
        if (t.isEmpty() || !Character.isLetter(t.charAt(0))) {
            return text;
        }
        boolean negative = false;
        String[] words = t.split("\\s+");
        long total = 0;
        long current = 0;
        boolean any = false;
        for (int i = 0; i < words.length; i++) {
            String w = words[i];
            if (i == 0 && (w.equals("negative") || w.equals("minus"))) {
                negative = true;
                continue;
            }
            if (w.equals("and") && any) {
                continue;
            }
            if (UNITS.containsKey(w)) {
                current += UNITS.get(w);
            } else if (w.equals("hundred") && any) {
                current = Math.max(current, 1) * 100;
            } else if (SCALES.containsKey(w) && any) {
                total += Math.max(current, 1) * SCALES.get(w);
                current = 0;
            } else {
                return text;
            }
            any = true;
        }
        if (!any) {
            return text;
        }
        long value = total + current;
        return String.valueOf(negative ? -value : value);
    }
}
