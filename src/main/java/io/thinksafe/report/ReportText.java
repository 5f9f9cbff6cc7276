package io.thinksafe.report;

import io.thinksafe.eval.EvalResults;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** The report's words and tables, as Markdown and as one HTML page. */
final class ReportText {
    private static final String CSS = """
            body { font-family: -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; color: #222; margin: 28px auto;
                   max-width: 1320px; padding: 0 20px; line-height: 1.45; background: #fff; }
            h1 { font-size: 26px; margin-bottom: 4px; } h2 { font-size: 20px; margin-top: 34px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
            h3 { font-size: 16px; margin-top: 22px; }
            .meta { color: #666; font-size: 13px; }
            table { border-collapse: collapse; margin: 12px 0; font-size: 14px; }
            th, td { border: 1px solid #d8d8d8; padding: 5px 8px; }
            thead th { background: #f3f5f8; font-weight: 600; text-align: center; }
            th.group { background: #e6ebf2; }
            th.model { text-align: left; white-space: nowrap; font-weight: 600; background: #fafafa; }
            .scroll { overflow-x: auto; }
            table.t1 td { text-align: right; white-space: nowrap; min-width: 64px; }
            td.avg { background: #f7f7fb; }
            td.best .v { font-weight: 700; }
            .ci { display: block; color: #777; font-size: 11px; }
            .na { color: #aaa; }
            sup { color: #b35900; }
            .swatch { display: inline-block; width: 11px; height: 11px; border-radius: 50%; margin-right: 7px; vertical-align: baseline; }
            table.detail td.num { text-align: right; white-space: nowrap; }
            table.detail td { font-size: 13px; vertical-align: top; }
            code { font-size: 12px; color: #444; word-break: break-all; }
            .notes { font-size: 13px; color: #444; } .notes li { margin: 2px 0; }
            figure { margin: 16px 0; } figure img { border: 1px solid #e2e2e2; max-width: 100%; }
            figcaption { font-size: 13px; color: #555; margin-top: 4px; }
            """;

    private final String title;
    private final String created;
    private final List<Runs.Run> runs;
    private final Table1 table;
    private final List<TradeoffPlot.Point> points;
    private final List<Costs.Cost> costs;
    private final List<TrainingStats> stats;
    private final List<PerplexityFile> perplexity;
    private List<ReportSection> sections = List.of();

    ReportText(String title, String created, List<Runs.Run> runs, Table1 table, List<TradeoffPlot.Point> points,
               List<Costs.Cost> costs, List<TrainingStats> stats, List<PerplexityFile> perplexity) {
        this.costs = costs;
        this.title = title;
        this.created = created;
        this.runs = runs;
        this.table = table;
        this.points = points;
        this.stats = stats;
        this.perplexity = perplexity;
    }

    /** Adds sections that follow the cost comparison. */
    ReportText with(List<ReportSection> extra) {
        this.sections = List.copyOf(extra);
        return this;
    }

    private static final String METHOD = "Harmful-response ratio: share of responses the safety judge calls unsafe (one sample per prompt, "
            + "reasoning included). XSTest: share of its 250 safe prompts WildGuard calls refused. Reasoning: mean correctness over "
            + "all samples per problem (average pass@1). Brackets: 95% Wilson intervals (for pass@1 over problems, which is "
            + "conservative). Averages are plain means of the columns present.";

