package io.thinksafe.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void wilsonMatchesPublishedValues() {
        // Newcombe (1998), Table I: 0/10 -> [0, 0.2775]; 10/10 -> [0.7225, 1]; 81/263 -> [0.2553, 0.3662]
        Wilson.Interval zero = Wilson.of(0, 10);
        assertThat(zero.low()).isZero();
        assertThat(zero.high()).isCloseTo(0.2775, within(1e-4));
        assertThat(Wilson.of(10, 10).low()).isCloseTo(0.7225, within(1e-4));
        assertThat(Wilson.of(10, 10).high()).isEqualTo(1.0);
        Wilson.Interval mid = Wilson.of(81, 263);
        assertThat(mid.low()).isCloseTo(0.2553, within(1e-4));
        assertThat(mid.high()).isCloseTo(0.3662, within(1e-4));
        assertThat(Wilson.of(0, 0).low()).isNaN();
        assertThatThrownBy(() -> Wilson.of(3, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void passAtKIsTheUnbiasedEstimator() {
        assertThat(PassAtK.estimate(8, 0, 1)).isZero();
        assertThat(PassAtK.estimate(8, 8, 8)).isEqualTo(1.0);
        assertThat(PassAtK.estimate(8, 3, 1)).isCloseTo(3.0 / 8, within(1e-12));
        // 1 - C(5, 4) / C(8, 4) = 1 - 5/70
        assertThat(PassAtK.estimate(8, 3, 4)).isCloseTo(1 - 5.0 / 70, within(1e-12));
        // 1 - C(6, 2) / C(8, 2) = 1 - 15/28
        assertThat(PassAtK.estimate(8, 2, 2)).isCloseTo(1 - 15.0 / 28, within(1e-12));
        assertThat(PassAtK.estimate(8, 5, 4)).isEqualTo(1.0); // fewer than k wrong samples
        // large n stays finite and exact enough: 1 - C(900, 10) / C(1000, 10)
        double expected = 1;
        for (int i = 0; i < 10; i++) {
            expected *= (900.0 - i) / (1000.0 - i);
        }
        assertThat(PassAtK.estimate(1000, 100, 10)).isCloseTo(1 - expected, within(1e-12));
        assertThat(PassAtK.mean(List.of(new int[] {4, 4}, new int[] {4, 0}), 2)).isCloseTo(0.5, within(1e-12));
        assertThatThrownBy(() -> PassAtK.estimate(4, 1, 8)).hasMessageContaining("pass@8");
    }
}
