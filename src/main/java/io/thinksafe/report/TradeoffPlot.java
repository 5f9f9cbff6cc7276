package io.thinksafe.report;

import io.thinksafe.eval.EvalResults;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The paper's Figure 1: harmfulness against reasoning, one point per model, and an arrow from each
 * initial model to its aligned version (a run whose {@code baseline} names another run). Harmfulness
 * is the mean harmful-response ratio over HarmBench, StrongREJECT and WildJailbreak; reasoning the
 * mean pass@1 over AIME, GSM8K, MATH500 and GPQA (the sets each run has). Down and to the right is better.
 */
public final class TradeoffPlot {
    public static final int WIDTH = 820;
    public static final int HEIGHT = 560;

    /** A model's point (percent), or why it has none. */
    public record Point(Runs.Run run, double reasoning, double harmful) {
        boolean plotted() {
            return !Double.isNaN(reasoning) && !Double.isNaN(harmful);
        }
    }

    private TradeoffPlot() {}

    public static List<Point> points(List<Runs.Run> runs) {
        List<Point> out = new ArrayList<>();
        for (Runs.Run r : runs) {
            out.add(new Point(r, 100 * r.results().average(EvalResults.REASONING).value(),
                    100 * r.results().average(EvalResults.HARMFUL).value()));
        }
        return out;
    }

    /** The PNG, or null when no run has both a reasoning and a harmfulness number. */
    public static byte[] png(List<Runs.Run> runs) {
        Charts.headless();
        List<Point> pts = points(runs).stream().filter(Point::plotted).toList();
        if (pts.isEmpty()) {
            return null;
        }
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Harmfulness vs. reasoning")
                .xAxisTitle("Reasoning: mean pass@1 (%)  \u2192 better").yAxisTitle("Harmful responses: mean ratio (%)  \u2193 better").build();
        Styler s = chart.getStyler();
        Charts.style(s);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(14);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        double[] xr = range(pts.stream().mapToDouble(Point::reasoning).toArray());
        double[] yr = range(pts.stream().mapToDouble(Point::harmful).toArray());
        chart.getStyler().setXAxisMin(xr[0]).setXAxisMax(xr[1]).setYAxisMin(yr[0]).setYAxisMax(yr[1]);
        chart.getStyler().setXAxisDecimalPattern("0.#").setYAxisDecimalPattern("0.#");
        for (Point p : pts) {
            XYSeries series = chart.addSeries(p.run().label(), new double[] {p.reasoning()}, new double[] {p.harmful()});
            series.setMarker(SeriesMarkers.CIRCLE);
            series.setMarkerColor(Charts.color(p.run().index()));
        }
        for (Point p : pts) {
            String base = p.run().results().baseline();
            if (base == null) {
                continue;
            }
            for (Point q : pts) {
                if (q != p && (q.run().label().equals(base) || q.run().results().label().equals(base))) {
                    chart.addAnnotation(new ArrowAnnotation(q.reasoning(), q.harmful(), p.reasoning(), p.harmful(),
                            darker(Charts.color(p.run().index())), 9));
                }
            }
        }
        return Charts.png(chart);
    }

    /** Axis bounds with room around the points, within [0, 100]. */
    static double[] range(double[] v) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        double pad = Math.max(2, (hi - lo) * 0.15);
        return new double[] {Math.max(0, Math.floor(lo - pad)), Math.min(100, Math.ceil(hi + pad))};
    }

    static Color darker(Color c) {
        return new Color((int) (c.getRed() * 0.75), (int) (c.getGreen() * 0.75), (int) (c.getBlue() * 0.75));
    }
}
