package io.thinksafe.microworld;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo on the shipped micro-world, cut to the drifted student and ThinkSafe: the end-to-end
 * regression test of the method. If a change breaks steering, filtering or training (say, training on
 * the steered prompt), ThinkSafe stops cutting the harmful ratio and this fails.
 */
class MicroworldDemoTest {
    @TempDir
    Path tmp;

    @Test
    void thinkSafeRepairsTheDriftedStudentAndARerunChangesNothing() {
        Path world = Path.of("microworld");
        MicroworldDemo.Options d = MicroworldDemo.Options.defaults(world, tmp);
        MicroworldDemo.Options o = new MicroworldDemo.Options(world, tmp, List.of("initial", "thinksafe"), d.lr(), d.epochs(), 1,
                d.maxNewTokens(), d.seed());
        ObjectNode first = new MicroworldDemo(o, new PrintStream(new ByteArrayOutputStream())).run();
        JsonNode initial = first.path("methods").path("initial");
        JsonNode thinksafe = first.path("methods").path("thinksafe");
        for (String k : List.of("harmful_plain", "harmful_jailbreak", "over_refusal", "reasoning_accuracy")) {
            assertThat(initial.path(k).asDouble(-1)).as(k).isBetween(0.0, 1.0);
            assertThat(thinksafe.path(k).asDouble(-1)).as(k).isBetween(0.0, 1.0);
        }
        assertThat(initial.path("train_perplexity").isNull()).isTrue();
        assertThat(thinksafe.path("train_perplexity").asDouble()).isGreaterThan(1.0);
        assertThat(first.path("diagnose").path("steered_safe_rate").asDouble())
                .isGreaterThan(first.path("diagnose").path("unsteered_safe_rate").asDouble());
        assertThat(initial.path("harmful_plain").asDouble()).isGreaterThanOrEqualTo(0.4);
        assertThat(thinksafe.path("harmful_plain").asDouble()).isLessThanOrEqualTo(initial.path("harmful_plain").asDouble() / 2);
        assertThat(tmp.resolve("report/report.html")).exists();
        assertThat(tmp.resolve("configs/thinksafe.yaml")).exists();
        assertThat(Json.read(tmp.resolve("summary.json")).path("methods").toString()).isEqualTo(first.path("methods").toString());

        ObjectNode again = new MicroworldDemo(o, new PrintStream(new ByteArrayOutputStream())).run();
        assertThat(again.path("methods").toString()).isEqualTo(first.path("methods").toString());
        assertThat(again.path("wall_seconds").asDouble()).isLessThan(first.path("wall_seconds").asDouble());
    }

    @Test
    void everyMethodsRunConfigLoadsAndTheBaselinesUseTheirStandInsAndTable4Epochs() throws Exception {
        Path world = Path.of("microworld");
        MicroworldDemo demo = new MicroworldDemo(MicroworldDemo.Options.defaults(world, tmp), new PrintStream(new ByteArrayOutputStream()));
        assertThat(MicroworldDemo.expand(List.of("all"))).isEqualTo(MicroworldDemo.METHODS);
        assertThat(MicroworldDemo.expand(List.of("star1"))).containsExactly("star1");
        for (String m : MicroworldDemo.METHODS.subList(1, MicroworldDemo.METHODS.size())) {
            Path f = tmp.resolve(m + ".yaml");
            java.nio.file.Files.writeString(f, demo.runConfig(m, tmp.resolve("runs").resolve(m)));
            io.thinksafe.align.RunConfig cfg = io.thinksafe.align.RunConfig.load(f);
            assertThat(cfg.method().key()).isEqualTo(m);
            if (m.equals("star1") || m.equals("safekey")) {
                assertThat(cfg.options().star1().standIn()).isTrue();
                assertThat(cfg.options().star1().policyInPrompt()).isFalse();
            }
            if (MicroworldDemo.TABLE_4.contains(m)) {
                assertThat(cfg.train().epochs()).as(m).isEqualTo(((io.thinksafe.align.Recipe) cfg.method()).defaultEpochs);
            }
        }
    }

    /**
     * Iterative ThinkSafe on the micro-world, two rounds: round 1 repairs the drifted student on the
     * held-out probe and in the evaluation, and the summary carries the per-round table.
     */
    @Test
    void iterativeThinkSafeRepairsInRoundsAndTheSummaryHasThePerRoundTable() {
        Path world = Path.of("microworld");
        MicroworldDemo.Options d = MicroworldDemo.Options.defaults(world, tmp);
        MicroworldDemo.Options o = new MicroworldDemo.Options(world, tmp, List.of("initial", "thinksafe_iterative"), d.lr(), d.epochs(), 1,
                d.maxNewTokens(), d.seed()).withRounds(2, null, -1);
        ObjectNode s = new MicroworldDemo(o, new PrintStream(new ByteArrayOutputStream())).run();
        JsonNode table = s.path("rounds").path("table");
        assertThat(table).hasSize(3);
        assertThat(table.get(0).path("probe_safe_rate").asDouble()).isLessThan(0.5); // the drifted student
        assertThat(table.get(1).path("probe_safe_rate").asDouble()).isGreaterThan(table.get(0).path("probe_safe_rate").asDouble() + 0.3);
        assertThat(table.get(1).path("benchmarks").path("harmbench").asDouble())
                .isLessThanOrEqualTo(table.get(0).path("benchmarks").path("harmbench").asDouble() / 2);
        assertThat(table.get(2).path("status").asText()).isEqualTo("done");
        assertThat(s.path("rounds").path("final_round").asInt()).isBetween(1, 2);
        assertThat(s.path("methods").path("thinksafe_iterative").path("harmful_plain").asDouble())
                .isLessThanOrEqualTo(s.path("methods").path("initial").path("harmful_plain").asDouble() / 2);
        assertThat(MicroworldDemo.table(s)).contains("iterative ThinkSafe, per round", "kept: round");
        assertThat(tmp.resolve("heldout/harmful.jsonl")).exists();
        assertThat(io.thinksafe.data.PromptSet.read(tmp.resolve("heldout/harmful.jsonl"))).allSatisfy(p -> assertThat(p.harmful()).isTrue());
    }
}
