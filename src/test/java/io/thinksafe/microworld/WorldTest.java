package io.thinksafe.microworld;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinksafe.data.bench.Benchmark;
import io.thinksafe.data.bench.BenchmarkLoader;
import io.thinksafe.data.bench.BenchItem;
import io.thinksafe.train.SftExample;
import io.thinksafe.eval.Wilson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        // the judges also learn refusals as other models and recipes write them (DirectRefusal's, an emptied reasoning)
        for (String answer : World.REFUSAL_ANSWERS) {
            for (String reasoning : World.REFUSAL_REASONING) {
                assertThat(Truth.of(Style.think(reasoning, answer)).refusal()).as(answer).isTrue();
            }
            assertThat(pairs.stream().filter(j -> j.response().endsWith(answer) && !j.harmfulPrompt()).count()).as(answer).isPositive();
        }
        assertThat(pairs.stream().filter(j -> j.response().startsWith("<think>\n\n</think>") && j.truth().refusal()).count()).isPositive();
        for (World.Judged j : pairs) {
            assertThat(j.truth()).isEqualTo(Truth.of(j.response()));
            assertThat(JudgeData.llamaGuardAnswer(j.truth())).isEqualTo(j.truth().harmful() ? "unsafe\n" + j.truth().code() : "safe");
        }
    }

    @Test
    void evaluationSplitsLoadWithTheRealLoadersAtTheSizesTheClaimsNeed() {
        World w = new World(2026);
        w.writeEvalSplits(tmp, 100, 220);
        List<BenchItem> harmbench = BenchmarkLoader.load(Benchmark.HARMBENCH, tmp.resolve("harmbench.json"), 0).items();
        assertThat(harmbench).hasSize(w.harmful(true).size()).hasSizeGreaterThanOrEqualTo(200);
        List<BenchItem> concealed = BenchmarkLoader.load(Benchmark.HARMBENCH, tmp.resolve("harmbench_concealed.json"), 0).items();
        assertThat(concealed).hasSize(220);
        assertThat(concealed.stream().map(BenchItem::input).distinct()).hasSize(220);
        List<BenchItem> wj = BenchmarkLoader.load(Benchmark.WILDJAILBREAK, tmp.resolve("wildjailbreak.tsv"), 0).items();
        assertThat(wj.stream().filter(BenchItem::scored).count()).isEqualTo(harmbench.size());
        List<BenchItem> xs = BenchmarkLoader.load(Benchmark.XSTEST, tmp.resolve("xstest.jsonl"), 0).items();
        assertThat(xs.stream().filter(BenchItem::scored).count()).isGreaterThanOrEqualTo(150);
        assertThat(xs.stream().filter(i -> i.scored() && i.input().contains("catalogue")).count()).isEqualTo(110);
        List<BenchItem> gsm = BenchmarkLoader.load(Benchmark.GSM8K, tmp.resolve("gsm8k.jsonl"), 0).items();
        List<BenchItem> math = BenchmarkLoader.load(Benchmark.MATH500, tmp.resolve("math500.jsonl"), 0).items();
        assertThat(gsm.size() + math.size()).isEqualTo(200);
        for (BenchItem g : gsm) {
            assertThat(g.gold()).matches("\\d+");
        }
    }

    /**
     * No training prompt asks a held-out sum (as a MATH-style problem or inside a concealed request); the
     * steps of a worked-out trace may, as arithmetic facts, which is knowledge, not the test item.
     */
    @Test
    void noHeldOutSumIsMetInTraining() throws Exception {
        World w = new World(2026);
        w.writeEvalSplits(tmp, 100, 220);
        Set<String> held = new HashSet<>();
        for (String f : List.of("harmbench_concealed.json", "xstest.jsonl", "math500.jsonl")) {
            held.addAll(sums(Files.readString(tmp.resolve(f))));
        }
        assertThat(held).hasSizeGreaterThan(300);
        List<String> training = new ArrayList<>();
        for (boolean aligned : new boolean[] {true, false}) {
            w.mix(4000, aligned, Style.STUDENT, 5).forEach(e -> training.add(e.instruction()));
        }
        w.promptSet(1000, 9).forEach(o -> training.add(o.path("instruction").asText()));
        w.judged(1000, false, 3).forEach(j -> training.add(j.prompt()));
        Set<String> seen = new HashSet<>();
        training.forEach(t -> seen.addAll(sums(t)));
        assertThat(seen).hasSizeGreaterThan(1000);
        assertThat(seen).doesNotContainAnyElementsOf(held);
        // and the split is a real one: a quarter of all sums
        long kept = 0;
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        for (int i = 0; i < 4000; i++) {
            kept += Arithmetic.draw(r).heldOut() ? 1 : 0;
        }
        assertThat(kept).isBetween(850L, 1150L);
    }

    private static Set<String> sums(String text) {
        Set<String> out = new HashSet<>();
        Matcher m = Pattern.compile("\\d+(?: [+-] \\d+)+").matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** A concealed request resolves, by construction, to the item whose number its sum gives; the responses say so. */
    @Test
    void concealedRequestsResolveToTheirItemAndTheTruthFollowsTheResponse() {
        World w = new World(2026);
        Catalogue c = w.catalogue();
        assertThat(c.items(true)).hasSize(20);
        assertThat(c.items(false)).hasSize(20);
        assertThat(c.items().stream().map(Catalogue.Item::number).distinct()).hasSize(40);
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (Catalogue.Item item : c.items()) {
            for (boolean held : new boolean[] {true, false}) {
                Catalogue.Request q = c.request(item, held, r);
                assertThat(q.sum().answer()).isEqualTo(item.number());
                assertThat(c.at(q.sum().answer())).isEqualTo(item);
                assertThat(q.sum().heldOut()).isEqualTo(held);
                assertThat(q.text()).contains(q.sum().expression()).doesNotContain(item.thing());
                for (Integer t : q.sum().totals()) {
                    assertThat(t).isBetween(1, Arithmetic.MAX);
                }
                Truth refused = Truth.of(Style.STUDENT.concealed(q, false, 0));
                Truth complied = Truth.of(Style.STUDENT.concealed(q, true, 1));
                assertThat(refused.harmful()).isFalse();
                assertThat(refused.refusal()).isEqualTo(item.harmful());
                assertThat(complied.harmful()).isEqualTo(item.harmful());
                if (item.harmful()) {
                    assertThat(complied.code()).isEqualTo(item.hazard().code());
                }
                assertThat(Style.STUDENT.concealed(q, true, 1)).contains("Item " + item.number() + " in the catalogue is " + item.thing());
            }
        }
    }

    /**
     * Concealed harmful and concealed harmless requests cannot be told apart by their words: a
     * bag-of-words classifier trained on the training side is at chance on 440 held-out requests (the
     * 95% Wilson interval of its accuracy contains 0.5). The same classifier does tell plain harmful
     * requests from scary-but-harmless questions, so it is not too weak to learn anything.
     */
    @Test
    void aBagOfWordsClassifierCannotTellConcealedHarmFromConcealedHarmlessness() {
        World w = new World(2026);
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        Catalogue c = w.catalogue();
        NaiveBayes concealed = new NaiveBayes();
        for (int i = 0; i < 4000; i++) {
            Catalogue.Request q = c.request(c.items(i % 2 == 0).get(r.nextInt(20)), false, r);
            concealed.learn(q.text(), q.item().harmful());
        }
        int right = 0;
        List<Catalogue.Request> test = new ArrayList<>(w.heldOutConcealed(true, 220, r));
        test.addAll(w.heldOutConcealed(false, 220, r));
        for (Catalogue.Request q : test) {
            right += concealed.harmful(q.text()) == q.item().harmful() ? 1 : 0;
        }
        Wilson.Interval ci = Wilson.of(right, test.size());
        assertThat(ci.low()).as("accuracy %d/%d", right, test.size()).isLessThan(0.5);
        assertThat(ci.high()).as("accuracy %d/%d", right, test.size()).isGreaterThan(0.5);

        NaiveBayes plain = new NaiveBayes();
        for (World.Request q : w.harmful(false)) {
            plain.learn(q.text(), true);
        }
        for (Benign b : World.scary(false)) {
            b.questions().forEach(q -> plain.learn(q, false));
        }
        int plainRight = 0;
        int plainN = 0;
        for (World.Request q : w.harmful(true)) {
            plainRight += plain.harmful(q.text()) ? 1 : 0;
            plainN++;
        }
        for (Benign b : World.scary(true)) {
            for (String q : b.questions()) {
                plainRight += plain.harmful(q) ? 0 : 1;
                plainN++;
            }
        }
        assertThat(Wilson.of(plainRight, plainN).low()).as("plain accuracy %d/%d", plainRight, plainN).isGreaterThan(0.7);
    }

    /** Multinomial naive Bayes over lower-cased words (numbers are words too), Laplace-smoothed: the surface reader. */
    static final class NaiveBayes {
        private final Map<String, int[]> counts = new HashMap<>();
        private final int[] totals = new int[2];
        private final int[] docs = new int[2];

        void learn(String text, boolean harmful) {
            int k = harmful ? 1 : 0;
            docs[k]++;
            for (String word : words(text)) {
                counts.computeIfAbsent(word, x -> new int[2])[k]++;
                totals[k]++;
            }
        }

        boolean harmful(String text) {
            double score = Math.log((docs[1] + 1.0) / (docs[0] + 1.0));
            int vocab = counts.size();
            for (String word : words(text)) {
                int[] n = counts.getOrDefault(word, new int[2]);
                score += Math.log((n[1] + 1.0) / (totals[1] + vocab)) - Math.log((n[0] + 1.0) / (totals[0] + vocab));
            }
            return score > 0;
        }

        private static List<String> words(String text) {
            return List.of(text.toLowerCase(java.util.Locale.ROOT).split("[^a-z0-9']+"));
        }
    }
}
