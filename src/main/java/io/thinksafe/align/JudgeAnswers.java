package io.thinksafe.align;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.util.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what an LLM judge wrote: the scores object of a scoring prompt, the category list of a
 * classification prompt. The last JSON value of the right kind in the text counts (judges often
 * think or explain first; a reasoning judge's think block is skipped); trailing commas and single
 * quotes are accepted, as judges write them. Anything else is unreadable: null, never a guess.
 */
final class JudgeAnswers {
    private static final ObjectMapper LENIENT = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA, JsonReadFeature.ALLOW_SINGLE_QUOTES)
            .enable(JsonParser.Feature.ALLOW_COMMENTS).build();

    private JudgeAnswers() {}

    /** The scores, each a number from 0 to 10 under its key, or null when the text has no such object. */
    static ObjectNode scores(String text, List<String> keys) {
        JsonNode n = last(text, '{', '}');
        if (n == null || !n.isObject()) {
            return null;
        }
        ObjectNode out = Json.object();
        for (String k : keys) {
            JsonNode v = n.get(k);
            if (v == null || !v.isNumber() || v.asDouble() < 0 || v.asDouble() > 10) {
                return null;
            }
            out.put(k, v.asDouble());
        }
        return out;
    }

    /** The categories listed, or null when the text has no list of names among {@code known}. */
    static List<String> categories(String text, Policies policies) {
        JsonNode n = last(text, '[', ']');
        if (n == null || !n.isArray() || n.isEmpty()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (JsonNode x : n) {
            String c = x.asText().strip();
            if (!x.isTextual() || !(policies.defines(c) || c.equals(Policies.OTHER))) {
                return null;
            }
            if (!out.contains(c)) {
                out.add(c);
            }
        }
        return out.contains(Policies.OTHER) ? List.of(Policies.OTHER) : out;
    }

    /** The last balanced {@code open…close} span after any think block that parses as JSON. */
    private static JsonNode last(String text, char open, char close) {
        if (text == null) {
            return null;
        }
        int think = text.lastIndexOf("</think>");
        String t = think >= 0 ? text.substring(think + "</think>".length()) : text;
        for (int end = t.lastIndexOf(close); end >= 0; end = t.lastIndexOf(close, end - 1)) {
            int depth = 0;
            for (int i = end; i >= 0; i--) {
                char ch = t.charAt(i);
                if (ch == close) {
                    depth++;
                } else if (ch == open && --depth == 0) {
                    try {
                        return LENIENT.readTree(t.substring(i, end + 1));
                    } catch (Exception e) {
                        break; // not JSON: try an earlier closing bracket
                    }
                }
            }
        }
        return null;
    }
}
