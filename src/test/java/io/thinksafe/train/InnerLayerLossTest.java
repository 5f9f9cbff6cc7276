package io.thinksafe.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
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
 * A loss that reads inner layers' outputs as well as the final hidden states (a probe, as SafeKey's
 * safety head reads layer outputs) gets the exact gradient through the same forward and backward,
 * with and without recompute: finite differences in float64.
 */
class InnerLayerLossTest {
    @TempDir
    Path tmp;

    /** Cross-entropy on the targets plus Σ c_l ⊙ (output of layer l) for both layers of the tiny model. */
    static double plainLoss(Transformer t, List<TokenizedExample> batch, NDArray[] probes) {
        List<Transformer.Segment> segs = new ArrayList<>();
        batch.forEach(e -> segs.add(new Transformer.Segment(e.tokens(), null)));
        Transformer.Packed p = Transformer.Packed.of(segs);
        TokenLoss.Targets targets = TokenLoss.Targets.of(batch);
        try (NDManager m = t.manager().newSubManager()) {
            NDArray positions = m.create(p.positions());
            NDArray x = t.embed(p, m);
            double sum = 0;
            for (int l = 0; l < probes.length; l++) {
                x = t.layer(l, x, positions, p);
                sum += x.mul(probes[l]).sum().getDouble();
            }
            double[] lp = t.logits(t.finalNorm(x)).logSoftmax(-1).toType(DataType.FLOAT64, false).toDoubleArray();
            int v = t.config().vocabSize();
            for (int i = 0; i < targets.size(); i++) {
                sum -= lp[(int) targets.rows()[i] * v + (int) targets.ids()[i]];
            }
            return sum;
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theGradientOfALossOnInnerLayersMatchesFiniteDifferences(boolean recompute) {
        Path dir = TinyModels.write(tmp.resolve("m"), Architecture.QWEN3, DType.F32, 1, 3);
        try (Transformer t = GradientCheckTest.float64Model(dir); NDManager m = t.manager().newSubManager()) {
            Adapter adapter = Adapter.attach(t, new LoraConfig(4, 8, 0, List.of("q_proj", "v_proj", "down_proj")), 1);
            for (NDArray p : adapter.parameters()) {
                p.addi(p.getManager().randomNormal(0, 0.1f, p.getShape(), DataType.FLOAT64));
            }
            List<TokenizedExample> batch = GradientCheckTest.batch(false);
            int tokens = batch.stream().mapToInt(e -> e.tokens().length).sum();
            NDArray[] probes = new NDArray[t.config().numLayers()];
            for (int l = 0; l < probes.length; l++) {
                probes[l] = m.randomNormal(0, 1, new Shape(tokens, t.config().hiddenSize()), DataType.FLOAT64);
            }
            TokenLoss.Targets targets = TokenLoss.Targets.of(batch);
            ForwardBackward.Loss loss = new ForwardBackward.Loss() {
                @Override
                public int[] layers() {
                    return new int[] {0, 1};
                }

                @Override
                public double backward(GradientCollector gc, ForwardBackward.Hidden hidden) {
                    double value = TokenLoss.backward(t, gc, hidden.last(), targets, null, 1f);
                    for (int l = 0; l < probes.length; l++) {
                        NDArray s = hidden.layer(l).mul(probes[l]).sum();
                        value += s.getDouble();
                        gc.backward(s);
                    }
                    return value;
                }
            };
            List<NDArray> params = adapter.parameters();
            params.forEach(p -> p.setRequiresGradient(true));
            double value;
            try (NDManager mb = t.manager().newSubManager()) {
                value = ForwardBackward.lora(t, adapter, recompute).run(batch, loss, 1, mb);
            }
            assertThat(value).isCloseTo(plainLoss(t, batch, probes), org.assertj.core.data.Offset.offset(1e-9));
            SplittableRandom r = new SplittableRandom(9);
            double eps = 1e-6;
            for (int i = 0; i < params.size(); i++) {
                NDArray p = params.get(i);
                double[] grad = p.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
                for (int trial = 0; trial < 3; trial++) {
                    int k = r.nextInt((int) p.size());
                    double original = p.toDoubleArray()[k];
                    GradientCheckTest.set(p, k, original + eps);
                    double up = plainLoss(t, batch, probes);
                    GradientCheckTest.set(p, k, original - eps);
                    double down = plainLoss(t, batch, probes);
                    GradientCheckTest.set(p, k, original);
                    double numeric = (up - down) / (2 * eps);
                    assertThat(grad[k]).as("%s[%d] (recompute=%s)", adapter.parameterNames().get(i), k, recompute)
                            .isCloseTo(numeric, org.assertj.core.data.Offset.offset(1e-6 + 1e-5 * Math.abs(numeric)));
                }
            }
        }
    }
}
