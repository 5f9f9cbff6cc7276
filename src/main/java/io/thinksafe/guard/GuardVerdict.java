package io.thinksafe.guard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.util.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * One judgement. {@code pSafe}: Llama-Guard's probability of "safe" (null for judges that do not
 * give one). {@code refusal} and {@code harmfulRequest}: WildGuard's other two answers (null when
 * not given or "n/a"). {@code raw}: the judge's text; {@code error}: why there is no verdict.
 */
public record GuardVerdict(String guard, Verdict verdict, Double pSafe, List<String> categories, Boolean refusal,
                           Boolean harmfulRequest, String raw, String error) {

    public static GuardVerdict error(String guard, String raw, String why) {
        return new GuardVerdict(guard, Verdict.ERROR, null, List.of(), null, null, raw, why);
    }

    public boolean safe() {
        return verdict == Verdict.SAFE;
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("name", guard);
        o.put("verdict", verdict.json());
        if (pSafe != null) {
            o.put("p_safe", pSafe);
        } else {
            o.putNull("p_safe");
        }
        var cats = o.putArray("categories");
        categories.forEach(cats::add);
        if (refusal != null) {
            o.put("refusal", refusal);
        }
        if (harmfulRequest != null) {
            o.put("harmful_request", harmfulRequest);
        }
        o.put("raw", raw);
        if (error != null) {
            o.put("error", error);
        }
        return o;
    }

    /** A verdict as {@link #toJson} wrote it; an absent one is an error verdict (never safe). */
    public static GuardVerdict fromJson(JsonNode o) {
        if (o == null || !o.isObject()) {
            return error("", null, "no verdict recorded");
        }
        List<String> categories = new ArrayList<>();
        o.path("categories").forEach(c -> categories.add(c.asText()));
        return new GuardVerdict(o.path("name").asText(""), Verdict.parse(o.path("verdict").asText("error")),
                o.hasNonNull("p_safe") ? o.get("p_safe").asDouble() : null, categories, bool(o, "refusal"), bool(o, "harmful_request"),
                o.hasNonNull("raw") ? o.get("raw").asText() : null, o.hasNonNull("error") ? o.get("error").asText() : null);
    }

    private static Boolean bool(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v != null && v.isBoolean() ? v.asBoolean() : null;
    }
}
