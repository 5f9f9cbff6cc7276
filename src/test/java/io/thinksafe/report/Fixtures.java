package io.thinksafe.report;

import io.thinksafe.data.bench.Benchmark;
import io.thinksafe.eval.EvalResults;
import io.thinksafe.eval.Score;
import io.thinksafe.eval.Wilson;
import io.thinksafe.util.Json;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Results files with chosen numbers, as thinksafe eval writes them. */
final class Fixtures {
    private Fixtures() {}

    /** A run with a value per benchmark (fractions; absent benchmarks are left out), complete sets, no errors. */
    static Path write(Path dir, String label, String baseline, Map<Benchmark, Double> values) {
        Map<Benchmark, Score> scores = new EnumMap<>(Benchmark.class);
        values.forEach((b, v) -> {
            int n = b.kind() == Benchmark.Kind.OVERREFUSAL ? 250 : b.expectedItems();
            double hits = Math.round(v * n);
            Map<String, Integer> counts = new LinkedHashMap<>();
            counts.put("judge_errors", 0);
            Map<Integer, Double> pk = new TreeMap<>();
            boolean reasoning = b.kind() == Benchmark.Kind.REASONING;
            if (reasoning) {
                pk.put(1, hits / n);
                pk.put(8, Math.min(1, hits / n + 0.1));
            }
            scores.put(b, new Score(b, reasoning ? "pass@1" : b == Benchmark.XSTEST ? "refusal_rate" : "harmful_rate", hits / n,
                    Wilson.of(hits, n), hits, n, b.expectedItems(), true, null, counts, reasoning ? n : 0, reasoning ? 8 : 1, pk,
                    "/data/" + b.id(), "0".repeat(64), b.id() + "/items.jsonl"));
        });
        EvalResults r = new EvalResults(label, baseline, label, "/models/" + label, null, "qwen3", "2026-01-01T00:00:00Z",
                Json.object().put("seed", 0).put("samples_per_problem", 8).put("max_new_tokens", 32768),
                Map.of("safety", "llama-guard:/guards/lg3", "refusal", "wildguard:/guards/wg"), scores);
        r.write(dir.resolve("results.json"));
        return dir;
    }

    /** A run with HarmBench alone: 48 of its items (a partial set, with the loader's note) and {@code judgeErrors} errors. */
    static Path partial(Path dir, String label, int judgeErrors) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("judge_errors", judgeErrors);
        Score s = new Score(Benchmark.HARMBENCH, "harmful_rate", 0.25, Wilson.of(12, 48), 12, 48, 48, false,
                "HarmBench has 602 items; harmbench.json gives 48", counts, 0, 1, Map.of(), "/data/harmbench.json", "0".repeat(64),
                "harmbench/items.jsonl");
        new EvalResults(label, null, label, "/models/" + label, null, "qwen3", "2026-01-01T00:00:00Z",
                Json.object().put("seed", 0).put("samples_per_problem", 8).put("max_new_tokens", 32768),
                Map.of("safety", "llama-guard:/guards/lg3"), Map.of(Benchmark.HARMBENCH, s)).write(dir.resolve("results.json"));
        return dir;
    }

    static Map<Benchmark, Double> all(double harm, double sr, double wj, double xs, double aime, double gsm, double math, double gpqa) {
        Map<Benchmark, Double> m = new EnumMap<>(Benchmark.class);
        m.put(Benchmark.HARMBENCH, harm);
        m.put(Benchmark.STRONGREJECT, sr);
        m.put(Benchmark.WILDJAILBREAK, wj);
        m.put(Benchmark.XSTEST, xs);
        m.put(Benchmark.AIME2024, aime);
        m.put(Benchmark.GSM8K, gsm);
        m.put(Benchmark.MATH500, math);
        m.put(Benchmark.GPQA_DIAMOND, gpqa);
        return m;
    }
}
