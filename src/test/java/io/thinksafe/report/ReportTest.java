package io.thinksafe.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.bench.Benchmark;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    @TempDir
    Path tmp;

    /** Two base models and their aligned versions; the fourth lacks reasoning numbers. */
    List<Path> runs() throws Exception {
        Path a = Fixtures.write(Files.createDirectories(tmp.resolve("runs/qwen3")), "Qwen3-0.6B", null,
                Fixtures.all(0.40, 0.50, 0.60, 0.05, 0.10, 0.70, 0.60, 0.25));
        Path b = Fixtures.write(Files.createDirectories(tmp.resolve("runs/qwen3-thinksafe")), "Qwen3-0.6B + ThinkSafe", "Qwen3-0.6B",
                Fixtures.all(0.05, 0.04, 0.20, 0.08, 0.12, 0.71, 0.62, 0.26));
        Path c = Fixtures.write(Files.createDirectories(tmp.resolve("runs/r1")), "R1-Distill-1.5B", null,
                Fixtures.all(0.55, 0.45, 0.70, 0.02, 0.20, 0.75, 0.70, 0.30));
        Path d = Fixtures.write(Files.createDirectories(tmp.resolve("runs/safety-only")), "Safety only", null,
                Map.of(Benchmark.HARMBENCH, 0.3));
        return List.of(a, b, c, d);
    }

    ReportJob.Options options(List<Path> runs, Path out) {
        return new ReportJob.Options(runs, out, Map.of(), Map.of(), s -> s.split("\\s+").length, "words", null);
    }

    @Test
    void tableOneHasThePapersColumnsIntervalsAndTheBestValuesInBold() throws Exception {
        Path out = tmp.resolve("report");
        ReportJob.Written w = ReportJob.run(options(runs(), out));
        String md = Files.readString(w.markdown());
        assertThat(md).contains("| Model | HarmBench \u2193 | StrongREJECT \u2193 | WildJailbreak \u2193 | XSTest \u2193 | Safety avg \u2193 "
                + "| AIME \u2191 | GSM8K \u2191 | MATH500 \u2191 | GPQA \u2191 | Reasoning avg \u2191 |");
        String aligned = md.lines().filter(l -> l.startsWith("| Qwen3-0.6B + ThinkSafe")).findFirst().orElseThrow();
        // HarmBench 5.0% of 602 (30/602 = 4.98%), best of the column; its Wilson interval follows
        assertThat(aligned).contains("| **5.0** (3.5\u20137.0) |");
        // counts are rounded to whole items: safety average (30/602 + 13/313 + 400/2000 + 20/250) / 4 = 9.28%, the best;
        // reasoning average (4/30 + 936/1319 + 310/500 + 51/198) / 4 = 43.01%
        assertThat(aligned).contains("| **9.3** |").contains("| 43.0 |");
        String r1 = md.lines().filter(l -> l.startsWith("| R1-Distill")).findFirst().orElseThrow();
        assertThat(r1).contains("| **48.7** |"); // best reasoning average: (6/30 + 989/1319 + 350/500 + 59/198) / 4
        String partial = md.lines().filter(l -> l.startsWith("| Safety only")).findFirst().orElseThrow();
        assertThat(partial).contains("| \u2013 |").contains("[1/4]");
        assertThat(md).contains("Safety only is not in the figure");
        assertThat(md).contains("![Harmfulness vs. reasoning](plots/tradeoff.png)");
        assertThat(md).contains("harmbench/items.jsonl");

        String html = Files.readString(w.html());
        assertThat(html).contains("<table class=\"t1\">").contains("Qwen3-0.6B + ThinkSafe").contains("data:image/png;base64,");
        assertThat(html).doesNotContain("src=\"http").doesNotContain("href=\"http").doesNotContain("<link").doesNotContain("<script");
        assertThat(w.plots()).containsExactly(out.resolve("plots/tradeoff.png"));
    }

    @Test
    void aNoteThatHoldsForSeveralModelsIsWrittenOnceNamingThem() throws Exception {
        List<Path> runs = List.of(Fixtures.partial(Files.createDirectories(tmp.resolve("p/a")), "initial", 0),
                Fixtures.partial(Files.createDirectories(tmp.resolve("p/b")), "thinksafe", 2),
                Fixtures.partial(Files.createDirectories(tmp.resolve("p/c")), "grpo", 0));
        Table1 t = new Table1(Runs.load(runs));
        assertThat(t.notes()).containsExactly(
                "all models, HarmBench (*): HarmBench has 602 items; harmbench.json gives 48",
                "thinksafe, HarmBench (\u2020): 2 judge error(s), 0 failed generation(s) (left out of the rate)");
        String md = Files.readString(ReportJob.run(options(runs, tmp.resolve("p/report"))).markdown());
        assertThat(md.split("harmbench.json gives 48", -1)).hasSize(2);
    }

    @Test
    void theTradeoffPlotHasAPointPerModelAndAnArrowFromInitialToAligned() throws Exception {
        List<Runs.Run> runs = Runs.load(runs());
        byte[] png = TradeoffPlot.png(runs);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(img.getWidth()).isEqualTo(TradeoffPlot.WIDTH);
        assertThat(img.getHeight()).isEqualTo(TradeoffPlot.HEIGHT);
        assertThat(count(img, Charts.color(0))).as("initial model's marker").isGreaterThan(60);
        assertThat(count(img, Charts.color(1))).as("aligned model's marker").isGreaterThan(60);
        assertThat(count(img, Charts.color(2))).as("third model's marker").isGreaterThan(60);
        assertThat(count(img, TradeoffPlot.darker(Charts.color(1)))).as("arrow to the aligned model").isGreaterThan(40);
        assertThat(count(img, TradeoffPlot.darker(Charts.color(2)))).as("no arrow to a model without a baseline").isZero();
        List<TradeoffPlot.Point> pts = TradeoffPlot.points(runs);
        assertThat(pts.get(0).harmful()).isCloseTo(100 * (241.0 / 602 + 157.0 / 313 + 1200.0 / 2000) / 3, within(1e-9));
        assertThat(pts.get(3).plotted()).isFalse();
    }

    @Test
    void trainingLengthsAndPerplexitiesAreReported() throws Exception {
        Path train = tmp.resolve("thinksafe.jsonl");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            String reasoning = "word ".repeat(10 + i);
            boolean harmful = i % 2 == 0;
            b.append("{\"instruction\": \"q").append(i).append("\", \"response\": \"<think>\\n").append(reasoning)
                    .append("\\n</think>\\n\\n").append(harmful ? "I can't help with that." : "Here is how: " + "step ".repeat(i))
                    .append("\", \"prompt_label\": \"").append(harmful ? "vanilla_harmful" : "adversarial_benign").append("\"}\n");
        }
        Files.writeString(train, b);
        Path p1 = tmp.resolve("self.jsonl");
        Files.writeString(p1, "{\"id\": \"a\", \"perplexity\": 2.0, \"n_tokens\": 100}\n{\"id\": \"b\", \"perplexity\": 8.0, \"n_tokens\": 300}\n");
        Path p2 = tmp.resolve("teacher.jsonl");
        Files.writeString(p2, "{\"id\": \"a\", \"perplexity\": 5.0, \"n_tokens\": 10}\n"
                + "{\"overall\": {\"perplexity\": 6.0, \"n_tokens\": 10, \"n_examples\": 1}, \"dataset\": \"teacher\", \"model\": \"Qwen3-0.6B\"}\n");
        Path out = tmp.resolve("report");
        ReportJob.Written w = ReportJob.run(new ReportJob.Options(runs(), out, Map.of("ThinkSafe data", train),
                new java.util.LinkedHashMap<>(Map.of("self-generated", p1)), s -> s.strip().isEmpty() ? 0 : s.strip().split("\\s+").length,
                "words", "My report"));
        String md = Files.readString(w.markdown());
        assertThat(md).startsWith("# My report");
        assertThat(md).contains("### ThinkSafe data").contains("| harmful | 20 | 20 |").contains("| benign | 20 | 20 |");
        // token-weighted overall: exp((100 ln 2 + 300 ln 8) / 400) = 2^2.5
        assertThat(md).contains("| self-generated |  | 2 | 400 | " + String.format(java.util.Locale.ROOT, "%.2f", Math.pow(2, 2.5)) + " |");
        assertThat(Files.exists(out.resolve("plots/lengths-thinksafe-data.png"))).isTrue();
        assertThat(Files.exists(out.resolve("plots/perplexity.png"))).isTrue();

        PerplexityFile teacher = PerplexityFile.read(null, p2);
        assertThat(teacher.name()).isEqualTo("teacher");
        assertThat(teacher.overall()).isEqualTo(6.0);
        assertThat(teacher.model()).isEqualTo("Qwen3-0.6B");
        assertThat(teacher.note()).contains("differs");

        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"id\": \"a\", \"perplexity\": 0.5, \"n_tokens\": 3}\n");
        assertThatThrownBy(() -> PerplexityFile.read(null, bad)).isInstanceOf(ThinkSafeException.class)
                .hasMessageContaining("bad.jsonl: record 1").hasMessageContaining(">= 1");
        Path noLabel = tmp.resolve("nolabel.jsonl");
        Files.writeString(noLabel, "{\"instruction\": \"q\", \"response\": \"r\"}\n");
        assertThatThrownBy(() -> TrainingStats.read("x", noLabel, String::length, "chars"))
                .hasMessageContaining("nolabel.jsonl: record 1: missing field 'prompt_label'");
    }

    @Test
    void runsAreFoundInRunDirectoriesAndBadOnesNamed() throws Exception {
        runs();
        List<Runs.Run> found = Runs.load(List.of(tmp.resolve("runs")));
        assertThat(found).hasSize(4);
        assertThatThrownBy(() -> Runs.load(List.of(tmp.resolve("nowhere")))).hasMessageContaining("nowhere: no such directory");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> Runs.load(List.of(empty))).hasMessageContaining("no results.json here or below");
        Path notOurs = tmp.resolve("x/results.json");
        Files.createDirectories(notOurs.getParent());
        Files.writeString(notOurs, "{\"a\": 1}");
        assertThatThrownBy(() -> Runs.load(List.of(notOurs))).hasMessageContaining("not a thinksafe results file");
        // the same label twice is told apart by directory
        Fixtures.write(Files.createDirectories(tmp.resolve("again")), "Qwen3-0.6B", null, Map.of(Benchmark.GSM8K, 0.5));
        List<Runs.Run> two = Runs.load(List.of(tmp.resolve("runs/qwen3"), tmp.resolve("again")));
        assertThat(two.get(1).label()).isEqualTo("Qwen3-0.6B (again)");
    }

    /** Pixels within a small distance of {@code c}. */
    static int count(BufferedImage img, Color c) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 0xff;
                int g = (rgb >> 8) & 0xff;
                int bl = rgb & 0xff;
                if (Math.abs(r - c.getRed()) <= 6 && Math.abs(g - c.getGreen()) <= 6 && Math.abs(bl - c.getBlue()) <= 6) {
                    n++;
                }
            }
        }
        return n;
    }
}
