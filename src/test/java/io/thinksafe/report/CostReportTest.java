package io.thinksafe.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.util.Json;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Figure 3 and the cost table: costs read from the run manifests, ratios to GRPO computed from them. */
class CostReportTest {
    @TempDir
    Path tmp;

    /** A finished run's manifest with the given totals (as thinksafe run writes them). */
    static void manifest(Path runDir, String method, double seconds, long gen, long judge, long train, long ref, boolean complete)
            throws Exception {
        ObjectNode cost = Json.object().put("method", method).put("seconds", seconds).put("generation_tokens", gen)
                .put("judge_tokens", judge).put("train_tokens", train).put("reference_tokens", ref)
                .put("tokens", gen + judge + train + ref).put("complete", complete);
        ObjectNode m = Json.object();
        m.set("cost", cost);
        Files.createDirectories(runDir);
        Json.writePretty(runDir.resolve("manifest.json"), m);
    }

    /** The evaluation of a model that carried {@code adapter}. */
    static Path withAdapter(Path evalDir, Path adapter) throws Exception {
        ObjectNode r = (ObjectNode) Json.read(evalDir.resolve("results.json"));
        r.put("adapter", adapter.toString());
        Json.writePretty(evalDir.resolve("results.json"), r);
        return evalDir;
    }

    List<Path> runs() throws Exception {
        Path base = Fixtures.write(Files.createDirectories(tmp.resolve("evals/base")), "Qwen3-0.6B", null,
                Fixtures.all(0.40, 0.50, 0.60, 0.05, 0.10, 0.70, 0.60, 0.25));
        // ThinkSafe: evaluated inside its run directory
        manifest(tmp.resolve("runs/thinksafe"), "thinksafe", 100, 600, 300, 100, 0, true);
        Path ts = Fixtures.write(Files.createDirectories(tmp.resolve("runs/thinksafe/eval")), "Qwen3 ThinkSafe", "Qwen3-0.6B",
                Fixtures.all(0.05, 0.04, 0.20, 0.08, 0.12, 0.71, 0.62, 0.26));
        manifest(tmp.resolve("runs/thinksafe-kl"), "thinksafe_kl", 150, 600, 300, 300, 0, true);
        Path kl = Fixtures.write(Files.createDirectories(tmp.resolve("runs/thinksafe-kl/eval/latest")), "Qwen3 ThinkSafe+KL", "Qwen3-0.6B",
                Fixtures.all(0.06, 0.05, 0.22, 0.07, 0.13, 0.72, 0.63, 0.26));
        // GRPO: evaluated elsewhere, found through the adapter it was evaluated with
        manifest(tmp.resolve("runs/grpo"), "grpo", 800, 2000, 1000, 1500, 500, true);
        Path grpo = withAdapter(Fixtures.write(Files.createDirectories(tmp.resolve("evals/grpo")), "Qwen3 GRPO", "Qwen3-0.6B",
                Fixtures.all(0.15, 0.10, 0.30, 0.06, 0.10, 0.69, 0.60, 0.25)), tmp.resolve("runs/grpo/grpo/adapter"));
        // a run stopped half-way has no method cost yet
        manifest(tmp.resolve("runs/stopped"), "grpo", 5, 10, 10, 10, 0, false);
        Path stopped = Fixtures.write(Files.createDirectories(tmp.resolve("runs/stopped/eval")), "Stopped", "Qwen3-0.6B",
                Fixtures.all(0.30, 0.30, 0.30, 0.05, 0.10, 0.70, 0.60, 0.25));
        return List.of(base, ts, kl, grpo, stopped);
    }

    @Test
    void figureThreeAndTheCostTableComeFromTheManifestsWithRatiosToGrpo() throws Exception {
        Path out = tmp.resolve("report");
        ReportJob.Written w = ReportJob.run(new ReportJob.Options(runs(), out, Map.of(), Map.of(), s -> s.length(), "chars", null));
        String md = Files.readString(w.markdown());
        assertThat(md).contains("## Safety and reasoning against cost")
                .contains("![Safety and reasoning vs. seconds](plots/cost-seconds.png)")
                .contains("![Safety and reasoning vs. tokens](plots/cost-tokens.png)");
        String ts = md.lines().filter(l -> l.startsWith("| Qwen3 ThinkSafe | ThinkSafe |")).findFirst().orElseThrow();
        // 100 s of GRPO's 800 s; 1,000 tokens of GRPO's 5,000; harmful (30/602 + 13/313 + 400/2000) / 3 = 9.71%
        assertThat(ts).isEqualTo("| Qwen3 ThinkSafe | ThinkSafe | 100.0 s | 0.13\u00d7 | 1000 | 0.20\u00d7 | 600 | 300 | 100 | 9.7 | 43.0 |");
        String kl = md.lines().filter(l -> l.startsWith("| Qwen3 ThinkSafe+KL | ThinkSafe+KL |")).findFirst().orElseThrow();
        assertThat(kl).contains("| ThinkSafe+KL | 2.5 min | 0.19\u00d7 | 1200 | 0.24\u00d7 |"); // 150 s
        String grpo = md.lines().filter(l -> l.startsWith("| Qwen3 GRPO | GRPO |")).findFirst().orElseThrow();
        // training counts the reference's forward too: 1,500 + 500
        assertThat(grpo).contains("| GRPO | 13.3 min | 1.0\u00d7 | 5000 | 1.0\u00d7 | 2000 | 1000 | 2000 |");
        assertThat(md).contains("- GRPO (Qwen3 GRPO) took 8.0\u00d7 the wall-clock of Qwen3 ThinkSafe (ThinkSafe) and 5.0\u00d7 its tokens.")
                .contains("- GRPO (Qwen3 GRPO) took 5.3\u00d7 the wall-clock of Qwen3 ThinkSafe+KL (ThinkSafe+KL) and 4.2\u00d7 its tokens.");
        // no cost for a model not made by a run, nor for a run that did not finish
        assertThat(md.lines().filter(l -> l.startsWith("| Qwen3-0.6B | ") && l.contains("\u00d7"))).isEmpty();
        assertThat(md.lines().filter(l -> l.startsWith("| Stopped |") && l.contains("\u00d7"))).isEmpty();
        assertThat(w.plots()).contains(out.resolve("plots/cost-seconds.png"), out.resolve("plots/cost-tokens.png"));

        String html = Files.readString(w.html());
        assertThat(html).contains("<h2>Safety and reasoning against cost</h2>").contains("<figure id=\"cost-seconds\">")
                .contains("<figure id=\"cost-tokens\">").contains("<table class=\"detail\" id=\"costs\">")
                .contains("took 8.0\u00d7 the wall-clock of Qwen3 ThinkSafe (ThinkSafe)");
    }

