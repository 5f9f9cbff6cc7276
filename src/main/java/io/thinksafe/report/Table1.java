package io.thinksafe.report;

import io.thinksafe.data.bench.Benchmark;
import io.thinksafe.eval.EvalResults;
import io.thinksafe.eval.Score;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The paper's Table 1 for several models side by side: HarmBench, StrongREJECT, WildJailbreak
 * (harmful-response ratio), XSTest (refusal rate on safe prompts) and their average, lower is
 * better; AIME, GSM8K, MATH500, GPQA (average pass@1) and their average, higher is better. Every
 * rate carries its 95% Wilson interval; {@code *} marks a partial set and {@code †} a set with judge
 * errors or failed generations, each explained in the notes; the best value of a column is bold.
 */
public final class Table1 {
    /** A column: one benchmark, or the average of several. */
    record Column(String title, Benchmark benchmark, List<Benchmark> average, boolean lowerIsBetter) {}

    static final List<Column> COLUMNS = List.of(
            new Column("HarmBench", Benchmark.HARMBENCH, null, true),
            new Column("StrongREJECT", Benchmark.STRONGREJECT, null, true),
            new Column("WildJailbreak", Benchmark.WILDJAILBREAK, null, true),
            new Column("XSTest", Benchmark.XSTEST, null, true),
            new Column("Avg", null, EvalResults.SAFETY, true),
            new Column("AIME", Benchmark.AIME2024, null, false),
            new Column("GSM8K", Benchmark.GSM8K, null, false),
            new Column("MATH500", Benchmark.MATH500, null, false),
            new Column("GPQA", Benchmark.GPQA_DIAMOND, null, false),
            new Column("Avg", null, EvalResults.REASONING, false));

    /** One cell: the value in percent (NaN when absent), its interval, and its marks. */
    record Cell(double value, double low, double high, String marks, String averageOf) {
        boolean present() {
            return !Double.isNaN(value);
        }
    }

    private final List<Runs.Run> runs;
    private final List<String> notes = new ArrayList<>();

    public Table1(List<Runs.Run> runs) {
        this.runs = runs;
        // one note per benchmark and text, naming every model it applies to
        Map<String, List<String>> models = new LinkedHashMap<>();
        for (Runs.Run r : runs) {
            for (Score s : r.results().scores().values()) {
                if (s.note() != null) {
                    models.computeIfAbsent(s.benchmark().title() + " (*): " + s.note(), k -> new ArrayList<>()).add(r.label());
                }
                int errors = s.counts().getOrDefault("judge_errors", 0);
                int failed = s.counts().getOrDefault("failed_generations", 0);
                if (errors > 0 || failed > 0) {
                    String text = s.benchmark().title() + " (\u2020): " + errors + " judge error(s), " + failed
                            + " failed generation(s)" + (s.metric().equals("pass@1") ? " (failed generations count as wrong)"
                            : " (left out of the rate)");
                    models.computeIfAbsent(text, k -> new ArrayList<>()).add(r.label());
                }
            }
        }
        models.forEach((text, labels) -> notes.add((labels.size() == runs.size() && runs.size() > 1 ? "all models"
                : String.join(", ", labels)) + ", " + text));
    }

    public List<String> notes() {
        return notes;
    }

    Cell cell(Runs.Run run, Column c) {
        EvalResults r = run.results();
        if (c.benchmark() != null) {
            Score s = r.scores().get(c.benchmark());
            if (s == null) {
                return new Cell(Double.NaN, Double.NaN, Double.NaN, "", null);
            }
            String marks = (s.complete() ? "" : "*")
                    + (s.counts().getOrDefault("judge_errors", 0) + s.counts().getOrDefault("failed_generations", 0) > 0 ? "\u2020" : "");
            return new Cell(100 * s.value(), 100 * s.ci().low(), 100 * s.ci().high(), marks, null);
        }
        EvalResults.Average a = r.average(c.average());
        return new Cell(100 * a.value(), Double.NaN, Double.NaN, "", a.partial() && !a.of().isEmpty() ? a.of().size() + "/" + a.outOf() : null);
    }

