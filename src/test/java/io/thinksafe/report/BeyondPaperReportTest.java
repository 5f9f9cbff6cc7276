package io.thinksafe.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report's sections for runs beyond the paper: an iterative run's rounds (its table, and each round's
 * evaluation costed through its round), and ThinkSafe-warm-started GRPO against plain GRPO at equal steps.
 */
class BeyondPaperReportTest {
    @TempDir
    Path tmp;

    /** An iterative run of 2 rounds that evaluated every round, as thinksafe run writes its manifest. */
    Path iterative() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("runs/iter"));
        ObjectNode m = Json.object();
        m.putObject("cost").put("method", "thinksafe").put("seconds", 60).put("generation_tokens", 300).put("judge_tokens", 300)
                .put("train_tokens", 600).put("reference_tokens", 0).put("tokens", 1200).put("complete", true);
        ObjectNode rounds = m.putObject("rounds").put("rounds", 3).put("mode", "continue").put("min_gain", 0.02).put("heldout_prompts", 100);
        ArrayNode table = rounds.putArray("table");
        double[] probe = {0.2, 0.7, 0.71};
        double[] seconds = {5, 30, 25};
        long[] tokens = {100, 600, 500};
        double cumS = 0;
        long cumT = 0;
        for (int k = 0; k < 3; k++) {
            cumS += seconds[k];
            cumT += tokens[k];
            ObjectNode r = table.addObject().put("round", k).put("status", "done").put("probe_safe_rate", probe[k])
                    .put("probe_harmful_rate", 1 - probe[k]);
            if (k > 0) {
                r.put("gain", probe[k] - probe[k - 1]).put("examples", 40 + k).put("adapter", run.resolve(k == 1 ? "train/adapter" : "train-2/adapter").toString());
            } else {
                r.putNull("gain");
            }
            r.put("harmful_avg", 0.5 - 0.2 * k).put("over_refusal", 0.05 + 0.01 * k).put("reasoning_avg", 0.3);
            r.putObject("cost").put("seconds", seconds[k]).put("generation_prompt_tokens", tokens[k] / 2)
                    .put("generation_completion_tokens", tokens[k] / 4).put("judge_tokens", tokens[k] / 4).put("train_tokens", 0L)
                    .put("reference_tokens", 0L).put("tokens", tokens[k]);
            r.put("cumulative_seconds", cumS).put("cumulative_tokens", cumT);
        }
        table.addObject().put("round", 3).put("status", "skipped");
        rounds.put("final_round", 2).put("final_adapter", run.resolve("train-2/adapter").toString());
        rounds.put("stopped", "stopped after round 2: its held-out safe rate 0.710 gained +0.010 over round 1's 0.700, less than min_gain 0.02");
        Json.writePretty(run.resolve("manifest.json"), m);
        Fixtures.write(Files.createDirectories(run.resolve("eval-0")), "iter round 0", null, Fixtures.all(0.5, 0.5, 0.5, 0.05, 0.1, 0.3, 0.3, 0.2));
        CostReportTest.withAdapter(Fixtures.write(Files.createDirectories(run.resolve("eval")), "iter round 1", "iter round 0",
                Fixtures.all(0.3, 0.3, 0.3, 0.06, 0.1, 0.3, 0.3, 0.2)), run.resolve("train/adapter"));
        CostReportTest.withAdapter(Fixtures.write(Files.createDirectories(run.resolve("eval-2")), "iter round 2", "iter round 0",
                Fixtures.all(0.1, 0.1, 0.1, 0.07, 0.1, 0.3, 0.3, 0.2)), run.resolve("train-2/adapter"));
        return run;
    }

    /** A GRPO run's manifest and metrics: {@code safety} per step, 2 s and 1,000 tokens a step; a warm start's ThinkSafe part before. */
    void grpoRun(Path run, String method, double[] safety, double startSeconds, long startTokens) throws Exception {
        Files.createDirectories(run.resolve("grpo"));
        ObjectNode m = Json.object();
        m.putObject("cost").put("method", method).put("seconds", startSeconds + 2 * safety.length).put("generation_tokens", 0)
                .put("judge_tokens", 0).put("train_tokens", 0).put("reference_tokens", 0).put("tokens", startTokens + 1000L * safety.length)
                .put("complete", true);
        ObjectNode stages = m.putObject("stages");
        if (startSeconds > 0) {
            stages.putObject("train").putObject("cost").put("seconds", startSeconds).put("train_tokens", startTokens);
        }
        stages.putObject("grpo").putObject("cost").put("seconds", 2.0 * safety.length);
        Json.writePretty(run.resolve("manifest.json"), m);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < safety.length; i++) {
            b.append(Json.compact(Json.object().put("step", i + 1).put("reward_safety_harmful_mean", safety[i]).put("step_s", 2.0)
                    .put("prompt_tokens", 400).put("completion_tokens", 200).put("judge_tokens", 200).put("train_tokens", 100)
                    .put("reference_tokens", 100))).append('\n');
        }
        Files.writeString(run.resolve("grpo/metrics.jsonl"), b.toString());
    }

    @Test
    void anIterativeRunGetsItsRoundsTableAndEachRoundIsCostedThroughItsRound() throws Exception {
        Path run = iterative();
        ReportJob.Written w = ReportJob.run(new ReportJob.Options(List.of(run), tmp.resolve("report"), Map.of(), Map.of(), s -> 1, "chars", null));
        String md = Files.readString(w.markdown());
        assertThat(md).contains("## Iterative ThinkSafe: rounds", "### iter",
                "| 1 | done | 70.0% | +50.0 pts | 30.0% | 6.0% | 30.0% | 41 | 30.0 s | 35.0 s | 700 |",
                "| 3 | skipped |", "Stopped after round 2", "The run keeps round 2", "![Rounds of iter](plots/rounds-iter.png)");
        assertThat(w.plots()).contains(tmp.resolve("report/plots/rounds-iter.png"));
        // each round's evaluation costs what the run had spent by the end of that round
        List<Costs.Cost> costs = Costs.of(Runs.load(List.of(run)));
        Map<String, Costs.Cost> byLabel = new java.util.HashMap<>();
        costs.forEach(c -> byLabel.put(c.run().label(), c));
        assertThat(byLabel.keySet()).containsExactlyInAnyOrder("iter round 0", "iter round 1", "iter round 2");
        assertThat(byLabel.get("iter round 0").seconds()).isEqualTo(5.0);
        assertThat(byLabel.get("iter round 1").seconds()).isEqualTo(35.0);
        assertThat(byLabel.get("iter round 2").seconds()).isEqualTo(60.0);
        assertThat(byLabel.get("iter round 1").tokens()).isEqualTo(700L);
        assertThat(byLabel.get("iter round 2").tokens()).isEqualTo(1200L);
        assertThat(Files.readString(w.html())).contains("<h2>Iterative ThinkSafe: rounds</h2>", "id=\"rounds-iter\"");
    }

    @Test
    void aWarmStartIsComparedWithPlainGrpoAtEqualSteps() throws Exception {
        // plain GRPO climbs to 0.8 over 10 steps; the warm start begins at 0.75 after 30 s and 5,000 tokens of ThinkSafe
        double[] plain = {0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8, 0.8};
        double[] warm = {0.75, 0.78, 0.8, 0.82, 0.85, 0.86, 0.88, 0.9, 0.9, 0.9};
        grpoRun(tmp.resolve("runs/grpo"), "grpo", plain, 0, 0);
        grpoRun(tmp.resolve("runs/warm"), "thinksafe_grpo", warm, 30, 5000);
        Path pe = CostReportTest.withAdapter(Fixtures.write(Files.createDirectories(tmp.resolve("evals/grpo")), "GRPO", null,
                Fixtures.all(0.2, 0.2, 0.2, 0.05, 0.1, 0.3, 0.3, 0.2)), tmp.resolve("runs/grpo/grpo/adapter"));
        Path we = CostReportTest.withAdapter(Fixtures.write(Files.createDirectories(tmp.resolve("evals/warm")), "Warm", null,
                Fixtures.all(0.1, 0.1, 0.1, 0.05, 0.1, 0.3, 0.3, 0.2)), tmp.resolve("runs/warm/grpo/adapter"));
        ReportJob.Written w = ReportJob.run(new ReportJob.Options(List.of(pe, we), tmp.resolve("report"), Map.of(), Map.of(), s -> 1, "chars", null));
        String md = Files.readString(w.markdown());
        // smoothed over a trailing window of one step (10 steps / 10): plain's final is 0.8; the warm start reaches it at step 3
        assertThat(md).contains("## ThinkSafe as GRPO's warm start", "| 10 | 0.800 | 0.900 | 20.0 s | 50.0 s | 10.0k | 15.0k |",
                "reached plain GRPO's final safety (0.800 after 10 steps) at GRPO step 3: 7 steps sooner in steps",
                "36.0 s and 8000 tokens (ThinkSafe included) against plain GRPO's 20.0 s and 10.0k, 1.8\u00d7 the wall-clock and 0.80\u00d7 the tokens",
                "harmful-response average 10.0% with the warm start, 20.0% with plain GRPO");
        var o = WarmStartSection.compare(tmp.resolve("runs/warm"), tmp.resolve("runs/grpo"));
        assertThat(o.path("warm_reaches_plain_final_at_step").asInt()).isEqualTo(3);
        assertThat(o.path("warm_tokens_to_reach").asLong()).isEqualTo(8000);
        assertThat(o.path("thinksafe_seconds").asDouble()).isCloseTo(30, within(1e-9));
        assertThat(Costs.of(Runs.load(List.of(pe, we)))).extracting(Costs.Cost::methodName).containsExactly("GRPO", "ThinkSafe\u2192GRPO");
    }
}
