package io.thinksafe.microworld;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.thinksafe.ThinkSafeException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The claims' statistics and verdict rules, on numbers worked out by hand. */
class PairedDifferenceTest {
    /**
     * a − b = {1, 0, 1, 1, 0}: mean 0.6; squared deviations 0.16, 0.36, 0.16, 0.16, 0.36 sum to 1.2, so sd² = 1.2 / 4
     * = 0.3, sd = 0.5477226, se = sd / √5 = 0.2449490, 1.96·se = 0.4801000: [0.1199, 1.0801].
     */
    @Test
    void pairedIntervalIsMeanPlusMinus196StandardErrorsOfThePerItemDifferences() {
        PairedDifference d = PairedDifference.of(new double[] {1, 0.5, 1, 1, 0}, new double[] {0, 0.5, 0, 0, 0});
        assertThat(d.n()).isEqualTo(5);
        assertThat(d.mean()).isCloseTo(0.6, within(1e-12));
        assertThat(d.lo()).isCloseTo(0.1199000, within(1e-6));
        assertThat(d.hi()).isCloseTo(1.0801000, within(1e-6));
    }

    /**
     * a = {2, 4, 6, 8}: mean 5, sd² = (9+1+1+9)/3 = 20/3; b = {1, 2, 3}: mean 2, sd² = (1+0+1)/2 = 1.
     * se = √(20/3/4 + 1/3) = √(2) = 1.4142136; 1.96·se = 2.7718586: 3 ± 2.7718586.
     */
    @Test
    void welchIntervalUsesEachSidesOwnVariance() {
        PairedDifference d = PairedDifference.welch(new double[] {2, 4, 6, 8}, new double[] {1, 2, 3});
        assertThat(d.mean()).isCloseTo(3.0, within(1e-12));
        assertThat(d.lo()).isCloseTo(0.2281414, within(1e-6));
        assertThat(d.hi()).isCloseTo(5.7718586, within(1e-6));
        assertThat(d.n()).isEqualTo(7);
    }

    @Test
    void tooFewOrMismatchedValuesAreAClearError() {
        assertThatThrownBy(() -> PairedDifference.of(new double[] {1}, new double[] {0})).isInstanceOf(ThinkSafeException.class)
                .hasMessageContaining("at least 2");
        assertThatThrownBy(() -> PairedDifference.of(new double[] {1, 2}, new double[] {0})).isInstanceOf(ThinkSafeException.class)
                .hasMessageContaining("2 values against 1");
        assertThatThrownBy(() -> PairedDifference.welch(new double[] {1, 2}, new double[] {0})).isInstanceOf(ThinkSafeException.class);
    }

    @Test
    void nonInferiorityVerdicts() {
        assertThat(ClaimVerdict.MARGIN).isEqualTo(0.05);
        // A surely worse
        assertThat(ClaimVerdict.nonInferiority(new PairedDifference(0.10, 0.01, 0.19, 100))).isEqualTo(ClaimVerdict.DOES_NOT_HOLD);
        // worse by less than the margin for sure
        assertThat(ClaimVerdict.nonInferiority(new PairedDifference(-0.02, -0.06, 0.049, 100))).isEqualTo(ClaimVerdict.HOLDS);
        // could be worse by more than the margin, not surely worse
        assertThat(ClaimVerdict.nonInferiority(new PairedDifference(0.02, -0.01, 0.05, 100))).isEqualTo(ClaimVerdict.UNDECIDED);
        assertThat(ClaimVerdict.nonInferiority(new PairedDifference(0.0, 0.0, 0.2, 100))).isEqualTo(ClaimVerdict.UNDECIDED);
    }

    @Test
    void superiorityVerdicts() {
        assertThat(ClaimVerdict.superiority(new PairedDifference(0.10, 0.01, 0.19, 100))).isEqualTo(ClaimVerdict.HOLDS);
        assertThat(ClaimVerdict.superiority(new PairedDifference(0.01, -0.02, 0.049, 100))).isEqualTo(ClaimVerdict.DOES_NOT_HOLD);
        assertThat(ClaimVerdict.superiority(new PairedDifference(0.02, 0.0, 0.04, 100))).isEqualTo(ClaimVerdict.DOES_NOT_HOLD);
        assertThat(ClaimVerdict.superiority(new PairedDifference(0.03, -0.01, 0.07, 100))).isEqualTo(ClaimVerdict.UNDECIDED);
    }

    @Test
    void compoundHoldsOnlyIfEveryPartHoldsAndFailsIfAnyPartFails() {
        var holds = ClaimVerdict.HOLDS;
        var fails = ClaimVerdict.DOES_NOT_HOLD;
        var open = ClaimVerdict.UNDECIDED;
        assertThat(ClaimVerdict.compound(List.of(holds, holds))).isEqualTo(holds);
        assertThat(ClaimVerdict.compound(List.of(holds, open))).isEqualTo(open);
        assertThat(ClaimVerdict.compound(List.of(open, fails))).isEqualTo(fails);
        assertThat(ClaimVerdict.compound(List.of(holds, fails))).isEqualTo(fails);
    }

    @Test
    void costClaimNeedsBothRatiosAtTheThreshold() {
        assertThat(ClaimVerdict.atLeast(3, 3.0, 8.2)).isEqualTo(ClaimVerdict.HOLDS);
        assertThat(ClaimVerdict.atLeast(3, 2.9, 8.2)).isEqualTo(ClaimVerdict.DOES_NOT_HOLD);
        assertThat(ClaimVerdict.atLeast(3, 4.0, 1.5)).isEqualTo(ClaimVerdict.DOES_NOT_HOLD);
    }
}
