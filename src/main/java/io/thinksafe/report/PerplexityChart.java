package io.thinksafe.report;

import java.util.List;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;

/** The paper's Figure 8: each training set's perplexity under the student model, one bar per set. */
final class PerplexityChart {
    private PerplexityChart() {}

    static byte[] png(List<PerplexityFile> files) {
        Charts.headless();
        CategoryChart chart = new CategoryChartBuilder().width(820).height(420).title("Perplexity of the training data under the model")
                .xAxisTitle("dataset").yAxisTitle("perplexity (token-weighted)").build();
        Charts.style(chart.getStyler());
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12));
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisDecimalPattern("0.##");
        List<String> names = files.stream().map(PerplexityFile::name).toList();
        List<Double> values = files.stream().map(PerplexityFile::overall).toList();
        CategorySeries s = chart.addSeries("perplexity", names, values);
        s.setFillColor(Charts.color(0));
        return Charts.png(chart);
    }
}
