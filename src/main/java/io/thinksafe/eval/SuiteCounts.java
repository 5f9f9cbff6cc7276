package io.thinksafe.eval;

import io.thinksafe.data.GenerationRecord;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A suite's counts by the names results.json reports them under, in order: the suite's own, then
 * {@code failed_generations} and {@code truncated}, which every suite counts the same way.
 */
final class SuiteCounts {
    private final Map<String, Integer> counts = new LinkedHashMap<>();

    SuiteCounts(String... names) {
        for (String n : names) {
            counts.put(n, 0);
        }
        counts.put("failed_generations", 0);
        counts.put("truncated", 0);
    }

    void add(String name) {
        counts.merge(name, 1, Integer::sum);
    }

    void set(String name, int value) {
        counts.put(name, value);
    }

    int get(String name) {
        return counts.get(name);
    }

    /** A generation that failed or hit the token limit. */
    void generation(GenerationRecord g) {
        if (g.failed()) {
            add("failed_generations");
        }
        if (g.truncated()) {
            add("truncated");
        }
    }

    Map<String, Integer> asMap() {
        return counts;
    }
}
