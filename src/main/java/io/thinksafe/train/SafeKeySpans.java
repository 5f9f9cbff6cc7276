package io.thinksafe.train;

import io.thinksafe.text.ReasoningSplit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where SafeKey's two pieces of a reasoning trace end: the query understanding U (the trace's
 * opening, where the model restates what is asked) and the key sentence K right after it, whose
 * "aha moment" decides whether the answer turns safe. SafeKey's training files carry these
 * boundaries as character offsets made outside its released code; how they were made is not
 * published, so we find them by rule: U is the reasoning's first paragraph (up to the first blank
 * line), or its first sentence when the reasoning is one paragraph; K is the first sentence after U.
 *
 * @param understandingEnd character offset in the response where U ends (U starts at the response's start, as SafeKey's span does)
 * @param keyEnd           character offset where K ends
 */
public record SafeKeySpans(int understandingEnd, int keyEnd) {
    private static final Pattern SENTENCE_END = Pattern.compile("[.!?](?=\\s|$)");

    /** The spans of a response, or null when its reasoning has no understanding followed by a key sentence. */
    public static SafeKeySpans locate(String response) {
        int open = response.indexOf(ReasoningSplit.OPEN);
        int close = response.indexOf(ReasoningSplit.CLOSE);
        int start = open >= 0 && (close < 0 || open < close) ? open + ReasoningSplit.OPEN.length() : 0;
        int end = close > start ? close : response.length();
        while (start < end && Character.isWhitespace(response.charAt(start))) {
            start++;
        }
        while (end > start && Character.isWhitespace(response.charAt(end - 1))) {
            end--;
        }
        if (start >= end) {
            return null;
        }
        String reasoning = response.substring(start, end);
        int blank = reasoning.indexOf("\n\n");
        int uEnd = blank > 0 ? blank : sentenceEnd(reasoning, 0);
        if (uEnd <= 0 || uEnd >= reasoning.length()) {
            return null;
        }
        int kStart = uEnd;
        while (kStart < reasoning.length() && Character.isWhitespace(reasoning.charAt(kStart))) {
            kStart++;
        }
        if (kStart >= reasoning.length()) {
            return null;
        }
        int paragraphEnd = reasoning.indexOf("\n\n", kStart);
        int kEnd = sentenceEnd(reasoning, kStart);
        if (kEnd < 0 || (paragraphEnd >= 0 && paragraphEnd < kEnd)) {
            kEnd = paragraphEnd >= 0 ? paragraphEnd : reasoning.length();
        }
        return new SafeKeySpans(start + uEnd, start + kEnd);
    }

    /** The offset just after the first sentence end at or after {@code from}, or -1. */
    private static int sentenceEnd(String text, int from) {
        Matcher m = SENTENCE_END.matcher(text);
        return m.find(from) ? m.end() : -1;
    }
}
