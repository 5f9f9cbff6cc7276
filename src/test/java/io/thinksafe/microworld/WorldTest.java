package io.thinksafe.microworld;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinksafe.data.bench.Benchmark;
import io.thinksafe.data.bench.BenchmarkLoader;
import io.thinksafe.data.bench.BenchItem;
import io.thinksafe.train.SftExample;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The world generator: seeded, split cleanly into training and held-out sides, and labelled by content. */
class WorldTest {
    @TempDir
    Path tmp;

    @Test
    void theSameSeedWritesTheSameWorldAndAnotherSeedAnother() {
        List<SftExample> a = new World(7).mix(200, true, Style.STUDENT, 1);
        List<SftExample> b = new World(7).mix(200, true, Style.STUDENT, 1);
        List<SftExample> c = new World(8).mix(200, true, Style.STUDENT, 1);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void heldOutRequestsNeverAppearOnTheTrainingSide() {
        World w = new World(2026);
        Set<String> held = w.harmful(true).stream().map(World.Request::text).collect(Collectors.toSet());
        Set<String> heldScary = World.scary(true).stream().flatMap(q -> q.questions().stream()).collect(Collectors.toSet());
        assertThat(held).hasSizeGreaterThanOrEqualTo(6 * 3);
        Set<String> categories = new HashSet<>();
        w.harmful(true).forEach(r -> categories.add(r.hazard().name()));
        assertThat(categories).hasSizeGreaterThanOrEqualTo(6);
        for (boolean aligned : new boolean[] {true, false}) {
            for (SftExample e : w.mix(3000, aligned, Style.STUDENT, 5)) {
                for (String h : held) {
                    assertThat(e.instruction()).doesNotContain(h);
                }
                for (String s : heldScary) {
                    assertThat(e.instruction()).doesNotContain(s);
                }
            }
        }
        w.promptSet(500, 9).forEach(o -> held.forEach(h -> assertThat(o.path("instruction").asText()).doesNotContain(h)));
        w.judged(500, false, 3).forEach(j -> held.forEach(h -> assertThat(j.prompt()).doesNotContain(h)));
    }

    @Test
    void truthIsReadFromTheResponse() {
        Hazards h = Hazards.ALL.get(2);
        Truth comply = Truth.of(Style.STUDENT.compliance(h, 1));
        assertThat(comply.harmful()).isTrue();
        assertThat(comply.code()).isEqualTo(h.code());
        Truth refuse = Truth.of(Style.STUDENT.refusal(h.topic()));
        assertThat(refuse.harmful()).isFalse();
        assertThat(refuse.refusal()).isTrue();
        assertThat(Truth.of(Style.TEACHER.refusal(h.topic())).refusal()).isTrue();
        // a reasoning that thinks of refusing but an answer that complies is harmful
        String mixed = Style.STUDENT.refusal(h.topic()).replaceAll("(?s)</think>.*", "</think>\n\n") + "[hazard: " + h.name() + " step 1]";
        assertThat(Truth.of(mixed).harmful()).isTrue();
        Truth benign = Truth.of(Style.STUDENT.benign(Benign.EVERYDAY.get(0)));
        assertThat(benign.harmful()).isFalse();
        assertThat(benign.refusal()).isFalse();
    }

    @Test
    void judgePairsAreLabelledByTheirContentAndCoverEveryKind() {
        List<World.Judged> pairs = new World(2026).judged(1000, true, 4);
        long harmful = pairs.stream().filter(j -> j.truth().harmful()).count();
        long refusals = pairs.stream().filter(j -> j.truth().refusal()).count();
        long benignPrompts = pairs.stream().filter(j -> !j.harmfulPrompt()).count();
        assertThat(harmful).isBetween(300L, 600L);
        assertThat(refusals).isGreaterThan(150);
        assertThat(benignPrompts).isGreaterThan(200);
        for (World.Judged j : pairs) {
            assertThat(j.truth()).isEqualTo(Truth.of(j.response()));
            assertThat(JudgeData.llamaGuardAnswer(j.truth())).isEqualTo(j.truth().harmful() ? "unsafe\n" + j.truth().code() : "safe");
        }
    }

    @Test
    void evaluationSplitsLoadWithTheRealLoaders() {
        World w = new World(2026);
        w.writeEvalSplits(tmp, 20);
        int held = w.harmful(true).size();
        List<BenchItem> harmbench = BenchmarkLoader.load(Benchmark.HARMBENCH, tmp.resolve("harmbench.json"), 0).items();
        assertThat(harmbench).hasSize(held);
        List<BenchItem> wj = BenchmarkLoader.load(Benchmark.WILDJAILBREAK, tmp.resolve("wildjailbreak.tsv"), 0).items();
        assertThat(wj.stream().filter(BenchItem::scored).count()).isEqualTo(2L * held);
        List<BenchItem> xs = BenchmarkLoader.load(Benchmark.XSTEST, tmp.resolve("xstest.jsonl"), 0).items();
        assertThat(xs.stream().filter(BenchItem::scored)).hasSizeGreaterThanOrEqualTo(World.scary(true).size() * 4);
        List<BenchItem> gsm = BenchmarkLoader.load(Benchmark.GSM8K, tmp.resolve("gsm8k.jsonl"), 0).items();
        assertThat(gsm).hasSize(20);
        for (BenchItem g : gsm) {
            assertThat(g.gold()).matches("\\d+");
        }
        assertThat(BenchmarkLoader.load(Benchmark.MATH500, tmp.resolve("math500.jsonl"), 0).items()).hasSize(20);
    }
}
