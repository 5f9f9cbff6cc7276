package io.thinksafe.eval;

/**
 * The Wilson score interval for a binomial proportion: unlike the normal approximation it stays
 * inside [0, 1] and behaves at rates near 0 or 1, where safety numbers live.
 */
public final class Wilson {
    /** z for a two-sided 95% interval. */
    public static final double Z95 = 1.959963984540054;

    private Wilson() {}

    /** A closed interval of proportions. */
    public record Interval(double low, double high) {}

    /** The 95% interval for {@code successes} out of {@code n} (successes may be fractional: a mean of per-problem rates times n). */
    public static Interval of(double successes, double n) {
        return of(successes, n, Z95);
    }

    public static Interval of(double successes, double n, double z) {
        if (n <= 0) {
            return new Interval(Double.NaN, Double.NaN);
        }
        if (successes < 0 || successes > n) {
            throw new IllegalArgumentException("successes " + successes + " outside [0, " + n + "]");
        }
        double p = successes / n;
        double z2 = z * z;
        double denom = 1 + z2 / n;
        double centre = (p + z2 / (2 * n)) / denom;
        double half = z / denom * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        // at 0 or n successes the bound is exactly 0 or 1; the formula leaves a rounding crumb
        double low = successes == 0 ? 0 : Math.max(0, centre - half);
        double high = successes == n ? 1 : Math.min(1, centre + half);
        return new Interval(low, high);
    }
}
