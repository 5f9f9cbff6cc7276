package io.thinksafe.eval;

import java.util.List;

/**
 * The unbiased pass@k estimator of Chen et al. (2021): with {@code n} samples of which {@code c}
 * are correct, the chance that at least one of {@code k} samples drawn without replacement is
 * correct, {@code 1 - C(n-c, k) / C(n, k)}, computed as a product so large n cannot overflow.
 */
public final class PassAtK {
    private PassAtK() {}

    public static double estimate(int n, int c, int k) {
        if (k < 1 || k > n || c < 0 || c > n) {
            throw new IllegalArgumentException("pass@" + k + " needs 1 <= k <= n and 0 <= c <= n (n=" + n + ", c=" + c + ")");
        }
        if (n - c < k) {
            return 1.0;
        }
        double allWrong = 1.0;
        for (int i = n - c + 1; i <= n; i++) {
            allWrong *= 1.0 - (double) k / i;
        }
        return 1.0 - allWrong;
    }

    /** The mean of pass@k over problems, each given as {samples, correct}. */
    public static double mean(List<int[]> problems, int k) {
        if (problems.isEmpty()) {
            return Double.NaN;
        }
        double sum = 0;
        for (int[] p : problems) {
            sum += estimate(p[0], p[1], k);
        }
        return sum / problems.size();
    }
}
