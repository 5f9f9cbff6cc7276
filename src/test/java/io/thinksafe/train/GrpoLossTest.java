package io.thinksafe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** GRPO's advantages and per-token objective on groups and tokens worked out by hand. */
class GrpoLossTest {
    static final double EPS = 1e-4;

    @Test
    void advantagesAreNormalisedWithinEachGroupBySampleStd() {
        // group 1: {1, 0, 1, 0}: mean 0.5, sample std sqrt(1/3) = 0.57735 → ±0.5 / 0.57745 = ±0.865875
        // group 2: {0.9, 0.1, 0.5, 0.5}: mean 0.5, sample std sqrt(0.32/3) = 0.326599 → ±0.4 / 0.326699, 0, 0
        double[] a = GrpoLoss.advantages(new double[] {1, 0, 1, 0, 0.9, 0.1, 0.5, 0.5}, 4, EPS);
        assertThat(a).containsExactly(new double[] {0.865875, -0.865875, 0.865875, -0.865875, 1.224370, -1.224370, 0, 0},
                within(1e-6));
        // a group of two: {2, 0}: mean 1, std sqrt(2) → ±1 / 1.414314
        assertThat(GrpoLoss.advantages(new double[] {2, 0}, 2, EPS)).containsExactly(new double[] {0.707057, -0.707057}, within(1e-6));
    }

