package io.thinksafe.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.data.Jsonl;
import io.thinksafe.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * GRPO warm-started by ThinkSafe ({@code recipe: thinksafe_grpo}) next to plain GRPO at equal GRPO
 * steps: does the warm start reach GRPO's safety sooner, or cheaper? Safety here is what both runs
 * measured while training — the guard's mean P(safe) over each step's rollouts of harmful prompts
 * ({@code reward_safety_harmful_mean}), smoothed over a trailing window of a tenth of the steps —
 * and cost is wall-clock and tokens, the warm start's including its ThinkSafe stages. The two runs'
 * evaluations stand in Table 1.
 */
public final class WarmStartSection implements ReportSection {
    static final String SAFETY = "reward_safety_harmful_mean";

    /** One run's GRPO steps: smoothed safety and cumulative cost per step (index 0 = step 1), and the cost before them. */
    record Curve(String label, double[] safety, double[] seconds, long[] tokens, double startSeconds, long startTokens) {
        int steps() {
            return safety.length;
        }
    }

    /** A warm start and the plain GRPO run it is compared with, over their common steps. */
    record Pair(Costs.Cost warm, Costs.Cost plain, Curve w, Curve p, int steps) {}

    private final List<Pair> pairs;

    private WarmStartSection(List<Pair> pairs) {
        this.pairs = pairs;
    }

    /** The section when the costs hold a thinksafe_grpo run and a plain GRPO run, else null. */
    static WarmStartSection of(List<Costs.Cost> costs) {
        Costs.Cost plain = Costs.reference(costs);
        if (plain == null) {
            return null;
        }
        Curve p = curve(plain, false);
        List<Pair> out = new ArrayList<>();
        for (Costs.Cost c : costs) {
            if (c.method().equals("thinksafe_grpo")) {
                Curve w = curve(c, true);
                if (p != null && w != null) {
                    out.add(new Pair(c, plain, w, p, Math.min(w.steps(), p.steps())));
                }
            }
        }
        return out.isEmpty() ? null : new WarmStartSection(out);
    }

    /** A run's GRPO curve from its grpo/metrics.jsonl; a warm start's cost starts with its other stages'. */
    static Curve curve(Costs.Cost c, boolean warm) {
        return curve(c.run().label(), c.manifest(), warm);
    }

