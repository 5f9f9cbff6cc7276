package io.thinksafe.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.Jsonl;
import io.thinksafe.text.ReasoningSplit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;

/**
 * The training data's shape (the paper's Figures 9-10): response lengths by prompt label (harmful,
 * benign), whole and split into reasoning and answer, from a training-set JSONL with the released
 * datasets' columns ({@code instruction}, {@code response}, {@code prompt_label}). Lengths are
 * counted in tokens when a tokenizer is given, in whitespace-separated words otherwise.
 */
public record TrainingStats(String name, Path file, String unit, Map<String, Group> groups) {
    static final int BINS = 20;

    /** One label's responses: lengths of the whole response, its reasoning and its answer, and how many closed the think block. */
    public record Group(String label, double[] response, Distribution whole, Distribution reasoning, Distribution answer, int closedThink) {}

    public static TrainingStats read(String name, Path file, ToIntFunction<String> length, String unit) {
        List<ObjectNode> rows = Jsonl.read(file);
        if (rows.isEmpty()) {
            throw new ThinkSafeException(file + ": no training examples (the file is empty)");
        }
        Map<String, List<double[]>> byLabel = new LinkedHashMap<>();
        Map<String, Integer> closed = new LinkedHashMap<>();
        int line = 0;
        for (ObjectNode r : rows) {
            line++;
            String response = text(file, line, r, "response");
            String label = group(text(file, line, r, "prompt_label"));
            ReasoningSplit split = ReasoningSplit.of(response);
            byLabel.computeIfAbsent(label, k -> new ArrayList<>()).add(new double[] {
                length.applyAsInt(response), length.applyAsInt(split.reasoning()), length.applyAsInt(split.answer())});
            closed.merge(label, split.closed() ? 1 : 0, Integer::sum);
        }
        Map<String, Group> groups = new LinkedHashMap<>();
        for (String label : List.of("harmful", "benign")) {
            if (byLabel.containsKey(label)) {
                groups.put(label, group(label, byLabel.remove(label), closed.get(label)));
            }
        }
        byLabel.forEach((label, v) -> groups.put(label, group(label, v, closed.get(label))));
        return new TrainingStats(name, file, unit, groups);
    }

    private static Group group(String label, List<double[]> v, int closedThink) {
        double[] whole = v.stream().mapToDouble(x -> x[0]).toArray();
        return new Group(label, whole, Distribution.of(whole), Distribution.of(v.stream().mapToDouble(x -> x[1]).toArray()),
                Distribution.of(v.stream().mapToDouble(x -> x[2]).toArray()), closedThink);
    }

    /** SafeChain-style labels ({@code vanilla_harmful}, {@code adversarial_benign}) by what they say. */
    static String group(String promptLabel) {
        String l = promptLabel.strip().toLowerCase(java.util.Locale.ROOT);
        return l.contains("harmful") ? "harmful" : l.contains("benign") ? "benign" : l;
    }

    private static String text(Path file, int line, JsonNode r, String field) {
        JsonNode v = r.get(field);
        if (v == null || v.isNull()) {
            throw new ThinkSafeException(file + ": record " + line + ": missing field '" + field + "' (a training set has instruction, response, prompt_label)");
        }
        if (!v.isTextual()) {
            throw new ThinkSafeException(file + ": record " + line + ": field '" + field + "' must be a string");
        }
        return v.asText();
    }

    /** Histogram of response lengths per label, as the share (%) of that label's responses, on shared bins. */
    public byte[] histogramPng() {
        Charts.headless();
        double top = 0;
        for (Group g : groups.values()) {
            top = Math.max(top, g.whole().max());
        }
        double width = niceWidth(Math.max(1, top) / BINS);
        int bins = (int) Math.ceil(Math.max(1, top + 1) / width);
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < bins; i++) {
            labels.add(String.valueOf((long) (i * width)));
        }
        CategoryChart chart = new CategoryChartBuilder().width(820).height(420).title("Response length: " + name)
                .xAxisTitle("length (" + unit + "), bin start").yAxisTitle("share of responses (%)").build();
        Charts.style(chart.getStyler());
        chart.getStyler().setOverlapped(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setXAxisLabelRotation(45);
        chart.getStyler().setAvailableSpaceFill(0.95);
        int i = 0;
        for (Group g : groups.values()) {
            double[] counts = new double[bins];
            for (double len : g.response()) {
                counts[Math.min(bins - 1, (int) (len / width))] += 100.0 / g.response().length;
            }
            List<Double> ys = new ArrayList<>();
            for (double c : counts) {
                ys.add(c);
            }
            CategorySeries s = chart.addSeries(g.label() + " (n=" + g.response().length + ")", labels, ys);
            java.awt.Color c = g.label().equals("harmful") ? Charts.color(3) : g.label().equals("benign") ? Charts.color(0) : Charts.color(4 + i);
            s.setFillColor(new java.awt.Color(c.getRed(), c.getGreen(), c.getBlue(), 150));
            i++;
        }
        return Charts.png(chart);
    }

    /** A bin width of 1, 2 or 5 times a power of ten. */
    static double niceWidth(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= raw) {
                return Math.max(1, m * p);
            }
        }
        return Math.max(1, 10 * p);
    }
}
