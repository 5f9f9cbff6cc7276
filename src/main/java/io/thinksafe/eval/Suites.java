package io.thinksafe.eval;

import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.GenerationRecord;
import io.thinksafe.data.bench.BenchItem;
import io.thinksafe.data.bench.Benchmark;
import io.thinksafe.data.bench.BenchmarkLoader.BenchSet;
import io.thinksafe.eval.grade.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The three suites by name ({@code --suites safety,overrefusal,reasoning}) and what they hold. */
public final class Suites {
    private Suites() {}

    /** The benchmarks of the named suites, in Table 1's order. */
    public static List<Benchmark> benchmarks(List<String> suiteNames) {
        Set<Benchmark.Kind> kinds = new LinkedHashSet<>();
        for (String raw : suiteNames) {
            for (String name : raw.split(",")) {
                String n = name.strip().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
                switch (n) {
                    case "safety" -> kinds.add(Benchmark.Kind.SAFETY);
                    case "overrefusal", "refusal" -> kinds.add(Benchmark.Kind.OVERREFUSAL);
                    case "reasoning" -> kinds.add(Benchmark.Kind.REASONING);
                    case "all" -> kinds.addAll(List.of(Benchmark.Kind.values()));
                    case "" -> { }
                    default -> throw new ThinkSafeException("unknown suite '" + name.strip() + "' (expected safety, overrefusal, reasoning or all)");
                }
            }
        }
        List<Benchmark> out = new ArrayList<>();
        for (Benchmark b : Benchmark.values()) {
            if (kinds.contains(b.kind())) {
                out.add(b);
            }
        }
        return out;
    }

    /** The grading rule of a reasoning benchmark. */
    public static Task task(Benchmark b) {
        return switch (b) {
            case AIME2024 -> Task.AIME;
            case GSM8K -> Task.GSM8K;
            case MATH500 -> Task.MATH;
            case GPQA_DIAMOND -> Task.GPQA;
            default -> throw new IllegalArgumentException(b + " is not a reasoning benchmark");
        };
    }

    static Map<String, BenchItem> byId(BenchSet set) {
        Map<String, BenchItem> m = new LinkedHashMap<>();
        set.items().forEach(i -> m.put(i.id(), i));
        return m;
    }

    /** The item a generation record belongs to; a record of an unknown item means the output directory is not this set's. */
    static BenchItem item(Map<String, BenchItem> byId, GenerationRecord generation, BenchSet set) {
        BenchItem item = byId.get(generation.id());
        if (item == null) {
            throw new ThinkSafeException(set.benchmark().id() + ": a generation for item '" + generation.id()
                    + "' that " + set.file() + " does not have (an output directory from another set?)");
        }
        return item;
    }
}