    String markdown(Function<String, String> image, Collection<String> plots) {
        StringBuilder b = new StringBuilder("# ").append(title).append("\n\n");
        b.append("Generated ").append(created).append(" by `thinksafe report` from ").append(runs.size()).append(" evaluation(s).\n\n");
        b.append("## Table 1\n\n").append(table.markdown()).append('\n').append(METHOD).append("\n\n");
        notes(b, true);
        if (plots.contains("tradeoff.png")) {
            b.append("## Harmfulness vs. reasoning\n\n![Harmfulness vs. reasoning](").append(image.apply("tradeoff.png")).append(")\n\n");
        }
        unplotted().forEach(s -> b.append("- ").append(s).append('\n'));
        if (!costs.isEmpty()) {
            b.append("\n## Safety and reasoning against cost\n\n");
            for (CostPlot.Axis axis : CostPlot.Axis.values()) {
                String name = ReportJob.costPlot(axis);
                if (plots.contains(name)) {
                    b.append("![Safety and reasoning vs. ").append(axis.name().toLowerCase(Locale.ROOT)).append("](")
                            .append(image.apply(name)).append(")\n\n");
                }
            }
            b.append(new CostTable(costs).markdown());
        }
        sections.forEach(x -> b.append('\n').append(x.markdown(image)));
        b.append("\n## Runs\n\n");
        for (Runs.Run r : runs) {
            b.append("### ").append(r.label()).append("\n\n").append(runMeta(r)).append("\n\n").append(DetailTable.markdown(r)).append('\n');
        }
        if (!stats.isEmpty()) {
            b.append("## Training data\n\n");
            for (TrainingStats s : stats) {
                b.append("### ").append(s.name()).append("\n\n`").append(s.file()).append("`\n\n").append(statsMarkdown(s)).append('\n');
                b.append("![Response lengths](").append(image.apply("lengths-" + ReportJob.slug(s.name()) + ".png")).append(")\n\n");
            }
        }
        if (!perplexity.isEmpty()) {
            b.append("## Perplexity of the datasets\n\n").append(perplexityMarkdown()).append('\n');
            b.append("![Perplexity](").append(image.apply("perplexity.png")).append(")\n\n");
        }
        return b.toString();
    }

    String html(Map<String, String> images) {
        StringBuilder b = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(Html.esc(title)).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        b.append("<h1>").append(Html.esc(title)).append("</h1>\n<p class=\"meta\">Generated ").append(Html.esc(created))
                .append(" by <code>thinksafe report</code> from ").append(runs.size()).append(" evaluation(s).</p>\n");
        b.append("<h2>Table 1</h2>\n<div class=\"scroll\">").append(table.html()).append("</div>\n").append("<p class=\"meta\">").append(Html.esc(METHOD)).append("</p>\n");
        StringBuilder notes = new StringBuilder();
        notes(notes, false);
        b.append(notes);
        if (images.containsKey("tradeoff.png")) {
            b.append("<h2>Harmfulness vs. reasoning</h2>\n<figure id=\"tradeoff\"><img alt=\"Harmfulness vs. reasoning\" width=\"")
                    .append(TradeoffPlot.WIDTH).append("\" height=\"").append(TradeoffPlot.HEIGHT).append("\" src=\"")
                    .append(images.get("tradeoff.png")).append("\"><figcaption>One point per model; arrows go from an initial model "
                            + "to its aligned version. Lower is safer, further right reasons better.</figcaption></figure>\n");
        }
        List<String> missing = unplotted();
        if (!missing.isEmpty()) {
            b.append("<ul class=\"notes\">");
            missing.forEach(s -> b.append("<li>").append(Html.esc(s)).append("</li>"));
            b.append("</ul>\n");
        }
        if (!costs.isEmpty()) {
            b.append("<h2>Safety and reasoning against cost</h2>\n");
            for (CostPlot.Axis axis : CostPlot.Axis.values()) {
                String name = ReportJob.costPlot(axis);
                if (images.containsKey(name)) {
                    b.append("<figure id=\"cost-").append(axis.name().toLowerCase(Locale.ROOT)).append("\"><img alt=\"Safety and reasoning vs. ")
                            .append(axis.name().toLowerCase(Locale.ROOT)).append("\" width=\"").append(CostPlot.WIDTH).append("\" height=\"")
                            .append(CostPlot.HEIGHT).append("\" src=\"").append(images.get(name)).append("\"><figcaption>Circles: harmful-response "
                                    + "ratio (lower is safer); squares: reasoning pass@1 (higher is better); further left cost less.</figcaption></figure>\n");
                }
            }
            b.append(new CostTable(costs).html());
        }
        sections.forEach(x -> b.append(x.html(images)));
        b.append("<h2>Runs</h2>\n");
        for (Runs.Run r : runs) {
            b.append("<h3><span class=\"swatch\" style=\"background:").append(Table1.hex(Charts.color(r.index()))).append("\"></span>")
                    .append(Html.esc(r.label())).append("</h3>\n<p class=\"meta\">").append(Html.esc(runMeta(r))).append("</p>\n")
                    .append(DetailTable.html(r));
        }
        if (!stats.isEmpty()) {
            b.append("<h2>Training data</h2>\n");
            for (TrainingStats s : stats) {
                String img = "lengths-" + ReportJob.slug(s.name()) + ".png";
                b.append("<h3>").append(Html.esc(s.name())).append("</h3>\n<p class=\"meta\"><code>").append(Html.esc(s.file().toString()))
                        .append("</code></p>\n").append(statsHtml(s)).append("<figure><img alt=\"Response lengths of ")
                        .append(Html.esc(s.name())).append("\" src=\"").append(images.get(img)).append("\"></figure>\n");
            }
        }
        if (!perplexity.isEmpty()) {
            b.append("<h2>Perplexity of the datasets</h2>\n").append(perplexityHtml()).append("<figure><img alt=\"Perplexity\" src=\"")
                    .append(images.get("perplexity.png")).append("\"></figure>\n");
        }
        return b.append("</body>\n</html>\n").toString();
    }

