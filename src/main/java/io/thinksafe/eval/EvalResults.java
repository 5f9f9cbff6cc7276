package io.thinksafe.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.bench.Benchmark;
import io.thinksafe.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code results.json}: what {@code thinksafe eval} measured for one model, and what
 * {@code thinksafe report} and {@code thinksafe run} read. {@code label} names the model in tables
 * and plots; {@code baseline} (optional) is the label of the model it was aligned from, which draws
 * the arrow from that model's point to this one in the trade-off plot.
 */
public record EvalResults(String label, String baseline, String model, String modelSpec, String adapter, String family,
                          String created, ObjectNode config, Map<String, String> judges, Map<Benchmark, Score> scores) {
    public static final String FORMAT = "thinksafe-eval-results/1";
    public static final String FILE_NAME = "results.json";

    /** The safety columns of the paper's Table 1 (all lower is better), and the three harmfulness sets among them. */
    public static final List<Benchmark> SAFETY = List.of(Benchmark.HARMBENCH, Benchmark.STRONGREJECT, Benchmark.WILDJAILBREAK, Benchmark.XSTEST);
    public static final List<Benchmark> HARMFUL = List.of(Benchmark.HARMBENCH, Benchmark.STRONGREJECT, Benchmark.WILDJAILBREAK);
    public static final List<Benchmark> REASONING = List.of(Benchmark.AIME2024, Benchmark.GSM8K, Benchmark.MATH500, Benchmark.GPQA_DIAMOND);

    /** The mean of the values of {@code which} that this run has, and which those were. */
    public record Average(double value, List<Benchmark> of, int outOf) {
        public boolean partial() {
            return of.size() < outOf;
        }
    }

    public Average average(List<Benchmark> which) {
        double sum = 0;
        List<Benchmark> used = new ArrayList<>();
        for (Benchmark b : which) {
            Score s = scores.get(b);
            if (s != null && !Double.isNaN(s.value())) {
                sum += s.value();
                used.add(b);
            }
        }
        return new Average(used.isEmpty() ? Double.NaN : sum / used.size(), List.copyOf(used), which.size());
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("format", FORMAT);
        o.put("label", label);
        if (baseline != null) {
            o.put("baseline", baseline);
        } else {
            o.putNull("baseline");
        }
        o.put("model", model);
        o.put("model_spec", modelSpec);
        if (adapter != null) {
            o.put("adapter", adapter);
        } else {
            o.putNull("adapter");
        }
        o.put("family", family);
        o.put("created", created);
        o.set("config", config);
        ObjectNode j = o.putObject("judges");
        judges.forEach(j::put);
        ObjectNode bs = o.putObject("benchmarks");
        scores.forEach((b, s) -> bs.set(b.id(), s.toJson()));
        ObjectNode summary = o.putObject("summary");
        summary.set("safety_avg", averageJson(average(SAFETY)));
        summary.set("harmful_avg", averageJson(average(HARMFUL)));
        summary.set("reasoning_avg", averageJson(average(REASONING)));
        return o;
    }

    private static ObjectNode averageJson(Average a) {
        ObjectNode o = Json.object();
        Score.putNumber(o, "value", a.value());
        var of = o.putArray("of");
        a.of().forEach(b -> of.add(b.id()));
        o.put("out_of", a.outOf());
        return o;
    }

    public void write(Path file) {
        Json.writePretty(file, toJson());
    }

    public static EvalResults read(Path file) {
        JsonNode o = Json.read(file);
        if (!o.isObject() || !FORMAT.equals(o.path("format").asText())) {
            throw new ThinkSafeException(file + ": not a thinksafe results file (expected \"format\": \"" + FORMAT + "\")");
        }
        Map<Benchmark, Score> scores = new EnumMap<>(Benchmark.class);
        Iterator<Map.Entry<String, JsonNode>> it = o.path("benchmarks").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            Benchmark b;
            try {
                b = Benchmark.parse(e.getKey());
            } catch (ThinkSafeException unknown) {
                throw new ThinkSafeException(file + ": benchmarks: " + unknown.getMessage());
            }
            scores.put(b, Score.fromJson(b, e.getValue()));
        }
        Map<String, String> judges = new java.util.LinkedHashMap<>();
        o.path("judges").fields().forEachRemaining(e -> judges.put(e.getKey(), e.getValue().asText()));
        String label = o.path("label").asText("");
        if (label.isBlank()) {
            throw new ThinkSafeException(file + ": missing field 'label'");
        }
        return new EvalResults(label, o.path("baseline").isTextual() ? o.get("baseline").asText() : null,
                o.path("model").asText(""), o.path("model_spec").asText(""), o.path("adapter").isTextual() ? o.get("adapter").asText() : null,
                o.path("family").asText(""), o.path("created").asText(""),
                o.path("config").isObject() ? (ObjectNode) o.get("config") : Json.object(), judges, scores);
    }
}
