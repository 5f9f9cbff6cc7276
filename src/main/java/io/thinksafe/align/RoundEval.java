package io.thinksafe.align;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.bench.Benchmark;
import io.thinksafe.eval.EvalConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code eval} in an iterative run's config: every round's model (and the student before round 1) goes
 * through {@code thinksafe eval}'s suites on the sets in {@code data}, so that the manifest and the
 * report show harm, over-refusal and reasoning per round.
 *
 * <pre>
 * eval: {data: eval-data, benchmarks: [harmbench, xstest, gsm8k], refusal_guard: wildguard:models/wildguard,
 *        guard: [llama-guard:models/Llama-Guard-3-8B], samples: 8, max_new_tokens: 32768}
 * </pre>
 *
 * @param guards        the safety judges (default: the run's guard)
 * @param refusalGuard  WildGuard for XSTest (default: a {@code wildguard:} judge among the guards), or null
 * @param limit         the first N items of each set only (0: all), as {@code thinksafe eval --limit}
 * @param listed        the sets named by {@code benchmarks}, or null for every set whose file is in {@code data} ({@link #benchmarks()})
 */
public record RoundEval(Path data, List<Benchmark> listed, List<String> guards, String refusalGuard, int samples, int maxNewTokens,
                        int limit) {
    private static final Set<String> KEYS = Set.of("data", "benchmarks", "guard", "refusal_guard", "samples", "max_new_tokens", "limit");

    static RoundEval parse(JsonNode e, Path base, List<String> runGuards, String where) {
        if (!e.isObject()) {
            throw new ThinkSafeException(where + ": 'eval' must be a mapping (data, benchmarks, guard, refusal_guard, samples, max_new_tokens)");
        }
        for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                throw new ThinkSafeException(where + ": eval: unknown setting '" + k + "' (known: " + String.join(", ", new TreeSet<>(KEYS)) + ")");
            }
        }
        if (!e.hasNonNull("data")) {
            throw new ThinkSafeException(where + ": eval: 'data' is missing (the folder of evaluation sets, as thinksafe eval --data reads)");
        }
        Path data = base.resolve(e.get("data").asText()).normalize();
        List<Benchmark> listed = null;
        JsonNode b = e.path("benchmarks");
        if (!b.isMissingNode() && !b.isNull()) {
            List<String> names = new ArrayList<>();
            if (b.isTextual()) {
                for (String x : b.asText().split(",")) {
                    names.add(x.strip());
                }
            } else {
                b.forEach(x -> names.add(x.asText()));
            }
            listed = new ArrayList<>();
            try {
                for (String n : names) {
                    listed.add(Benchmark.parse(n));
                }
            } catch (ThinkSafeException x) {
                throw new ThinkSafeException(where + ": eval.benchmarks: " + x.getMessage());
            }
            listed = List.copyOf(listed);
        }
        List<String> guards = new ArrayList<>();
        JsonNode g = e.path("guard");
        if (g.isTextual()) {
            guards.add(RunConfig.resolveModel(base, g.asText()));
        } else if (g.isArray()) {
            g.forEach(x -> guards.add(RunConfig.resolveModel(base, x.asText())));
        } else {
            guards.addAll(runGuards);
        }
        String refusal = e.hasNonNull("refusal_guard") ? RunConfig.resolveModel(base, e.get("refusal_guard").asText())
                : guards.stream().filter(x -> x.startsWith("wildguard:")).findFirst().orElse(null);
        if (refusal != null && !refusal.startsWith("wildguard:")) {
            refusal = "wildguard:" + refusal;
        }
        int samples = e.path("samples").asInt(EvalConfig.DEFAULT_SAMPLES);
        int maxNew = e.path("max_new_tokens").asInt(EvalConfig.DEFAULT_MAX_NEW_TOKENS);
        int limit = e.path("limit").asInt(0);
        if (samples < 1 || maxNew < 1) {
            throw new ThinkSafeException(where + ": eval.samples and eval.max_new_tokens must be positive");
        }
        if (limit < 0 || (e.has("limit") && !e.get("limit").canConvertToInt())) {
            throw new ThinkSafeException(where + ": eval.limit must be 0 (every item) or a positive number of items per set");
        }
        RoundEval out = new RoundEval(data, listed, List.copyOf(guards), refusal, samples, maxNew, limit);
        if (listed != null) {
            out.needsRefusalGuard(listed, where);
        }
        return out;
    }

    private void needsRefusalGuard(List<Benchmark> benchmarks, String where) {
        if (benchmarks.contains(Benchmark.XSTEST) && refusalGuard == null) {
            throw new ThinkSafeException(where + ": eval: XSTest's over-refusal needs WildGuard's refusal answer: give eval.refusal_guard "
                    + "(wildguard:DIR or URL), or leave xstest out of eval.benchmarks");
        }
    }

    /** The sets evaluated: those listed, or every set whose file is in {@code data}. */
    public List<Benchmark> benchmarks() {
        if (listed != null) {
            return listed;
        }
        List<Benchmark> found = new ArrayList<>();
        if (Files.isDirectory(data)) {
            for (Benchmark x : Benchmark.values()) {
                if (x.find(data) != null) {
                    found.add(x);
                }
            }
        }
        return found;
    }

    /** Each set's file in {@code data}. */
    public Map<Benchmark, Path> files() {
        return EvalConfig.resolveFiles(benchmarks(), data, new EnumMap<>(Benchmark.class));
    }

    /** What the evaluation will read, checked when the run opens ({@link RunChecks}). */
    void check(String where) {
        if (!Files.isDirectory(data)) {
            throw new ThinkSafeException(where + ": eval.data " + data + ": not a directory");
        }
        List<Benchmark> b = benchmarks();
        if (b.isEmpty()) {
            throw new ThinkSafeException(where + ": eval.data " + data + " holds no evaluation set under a name thinksafe eval looks for "
                    + "(see README, Evaluation data)");
        }
        needsRefusalGuard(b, where);
        try {
            files();
        } catch (ThinkSafeException x) {
            throw new ThinkSafeException(where + ": eval: " + x.getMessage());
        }
    }
}