    private void notes(StringBuilder b, boolean markdown) {
        if (table.notes().isEmpty()) {
            return;
        }
        if (markdown) {
            b.append("Notes:\n\n");
            table.notes().forEach(n -> b.append("- ").append(n).append('\n'));
            b.append('\n');
        } else {
            b.append("<ul class=\"notes\">");
            table.notes().forEach(n -> b.append("<li>").append(Html.esc(n)).append("</li>"));
            b.append("</ul>\n");
        }
    }

    private List<String> unplotted() {
        List<String> out = new ArrayList<>();
        for (TradeoffPlot.Point p : points) {
            if (!p.plotted()) {
                out.add(p.run().label() + " is not in the figure: it needs both a safety set (HarmBench, StrongREJECT or "
                        + "WildJailbreak) and a reasoning set.");
            }
        }
        return out;
    }

    private static String runMeta(Runs.Run r) {
        EvalResults e = r.results();
        List<String> parts = new ArrayList<>();
        parts.add("model " + e.model());
        if (e.baseline() != null) {
            parts.add("aligned from " + e.baseline());
        }
        parts.add("family " + e.family());
        e.judges().forEach((role, name) -> parts.add(role + " judge " + name));
        parts.add("seed " + e.config().path("seed").asText() + ", " + e.config().path("samples_per_problem").asText()
                + " samples per problem, max " + e.config().path("max_new_tokens").asText() + " new tokens"
                + (e.config().has("sampling") ? ", sampling " + e.config().get("sampling") : ""));
        parts.add("evaluated " + e.created());
        parts.add(r.dir().toString());
        return String.join("; ", parts);
    }

    private static String statsMarkdown(TrainingStats s) {
        StringBuilder b = new StringBuilder("| Label | Examples | Closed think | Response mean / median / p90 | Reasoning mean / median | Answer mean / median |\n");
        b.append("|---|---:|---:|---:|---:|---:|\n");
        for (TrainingStats.Group g : s.groups().values()) {
            b.append("| ").append(g.label()).append(" | ").append(g.whole().n()).append(" | ").append(g.closedThink()).append(" | ")
                    .append(f(g.whole().mean())).append(" / ").append(f(g.whole().median())).append(" / ").append(f(g.whole().p90()))
                    .append(" | ").append(f(g.reasoning().mean())).append(" / ").append(f(g.reasoning().median())).append(" | ")
                    .append(f(g.answer().mean())).append(" / ").append(f(g.answer().median())).append(" |\n");
        }
        return b.append("\nLengths in ").append(s.unit()).append(".\n").toString();
    }