    static Curve curve(String label, Path manifest, boolean warm) {
        Path metrics = manifest.getParent().resolve("grpo/metrics.jsonl");
        if (!Files.isRegularFile(metrics)) {
            return null;
        }
        List<ObjectNode> lines = Jsonl.read(metrics);
        int n = lines.size();
        if (n == 0) {
            return null;
        }
        double[] raw = new double[n];
        double[] seconds = new double[n];
        long[] tokens = new long[n];
        double s = 0;
        long t = 0;
        for (int i = 0; i < n; i++) {
            ObjectNode l = lines.get(i);
            raw[i] = l.path(SAFETY).asDouble(Double.NaN);
            s += l.path("step_s").asDouble(0);
            for (String f : List.of("prompt_tokens", "completion_tokens", "judge_tokens", "train_tokens", "reference_tokens")) {
                t += l.path(f).asLong(0);
            }
            seconds[i] = s;
            tokens[i] = t;
        }
        double startSeconds = 0;
        long startTokens = 0;
        if (warm) {
            JsonNode stages = Json.read(manifest).path("stages");
            for (Iterator<Map.Entry<String, JsonNode>> it = stages.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getKey().equals("grpo")) {
                    JsonNode cost = e.getValue().path("cost");
                    startSeconds += cost.path("seconds").asDouble(0);
                    for (String f : List.of("generation_prompt_tokens", "generation_completion_tokens", "judge_tokens", "train_tokens",
                            "reference_tokens")) {
                        startTokens += cost.path(f).asLong(0);
                    }
                }
            }
        }
        return new Curve(label, smooth(raw, Math.max(1, (int) Math.round(n / 10.0))), seconds, tokens, startSeconds, startTokens);
    }

    /** The trailing mean over {@code window} steps, steps without the value left out (NaN until one has it). */
    static double[] smooth(double[] v, int window) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            double sum = 0;
            int k = 0;
            for (int j = Math.max(0, i - window + 1); j <= i; j++) {
                if (!Double.isNaN(v[j])) {
                    sum += v[j];
                    k++;
                }
            }
            out[i] = k == 0 ? Double.NaN : sum / k;
        }
        return out;
    }

    /** The first step (1-based) at which {@code c} reaches {@code target}, or 0. */
    static int reaches(Curve c, double target, int steps) {
        for (int i = 0; i < steps; i++) {
            if (!Double.isNaN(c.safety()[i]) && c.safety()[i] >= target) {
                return i + 1;
            }
        }
        return 0;
    }

    /**
     * The comparison as JSON, for summaries: per checkpoint step both runs' smoothed safety and cumulative
     * cost, and when (at which step, at what cost) the warm start reached plain GRPO's final safety.
     * {@code warmRun} and {@code plainRun} are run directories ({@code recipe: thinksafe_grpo} and {@code grpo}).
     */
    public static ObjectNode compare(Path warmRun, Path plainRun) {
        Curve w = curve("thinksafe_grpo", warmRun.resolve("manifest.json"), true);
        Curve p = curve("grpo", plainRun.resolve("manifest.json"), false);
        ObjectNode o = Json.object();
        if (w == null || p == null) {
            return o.put("note", "a run has no GRPO metrics");
        }
        int n = Math.min(w.steps(), p.steps());
        o.put("steps", n).put("warm_steps", w.steps()).put("plain_steps", p.steps());
        o.put("thinksafe_seconds", w.startSeconds()).put("thinksafe_tokens", w.startTokens());
        var rows = o.putArray("at");
        for (int s : new java.util.TreeSet<>(List.of(1, Math.max(1, n / 4), Math.max(1, n / 2), Math.max(1, 3 * n / 4), n))) {
            int i = s - 1;
            ObjectNode r = rows.addObject().put("step", s);
            putNum(r, "plain_safety", p.safety()[i]);
            putNum(r, "warm_safety", w.safety()[i]);
            r.put("plain_seconds", p.seconds()[i]).put("warm_seconds", w.startSeconds() + w.seconds()[i]);
            r.put("plain_tokens", p.tokens()[i]).put("warm_tokens", w.startTokens() + w.tokens()[i]);
        }
        double target = p.safety()[p.steps() - 1];
        putNum(o, "plain_final_safety", target);
        int k = Double.isNaN(target) ? 0 : reaches(w, target, n);
        o.put("warm_reaches_plain_final_at_step", k);
        if (k > 0) {
            o.put("warm_seconds_to_reach", w.startSeconds() + w.seconds()[k - 1]).put("warm_tokens_to_reach", w.startTokens() + w.tokens()[k - 1]);
        }
        o.put("plain_seconds", p.seconds()[p.steps() - 1]).put("plain_tokens", p.tokens()[p.steps() - 1]);
        return o;
    }

    private static void putNum(ObjectNode o, String k, double v) {
        if (Double.isNaN(v)) {
            o.putNull(k);
        } else {
            o.put(k, v);
        }
    }

    static final String[] HEADER = {"GRPO step", "GRPO safety", "Warm-start safety", "GRPO wall-clock", "Warm-start wall-clock",
        "GRPO tokens", "Warm-start tokens"};

    List<String[]> rows(Pair pair) {
        List<String[]> out = new ArrayList<>();
        int n = pair.steps();
        java.util.TreeSet<Integer> at = new java.util.TreeSet<>(List.of(1, Math.max(1, n / 4), Math.max(1, n / 2), Math.max(1, 3 * n / 4), n));
        for (int s : at) {
            int i = s - 1;
            out.add(new String[] {String.valueOf(s), num(pair.p().safety()[i]), num(pair.w().safety()[i]),
                Costs.duration(pair.p().seconds()[i]), Costs.duration(pair.w().startSeconds() + pair.w().seconds()[i]),
                Costs.count(pair.p().tokens()[i]), Costs.count(pair.w().startTokens() + pair.w().tokens()[i])});
        }
        return out;
    }

    /** The answer to the section's question, in sentences. */
    List<String> sentences(Pair pair) {
        List<String> out = new ArrayList<>();
        Curve p = pair.p();
        Curve w = pair.w();
        int n = pair.steps();
        double target = p.safety()[p.steps() - 1];
        out.add(String.format(Locale.ROOT, "%s (ThinkSafe, then GRPO from its adapter) against %s (GRPO from the base) over %d GRPO steps "
                + "(of %d and %d). ThinkSafe's stages before GRPO cost %s and %s tokens.", w.label(), p.label(), n, w.steps(), p.steps(),
                Costs.duration(w.startSeconds()), Costs.count(w.startTokens())));
        if (Double.isNaN(target)) {
            out.add("Plain GRPO logged no safety reward on harmful prompts, so there is nothing to reach.");
            return out;
        }
        int k = reaches(w, target, n);
        if (k == 0) {
            out.add(String.format(Locale.ROOT, "The warm start did not reach plain GRPO's final safety (%s) within %d steps; its best was %s.",
                    num(target), n, num(max(w.safety(), n))));
        } else {
            double ws = w.startSeconds() + w.seconds()[k - 1];
            long wt = w.startTokens() + w.tokens()[k - 1];
            double ps = p.seconds()[p.steps() - 1];
            long pt = p.tokens()[p.steps() - 1];
            out.add(String.format(Locale.ROOT, "The warm start reached plain GRPO's final safety (%s after %d steps) at GRPO step %d: %s "
                    + "sooner in steps; in cost, %s and %s tokens (ThinkSafe included) against plain GRPO's %s and %s, %s the wall-clock "
                    + "and %s the tokens.", num(target), p.steps(), k, k < p.steps() ? (p.steps() - k) + " steps" : "no",
                    Costs.duration(ws), Costs.count(wt), Costs.duration(ps), Costs.count(pt), Costs.ratio(ws / ps), Costs.ratio((double) wt / pt)));
        }
        double[] qw = Costs.quality(pair.warm().run());
        double[] qp = Costs.quality(pair.plain().run());
        if (!Double.isNaN(qw[0]) && !Double.isNaN(qp[0])) {
            out.add(String.format(Locale.ROOT, "Evaluated (Table 1): harmful-response average %.1f%% with the warm start, %.1f%% with plain GRPO; "
                    + "reasoning %s and %s.", qw[0], qp[0], Double.isNaN(qw[1]) ? "\u2013" : String.format(Locale.ROOT, "%.1f%%", qw[1]),
                    Double.isNaN(qp[1]) ? "\u2013" : String.format(Locale.ROOT, "%.1f%%", qp[1])));
        }
        return out;
    }

    private static double max(double[] v, int n) {
        double m = Double.NaN;
        for (int i = 0; i < n; i++) {
            if (!Double.isNaN(v[i]) && (Double.isNaN(m) || v[i] > m)) {
                m = v[i];
            }
        }
        return m;
    }

    static final String NOTE = "Safety: the guard's mean P(safe) over each GRPO step's rollouts of harmful prompts "
            + "(reward_safety_harmful_mean), a trailing mean over a tenth of the steps. Wall-clock and tokens: the GRPO steps' own "
            + "(rollouts, judging, updates) summed to that step; the warm start's add its ThinkSafe stages (generation, judging, "
            + "building, training) from its manifest.";

    @Override
    public String markdown(Function<String, String> image) {
        StringBuilder b = new StringBuilder("## ThinkSafe as GRPO's warm start\n\n");
        for (Pair pair : pairs) {
            b.append('|');
            for (String h : HEADER) {
                b.append(' ').append(h).append(" |");
            }
            b.append("\n|").append("---:|".repeat(HEADER.length)).append('\n');
            for (String[] row : rows(pair)) {
                b.append('|');
                for (String c : row) {
                    b.append(' ').append(c).append(" |");
                }
                b.append('\n');
            }
            b.append('\n');
            sentences(pair).forEach(s -> b.append("- ").append(s).append('\n'));
            b.append("\n![Warm start](").append(image.apply(plotName(pair))).append(")\n\n");
        }
        return b.append(NOTE).append("\n\n").toString();
    }

    @Override
    public String html(Map<String, String> images) {
        StringBuilder b = new StringBuilder("<h2>ThinkSafe as GRPO's warm start</h2>\n");
        for (Pair pair : pairs) {
            b.append("<table class=\"detail\" id=\"warm-start\"><thead><tr>");
            for (String h : HEADER) {
                b.append("<th>").append(Html.esc(h)).append("</th>");
            }
            b.append("</tr></thead><tbody>\n");
            for (String[] row : rows(pair)) {
                b.append("<tr>");
                for (String c : row) {
                    b.append("<td class=\"num\">").append(Html.esc(c)).append("</td>");
                }
                b.append("</tr>\n");
            }
            b.append("</tbody></table>\n<ul class=\"notes\">");
            sentences(pair).forEach(s -> b.append("<li>").append(Html.esc(s)).append("</li>"));
            b.append("</ul>\n<figure><img alt=\"Warm start against plain GRPO\" src=\"").append(images.get(plotName(pair)))
                    .append("\"></figure>\n");
        }
        return b.append("<p class=\"meta\">").append(Html.esc(NOTE)).append("</p>\n").toString();
    }

    static String plotName(Pair pair) {
        return "warm-start-" + ReportJob.slug(pair.w().label()) + ".png";
    }

    @Override
    public Map<String, byte[]> plots() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Pair pair : pairs) {
            out.put(plotName(pair), png(pair));
        }
        return out;
    }

    /** Safety against cumulative tokens (the warm start's begin with ThinkSafe's), one line per run. */
    private static byte[] png(Pair pair) {
        Charts.headless();
        XYChart chart = new XYChartBuilder().width(760).height(440).title("Safety during GRPO against cost")
                .xAxisTitle("tokens so far (millions)").yAxisTitle("P(safe) on harmful prompts").build();
        Charts.style(chart.getStyler());
        int colour = 0;
        for (Curve c : List.of(pair.p(), pair.w())) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int i = 0; i < pair.steps(); i++) {
                if (!Double.isNaN(c.safety()[i])) {
                    x.add((c.startTokens() + c.tokens()[i]) / 1e6);
                    y.add(c.safety()[i]);
                }
            }
            if (!x.isEmpty()) {
                XYSeries s = chart.addSeries(c.label(), x, y);
                s.setMarker(SeriesMarkers.NONE);
                s.setLineColor(Charts.color(colour));
            }
            colour++;
        }
        if (chart.getSeriesMap().isEmpty()) {
            chart.addSeries("no data", new double[] {0}, new double[] {0});
        }
        return Charts.png(chart);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "\u2013" : String.format(Locale.ROOT, "%.3f", v);
    }
}
