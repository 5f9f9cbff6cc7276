package io.thinksafe.report;

import java.util.Arrays;

/** Mean, median, 10th/90th percentile and maximum of a sample of non-negative values. */
record Distribution(int n, double mean, double median, double p10, double p90, double max) {
    static Distribution of(double[] values) {
        if (values.length == 0) {
            return new Distribution(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double[] v = values.clone();
        Arrays.sort(v);
        double sum = 0;
        for (double x : v) {
            sum += x;
        }
        return new Distribution(v.length, sum / v.length, quantile(v, 0.5), quantile(v, 0.1), quantile(v, 0.9), v[v.length - 1]);
    }

    /** Linear interpolation between order statistics (numpy's default). */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
