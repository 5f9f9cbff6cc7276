package io.thinksafe.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What each method cost next to what it achieved, with every cost as a ratio to GRPO's (the paper's
 * efficiency claim is that ThinkSafe is safer than GRPO at about an eighth of its cost), and one
 * sentence per method giving GRPO's cost as a multiple of it.
 */
final class CostTable {
    private final List<Costs.Cost> costs;
    private final Costs.Cost grpo;

    CostTable(List<Costs.Cost> costs) {
        this.costs = costs;
        this.grpo = Costs.reference(costs);
    }

    static final String[] HEADER = {"Model", "Method", "Wall-clock", "\u00d7 GRPO", "Tokens", "\u00d7 GRPO", "Generation tokens",
        "Judge tokens", "Training tokens", "Harmful \u2193", "Reasoning \u2191"};

    /** The table's cells, row by row. */
    List<String[]> rows() {
        List<String[]> out = new ArrayList<>();
        for (Costs.Cost c : costs) {
            double[] q = Costs.quality(c.run());
            out.add(new String[] {c.run().label(), c.methodName(), Costs.duration(c.seconds()),
                grpo == null ? "\u2013" : Costs.ratio(c.seconds() / grpo.seconds()), Costs.count(c.tokens()),
                grpo == null ? "\u2013" : Costs.ratio((double) c.tokens() / grpo.tokens()), Costs.count(c.generation()),
                Costs.count(c.judging()), Costs.count(c.training()), pct(q[0]), pct(q[1])});
        }
        return out;
    }

    /** "GRPO took 7.9× the wall-clock of X and 6.1× its tokens." per model that is not GRPO; or why there are no ratios. */
    List<String> sentences() {
        List<String> out = new ArrayList<>();
        if (grpo == null) {
            out.add("No GRPO run among these models, so no cost ratios (train one with recipe: grpo in thinksafe run).");
            return out;
        }
        for (Costs.Cost c : costs) {
            if (c == grpo) {
                continue;
            }
            out.add(String.format(Locale.ROOT, "GRPO (%s) took %s the wall-clock of %s (%s) and %s its tokens.", grpo.run().label(),
                    Costs.ratio(grpo.seconds() / c.seconds()), c.run().label(), c.methodName(),
                    Costs.ratio((double) grpo.tokens() / c.tokens())));
        }
        return out;
    }

    /** What the runs' stages said about how a model was made ("star1: scored by the stand-in …"), each with its model. */
    List<String> notes() {
        List<String> out = new ArrayList<>();
        for (Costs.Cost c : costs) {
            c.notes().forEach(n -> out.add(c.run().label() + ": " + n + "."));
        }
        return out;
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "\u2013" : Table1.pct(v);
    }

    static final String NOTE = "Cost of making each model, from its run's manifest.json: wall-clock summed over every session "
            + "of every stage (resumed runs included), and tokens of generation (prompt + completion), judging (what the "
            + "guard or an LLM judge read) and training (through the trained model, plus the frozen reference's forward for GRPO "
            + "and the teacher's forward for on-policy distillation). "
            + "\u00d7 GRPO divides by the GRPO run's cost. Harmful and reasoning are the averages of Table 1.";

    String markdown() {
        StringBuilder b = new StringBuilder("|");
        for (String h : HEADER) {
            b.append(' ').append(h).append(" |");
        }
        b.append("\n|---|---|").append("---:|".repeat(HEADER.length - 2)).append('\n');
        for (String[] row : rows()) {
            b.append('|');
            for (String cell : row) {
                b.append(' ').append(Html.md(cell)).append(" |");
            }
            b.append('\n');
        }
        b.append('\n');
        sentences().forEach(s -> b.append("- ").append(s).append('\n'));
        notes().forEach(s -> b.append("- ").append(s).append('\n'));
        return b.append('\n').append(NOTE).append("\n\n").toString();
    }

    String html() {
        StringBuilder b = new StringBuilder("<table class=\"detail\" id=\"costs\"><thead><tr>");
        for (String h : HEADER) {
            b.append("<th>").append(Html.esc(h)).append("</th>");
        }
        b.append("</tr></thead><tbody>\n");
        for (String[] row : rows()) {
            b.append("<tr>");
            for (int i = 0; i < row.length; i++) {
                b.append(i < 2 ? "<td>" : "<td class=\"num\">").append(Html.esc(row[i])).append("</td>");
            }
            b.append("</tr>\n");
        }
        b.append("</tbody></table>\n<ul class=\"notes\">");
        sentences().forEach(s -> b.append("<li>").append(Html.esc(s)).append("</li>"));
        notes().forEach(s -> b.append("<li>").append(Html.esc(s)).append("</li>"));
        return b.append("</ul>\n<p class=\"meta\">").append(Html.esc(NOTE)).append("</p>\n").toString();
    }
}
