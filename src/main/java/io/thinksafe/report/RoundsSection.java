package io.thinksafe.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinksafe.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Iterative ThinkSafe runs among the evaluated models: per round, the held-out probe's safe rate and
 * its gain, the evaluation's harm, over-refusal and reasoning (when the run evaluated its rounds), the
 * training set's size, and the round's and the cumulative cost; which round the run kept and why it
 * stopped; a figure of the rates by round.
 */
final class RoundsSection implements ReportSection {
    /** One iterative run: its name and the {@code rounds} node of its manifest. */
    record Run(String name, Path manifest, JsonNode rounds) {}

    private final List<Run> runs;

    private RoundsSection(List<Run> runs) {
        this.runs = runs;
    }

    /** The section for the iterative runs that made any of these models, or null when none did. */
    static RoundsSection of(List<Runs.Run> evaluated) {
        Set<Path> seen = new LinkedHashSet<>();
        List<Run> out = new ArrayList<>();
        for (Runs.Run r : evaluated) {
            Path m = Costs.manifestOf(r);
            if (m == null || !seen.add(m)) {
                continue;
            }
            JsonNode json = Json.read(m);
            if (json.has("rounds")) {
                out.add(new Run(m.getParent().getFileName().toString(), m, json.get("rounds")));
            }
        }
        return out.isEmpty() ? null : new RoundsSection(out);
    }

    static final String[] HEADER = {"Round", "Status", "Held-out safe", "Gain", "Harmful \u2193", "Over-refusal \u2193", "Reasoning \u2191",
        "Examples", "Wall-clock", "Cumulative", "Cumulative tokens"};

    List<String[]> rows(Run run) {
        List<String[]> out = new ArrayList<>();
        for (JsonNode r : run.rounds().path("table")) {
            out.add(new String[] {String.valueOf(r.path("round").asInt()), r.path("status").asText(), pct(r.path("probe_safe_rate")),
                r.path("gain").isNumber() ? String.format(Locale.ROOT, "%+.1f pts", 100 * r.path("gain").asDouble()) : "\u2013",
                pct(r.path("harmful_avg")), pct(r.path("over_refusal")), pct(r.path("reasoning_avg")),
                r.has("examples") ? String.valueOf(r.path("examples").asInt()) : "\u2013",
                Costs.duration(r.path("cost").path("seconds").asDouble()), Costs.duration(r.path("cumulative_seconds").asDouble()),
                Costs.count(r.path("cumulative_tokens").asLong())});
        }
        return out;
    }

