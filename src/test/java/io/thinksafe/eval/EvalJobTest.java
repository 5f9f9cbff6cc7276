package io.thinksafe.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.Jsonl;
import io.thinksafe.data.bench.BenchItem;
import io.thinksafe.data.bench.Benchmark;
import io.thinksafe.data.bench.BenchmarkLoader;
import io.thinksafe.guard.WildGuard;
import io.thinksafe.util.Json;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole evaluation on the sample files with a scripted model and scripted judges, so that every
 * number can be computed by hand (the expected values below say how), then killed and resumed.
 */
class EvalJobTest {
    static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());
    static final int K = 4;

    @TempDir
    Path tmp;

    static Path data() {
        try {
            return Path.of(EvalJobTest.class.getResource("/bench").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Responses by item id, one per sample (safety sets have one sample; null: the draw fails). */
    static Map<String, String[]> script() {
        Map<String, String[]> s = new HashMap<>();
        // HarmBench: unsafe, safe, safe, unreadable judge answer -> 1 unsafe of 3 judged, 1 judge error
        s.put("harmbench-0", new String[] {"Sure. UNSAFE details"});
        s.put("harmbench-1", new String[] {"<think>\nI must refuse.\n</think>\n\nSAFE: I can't help."});
        s.put("harmbench-2", new String[] {"SAFE refusal"});
        s.put("harmbench-3", new String[] {"gibberish the judge cannot read"});
        // StrongREJECT: safe, safe, failed generation -> 0 of 2, 1 judge error (no response), 1 failed generation
        s.put("strongreject-0", new String[] {"SAFE"});
        s.put("strongreject-1", new String[] {"SAFE but CUT off"});
        s.put("strongreject-2", new String[] {null});
        // WildJailbreak (rows 0, 1, 3 kept): unsafe, unsafe, safe -> 2 of 3
        s.put("wildjailbreak-0", new String[] {"UNSAFE"});
        s.put("wildjailbreak-1", new String[] {"UNSAFE"});
        s.put("wildjailbreak-3", new String[] {"SAFE"});
        // XSTest, safe prompts 1, 2, 4 scored: refusal, compliance, unreadable -> 1 of 2, 1 judge error
        s.put("1", new String[] {"REFUSE: I won't."});
        s.put("2", new String[] {"COMPLY: gut it like this."});
        s.put("3", new String[] {"REFUSE (an unsafe prompt: generated, not scored)"});
        s.put("4", new String[] {"gibberish"});
        s.put("5", new String[] {"REFUSE"});
        // GSM8K golds 72, 10, 3600, 3: correct samples 4, 2, 1, 0 -> 7/16
        s.put("gsm8k-0", new String[] {"The final answer is 72", "So 72.\nThe final answer is $72", "The final answer is 72.", "The final answer is 72.00"});
        s.put("gsm8k-1", new String[] {"The final answer is 10", "The final answer is 12", "The final answer is \\boxed{10}", "The final answer is 11"});
        s.put("gsm8k-2", new String[] {"The final answer is 3601", "The final answer is 360", "I don't know", "The final answer is 3,600"});
        s.put("gsm8k-3", new String[] {"I don't know", "The final answer is 4", "The final answer is 2", "no idea"});
        // MATH500: 4/4, 2/4, 4/4, 4/4, 1/4 -> 15/20
        s.put("test/precalculus/807.json", repeat("$\\boxed{\\left(3,\\frac{\\pi}{2}\\right)}$"));
        s.put("test/algebra/2592.json", new String[] {"$\\boxed{26,000}$", "\\boxed{26000}", "\\boxed{25000}", "\\boxed{2600}"});
        s.put("test/prealgebra/1302.json", repeat("$\\boxed{\\sqrt{242}}$"));
        s.put("test/algebra/1.json", repeat("The solutions are $\\boxed{2, -1}$."));
        s.put("test/prealgebra/2.json", new String[] {"\\boxed{0.5}", "\\boxed{1/3}", "\\boxed{1/3}", "\\boxed{}"});
        // AIME 204, 25, 809: 4/4, 0/4, 0/4 -> 4/12
        s.put("60", repeat("\\boxed{204}"));
        s.put("61", repeat("\\boxed{24}"));
        s.put("62", new String[] {null, null, "\\boxed{808}", "\\boxed{810}"});
        return s;
    }

    static String[] repeat(String r) {
        return new String[] {r, r, r, r};
    }

    /** GPQA: the gold letter for every sample of question 0, a wrong letter for question 1, gold once for question 2 -> 5/12. */
    static void scriptGpqa(Map<String, String[]> s) {
        List<BenchItem> q = BenchmarkLoader.load(Benchmark.GPQA_DIAMOND, Benchmark.GPQA_DIAMOND.find(data()), 0).items();
        s.put(q.get(0).id(), repeat("\\boxed{" + q.get(0).gold() + "}"));
        String wrong = q.get(1).gold().equals("A") ? "B" : "A";
        s.put(q.get(1).id(), repeat("\\boxed{" + wrong + "}"));
        String wrong2 = q.get(2).gold().equals("A") ? "B" : "A";
        s.put(q.get(2).id(), new String[] {"\\boxed{" + q.get(2).gold() + "}", "\\boxed{" + wrong2 + "}", "I cannot tell", "\\boxed{" + wrong2 + "}"});
    }

    static Scripted.Model model() {
        Map<String, String[]> s = script();
        scriptGpqa(s);
        return new Scripted.Model((r, sample) -> {
            String[] answers = s.get(r.id());
            if (answers == null) {
                throw new AssertionError("no script for " + r.id());
            }
            return answers[sample];
        });
    }

    EvalConfig config(Path out, long seed) {
        List<Benchmark> all = List.of(Benchmark.values());
        return new EvalConfig("scripted", null, all, EvalConfig.resolveFiles(all, data(), Map.of()), out, K, 64, null, seed, 0, 0,
                false, "Scripted", null);
    }

    @Test
    void numbersMatchCountsComputedByHand() throws Exception {
        Path out = tmp.resolve("eval");
        Scripted.Model model = model();
        Scripted.Judge judge = new Scripted.Judge();
        Scripted.WildGuardBackend wg = new Scripted.WildGuardBackend();
        EvalResults r = EvalJob.run(config(out, 0), model, judge, new WildGuard(wg), QUIET);

        Score harm = r.scores().get(Benchmark.HARMBENCH);
        assertThat(harm.value()).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(harm.counts()).containsEntry("safe", 2).containsEntry("unsafe", 1).containsEntry("judge_errors", 1);
        assertThat(harm.denominator()).isEqualTo(3);
        assertThat(harm.items()).isEqualTo(4);
        assertThat(harm.complete()).isFalse();
        // Wilson 95% for 1/3: centre (1/3 + z^2/6)/(1 + z^2/3), computed independently here
        double z = 1.959963984540054;
        double centre = (1.0 / 3 + z * z / 6) / (1 + z * z / 3);
        double half = z / (1 + z * z / 3) * Math.sqrt((1.0 / 3) * (2.0 / 3) / 3 + z * z / 36);
        assertThat(harm.ci().low()).isCloseTo(centre - half, within(1e-12));
        assertThat(harm.ci().high()).isCloseTo(centre + half, within(1e-12));

        Score sr = r.scores().get(Benchmark.STRONGREJECT);
        assertThat(sr.value()).isZero();
        assertThat(sr.counts()).containsEntry("safe", 2).containsEntry("judge_errors", 1).containsEntry("failed_generations", 1)
                .containsEntry("truncated", 1);
        assertThat(r.scores().get(Benchmark.WILDJAILBREAK).value()).isCloseTo(2.0 / 3, within(1e-12));

        Score xs = r.scores().get(Benchmark.XSTEST);
        assertThat(xs.metric()).isEqualTo("refusal_rate");
        assertThat(xs.value()).isCloseTo(0.5, within(1e-12));
        assertThat(xs.counts()).containsEntry("generated", 5).containsEntry("scored", 3).containsEntry("refusals", 1)
                .containsEntry("complied", 1).containsEntry("judge_errors", 1);
        assertThat(wg.prompts).hasSize(3); // only the safe prompts go to the judge
        assertThat(judge.judged).hasSize(4 + 2 + 3); // the failed generation is an error without asking the judge

        Score gsm = r.scores().get(Benchmark.GSM8K);
        assertThat(gsm.value()).isCloseTo(7.0 / 16, within(1e-12));
        assertThat(gsm.problems()).isEqualTo(4);
        assertThat(gsm.samplesPerProblem()).isEqualTo(4);
        // pass@2 = mean(1, 1 - C(2,2)/C(4,2), 1 - C(3,2)/C(4,2), 0) = (1 + 5/6 + 1/2 + 0) / 4
        assertThat(gsm.passAtK()).containsOnlyKeys(1, 2, 4);
        assertThat(gsm.passAtK().get(1)).isCloseTo(7.0 / 16, within(1e-12));
        assertThat(gsm.passAtK().get(2)).isCloseTo((1 + 5.0 / 6 + 0.5) / 4, within(1e-12));
        assertThat(gsm.passAtK().get(4)).isCloseTo(0.75, within(1e-12));
        assertThat(gsm.counts()).containsEntry("no_answer", 3);

        assertThat(r.scores().get(Benchmark.MATH500).value()).isCloseTo(15.0 / 20, within(1e-12));
        Score aime = r.scores().get(Benchmark.AIME2024);
        assertThat(aime.value()).isCloseTo(4.0 / 12, within(1e-12));
        assertThat(aime.counts()).containsEntry("failed_generations", 2);
        assertThat(r.scores().get(Benchmark.GPQA_DIAMOND).value()).isCloseTo(5.0 / 12, within(1e-12));

        assertThat(r.average(EvalResults.SAFETY).value()).isCloseTo((1.0 / 3 + 0 + 2.0 / 3 + 0.5) / 4, within(1e-12));
        assertThat(r.average(EvalResults.HARMFUL).value()).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(r.average(EvalResults.REASONING).value()).isCloseTo((4.0 / 12 + 7.0 / 16 + 0.75 + 5.0 / 12) / 4, within(1e-12));

        // results.json round-trips, and carries what the report needs
        EvalResults back = EvalResults.read(out.resolve("results.json"));
        assertThat(back.label()).isEqualTo("Scripted");
        assertThat(back.scores().get(Benchmark.GSM8K).passAtK()).isEqualTo(gsm.passAtK());
        assertThat(back.judges()).containsEntry("safety", "scripted-judge").containsKey("refusal");
        JsonNode json = Json.read(out.resolve("results.json"));
        assertThat(json.path("summary").path("reasoning_avg").path("of")).hasSize(4);
        assertThat(json.path("benchmarks").path("harmbench").path("records").asText()).isEqualTo("harmbench/items.jsonl");
        assertThat(json.path("config").path("sampling").path("top_k").asInt()).isEqualTo(20); // Qwen3's sampling
    }

    @Test
    void everyNumberCanBeRecomputedFromTheItemRecords() {
        Path out = tmp.resolve("eval");
        EvalResults r = EvalJob.run(config(out, 0), model(), new Scripted.Judge(), new WildGuard(new Scripted.WildGuardBackend()), QUIET);
        for (Score s : r.scores().values()) {
            List<ObjectNode> items = Jsonl.read(out.resolve(s.records()));
            int hits = 0;
            int judged = 0;
            for (ObjectNode o : items) {
                assertThat(o.has("prompt") && o.has("response") && o.has("finish_reason")).isTrue();
                switch (s.metric()) {
                    case "harmful_rate" -> {
                        String v = o.get("verdict").asText();
                        judged += v.equals("error") ? 0 : 1;
                        hits += v.equals("unsafe") ? 1 : 0;
                    }
                    case "refusal_rate" -> {
                        if (o.get("scored").asBoolean() && o.get("refusal").isBoolean()) {
                            judged++;
                            hits += o.get("refusal").asBoolean() ? 1 : 0;
                        }
                    }
                    default -> {
                        judged++;
                        hits += o.get("correct").asBoolean() ? 1 : 0;
                        assertThat(o.has("extracted") && o.has("gold")).isTrue();
                    }
                }
            }
            assertThat((double) hits / judged).as(s.benchmark().id()).isCloseTo(s.value(), within(1e-12));
        }
        ObjectNode gpqa = Jsonl.read(out.resolve("gpqa/items.jsonl")).get(0);
        assertThat(gpqa.path("item").path("options")).hasSize(4);
        assertThat(gpqa.path("item").path("gold_letter").asText()).isEqualTo(gpqa.get("gold").asText());
    }

    @Test
    void aKilledRunResumesWithoutDoingAnythingTwice() {
        Path out = tmp.resolve("eval");
        Scripted.Model first = model();
        first.dieAfter = 30;
        Scripted.Judge judge = new Scripted.Judge();
        assertThatThrownBy(() -> EvalJob.run(config(out, 0), first, judge, new WildGuard(new Scripted.WildGuardBackend()), QUIET))
                .hasMessageContaining("killed");
        assertThat(Files.exists(out.resolve("results.json"))).isFalse();
        Scripted.Model second = model();
        Scripted.WildGuardBackend wg = new Scripted.WildGuardBackend();
        EvalResults resumed = EvalJob.run(config(out, 0), second, judge, new WildGuard(wg), QUIET);
        int total = 4 + 3 + 3 + 5 + K * (3 + 4 + 5 + 3);
        assertThat(first.drawn.size() + second.drawn.size()).isEqualTo(total);
        assertThat(second.drawn).doesNotContainAnyElementsOf(first.drawn);
        assertThat(judge.judged).hasSize(9); // each safety response judged once over both runs

        EvalResults fresh = EvalJob.run(config(tmp.resolve("fresh"), 0), model(), new Scripted.Judge(),
                new WildGuard(new Scripted.WildGuardBackend()), QUIET);
        for (Benchmark b : Benchmark.values()) {
            assertThat(resumed.scores().get(b).value()).as(b.id()).isEqualTo(fresh.scores().get(b).value());
        }
        // a third run finds everything done
        Scripted.Model third = model();
        EvalJob.run(config(out, 0), third, judge, new WildGuard(new Scripted.WildGuardBackend()), QUIET);
        assertThat(third.drawn).isEmpty();
        assertThat(judge.judged).hasSize(9);
    }

    @Test
    void aDirectoryOfAnotherConfigurationIsRefused() {
        Path out = tmp.resolve("eval");
        EvalJob.run(config(out, 0), model(), new Scripted.Judge(), new WildGuard(new Scripted.WildGuardBackend()), QUIET);
        assertThatThrownBy(() -> EvalJob.run(config(out, 1), model(), new Scripted.Judge(),
                new WildGuard(new Scripted.WildGuardBackend()), QUIET))
                .isInstanceOf(ThinkSafeException.class).hasMessageContaining("eval.json").hasMessageContaining("seed 0")
                .hasMessageContaining("use another --out");
    }

    @Test
    void suitesNeedTheirJudges() {
        Path out = tmp.resolve("eval");
        assertThatThrownBy(() -> EvalJob.run(config(out, 0), model(), null, null, QUIET)).hasMessageContaining("--guard");
        assertThatThrownBy(() -> EvalJob.run(config(out, 0), model(), new Scripted.Judge(), new Scripted.Judge(), QUIET))
                .hasMessageContaining("XSTest").hasMessageContaining("WildGuard");
        assertThat(Suites.benchmarks(List.of("reasoning"))).containsExactly(Benchmark.AIME2024, Benchmark.GSM8K, Benchmark.MATH500,
                Benchmark.GPQA_DIAMOND);
        assertThatThrownBy(() -> Suites.benchmarks(List.of("safety,speed"))).hasMessageContaining("unknown suite 'speed'");
        assertThatThrownBy(() -> EvalConfig.resolveFiles(List.of(Benchmark.GSM8K), tmp, Map.of()))
                .hasMessageContaining("no file for GSM8K (gsm8k.jsonl or gsm8k.json or gsm8k.csv; from openai/gsm8k");
    }
}
