package io.thinksafe.report;

import io.thinksafe.ThinkSafeException;
import io.thinksafe.util.AtomicFiles;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code thinksafe report}: Table 1 for every evaluated model, the trade-off figure, safety and
 * reasoning against cost (Figure 3, for models made by {@code thinksafe run}) with each method's cost
 * as a ratio to GRPO's, per-benchmark details, and optionally the training data's length statistics
 * and the datasets' perplexities.
 * Writes {@code OUT/report.md} (images beside it in {@code plots/}) and {@code OUT/report.html}, one
 * self-contained page (inline CSS, images as data URIs) that can be mailed or archived as it is.
 */
public final class ReportJob {
    /**
     * @param runs        eval directories, results files, or directories holding several
     * @param training    training sets by name (JSONL: instruction, response, prompt_label)
     * @param perplexity  perplexity files by name (see {@link PerplexityFile})
     * @param lengthUnit  "tokens" when {@code length} counts tokens, else "words"
     */
    public record Options(List<Path> runs, Path out, Map<String, Path> training, Map<String, Path> perplexity,
                          java.util.function.ToIntFunction<String> length, String lengthUnit, String title) {}

    /** What was written. */
    public record Written(Path markdown, Path html, List<Path> plots) {}

    private ReportJob() {}

    public static Written run(Options o) {
        List<Runs.Run> runs = Runs.load(o.runs());
        if (runs.isEmpty()) {
            throw new ThinkSafeException("no evaluations to report");
        }
        Table1 table = new Table1(runs);
        Map<String, byte[]> plots = new LinkedHashMap<>();
        byte[] tradeoff = TradeoffPlot.png(runs);
        if (tradeoff != null) {
            plots.put("tradeoff.png", tradeoff);
        }
        List<Costs.Cost> costs = Costs.of(runs);
        for (CostPlot.Axis axis : CostPlot.Axis.values()) {
            byte[] png = CostPlot.png(costs, axis);
            if (png != null) {
                plots.put(costPlot(axis), png);
            }
        }
        List<TrainingStats> stats = new ArrayList<>();
        o.training().forEach((name, file) -> {
            TrainingStats s = TrainingStats.read(name, file, o.length(), o.lengthUnit());
            stats.add(s);
            plots.put("lengths-" + slug(name) + ".png", s.histogramPng());
        });
        List<PerplexityFile> ppl = new ArrayList<>();
        o.perplexity().forEach((name, file) -> ppl.add(PerplexityFile.read(name, file)));
        if (!ppl.isEmpty()) {
            plots.put("perplexity.png", PerplexityChart.png(ppl));
        }
        // sections that kinds of run add (issue 16): an iterative run's rounds, a warm-started GRPO next to plain GRPO
        List<ReportSection> sections = new ArrayList<>();
        java.util.stream.Stream.of(RoundsSection.of(runs), WarmStartSection.of(costs)).filter(java.util.Objects::nonNull).forEach(sections::add);
        sections.forEach(x -> plots.putAll(x.plots()));
        String created = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        ReportText text = new ReportText(o.title() != null ? o.title() : "ThinkSafe evaluation", created, runs, table,
                TradeoffPlot.points(runs), costs, stats, ppl).with(sections);
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : plots.entrySet()) {
            Path p = o.out().resolve("plots").resolve(e.getKey());
            AtomicFiles.write(p, out -> out.write(e.getValue()));
            written.add(p);
        }
        Path md = o.out().resolve("report.md");
        AtomicFiles.writeString(md, text.markdown(name -> "plots/" + name, plots.keySet()));
        Map<String, String> dataUris = new LinkedHashMap<>();
        plots.forEach((name, bytes) -> dataUris.put(name, "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes)));
        Path html = o.out().resolve("report.html");
        AtomicFiles.writeString(html, text.html(dataUris));
        return new Written(md, html, written);
    }

    /** The file name of the cost figure along {@code axis}. */
    static String costPlot(CostPlot.Axis axis) {
        return "cost-" + axis.name().toLowerCase(Locale.ROOT) + ".png";
    }

    static String slug(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        return s.isEmpty() ? "set" : s;
    }

    /** The label of the file: {@code NAME=FILE} gives NAME, a bare FILE its name without extension. */
    public static String nameOf(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
