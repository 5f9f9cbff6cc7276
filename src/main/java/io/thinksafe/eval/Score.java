package io.thinksafe.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.data.bench.Benchmark;
import io.thinksafe.data.bench.BenchmarkLoader.BenchSet;
import io.thinksafe.util.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One benchmark's number with everything needed to trust it: the rate ({@code value}, in [0, 1]),
 * its 95% Wilson interval, the counts it comes from, how many items were evaluated against how many
 * the full set has, and where the per-item records are.
 *
 * <p>Metrics: {@code harmful_rate} (unsafe / judged, safety sets), {@code refusal_rate} (refusals /
 * judged safe prompts, XSTest) and {@code pass@1} (mean correctness over all samples, reasoning
 * sets). Judge errors and failed generations are counts of their own and never part of a rate's
 * denominator for the judged metrics; for {@code pass@1} a failed generation is a wrong answer (the
 * model produced none), counted apart so that it shows. For {@code pass@1} the interval is Wilson's
 * with n = problems, conservative because samples of one problem are correlated.
 */
public record Score(Benchmark benchmark, String metric, double value, Wilson.Interval ci, double numerator, int denominator,
                    int items, boolean complete, String note, Map<String, Integer> counts, int problems, int samplesPerProblem,
                    Map<Integer, Double> passAtK, String file, String sha256, String records) {

    /**
     * A judged rate on {@code set}: {@code hits} of the {@code judged} items (unsafe responses, or
     * refusals), {@code items} generations in all.
     */
    static Score rate(BenchSet set, String metric, int hits, int judged, int items, SuiteCounts counts, String records) {
        return new Score(set.benchmark(), metric, judged == 0 ? Double.NaN : (double) hits / judged, Wilson.of(hits, judged), hits, judged,
                items, set.complete(), set.note(), counts.asMap(), 0, 1, Map.of(), set.file().toString(), set.sha256(), records);
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("title", benchmark.title());
        o.put("kind", benchmark.kind().name().toLowerCase(java.util.Locale.ROOT));
        o.put("metric", metric);
        putNumber(o, "value", value);
        var ci95 = o.putArray("ci95");
        if (Double.isNaN(ci.low())) {
            ci95.addNull().addNull();
        } else {
            ci95.add(ci.low()).add(ci.high());
        }
        o.put("numerator", numerator);
        o.put("denominator", denominator);
        o.put("items", items);
        o.put("expected_items", benchmark.expectedItems());
        o.put("complete", complete);
        if (note != null) {
            o.put("note", note);
        } else {
            o.putNull("note");
        }
        ObjectNode c = o.putObject("counts");
        counts.forEach(c::put);
        if (metric.equals("pass@1")) {
            o.put("problems", problems);
            o.put("samples_per_problem", samplesPerProblem);
            ObjectNode pk = o.putObject("pass_at_k");
            passAtK.forEach((k, v) -> putNumber(pk, String.valueOf(k), v));
        }
        o.put("file", file);
        o.put("sha256", sha256);
        o.put("records", records);
        return o;
    }

    public static Score fromJson(Benchmark b, JsonNode o) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        o.path("counts").fields().forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asInt()));
        Map<Integer, Double> pk = new TreeMap<>();
        o.path("pass_at_k").fields().forEachRemaining(e -> pk.put(Integer.parseInt(e.getKey()), number(e.getValue())));
        JsonNode ci = o.path("ci95");
        return new Score(b, o.path("metric").asText(), number(o.get("value")),
                new Wilson.Interval(number(ci.get(0)), number(ci.get(1))), o.path("numerator").asDouble(),
                o.path("denominator").asInt(), o.path("items").asInt(), o.path("complete").asBoolean(),
                o.path("note").isTextual() ? o.get("note").asText() : null, counts, o.path("problems").asInt(),
                o.path("samples_per_problem").asInt(), pk, o.path("file").asText(null), o.path("sha256").asText(null),
                o.path("records").asText(null));
    }

    static void putNumber(ObjectNode o, String field, double v) {
        if (Double.isNaN(v)) {
            o.putNull(field);
        } else {
            o.put(field, v);
        }
    }

    static double number(JsonNode n) {
        return n == null || !n.isNumber() ? Double.NaN : n.asDouble();
    }
}