    @Test
    void eachCostedModelHasACircleAndASquareInItsColour() throws Exception {
        List<Runs.Run> runs = Runs.load(runs());
        List<Costs.Cost> costs = Costs.of(runs);
        assertThat(costs).extracting(Costs.Cost::method).containsExactly("thinksafe", "thinksafe_kl", "grpo");
        assertThat(Costs.reference(costs).run().label()).isEqualTo("Qwen3 GRPO");
        for (CostPlot.Axis axis : CostPlot.Axis.values()) {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(CostPlot.png(costs, axis)));
            assertThat(img.getWidth()).isEqualTo(CostPlot.WIDTH);
            assertThat(img.getHeight()).isEqualTo(CostPlot.HEIGHT);
            for (Costs.Cost c : costs) {
                // two marks of 14 px (and a legend swatch): far more pixels than one mark alone
                assertThat(ReportTest.count(img, Charts.color(c.run().index()))).as(c.run().label() + " " + axis).isGreaterThan(200);
            }
            assertThat(ReportTest.count(img, Charts.color(Runs.byLabel(runs, "Qwen3-0.6B").index()))).as("uncosted model").isZero();
        }
    }

    @Test
    void theBaselinesAreNamedAndWhatTheirStagesNoteIsSaidBesideTheTable() throws Exception {
        List<Path> runs = new java.util.ArrayList<>(runs());
        manifest(tmp.resolve("runs/star1"), "star1", 60, 500, 200, 100, 0, true);
        ObjectNode m = (ObjectNode) Json.read(tmp.resolve("runs/star1/manifest.json"));
        m.putObject("stages").putObject("score").putObject("result").put("note", "star1: scored by the stand-in, not an LLM judge");
        Json.writePretty(tmp.resolve("runs/star1/manifest.json"), m);
        runs.add(Fixtures.write(Files.createDirectories(tmp.resolve("runs/star1/eval")), "Qwen3 STAR-1", "Qwen3-0.6B",
                Fixtures.all(0.05, 0.04, 0.20, 0.08, 0.12, 0.71, 0.62, 0.26)));
        manifest(tmp.resolve("runs/opd"), "onpolicy_distill", 400, 900, 0, 800, 800, true);
        runs.add(Fixtures.write(Files.createDirectories(tmp.resolve("runs/opd/eval")), "Qwen3 OPD", "Qwen3-0.6B",
                Fixtures.all(0.05, 0.04, 0.20, 0.08, 0.12, 0.71, 0.62, 0.26)));
        String md = Files.readString(ReportJob.run(new ReportJob.Options(runs, tmp.resolve("r2"), Map.of(), Map.of(), s -> 1, "chars",
                null)).markdown());
        assertThat(md).contains("| Qwen3 STAR-1 | STAR-1 | 60.0 s |").contains("| Qwen3 OPD | On-policy distillation | 6.7 min | 0.50\u00d7 |")
                .contains("- Qwen3 STAR-1: star1: scored by the stand-in, not an LLM judge.")
                .contains("took 2.0\u00d7 the wall-clock of Qwen3 OPD (On-policy distillation)");
        // the demo's twelve models (the initial one and eleven methods) each get a colour of their own
        assertThat(java.util.stream.IntStream.range(0, 12).mapToObj(Charts::color).distinct().count()).isEqualTo(12);
    }

    @Test
    void withoutAGrpoRunTheTableSaysSoAndGivesNoRatios() throws Exception {
        manifest(tmp.resolve("solo"), "thinksafe", 42, 10, 20, 30, 0, true);
        Path e = Fixtures.write(Files.createDirectories(tmp.resolve("solo/eval")), "Solo", null,
                Fixtures.all(0.05, 0.04, 0.20, 0.08, 0.12, 0.71, 0.62, 0.26));
        String md = Files.readString(ReportJob.run(new ReportJob.Options(List.of(e), tmp.resolve("r"), Map.of(), Map.of(), s -> 1, "chars",
                null)).markdown());
        assertThat(md).contains("| Solo | ThinkSafe | 42.0 s | \u2013 | 60 | \u2013 |").contains("No GRPO run among these models");
    }
}
