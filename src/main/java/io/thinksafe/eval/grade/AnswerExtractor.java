package io.thinksafe.eval.grade;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the final answer in a whole response (reasoning included), in the reference's order: the
 * Minerva form ({@code final answer is $…$. I hope}); the content of the last {@code boxed}; the text
 * after the last {@code he answer is}; after the last {@code final answer is}; otherwise the last
 * number. The raw pick is then trimmed ({@link #tidy}) and normalised ({@link MathNormalizer}).
 */
public final class AnswerExtractor {
    private static final Pattern NUMBER = Pattern.compile("-?\\d*\\.?\\d+");
    private static final Pattern NEWLINES = Pattern.compile("\\n\\s*");

    private AnswerExtractor() {}

    /** Where the answer came from, kept in graded records so a surprising grade can be traced. */
    public enum Source { MINERVA, BOXED, ANSWER_IS, FINAL_ANSWER_IS, LAST_NUMBER, NONE }

    public record Extraction(String raw, String answer, Source source) {}

    /** The normalised final answer of {@code response} ("" when there is none). */
    public static Extraction extract(String response) {
        if (response == null) {
            return new Extraction("", "", Source.NONE);
        }
        Extraction raw = pick(response);
        String tidy = tidy(raw.raw());
        return new Extraction(raw.raw(), MathNormalizer.normalize(tidy), raw.source());
    }

    /** The raw answer text, before any cleaning. */
    static Extraction pick(String text) {
        int minerva = text.indexOf("final answer is $");
        if (minerva >= 0 && text.contains("$. I hope")) {
            String after = text.substring(minerva + "final answer is $".length());
            int end = after.indexOf("$. I hope");
            if (end >= 0) {
                return new Extraction(after.substring(0, end).strip(), null, Source.MINERVA);
            }
            // the closing marker came before the opening one: fall through to the other forms
        }
        int boxed = text.lastIndexOf("boxed");
        if (boxed >= 0) {
            return new Extraction(boxedContent(text.substring(boxed + "boxed".length())), null, Source.BOXED);
        }
        int is = text.lastIndexOf("he answer is");
        if (is >= 0) {
            return new Extraction(text.substring(is + "he answer is".length()).strip(), null, Source.ANSWER_IS);
        }
        int fin = text.lastIndexOf("final answer is");
        if (fin >= 0) {
            return new Extraction(text.substring(fin + "final answer is".length()).strip(), null, Source.FINAL_ANSWER_IS);
        }
        Matcher m = NUMBER.matcher(text.replace(",", ""));
        String last = null;
        while (m.find()) {
            last = m.group();
        }
        return last == null ? new Extraction("", null, Source.NONE) : new Extraction(last, null, Source.LAST_NUMBER);
    }

    /**
     * What follows {@code boxed}: the brace-matched group when it opens with a brace, else the text
     * up to the next {@code $} (as in {@code \boxed 5$}). An unclosed group yields what it holds.
     */
    static String boxedContent(String after) {
        if (after.isEmpty()) {
            return "";
        }
        if (after.charAt(0) != '{') {
            int dollar = after.indexOf('$');
            return (dollar >= 0 ? after.substring(0, dollar) : after).strip();
        }
        int depth = 1;
        StringBuilder b = new StringBuilder();
        for (int i = 1; i < after.length(); i++) {
            char c = after.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
                if (depth == 0) {
                    break;
                }
            }
            b.append(c);
        }
        return b.toString();
    }

    /** Joins lines, then drops a leading {@code :} and a trailing {@code .} or {@code /}. */
    public static String tidy(String raw) {
        String s = NEWLINES.matcher(raw).replaceAll("");
        if (s.startsWith(":")) {
            s = s.substring(1);
        }
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }
}
