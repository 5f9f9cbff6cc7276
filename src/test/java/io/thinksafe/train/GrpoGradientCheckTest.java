package io.thinksafe.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.thinksafe.model.Adapter;
import io.thinksafe.model.Architecture;
import io.thinksafe.model.DType;
import io.thinksafe.model.LoraConfig;
import io.thinksafe.model.TinyModels;
import io.thinksafe.model.Transformer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The GRPO loss's analytic gradient (written-out logits gradient through the frozen head, then
 * autograd through the LoRA layers) against central finite differences of the loss computed plainly,
 * in float64: temperature, clipped and unclipped tokens on both sides, the KL term, and
 * sequence-normalised weights all at once.
 */
class GrpoGradientCheckTest {
    @TempDir
    Path tmp;

    static final double T = 0.7;
    static final double CLIP = 0.2;
    static final double BETA = 0.3; // larger than the default so the KL term weighs in the check


    /** log softmax(logits / T) at each target, computed plainly. */
    static double[] logprobs(Transformer t, List<TokenizedExample> batch, TokenLoss.Targets targets) {
        List<Transformer.Segment> segs = new ArrayList<>();
        batch.forEach(e -> segs.add(new Transformer.Segment(e.tokens(), null)));
        try (NDManager m = t.manager().newSubManager()) {
            double[] lp = t.logits(t.hidden(segs, m)).div(T).logSoftmax(-1).toType(DataType.FLOAT64, false).toDoubleArray();
            int v = t.config().vocabSize();
            double[] out = new double[targets.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = lp[(int) targets.rows()[i] * v + (int) targets.ids()[i]];
            }
            return out;
        }
    }

    static double loss(Transformer t, List<TokenizedExample> batch, GrpoLoss.Targets g) {
        double[] lp = logprobs(t, batch, TokenLoss.Targets.of(batch));
        double sum = 0;
        for (int i = 0; i < lp.length; i++) {
            sum += g.weight()[i] * GrpoLoss.term(lp[i], g.oldLogp()[i], g.refLogp()[i], g.advantage()[i], CLIP, BETA).loss();
        }
        return sum;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void loraGradientsMatchFiniteDifferences(boolean recompute) {
        Path dir = TinyModels.write(tmp.resolve("m"), Architecture.QWEN3, DType.F32, 1, 3);
        try (Transformer t = GradientCheckTest.float64Model(dir)) {
            Adapter adapter = Adapter.attach(t, new LoraConfig(4, 8, 0, List.of("q_proj", "v_proj", "down_proj")), 1);
            for (NDArray p : adapter.parameters()) {
                p.addi(p.getManager().randomNormal(0, 0.1f, p.getShape(), DataType.FLOAT64));
            }
            List<TokenizedExample> batch = GradientCheckTest.batch(false); // completions start at tokens 3, 4, 5
            TokenLoss.Targets rows = TokenLoss.Targets.of(batch);
            int n = rows.size();
            adapter.setEnabled(false);
            double[] ref = logprobs(t, batch, rows);
            adapter.setEnabled(true);
            double[] now = logprobs(t, batch, rows);
            // behaviour log-probs off by ±0.5 on some tokens: ratios e^±0.5 = 1.65 / 0.61 leave the band on both sides
            double[] shift = {0, 0.5, -0.5, 0.1};
            double[] old = new double[n];
            double[] adv = new double[n];
            double[] weight = new double[n];
            int at = 0;
            double[] seqAdv = {1.3, -0.9, 0.6};
            for (int s = 0; s < batch.size(); s++) {
                int len = batch.get(s).targets();
                for (int j = 0; j < len; j++, at++) {
                    old[at] = now[at] - shift[at % shift.length];
                    adv[at] = seqAdv[s] * (at % 5 == 4 ? -1 : 1);
                    weight[at] = 1.0 / (batch.size() * len);
                }
            }
            GrpoLoss.Targets targets = new GrpoLoss.Targets(rows.rows(), rows.ids(), adv, weight, ref, old);
            List<NDArray> params = adapter.parameters();
            params.forEach(p -> p.setRequiresGradient(true));
            GrpoLoss.Stats[] stats = new GrpoLoss.Stats[1];
            try (NDManager m = t.manager().newSubManager()) {
                double value = ForwardBackward.lora(t, adapter, recompute).run(batch,
                        (gc, hidden) -> (stats[0] = GrpoLoss.backward(t, gc, hidden.last(), targets, T, CLIP, BETA)).loss(), 1, m);
                assertThat(value).isCloseTo(loss(t, batch, targets), org.assertj.core.data.Offset.offset(1e-10));
            }
            // both kinds of token are present, so the check covers clipped and unclipped gradients
            assertThat(stats[0].clipped()).isBetween(1, n - 1);
            assertThat(stats[0].logp()).containsExactly(now, org.assertj.core.data.Offset.offset(1e-10));
            SplittableRandom r = new SplittableRandom(9);
            double eps = 1e-6;
            List<String> names = adapter.parameterNames();
            for (int i = 0; i < params.size(); i++) {
                NDArray p = params.get(i);
                double[] grad = p.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
                for (int trial = 0; trial < 3; trial++) {
                    int k = r.nextInt((int) p.size());
                    double original = p.toDoubleArray()[k];
                    GradientCheckTest.set(p, k, original + eps);
                    double up = loss(t, batch, targets);
                    GradientCheckTest.set(p, k, original - eps);
                    double down = loss(t, batch, targets);
                    GradientCheckTest.set(p, k, original);
                    double numeric = (up - down) / (2 * eps);
                    assertThat(grad[k]).as("%s[%d] (recompute=%s)", names.get(i), k, recompute)
                            .isCloseTo(numeric, org.assertj.core.data.Offset.offset(1e-7 + 1e-5 * Math.abs(numeric)));
                }
            }
        }
    }
}
