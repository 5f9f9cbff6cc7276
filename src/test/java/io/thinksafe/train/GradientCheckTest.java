package io.thinksafe.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.thinksafe.model.Adapter;
import io.thinksafe.model.Architecture;
import io.thinksafe.model.Checkpoint;
import io.thinksafe.model.DType;
import io.thinksafe.model.LoraConfig;
import io.thinksafe.model.TinyModels;
import io.thinksafe.model.Transformer;
import io.thinksafe.model.TransformerLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Analytic gradients of our training step against central finite differences, in float64, for
 * LoRA A/B (cross-entropy and KL rows together) and for every full-fine-tuning parameter.
 */
class GradientCheckTest {
    @TempDir
    Path tmp;

    static List<TokenizedExample> batch(boolean withKl) {
        SplittableRandom r = new SplittableRandom(5);
        List<TokenizedExample> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int[] t = new int[7 + 3 * i];
            for (int j = 0; j < t.length; j++) {
                t[j] = r.nextInt(300);
            }
            out.add(new TokenizedExample("e" + i, t, 3 + i, withKl && i == 1));
        }
        return out;
    }

    /** Σ token losses computed plainly (no autograd): CE rows and KL rows against {@code reference}. */
    static double loss(Transformer t, Adapter adapter, List<TokenizedExample> batch) {
        List<Transformer.Segment> segs = new ArrayList<>();
        batch.forEach(e -> segs.add(e.segment()));
        TokenLoss.Targets targets = TokenLoss.Targets.of(batch);
        try (NDManager m = t.manager().newSubManager()) {
            double[] lp = t.logits(t.hidden(segs, m)).logSoftmax(-1).toType(DataType.FLOAT64, false).toDoubleArray();
            double[] ref = null;
            if (adapter != null) {
                adapter.setEnabled(false);
                ref = t.logits(t.hidden(segs, m)).logSoftmax(-1).toType(DataType.FLOAT64, false).toDoubleArray();
                adapter.setEnabled(true);
            }
            int v = t.config().vocabSize();
            double sum = 0;
            for (int i = 0; i < targets.size(); i++) {
                int row = (int) targets.rows()[i];
                if (targets.kl()[i]) {
                    for (int k = 0; k < v; k++) {
                        double pr = Math.exp(ref[row * v + k]);
                        sum += pr * (ref[row * v + k] - lp[row * v + k]);
                    }
                } else {
                    sum -= lp[row * v + (int) targets.ids()[i]];
                }
            }
            return sum;
        }
    }

    static Transformer float64Model(Path dir) {
        Transformer t = TransformerLoader.load(Checkpoint.open(dir));
        t.mapWeights(w -> w.toType(DataType.FLOAT64, true));
        return t;
    }

    /** Compares analytic and numeric derivatives at a few coordinates of each parameter. */
    static void check(Transformer t, Adapter adapter, List<NDArray> params, List<String> names, List<TokenizedExample> batch,
                      boolean recompute, boolean trainEmbedding) {
        params.forEach(p -> p.setRequiresGradient(true));
        (trainEmbedding ? ForwardBackward.full(t, recompute) : ForwardBackward.lora(t, adapter, recompute)).sft(batch, 1f, 1);
        SplittableRandom r = new SplittableRandom(9);
        double eps = 1e-6;
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i);
            double[] grad = p.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
            for (int trial = 0; trial < 3; trial++) {
                int k = r.nextInt((int) p.size());
                double original = p.toDoubleArray()[k];
                set(p, k, original + eps);
                double up = loss(t, adapter, batch);
                set(p, k, original - eps);
                double down = loss(t, adapter, batch);
                set(p, k, original);
                double numeric = (up - down) / (2 * eps);
                assertThat(grad[k]).as("%s[%d] (recompute=%s)", names.get(i), k, recompute)
                        .isCloseTo(numeric, org.assertj.core.data.Offset.offset(1e-6 + 1e-5 * Math.abs(numeric)));
            }
        }
    }

    static void set(NDArray p, int k, double value) {
        double[] d = p.toDoubleArray();
        d[k] = value;
        try (NDManager m = NDManager.newBaseManager(p.getDevice())) {
            NDArray src = m.create(d, p.getShape());
            p.muli(0).addi(src);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void loraGradientsMatchFiniteDifferences(boolean recompute) {
        Path dir = TinyModels.write(tmp.resolve("m"), Architecture.QWEN3, DType.F32, 1, 3);
        try (Transformer t = float64Model(dir)) {
            Adapter adapter = Adapter.attach(t, new LoraConfig(4, 8, 0, List.of("q_proj", "v_proj", "down_proj")), 1);
            // B starts at zero (so A's gradient would be zero): give it values first
            for (NDArray p : adapter.parameters()) {
                p.addi(p.getManager().randomNormal(0, 0.1f, p.getShape(), DataType.FLOAT64));
            }
            check(t, adapter, adapter.parameters(), adapter.parameterNames(), batch(true), recompute, false);
        }
    }

    /** An example whose answer may not see part of its prompt (a key mask, as SafeKey's query masking) trains exactly. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void loraGradientsWithAKeyMaskMatchFiniteDifferences(boolean recompute) {
        Path dir = TinyModels.write(tmp.resolve("k"), Architecture.QWEN3, DType.F32, 1, 8);
        try (Transformer t = float64Model(dir)) {
            Adapter adapter = Adapter.attach(t, new LoraConfig(4, 8, 0, List.of("q_proj", "v_proj")), 1);
            for (NDArray p : adapter.parameters()) {
                p.addi(p.getManager().randomNormal(0, 0.1f, p.getShape(), DataType.FLOAT64));
            }
            List<TokenizedExample> batch = new ArrayList<>(batch(false));
            TokenizedExample first = batch.get(0);
            batch.set(0, new TokenizedExample(first.id(), first.tokens(), first.targetStart(), false, (q, k) -> q >= 4 && k < 2));
            double masked = loss(t, adapter, batch);
            assertThat(masked).as("the mask changes the loss").isNotCloseTo(loss(t, adapter, batch(false)),
                    org.assertj.core.data.Offset.offset(1e-6));
            check(t, adapter, adapter.parameters(), adapter.parameterNames(), batch, recompute, false);
        }
    }

    /**
     * LoRA over a frozen bf16 base held as bf16 (widened per block inside each product, float32 autograd):
     * its gradients equal float64 finite differences on the widened weights, to float32 accuracy.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void loraGradientsOverABf16BaseMatchFiniteDifferencesOnTheWidenedWeights(boolean recompute) {
        Path dir = TinyModels.write(tmp.resolve("b"), Architecture.LLAMA, DType.BF16, 1, 6);
        LoraConfig cfg = new LoraConfig(4, 8, 0, List.of("q_proj", "v_proj", "up_proj"));
        List<TokenizedExample> batch = batch(true);
        try (Transformer bf16 = TransformerLoader.load(Checkpoint.open(dir)); Transformer widened = float64Model(dir)) {
            assertThat(((io.thinksafe.model.DenseLinear) bf16.layers().get(0).q()).weight().dtype()).isEqualTo(DType.BF16);
            Adapter a = Adapter.attach(bf16, cfg, 1);
            Adapter b = Adapter.attach(widened, cfg, 1);
            for (int i = 0; i < a.parameters().size(); i++) {
                NDArray p = a.parameters().get(i);
                p.addi(p.getManager().randomNormal(0, 0.1f, p.getShape(), DataType.FLOAT32));
                NDArray q = b.parameters().get(i);
                q.muli(0).addi(p.toType(DataType.FLOAT64, true));
            }
            a.parameters().forEach(p -> p.setRequiresGradient(true));
            ForwardBackward.lora(bf16, a, recompute).sft(batch, 1f, 1);
            SplittableRandom r = new SplittableRandom(9);
            double eps = 1e-6;
            for (int i = 0; i < b.parameters().size(); i++) {
                NDArray p = b.parameters().get(i);
                double[] grad = a.parameters().get(i).getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
                for (int trial = 0; trial < 3; trial++) {
                    int k = r.nextInt((int) p.size());
                    double original = p.toDoubleArray()[k];
                    set(p, k, original + eps);
                    double up = loss(widened, b, batch);
                    set(p, k, original - eps);
                    double down = loss(widened, b, batch);
                    set(p, k, original);
                    double numeric = (up - down) / (2 * eps);
                    assertThat(grad[k]).as("%s[%d] (recompute=%s)", b.parameterNames().get(i), k, recompute)
                            .isCloseTo(numeric, org.assertj.core.data.Offset.offset(1e-5 + 1e-4 * Math.abs(numeric)));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void fullFineTuningGradientsMatchFiniteDifferences(boolean recompute) {
        Path dir = TinyModels.write(tmp.resolve("f"), Architecture.QWEN2, DType.F32, 1, 4);
        try (Transformer t = float64Model(dir)) {
            Map<String, NDArray> named = t.namedWeights();
            check(t, null, new ArrayList<>(named.values()), new ArrayList<>(named.keySet()), batch(false), recompute, true);
        }
    }
}
