package io.thinksafe.report;

import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The paper's Figure 3: safety and reasoning against what each method cost, one chart with
 * wall-clock seconds and one with tokens on a logarithmic axis (ThinkSafe and GRPO differ by about
 * an order of magnitude). Each model has two marks in its colour: a circle for its harmful-response
 * ratio (lower is safer) and a square for its reasoning pass@1 (higher is better). Left is cheaper.
 */
final class CostPlot {
    static final int WIDTH = 820;
    static final int HEIGHT = 520;

    /** What the x axis measures. */
    enum Axis {
        SECONDS("Wall-clock (seconds, log scale)  \u2190 cheaper"), TOKENS("Tokens processed (log scale)  \u2190 cheaper");

        final String title;

        Axis(String title) {
            this.title = title;
        }
    }

    private CostPlot() {}

    /** The PNG, or null when no costed model has a safety or reasoning number. */
    static byte[] png(List<Costs.Cost> costs, Axis axis) {
        Charts.headless();
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(axis == Axis.SECONDS ? "Safety and reasoning vs. wall-clock" : "Safety and reasoning vs. tokens")
                .xAxisTitle(axis.title).yAxisTitle("\u25cf harmful responses (%) \u2193   \u25a0 reasoning pass@1 (%) \u2191").build();
        Styler s = chart.getStyler();
        Charts.style(s);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(14);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(100.0);
        chart.getStyler().setYAxisDecimalPattern("0");
        // one entry per line beside the plot: names such as "run (Without safety reasoning)" overflow a row below it
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        int plotted = 0;
        for (Costs.Cost c : costs) {
            double x = axis == Axis.SECONDS ? c.seconds() : c.tokens();
            double[] q = Costs.quality(c.run());
            if (!(x > 0) || (Double.isNaN(q[0]) && Double.isNaN(q[1]))) {
                continue;
            }
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
            String name = letters(c.run().label()).equals(letters(c.methodName())) ? c.run().label()
                    : c.run().label() + " (" + c.methodName() + ")";
            boolean legend = true;
            if (!Double.isNaN(q[0])) {
                XYSeries harmful = chart.addSeries(name, new double[] {x}, new double[] {q[0]});
                harmful.setMarker(SeriesMarkers.CIRCLE);
                harmful.setMarkerColor(Charts.color(c.run().index()));
                legend = false; // one legend entry per model: the square beside it is the same model's
            }
            if (!Double.isNaN(q[1])) {
                XYSeries reasoning = chart.addSeries(legend ? name : name + " reasoning", new double[] {x}, new double[] {q[1]});
                reasoning.setMarker(SeriesMarkers.SQUARE);
                reasoning.setMarkerColor(Charts.color(c.run().index()));
                reasoning.setShowInLegend(legend);
            }
            plotted++;
        }
        if (plotted == 0) {
            return null;
        }
        // whole decades around the points, so that a log axis has ticks to read
        chart.getStyler().setXAxisMin(Math.pow(10, Math.floor(Math.log10(lo)))).setXAxisMax(Math.pow(10, Math.ceil(Math.log10(hi * 1.0001))));
        return Charts.png(chart);
    }

    private static String letters(String s) {
        return s.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z]", "");
    }
}
