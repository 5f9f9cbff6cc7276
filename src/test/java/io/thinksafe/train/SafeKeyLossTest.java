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
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SafeKey's objective against a plain float64 computation of it (cross-entropy, the key sentence's
 * cross-entropy under the query mask, the two heads' binary cross-entropy), its gradients against
 * finite differences (LoRA and the heads), and its auxiliary terms: they change the gradient, and
 * with their weights at 0 the gradient is SFT's.
 */
class SafeKeyLossTest {
    @TempDir
    Path tmp;

    static final double W_QMM = 0.3;
    static final double W_HEAD = 0.7;
    static final double THETA = 0.25;

    /** Two examples (a harmful and a benign one) with their spans, and their query-mask copies. */
    record Setup(List<TokenizedExample> batch, Map<TokenizedExample, SafeKeyLoss.Spans> heads, Set<TokenizedExample> masked,
                 int mainTargets, int keyTargets) {}

    static Setup setup(boolean withAux) {
        SplittableRandom r = new SplittableRandom(3);
        List<TokenizedExample> batch = new ArrayList<>();
        Map<TokenizedExample, SafeKeyLoss.Spans> heads = new IdentityHashMap<>();
        Set<TokenizedExample> masked = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        int main = 0;
        int keys = 0;
        int[][] shapes = {{11, 3, 6, 9}, {9, 4, 6, 8}}; // length, response start, U end, K end
        for (int i = 0; i < shapes.length; i++) {
            int[] t = new int[shapes[i][0]];
            for (int j = 0; j < t.length; j++) {
                t[j] = r.nextInt(300);
            }
            TokenizedExample e = new TokenizedExample("e" + i, t, shapes[i][1], false);
            SafeKeyLoss.Spans s = new SafeKeyLoss.Spans(shapes[i][1], shapes[i][2], shapes[i][3], i == 0);
            batch.add(e);
            main += e.targets();
            if (withAux) {
                heads.put(e, s);
                TokenizedExample copy = SafeKeyLoss.maskedCopy(e, s);
                masked.add(copy);
                batch.add(copy);
                keys += copy.targets();
            }
        }
        return new Setup(batch, heads, masked, main, keys);
    }

    static SafeKeyLoss.Scales scales(Setup s, double wq, double wh) {
        return new SafeKeyLoss.Scales(1.0 / s.mainTargets(), s.keyTargets() == 0 ? 0 : wq / s.keyTargets(),
                s.heads().isEmpty() ? 0 : wh / s.heads().size(), THETA);
    }

    /** The objective computed plainly in float64, no autograd. */
    static double plain(Transformer t, Setup s, SafeKeyLoss.Head head, SafeKeyLoss.Scales sc) {
        List<Transformer.Segment> segs = new ArrayList<>();
        s.batch().forEach(e -> segs.add(e.segment()));
        try (NDManager m = t.manager().newSubManager()) {
            NDArray hidden = t.hidden(segs, m);
            double[] h = hidden.toType(DataType.FLOAT64, false).toDoubleArray();
            double[] lp = t.logits(hidden).logSoftmax(-1).toType(DataType.FLOAT64, false).toDoubleArray();
            int v = t.config().vocabSize();
            int dim = t.config().hiddenSize();
            double[] wu = head.wU().toDoubleArray();
            double bu = head.bU().toDoubleArray()[0];
            double[] wc = head.wCtx().toDoubleArray();
            double bc = head.bCtx().toDoubleArray()[0];
            double ce = 0;
            double qmm = 0;
            double bce = 0;
            int offset = 0;
            for (TokenizedExample e : s.batch()) {
                double sum = 0;
                for (int j = e.targetStart(); j < e.tokens().length; j++) {
                    sum -= lp[(offset + j - 1) * v + e.tokens()[j]];
                }
                if (s.masked().contains(e)) {
                    qmm += sum;
                } else {
                    ce += sum;
                }
                SafeKeyLoss.Spans sp = s.heads().get(e);
                if (sp != null) {
                    double y = sp.harmful() ? 1 : 0;
                    double zu = bu + dot(wu, mean(h, dim, offset + sp.responseStart(), offset + sp.understandingEnd()));
                    double zc = bc + dot(wc, mean(h, dim, offset, offset + sp.understandingEnd()));
                    bce += THETA * bceWithLogits(zu, y) + (1 - THETA) * bceWithLogits(zc, y);
                }
                offset += e.tokens().length;
            }
            return sc.main() * ce + sc.qmm() * qmm + sc.head() * bce;
        }
    }

    static double bceWithLogits(double z, double y) {
        return -(y * Math.log(1 / (1 + Math.exp(-z))) + (1 - y) * Math.log(1 - 1 / (1 + Math.exp(-z))));
    }

