package io.thinksafe.microworld;

import java.util.List;

/**
 * What the demo's evidence says of a claim, decided from a 95% interval [lo, hi] of a difference d
 * and a margin {@link #MARGIN}: a difference smaller than the margin counts as no difference. Only
 * the interval decides, never the point estimate alone, so a claim the data cannot settle is said to
 * be {@code undecided} rather than forced either way.
 */
public enum ClaimVerdict {
    HOLDS("holds"), DOES_NOT_HOLD("does not hold"), UNDECIDED("undecided"), NOT_RUN("not run");

    /**
     * δ: differences below 5 points (0.05 on a rate; 0.05 nats on a per-token log-perplexity) are treated as
     * negligible. On the micro-world's few hundred items a rate's interval is about ±5-10 points wide, so a
     * smaller margin would leave nearly every non-inferiority claim undecided.
     */
    public static final double MARGIN = 0.05;

    private final String json;

    ClaimVerdict(String json) {
        this.json = json;
    }

    /** As written in {@code summary.json} and the tables. */
    public String json() {
        return json;
    }

    /**
     * "A is not worse than B", with d oriented so that positive means A is worse: worse for sure (lo > 0) does not
     * hold; worse by less than the margin for sure (hi < δ) holds; anything between is undecided.
     */
    public static ClaimVerdict nonInferiority(PairedDifference d) {
        if (d.lo() > 0) {
            return DOES_NOT_HOLD;
        }
        return d.hi() < MARGIN ? HOLDS : UNDECIDED;
    }

    /**
     * "A is more than B", with d oriented so that positive is the claimed direction: more for sure (lo > 0) holds;
     * at most a negligible amount more for sure (hi < δ) does not hold; anything between is undecided.
     */
    public static ClaimVerdict superiority(PairedDifference d) {
        if (d.lo() > 0) {
            return HOLDS;
        }
        return d.hi() < MARGIN ? DOES_NOT_HOLD : UNDECIDED;
    }

    /** A claim made of parts: holds if every part holds, does not hold if any part does not, else undecided. */
    public static ClaimVerdict compound(List<ClaimVerdict> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a compound claim needs parts");
        }
        if (parts.contains(DOES_NOT_HOLD)) {
            return DOES_NOT_HOLD;
        }
        return parts.stream().allMatch(p -> p == HOLDS) ? HOLDS : UNDECIDED;
    }

    /** A cost claim "at least {@code threshold} times in both": holds if both ratios reach it, does not hold if either falls short. */
    public static ClaimVerdict atLeast(double threshold, double... ratios) {
        for (double r : ratios) {
            if (Double.isNaN(r)) {
                throw new IllegalArgumentException("a cost ratio is NaN");
            }
        }
        for (double r : ratios) {
            if (r < threshold) {
                return DOES_NOT_HOLD;
            }
        }
        return HOLDS;
    }
}
