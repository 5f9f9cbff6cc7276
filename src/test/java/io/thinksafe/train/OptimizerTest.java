package io.thinksafe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.thinksafe.model.Torch;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptimizerTest {
    @Test
    void cosineScheduleWarmsUpLinearlyThenDecaysToZero() {
        CosineSchedule s = CosineSchedule.withWarmupRatio(1e-5, 0.1, 30); // warm-up: ceil(3.0) = 3 steps
        assertThat(s.warmup()).isEqualTo(3);
        assertThat(s.lr(0)).isZero();
        assertThat(s.lr(1)).isCloseTo(1e-5 / 3, within(1e-15));
        assertThat(s.lr(3)).isCloseTo(1e-5, within(1e-15));
        assertThat(s.lr(16)).isLessThan(1e-5).isGreaterThan(0);
        assertThat(s.lr(30)).isCloseTo(0, within(1e-15));
        // the midpoint of the decay is half the peak
        CosineSchedule even = new CosineSchedule(2.0, 0, 10);
        assertThat(even.lr(5)).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void adamWFollowsTorchsFormulaAndClipsTheGlobalNorm() {
        Torch.init();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = m.create(new float[] {1f, -2f}, new Shape(2));
            p.setRequiresGradient(true);
            AdamW opt = new AdamW(List.of(p), m, 0.9, 0.999, 1e-8, 0.1);
            double[] w = {1, -2};
            double[] mm = new double[2];
            double[] vv = new double[2];
            double[][] grads = {{0.5, -1.0}, {0.25, 3.0}};
            for (int step = 1; step <= 2; step++) {
                try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                    NDArray g = m.create(new float[] {(float) grads[step - 1][0], (float) grads[step - 1][1]});
                    gc.backward(p.mul(g).sum()); // d/dp = g
                }
                double lr = 0.01;
                opt.step(lr);
                for (int i = 0; i < 2; i++) {
                    double g = grads[step - 1][i];
                    w[i] *= 1 - lr * 0.1;
                    mm[i] = 0.9 * mm[i] + 0.1 * g;
                    vv[i] = 0.999 * vv[i] + 0.001 * g * g;
                    double denom = Math.sqrt(vv[i]) / Math.sqrt(1 - Math.pow(0.999, step)) + 1e-8;
                    w[i] -= lr / (1 - Math.pow(0.9, step)) * mm[i] / denom;
                }
                float[] got = p.toFloatArray();
                assertThat((double) got[0]).isCloseTo(w[0], within(1e-6));
                assertThat((double) got[1]).isCloseTo(w[1], within(1e-6));
                float[] g = p.getGradient().toFloatArray();
                assertThat(g[0] == 0f && g[1] == 0f).as("gradients zeroed after the step").isTrue();
            }

            try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                gc.backward(p.mul(m.create(new float[] {3f, 4f})).sum());
            }
            assertThat(opt.gradNorm()).isCloseTo(5.0, within(1e-6));
            opt.clip(5.0, 10.0); // below the limit: unchanged
            assertThat(p.getGradient().toFloatArray()).containsExactly(3f, 4f);
            opt.clip(5.0, 1.0); // above: scaled to norm 1
            assertThat(opt.gradNorm()).isCloseTo(1.0, within(1e-5));
        }
    }

    @Test
    void microBatchesPackConsecutiveExamplesWithinTheBudget() {
        List<TokenizedExample> b = List.of(ex(5), ex(4), ex(9), ex(2), ex(20), ex(3), ex(3));
        List<List<TokenizedExample>> packs = TokenizedExample.pack(b, 10);
        // 5+4 fit; 9 alone (9+2 > 10); 2 alone (2+20 > 10); 20 alone though over budget; 3+3
        assertThat(packs).extracting(List::size).containsExactly(2, 1, 1, 1, 2);
    }

    static TokenizedExample ex(int n) {
        return new TokenizedExample("x", new int[n], 1, false);
    }
}
