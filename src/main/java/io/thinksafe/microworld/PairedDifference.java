package io.thinksafe.microworld;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.util.Json;

/**
 * A difference of means with its 95% interval, the statistic behind every claim of the demo.
 *
 * <p>{@link #of} is the paired form: the same prompts answered by two methods, one difference per
 * prompt; pairing removes the prompts' own difficulty from the noise, so it is far narrower than
 * comparing two rates. {@link #welch} is the unpaired form for samples that share no items (two
 * training sets). Both use the normal approximation, mean ± 1.96·standard error, with the sample
 * standard deviation (n − 1): deterministic, no bootstrap, so a rerun gives the same digits.
 *
 * @param mean the mean difference (a − b)
 * @param lo   the lower end of the 95% interval
 * @param hi   the upper end of the 95% interval
 * @param n    the number of pairs ({@link #of}); for {@link #welch}, n1 + n2
 */
public record PairedDifference(double mean, double lo, double hi, int n) {
    /** The normal quantile of a two-sided 95% interval. */
    public static final double Z95 = 1.96;

    /** Per pair {@code a[i] - b[i]}: the mean difference and mean ± 1.96·sd/√n, sd with n − 1. */
    public static PairedDifference of(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new ThinkSafeException("paired difference: " + a.length + " values against " + b.length + " (pairs must match)");
        }
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return ofDifferences(d);
    }

    /** The interval of the mean of per-item differences already taken. */
    public static PairedDifference ofDifferences(double[] d) {
        if (d.length < 2) {
            throw new ThinkSafeException("paired difference: " + d.length + " pair(s); an interval needs at least 2");
        }
        double mean = mean(d);
        double se = Math.sqrt(variance(d, mean) / d.length);
        return new PairedDifference(mean, mean - Z95 * se, mean + Z95 * se, d.length);
    }

    /**
     * Unpaired (Welch): mean(a) − mean(b) ± 1.96·√(s_a²/n_a + s_b²/n_b), each variance with n − 1. The
     * normal quantile rather than Welch–Satterthwaite's t: the training sets hold hundreds of examples.
     */
    public static PairedDifference welch(double[] a, double[] b) {
        if (a.length < 2 || b.length < 2) {
            throw new ThinkSafeException("Welch interval: " + a.length + " and " + b.length + " values; each side needs at least 2");
        }
        double ma = mean(a);
        double mb = mean(b);
        double se = Math.sqrt(variance(a, ma) / a.length + variance(b, mb) / b.length);
        double mean = ma - mb;
        return new PairedDifference(mean, mean - Z95 * se, mean + Z95 * se, a.length + b.length);
    }

    ObjectNode toJson() {
        return Json.object().put("mean", mean).put("lo", lo).put("hi", hi).put("n", n);
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    private static double variance(double[] x, double mean) {
        double s = 0;
        for (double v : x) {
            s += (v - mean) * (v - mean);
        }
        return s / (x.length - 1);
    }
}