    @Test
    void aGroupWhoseRewardsAreAllEqualHasAdvantageExactlyZeroWhateverItsNeighbours() {
        // 0.7 three times: the mean is 0.7000000000000001 in floating point; (r − mean) / eps would be −1e-12, not 0
        double[] a = GrpoLoss.advantages(new double[] {0.7, 0.7, 0.7, 1, 0, 0, 2, 2, 2}, 3, EPS);
        assertThat(a[0]).isEqualTo(0.0);
        assertThat(a[1]).isEqualTo(0.0);
        assertThat(a[2]).isEqualTo(0.0);
        assertThat(a[6]).isEqualTo(0.0);
        assertThat(a[8]).isEqualTo(0.0);
        // the middle group {1, 0, 0}: mean 1/3, sample std sqrt(1/3) → 0.666667/0.577450, −0.333333/0.577450
        assertThat(a[3]).isCloseTo(1.154501, within(1e-6));
        assertThat(a[4]).isCloseTo(-0.577250, within(1e-6));
        assertThat(GrpoLoss.advantages(new double[] {0, 0, 0, 0}, 4, EPS)).containsOnly(0.0);
        assertThatThrownBy(() -> GrpoLoss.advantages(new double[] {1, 2, 3}, 2, EPS)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void atRatioOneTheTokenLossIsMinusTheAdvantage() {
        GrpoLoss.Term t = GrpoLoss.term(-2.0, -2.0, -2.0, 1.5, 0.2, 0.04);
        assertThat(t.loss()).isCloseTo(-1.5, within(1e-12));
        assertThat(t.dLogp()).isCloseTo(-1.5, within(1e-12));
        assertThat(t.clipped()).isFalse();
        assertThat(t.kl()).isEqualTo(0.0);
    }

    @Test
    void clippingActsOnlyOnTheSideTheAdvantagePushesTowards() {
        double up = Math.log(1.5);   // ratio 1.5, above 1 + 0.2
        double down = Math.log(0.5); // ratio 0.5, below 1 - 0.2
        // A > 0, ratio 1.5: min(1.5, 1.2) = 1.2 → loss −1.2, clipped, no policy gradient
        GrpoLoss.Term t = GrpoLoss.term(up, 0, up, 1, 0.2, 0);
        assertThat(t.loss()).isCloseTo(-1.2, within(1e-12));
        assertThat(t.clipped()).isTrue();
        assertThat(t.dLogp()).isEqualTo(0.0);
        // A > 0, ratio 0.5: min(0.5, 0.8) = 0.5 → loss −0.5, not clipped, gradient −ρA = −0.5
        t = GrpoLoss.term(down, 0, down, 1, 0.2, 0);
        assertThat(t.loss()).isCloseTo(-0.5, within(1e-12));
        assertThat(t.clipped()).isFalse();
        assertThat(t.dLogp()).isCloseTo(-0.5, within(1e-12));
        // A < 0, ratio 0.5: min(−0.5, −0.8) = −0.8 → loss 0.8, clipped
        t = GrpoLoss.term(down, 0, down, -1, 0.2, 0);
        assertThat(t.loss()).isCloseTo(0.8, within(1e-12));
        assertThat(t.clipped()).isTrue();
        assertThat(t.dLogp()).isEqualTo(0.0);
        // A < 0, ratio 1.5: min(−1.5, −1.2) = −1.5 → loss 1.5, not clipped, gradient −ρA = 1.5
        t = GrpoLoss.term(up, 0, up, -1, 0.2, 0);
        assertThat(t.loss()).isCloseTo(1.5, within(1e-12));
        assertThat(t.clipped()).isFalse();
        assertThat(t.dLogp()).isCloseTo(1.5, within(1e-12));
        // inside the band nothing is clipped on either side
        assertThat(GrpoLoss.term(Math.log(1.1), 0, 0, 1, 0.2, 0).clipped()).isFalse();
        assertThat(GrpoLoss.term(Math.log(0.9), 0, 0, -1, 0.2, 0).clipped()).isFalse();
        // zero advantage: no surrogate, never clipped
        t = GrpoLoss.term(up, 0, up, 0, 0.2, 0);
        assertThat(t.loss()).isEqualTo(0.0);
        assertThat(t.clipped()).isFalse();
    }

    @Test
    void theKlTermIsTheK3EstimatorScaledByBeta() {
        // logp −1, ref −2: d = ref − logp = −1; k3 = e^−1 + 1 − 1 = 0.367879
        GrpoLoss.Term t = GrpoLoss.term(-1, -1, -2, 0, 0.2, 0.04);
        assertThat(t.kl()).isCloseTo(0.367879, within(1e-6));
        assertThat(t.loss()).isCloseTo(0.04 * 0.367879, within(1e-7));
        assertThat(t.dLogp()).isCloseTo(0.04 * (1 - Math.exp(-1)), within(1e-12)); // β(1 − e^d) = 0.025285
        // logp −2, ref −1: d = 1; k3 = e − 2 = 0.718282, always ≥ 0
        t = GrpoLoss.term(-2, -2, -1, 0, 0.2, 0.04);
        assertThat(t.kl()).isCloseTo(0.718282, within(1e-6));
        assertThat(t.dLogp()).isCloseTo(0.04 * (1 - Math.E), within(1e-12));
        // advantage and KL add: A = 2 at ratio 1, d = −1
        t = GrpoLoss.term(-1, -1, -2, 2, 0.2, 0.04);
        assertThat(t.loss()).isCloseTo(-2 + 0.04 * 0.367879, within(1e-7));
    }

    @Test
    void aWholeGroupAtRatioOneAddsUpToItsKlTermAlone() {
        // rewards {1, 0, 0, 0}: mean 0.25, sample std 0.5 → advantages 0.75/0.5001, −0.25/0.5001 ×3; they sum to 0,
        // so at ratio 1 the group's policy term vanishes and only β·KL is left. Completion lengths 2, 1, 1, 1.
        double[] a = GrpoLoss.advantages(new double[] {1, 0, 0, 0}, 4, EPS);
        assertThat(a[0]).isCloseTo(1.499700, within(1e-6));
        assertThat(a[1]).isCloseTo(-0.499900, within(1e-6));
        double[][] logp = {{-1, -2}, {-0.5}, {-3}, {-1}};
        double[][] ref = {{-1, -1}, {-0.5}, {-2}, {-1}};
        double loss = 0;
        for (int i = 0; i < 4; i++) {
            for (int t = 0; t < logp[i].length; t++) {
                // the sequence mean: each completion weighs 1/G, spread over its own tokens
                loss += GrpoLoss.term(logp[i][t], logp[i][t], ref[i][t], a[i], 0.2, 0.04).loss() / (4.0 * logp[i].length);
            }
        }
        // KL tokens: completion 0's second token (d = 1: e − 2) counts 1/8, completion 2's (d = 1) counts 1/4
        double kl = (Math.E - 2) / 8 + (Math.E - 2) / 4;
        assertThat(loss).isCloseTo(0.04 * kl, within(1e-12));
    }

    @Test
    void theDerivativeMatchesFiniteDifferencesAwayFromTheClipEdges() {
        SplittableRandom r = new SplittableRandom(3);
        int checked = 0;
        for (int i = 0; i < 200; i++) {
            double logp = -r.nextDouble() * 4;
            double old = logp + (r.nextDouble() - 0.5);
            double ref = logp + (r.nextDouble() - 0.5) * 2;
            double adv = (r.nextDouble() - 0.5) * 4;
            double ratio = Math.exp(logp - old);
            if (Math.abs(ratio - 1.2) < 1e-3 || Math.abs(ratio - 0.8) < 1e-3) {
                continue; // the kinks: no derivative there
            }
            double h = 1e-6;
            double numeric = (GrpoLoss.term(logp + h, old, ref, adv, 0.2, 0.1).loss()
                    - GrpoLoss.term(logp - h, old, ref, adv, 0.2, 0.1).loss()) / (2 * h);
            assertThat(GrpoLoss.term(logp, old, ref, adv, 0.2, 0.1).dLogp()).isCloseTo(numeric, within(1e-6));
            checked++;
        }
        assertThat(checked).isGreaterThan(190);
    }
}