    private static String statsHtml(TrainingStats s) {
        StringBuilder b = new StringBuilder("<table class=\"detail\"><thead><tr><th>Label</th><th>Examples</th><th>Closed think</th>"
                + "<th>Response mean / median / p90</th><th>Reasoning mean / median</th><th>Answer mean / median</th></tr></thead><tbody>\n");
        for (TrainingStats.Group g : s.groups().values()) {
            b.append("<tr><td>").append(Html.esc(g.label())).append("</td><td class=\"num\">").append(g.whole().n())
                    .append("</td><td class=\"num\">").append(g.closedThink()).append("</td><td class=\"num\">").append(f(g.whole().mean()))
                    .append(" / ").append(f(g.whole().median())).append(" / ").append(f(g.whole().p90())).append("</td><td class=\"num\">")
                    .append(f(g.reasoning().mean())).append(" / ").append(f(g.reasoning().median())).append("</td><td class=\"num\">")
                    .append(f(g.answer().mean())).append(" / ").append(f(g.answer().median())).append("</td></tr>\n");
        }
        return b.append("</tbody></table><p class=\"meta\">Lengths in ").append(Html.esc(s.unit())).append(".</p>\n").toString();
    }

    private String perplexityMarkdown() {
        StringBuilder b = new StringBuilder("| Dataset | Model | Examples | Tokens | Perplexity | Per-example median (p10\u2013p90) |\n");
        b.append("|---|---|---:|---:|---:|---:|\n");
        for (PerplexityFile p : perplexity) {
            Distribution d = p.distribution();
            b.append("| ").append(Html.md(p.name())).append(" | ").append(Html.md(p.model() == null ? "" : p.model())).append(" | ")
                    .append(p.examples().size()).append(" | ").append(p.tokens()).append(" | ").append(f2(p.overall())).append(" | ")
                    .append(d.n() == 0 ? "\u2013" : f2(d.median()) + " (" + f2(d.p10()) + "\u2013" + f2(d.p90()) + ")").append(" |\n");
        }
        perplexity.stream().filter(p -> p.note() != null).forEach(p -> b.append("\n- ").append(p.name()).append(": ").append(p.note()));
        return b.append('\n').toString();
    }

    private String perplexityHtml() {
        StringBuilder b = new StringBuilder("<table class=\"detail\"><thead><tr><th>Dataset</th><th>Model</th><th>Examples</th><th>Tokens</th>"
                + "<th>Perplexity</th><th>Per-example median (p10\u2013p90)</th></tr></thead><tbody>\n");
        for (PerplexityFile p : perplexity) {
            Distribution d = p.distribution();
            b.append("<tr><td>").append(Html.esc(p.name())).append("</td><td>").append(Html.esc(p.model())).append("</td><td class=\"num\">")
                    .append(p.examples().size()).append("</td><td class=\"num\">").append(p.tokens()).append("</td><td class=\"num\">")
                    .append(f2(p.overall())).append("</td><td class=\"num\">")
                    .append(d.n() == 0 ? "\u2013" : f2(d.median()) + " (" + f2(d.p10()) + "\u2013" + f2(d.p90()) + ")").append("</td></tr>\n");
        }
        b.append("</tbody></table>\n");
        perplexity.stream().filter(p -> p.note() != null)
                .forEach(p -> b.append("<p class=\"meta\">").append(Html.esc(p.name() + ": " + p.note())).append("</p>\n"));
        return b.toString();
    }

    private static String f(double v) {
        return Double.isNaN(v) ? "\u2013" : String.format(Locale.ROOT, "%.0f", v);
    }

    private static String f2(double v) {
        return Double.isNaN(v) ? "\u2013" : String.format(Locale.ROOT, "%.2f", v);
    }
}
