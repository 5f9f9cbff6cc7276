package io.thinksafe.report;

import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;

/** The paper's Figure 8: each training set's perplexity under the student model, one bar per set. */
final class PerplexityChart {
    private PerplexityChart() {}

    static byte[] png(List<PerplexityFile> files) {
        Charts.headless();
        CategoryChart chart = new CategoryChartBuilder().width(820).height(420).title("Perplexity of the training data under the model")
                .xAxisTitle("dataset").yAxisTitle("perplexity (token-weighted)").build();
        Charts.style(chart.getStyler());
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setOverlapped(true);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12));
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisDecimalPattern("0.##");
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        List<String> names = files.stream().map(PerplexityFile::name).toList();
        for (int i = 0; i < files.size(); i++) {
            // one series per set, zero elsewhere, so each bar gets its own colour
            List<Double> ys = new ArrayList<>();
            for (int j = 0; j < files.size(); j++) {
                ys.add(j == i ? files.get(i).overall() : 0.0);
            }
            CategorySeries s = chart.addSeries(files.get(i).name(), names, ys);
            s.setFillColor(Charts.color(i));
        }
        return Charts.png(chart);
    }
}