    List<String> sentences(Run run) {
        JsonNode r = run.rounds();
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "%s: %d rounds at most, %s mode (%s), early stop below a gain of %s on %d held-out harmful prompts.",
                run.name(), r.path("rounds").asInt(), r.path("mode").asText(),
                r.path("mode").asText().equals("continue") ? "each round trains the previous round's adapter on its own data"
                        : "each round trains a fresh adapter on every round's data",
                String.format(Locale.ROOT, "%.1f points", 100 * r.path("min_gain").asDouble()), r.path("heldout_prompts").asInt()));
        if (r.path("stopped").isTextual()) {
            out.add(capital(r.path("stopped").asText()) + ".");
        }
        out.add("The run keeps round " + r.path("final_round").asInt() + " (the highest held-out safe rate; the earliest on a tie)"
                + (r.has("final_adapter") ? ": " + r.path("final_adapter").asText() : "") + ".");
        return out;
    }

    private static String capital(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    static final String NOTE = "Held-out safe: one unsteered sample of each held-out harmful prompt from the round's model, judged by "
            + "the run's guard (round 0: the student before training); gain: over the round before. Harmful (HarmBench, "
            + "StrongREJECT, WildJailbreak average), over-refusal (XSTest) and reasoning (average pass@1): the run's eval of "
            + "each round, when it has one. Wall-clock and tokens: the round's stages, its probe included (evaluation is "
            + "measurement, not part of the method).";

    @Override
    public String markdown(Function<String, String> image) {
        StringBuilder b = new StringBuilder("## Iterative ThinkSafe: rounds\n\n");
        for (Run run : runs) {
            b.append("### ").append(run.name()).append("\n\n|");
            for (String h : HEADER) {
                b.append(' ').append(h).append(" |");
            }
            b.append("\n|---|---|").append("---:|".repeat(HEADER.length - 2)).append('\n');
            for (String[] row : rows(run)) {
                b.append('|');
                for (String c : row) {
                    b.append(' ').append(Html.md(c)).append(" |");
                }
                b.append('\n');
            }
            b.append('\n');
            sentences(run).forEach(s -> b.append("- ").append(s).append('\n'));
            b.append("\n![Rounds of ").append(run.name()).append("](").append(image.apply(plotName(run))).append(")\n\n");
        }
        return b.append(NOTE).append("\n\n").toString();
    }

    @Override
    public String html(Map<String, String> images) {
        StringBuilder b = new StringBuilder("<h2>Iterative ThinkSafe: rounds</h2>\n");
        for (Run run : runs) {
            b.append("<h3>").append(Html.esc(run.name())).append("</h3>\n<table class=\"detail\" id=\"rounds-")
                    .append(Html.esc(ReportJob.slug(run.name()))).append("\"><thead><tr>");
            for (String h : HEADER) {
                b.append("<th>").append(Html.esc(h)).append("</th>");
            }
            b.append("</tr></thead><tbody>\n");
            for (String[] row : rows(run)) {
                b.append("<tr>");
                for (int i = 0; i < row.length; i++) {
                    b.append(i < 2 ? "<td>" : "<td class=\"num\">").append(Html.esc(row[i])).append("</td>");
                }
                b.append("</tr>\n");
            }
            b.append("</tbody></table>\n<ul class=\"notes\">");
            sentences(run).forEach(s -> b.append("<li>").append(Html.esc(s)).append("</li>"));
            b.append("</ul>\n<figure><img alt=\"Rounds of ").append(Html.esc(run.name())).append("\" src=\"")
                    .append(images.get(plotName(run))).append("\"></figure>\n");
        }
        return b.append("<p class=\"meta\">").append(Html.esc(NOTE)).append("</p>\n").toString();
    }

    static String plotName(Run run) {
        return "rounds-" + ReportJob.slug(run.name()) + ".png";
    }

    @Override
    public Map<String, byte[]> plots() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Run run : runs) {
            out.put(plotName(run), png(run));
        }
        return out;
    }

    private static byte[] png(Run run) {
        Charts.headless();
        XYChart chart = new XYChartBuilder().width(720).height(420).title("Rounds of " + run.name())
                .xAxisTitle("round (0: before training)").yAxisTitle("%").build();
        Charts.style(chart.getStyler());
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(100.0);
        String[][] series = {{"probe_safe_rate", "held-out safe (probe)"}, {"harmful_avg", "harmful (eval)"},
            {"over_refusal", "over-refusal (eval)"}, {"reasoning_avg", "reasoning (eval)"}};
        int colour = 0;
        for (String[] s : series) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (JsonNode r : run.rounds().path("table")) {
                if (r.path(s[0]).isNumber()) {
                    x.add((double) r.path("round").asInt());
                    y.add(100 * r.path(s[0]).asDouble());
                }
            }
            if (!x.isEmpty()) {
                XYSeries line = chart.addSeries(s[1], x, y);
                line.setMarker(SeriesMarkers.CIRCLE);
                line.setLineColor(Charts.color(colour));
                line.setMarkerColor(Charts.color(colour));
            }
            colour++;
        }
        if (chart.getSeriesMap().isEmpty()) {
            chart.addSeries("no data", new double[] {0}, new double[] {0});
        }
        return Charts.png(chart);
    }

    private static String pct(JsonNode v) {
        return v.isNumber() ? String.format(Locale.ROOT, "%.1f%%", 100 * v.asDouble()) : "\u2013";
    }
}
