package io.thinksafe.report;

import io.thinksafe.eval.Score;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per model, every benchmark's number with the counts behind it (so each can be recomputed from the
 * per-item records it links to), the items evaluated against the full set, and pass@k.
 */
final class DetailTable {
    private DetailTable() {}

    record Row(String benchmark, String metric, String value, String fraction, String items, String counts, String passAtK,
               String records) {}

    static List<Row> rows(Runs.Run run) {
        List<Row> out = new ArrayList<>();
        for (Score s : run.results().scores().values()) {
            String value = Double.isNaN(s.value()) ? "\u2013"
                    : Table1.pct(100 * s.value()) + " (" + Table1.pct(100 * s.ci().low()) + "\u2013" + Table1.pct(100 * s.ci().high()) + ")";
            String fraction = s.metric().equals("pass@1")
                    ? String.format(Locale.ROOT, "%d/%d samples, %d problems \u00d7 %d", (int) s.numerator(), s.denominator(), s.problems(), s.samplesPerProblem())
                    : String.format(Locale.ROOT, "%d/%d", (int) s.numerator(), s.denominator());
            List<String> counts = new ArrayList<>();
            s.counts().forEach((k, v) -> counts.add(k.replace('_', ' ') + " " + v));
            List<String> pk = new ArrayList<>();
            for (Map.Entry<Integer, Double> e : s.passAtK().entrySet()) {
                pk.add("@" + e.getKey() + " " + Table1.pct(100 * e.getValue()));
            }
            out.add(new Row(s.benchmark().title(), s.metric(), value, fraction, s.items() + "/" + s.benchmark().expectedItems(),
                    String.join(", ", counts), pk.isEmpty() ? "" : String.join(", ", pk),
                    s.records() == null ? "" : run.dir().resolve(s.records()).toString()));
        }
        return out;
    }

    static String markdown(Runs.Run run) {
        StringBuilder b = new StringBuilder();
        b.append("| Benchmark | Metric | % (95% CI) | Fraction | Items | Counts | pass@k | Records |\n");
        b.append("|---|---|---:|---|---:|---|---|---|\n");
        for (Row r : rows(run)) {
            b.append("| ").append(r.benchmark()).append(" | ").append(r.metric()).append(" | ").append(r.value()).append(" | ")
                    .append(r.fraction()).append(" | ").append(r.items()).append(" | ").append(Html.md(r.counts())).append(" | ")
                    .append(r.passAtK()).append(" | `").append(Html.md(r.records())).append("` |\n");
        }
        return b.toString();
    }

    static String html(Runs.Run run) {
        StringBuilder b = new StringBuilder("<table class=\"detail\">\n<thead><tr><th>Benchmark</th><th>Metric</th><th>% (95% CI)</th>"
                + "<th>Fraction</th><th>Items</th><th>Counts</th><th>pass@k</th><th>Records</th></tr></thead>\n<tbody>\n");
        for (Row r : rows(run)) {
            b.append("<tr><td>").append(Html.esc(r.benchmark())).append("</td><td>").append(Html.esc(r.metric())).append("</td><td class=\"num\">")
                    .append(Html.esc(r.value())).append("</td><td>").append(Html.esc(r.fraction())).append("</td><td class=\"num\">")
                    .append(Html.esc(r.items())).append("</td><td>").append(Html.esc(r.counts())).append("</td><td>")
                    .append(Html.esc(r.passAtK())).append("</td><td><code>").append(Html.esc(r.records())).append("</code></td></tr>\n");
        }
        return b.append("</tbody>\n</table>\n").toString();
    }
}
