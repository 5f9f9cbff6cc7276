package io.thinksafe.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinksafe.data.GenerationRecord;
import io.thinksafe.data.bench.BenchItem;
import io.thinksafe.data.bench.Benchmark;
import io.thinksafe.data.bench.BenchmarkLoader;
import io.thinksafe.data.bench.BenchmarkLoader.BenchSet;
import io.thinksafe.guard.JudgedGeneration;
import io.thinksafe.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Each suite scores the generations and verdicts that thinksafe 0.1.0 wrote in the demo into the
 * same {@code items.jsonl} lines ({@code src/test/resources/written-by-0.1.0/eval}).
 */
class ReleaseEvalItemsTest {
    static Path fixture(String name) throws Exception {
        return Path.of(ReleaseEvalItemsTest.class.getResource("/written-by-0.1.0/eval/" + name).toURI());
    }

    /** The set the release evaluated (the micro-world's of then, kept in {@code eval/sets/}), cut to the items of the fixture's generations. */
    static BenchSet set(Benchmark b, String file, List<GenerationRecord> gens) throws Exception {
        BenchSet all = BenchmarkLoader.load(b, fixture("sets/" + file), 0);
        Set<String> ids = gens.stream().map(GenerationRecord::id).collect(Collectors.toSet());
        List<BenchItem> items = all.items().stream().filter(i -> ids.contains(i.id())).toList();
        return new BenchSet(b, all.file(), all.sha256(), all.rows(), items, all.note());
    }

    static Map<String, JudgedGeneration> judged(String bench) throws Exception {
        Map<String, JudgedGeneration> m = new LinkedHashMap<>();
        JudgedGeneration.read(fixture(bench + "-judged.jsonl")).forEach(j -> m.put(j.key(), j));
        return m;
    }

    static void assertItems(Outcome o, String bench) throws Exception {
        assertThat(o.items().stream().map(i -> Json.compact(i.toJson())).toList())
                .containsExactlyElementsOf(Files.readAllLines(fixture(bench + "-items.jsonl")));
    }

    @Test
    void safetyOverRefusalAndReasoningItemsAreTheReleases() throws Exception {
        List<GenerationRecord> harm = GenerationRecord.read(fixture("harmbench-generations.jsonl"));
        assertItems(SafetySuite.score(set(Benchmark.HARMBENCH, "harmbench.json", harm), harm, judged("harmbench"), "h"), "harmbench");

        List<GenerationRecord> xs = GenerationRecord.read(fixture("xstest-generations.jsonl"));
        BenchSet xsSet = set(Benchmark.XSTEST, "xstest.jsonl", xs);
        assertThat(OverRefusalSuite.scoredGenerations(xsSet, xs)).hasSize(4);
        assertItems(OverRefusalSuite.score(xsSet, xs, judged("xstest"), "x"), "xstest");

        List<GenerationRecord> gsm = GenerationRecord.read(fixture("gsm8k-generations.jsonl"));
        assertItems(ReasoningSuite.score(set(Benchmark.GSM8K, "gsm8k.jsonl", gsm), Suites.task(Benchmark.GSM8K), gsm, "g"), "gsm8k");
    }
}
