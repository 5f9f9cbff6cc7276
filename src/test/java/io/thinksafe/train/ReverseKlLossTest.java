package io.thinksafe.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.thinksafe.model.Adapter;
import io.thinksafe.model.Architecture;
import io.thinksafe.model.DType;
import io.thinksafe.model.LoraConfig;
import io.thinksafe.model.RandomCheckpoint;
import io.thinksafe.model.TinyModels;
import io.thinksafe.model.Transformer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * On-policy distillation's loss on a 12-token vocabulary: the value is the reverse KL summed by hand
 * from both models' next-token distributions, Σ_t w_t Σ_v p(v) (log p(v) − log q(v)), and the LoRA
 * gradient matches finite differences of that sum (float64).
 */
class ReverseKlLossTest {
    @TempDir
    Path tmp;

    static final int VOCAB = 12;

    static List<TokenizedExample> sequences() {
        SplittableRandom r = new SplittableRandom(4);
        List<TokenizedExample> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int[] t = new int[6 + 2 * i];
            for (int j = 0; j < t.length; j++) {
                t[j] = r.nextInt(VOCAB);
            }
            out.add(new TokenizedExample("s" + i, t, 2 + i, false));
        }
        return out;
    }

    static double[] weights(TokenLoss.Targets rows) {
        double[] w = new double[rows.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = 1.0 / w.length + 0.01 * i; // unequal, so a misplaced row shows
        }
        return w;
    }

    /** Σ_t w_t KL(p_t ‖ q_t), with p and q written out from the logits, one vocabulary entry at a time. */
    static double byHand(Transformer student, Transformer teacher, List<TokenizedExample> batch) {
        List<Transformer.Segment> segs = new ArrayList<>();
        batch.forEach(e -> segs.add(e.segment()));
        TokenLoss.Targets rows = TokenLoss.Targets.of(batch);
        double[] w = weights(rows);
        try (NDManager m = student.manager().newSubManager()) {
            double[] zs = student.logits(student.hidden(segs, m)).toType(DataType.FLOAT64, false).toDoubleArray();
            double[] zt = teacher.logits(teacher.hidden(segs, m)).toType(DataType.FLOAT64, false).toDoubleArray();
            double total = 0;
            for (int i = 0; i < rows.size(); i++) {
                int row = (int) rows.rows()[i];
                double[] p = softmax(zs, row);
                double[] q = softmax(zt, row);
                double kl = 0;
                for (int v = 0; v < VOCAB; v++) {
                    kl += p[v] * (Math.log(p[v]) - Math.log(q[v]));
                }
                total += w[i] * kl;
            }
            return total;
        }
    }

    static double[] softmax(double[] logits, int row) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < VOCAB; v++) {
            max = Math.max(max, logits[row * VOCAB + v]);
        }
        double[] e = new double[VOCAB];
        double z = 0;
        for (int v = 0; v < VOCAB; v++) {
            e[v] = Math.exp(logits[row * VOCAB + v] - max);
            z += e[v];
        }
        for (int v = 0; v < VOCAB; v++) {
            e[v] /= z;
        }
        return e;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theLossIsTheReverseKlByHandAndItsGradientMatchesFiniteDifferences(boolean recompute) {
        Path s = tmp.resolve("student");
        Path t = tmp.resolve("teacher");
        RandomCheckpoint.write(s, TinyModels.config(Architecture.QWEN3, VOCAB), DType.F32, 1, 21, null);
        RandomCheckpoint.write(t, TinyModels.config(Architecture.QWEN3, VOCAB), DType.F32, 1, 22, null);
        try (Transformer student = GradientCheckTest.float64Model(s); Transformer teacher = GradientCheckTest.float64Model(t)) {
            Adapter adapter = Adapter.attach(student, new LoraConfig(4, 8, 0, List.of("q_proj", "v_proj")), 1);
            for (NDArray p : adapter.parameters()) {
                p.addi(p.getManager().randomNormal(0, 0.1f, p.getShape(), DataType.FLOAT64));
            }
            List<TokenizedExample> batch = sequences();
            TokenLoss.Targets rows = TokenLoss.Targets.of(batch);
            double[] w = weights(rows);
            adapter.parameters().forEach(p -> p.setRequiresGradient(true));
            double value;
            try (NDManager m = student.manager().newSubManager()) {
                List<Transformer.Segment> segs = new ArrayList<>();
                batch.forEach(e -> segs.add(e.segment()));
                NDArray teacherHidden = FrozenHead.withoutGraph(() -> teacher.hidden(segs, m));
                ForwardBackward.Loss loss = (GradientCollector gc, ForwardBackward.Hidden hidden) ->
                        ReverseKlLoss.backward(student, teacher, gc, hidden.last(), teacherHidden, rows.rows(), w).loss();
                value = ForwardBackward.lora(student, adapter, recompute).run(batch, loss, 1, m);
            }
            assertThat(value).isPositive().isCloseTo(byHand(student, teacher, batch), Offset.offset(1e-10));
            SplittableRandom r = new SplittableRandom(9);
            double eps = 1e-6;
            for (int i = 0; i < adapter.parameters().size(); i++) {
                NDArray p = adapter.parameters().get(i);
                double[] grad = p.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
                for (int trial = 0; trial < 3; trial++) {
                    int k = r.nextInt((int) p.size());
                    double original = p.toDoubleArray()[k];
                    GradientCheckTest.set(p, k, original + eps);
                    double up = byHand(student, teacher, batch);
                    GradientCheckTest.set(p, k, original - eps);
                    double down = byHand(student, teacher, batch);
                    GradientCheckTest.set(p, k, original);
                    double numeric = (up - down) / (2 * eps);
                    assertThat(grad[k]).as("%s[%d] (recompute=%s)", adapter.parameterNames().get(i), k, recompute)
                            .isCloseTo(numeric, Offset.offset(1e-7 + 1e-5 * Math.abs(numeric)));
                }
            }
        }
    }
}