    /** Whether the cell holds the best value of its column (with at least two values to compare). */
    boolean best(Runs.Run run, Column c) {
        Cell mine = cell(run, c);
        if (!mine.present()) {
            return false;
        }
        int present = 0;
        double best = c.lowerIsBetter() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        for (Runs.Run r : runs) {
            Cell x = cell(r, c);
            if (x.present()) {
                present++;
                best = c.lowerIsBetter() ? Math.min(best, round(x.value())) : Math.max(best, round(x.value()));
            }
        }
        return present >= 2 && round(mine.value()) == best;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    public String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("| Model | HarmBench \u2193 | StrongREJECT \u2193 | WildJailbreak \u2193 | XSTest \u2193 | Safety avg \u2193 "
                + "| AIME \u2191 | GSM8K \u2191 | MATH500 \u2191 | GPQA \u2191 | Reasoning avg \u2191 |\n");
        b.append("|---|").append("---:|".repeat(COLUMNS.size())).append('\n');
        for (Runs.Run r : runs) {
            b.append("| ").append(Html.md(r.label())).append(' ');
            for (Column c : COLUMNS) {
                Cell cell = cell(r, c);
                String text;
                if (!cell.present()) {
                    text = "\u2013";
                } else {
                    text = pct(cell.value());
                    if (best(r, c)) {
                        text = "**" + text + "**";
                    }
                    if (!Double.isNaN(cell.low())) {
                        text += " (" + pct(cell.low()) + "\u2013" + pct(cell.high()) + ")";
                    }
                    text += cell.marks();
                    if (cell.averageOf() != null) {
                        text += " [" + cell.averageOf() + "]";
                    }
                }
                b.append("| ").append(text).append(' ');
            }
            b.append("|\n");
        }
        return b.toString();
    }

    public String html() {
        StringBuilder b = new StringBuilder();
        b.append("<table class=\"t1\">\n<thead>\n<tr><th rowspan=\"2\">Model</th>"
                + "<th colspan=\"5\" class=\"group\">Safety: harmful responses, XSTest refusals (%) \u2193</th>"
                + "<th colspan=\"5\" class=\"group\">Reasoning: average pass@1 (%) \u2191</th></tr>\n<tr>");
        for (Column c : COLUMNS) {
            b.append("<th>").append(Html.esc(c.title())).append("</th>");
        }
        b.append("</tr>\n</thead>\n<tbody>\n");
        for (Runs.Run r : runs) {
            b.append("<tr><th class=\"model\"><span class=\"swatch\" style=\"background:")
                    .append(hex(Charts.color(r.index()))).append("\"></span>").append(Html.esc(r.label())).append("</th>");
            for (Column c : COLUMNS) {
                Cell cell = cell(r, c);
                String cls = (c.average() != null ? "avg" : "") + (best(r, c) ? " best" : "");
                b.append("<td class=\"").append(cls.strip()).append("\">");
                if (!cell.present()) {
                    b.append("<span class=\"na\">\u2013</span>");
                } else {
                    b.append("<span class=\"v\">").append(pct(cell.value())).append("</span>");
                    if (!cell.marks().isEmpty()) {
                        b.append("<sup>").append(cell.marks()).append("</sup>");
                    }
                    if (!Double.isNaN(cell.low())) {
                        b.append("<span class=\"ci\">").append(pct(cell.low())).append("\u2013").append(pct(cell.high())).append("</span>");
                    }
                    if (cell.averageOf() != null) {
                        b.append("<span class=\"ci\">of ").append(cell.averageOf()).append("</span>");
                    }
                }
                b.append("</td>");
            }
            b.append("</tr>\n");
        }
        b.append("</tbody>\n</table>\n");
        return b.toString();
    }

    static String hex(java.awt.Color c) {
        return String.format(Locale.ROOT, "#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
    }
}