    static double[] mean(double[] h, int dim, int from, int to) {
        double[] out = new double[dim];
        for (int r = from; r < to; r++) {
            for (int d = 0; d < dim; d++) {
                out[d] += h[r * dim + d] / (to - from);
            }
        }
        return out;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static Adapter loraWithValues(Transformer t) {
        Adapter adapter = Adapter.attach(t, new LoraConfig(4, 8, 0, List.of("q_proj", "v_proj")), 1);
        for (NDArray p : adapter.parameters()) {
            p.addi(p.getManager().randomNormal(0, 0.1f, p.getShape(), DataType.FLOAT64));
        }
        return adapter;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theObjectiveAndItsGradientsMatchAPlainComputationAndFiniteDifferences(boolean recompute) {
        Path dir = TinyModels.write(tmp.resolve("m"), Architecture.QWEN3, DType.F32, 1, 5);
        try (Transformer t = GradientCheckTest.float64Model(dir)) {
            Adapter adapter = loraWithValues(t);
            SafeKeyLoss.Head head = SafeKeyLoss.Head.create(t.manager(), t.config().hiddenSize(), DataType.FLOAT64, 2);
            Setup s = setup(true);
            SafeKeyLoss.Scales sc = scales(s, W_QMM, W_HEAD);
            List<NDArray> params = new ArrayList<>(adapter.parameters());
            List<String> names = new ArrayList<>(adapter.parameterNames());
            head.named().forEach((n, p) -> {
                names.add(n);
                params.add(p);
            });
            params.forEach(p -> p.setRequiresGradient(true));
            double value;
            try (NDManager m = t.manager().newSubManager()) {
                value = ForwardBackward.lora(t, adapter, recompute).run(s.batch(),
                        new SafeKeyLoss(t, s.batch(), s.heads(), s.masked(), head, sc), 1, m);
            }
            assertThat(value).isCloseTo(plain(t, s, head, sc), Offset.offset(1e-9));
            SplittableRandom r = new SplittableRandom(9);
            double eps = 1e-6;
            for (int i = 0; i < params.size(); i++) {
                NDArray p = params.get(i);
                double[] grad = p.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
                for (int trial = 0; trial < 3; trial++) {
                    int k = r.nextInt((int) p.size());
                    double original = p.toDoubleArray()[k];
                    GradientCheckTest.set(p, k, original + eps);
                    double up = plain(t, s, head, sc);
                    GradientCheckTest.set(p, k, original - eps);
                    double down = plain(t, s, head, sc);
                    GradientCheckTest.set(p, k, original);
                    double numeric = (up - down) / (2 * eps);
                    assertThat(grad[k]).as("%s[%d] (recompute=%s)", names.get(i), k, recompute)
                            .isCloseTo(numeric, Offset.offset(1e-6 + 1e-5 * Math.abs(numeric)));
                }
            }
        }
    }

    /** The LoRA gradient of one SafeKey micro-batch with these weights (the heads collect theirs too). */
    private static List<double[]> loraGradient(Transformer t, Adapter adapter, SafeKeyLoss.Head head, Setup s, double wq, double wh) {
        List<NDArray> params = new ArrayList<>(adapter.parameters());
        params.addAll(head.named().values());
        params.forEach(p -> p.setRequiresGradient(true));
        try (NDManager m = t.manager().newSubManager()) {
            ForwardBackward.lora(t, adapter, false).run(s.batch(), new SafeKeyLoss(t, s.batch(), s.heads(), s.masked(), head,
                    scales(s, wq, wh)), 1, m);
        }
        List<double[]> out = new ArrayList<>();
        adapter.parameters().forEach(p -> out.add(p.getGradient().toType(DataType.FLOAT64, false).toDoubleArray()));
        params.forEach(p -> p.getGradient().muli(0)); // gradients accumulate until zeroed, as the optimiser zeroes them
        return out;
    }

    @Test
    void theAuxiliaryTermsChangeTheGradientAndVanishWithZeroWeights() {
        Path dir = TinyModels.write(tmp.resolve("z"), Architecture.QWEN3, DType.F32, 1, 6);
        try (Transformer t = GradientCheckTest.float64Model(dir)) {
            Adapter adapter = loraWithValues(t);
            SafeKeyLoss.Head head = SafeKeyLoss.Head.create(t.manager(), t.config().hiddenSize(), DataType.FLOAT64, 3);
            Setup with = setup(true);
            List<double[]> zero = loraGradient(t, adapter, head, with, 0, 0);
            List<double[]> weighted = loraGradient(t, adapter, head, with, W_QMM, W_HEAD);
            List<double[]> onlyQmm = loraGradient(t, adapter, head, with, W_QMM, 0);
            List<double[]> onlyHead = loraGradient(t, adapter, head, with, 0, W_HEAD);
            // plain SFT on the same examples, without the masked copies or the heads
            Setup without = setup(false);
            adapter.parameters().forEach(p -> p.setRequiresGradient(true));
            ForwardBackward.lora(t, adapter, false).sft(without.batch(), (float) (1.0 / without.mainTargets()), 1);
            for (int i = 0; i < zero.size(); i++) {
                double[] sft = adapter.parameters().get(i).getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
                assertThat(zero.get(i)).as("weights 0 give SFT's gradient").containsExactly(sft, Offset.offset(1e-12));
            }
            assertThat(maxDiff(weighted, zero)).as("both terms").isGreaterThan(1e-6);
            assertThat(maxDiff(onlyQmm, zero)).as("query-mask modelling alone").isGreaterThan(1e-6);
            assertThat(maxDiff(onlyHead, zero)).as("the safety head alone").isGreaterThan(1e-6);
        }
    }

    private static double maxDiff(List<double[]> a, List<double[]> b) {
        double m = 0;
        for (int i = 0; i < a.size(); i++) {
            for (int j = 0; j < a.get(i).length; j++) {
                m = Math.max(m, Math.abs(a.get(i)[j] - b.get(i)[j]));
            }
        }
        return m;
    }
}
