package io.thinksafe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import io.thinksafe.model.Transformer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * SafeKey's training objective (Zhou et al. 2025) on one packed micro-batch:
 * <pre>
 *   L = main · Σ CE(response tokens)
 *     + qmm  · Σ CE(key-sentence tokens, the answer unable to see the prompt)      query-mask modelling
 *     + head · Σ_e [θ · BCE(h_U(e), y_e) + (1 − θ) · BCE(h_ctx(e), y_e)]            dual-path safety head
 * </pre>
 * where the scales carry each term's weight over its count in the step (SafeKey's means), y is 1 for
 * a harmful prompt and 0 for a benign one, h_U reads the mean final hidden state over the response up
 * to the end of its query understanding U, and h_ctx the mean over the prompt and U. The heads are
 * linear probes (hidden → 1, with bias) that exist for training only. Query-mask examples are copies
 * of their example cut after the key sentence, with the prompt's keys hidden from every response
 * position ({@link #maskedCopy}); they are packed beside the others.
 */
final class SafeKeyLoss implements ForwardBackward.Loss {
    /** The dual-path safety head: two probes on the final hidden states, each a weight [1, hidden] and a bias [1]. */
    record Head(NDArray wU, NDArray bU, NDArray wCtx, NDArray bCtx) {
        /** PyTorch's default for a linear layer: uniform in ±1/√hidden, seeded. */
        static Head create(NDManager m, int hidden, DataType type, long seed) {
            Random r = new Random(seed * 0x9E3779B97F4A7C15L + 17);
            double bound = 1 / Math.sqrt(hidden);
            NDArray[] a = new NDArray[4];
            int[] sizes = {hidden, 1, hidden, 1};
            for (int i = 0; i < 4; i++) {
                double[] v = new double[sizes[i]];
                for (int j = 0; j < v.length; j++) {
                    v[j] = (2 * r.nextDouble() - 1) * bound;
                }
                a[i] = m.create(v, i % 2 == 0 ? new Shape(1, hidden) : new Shape(1)).toType(type, false);
            }
            return new Head(a[0], a[1], a[2], a[3]);
        }

        Map<String, NDArray> named() {
            Map<String, NDArray> out = new LinkedHashMap<>();
            out.put("safekey.head_u.weight", wU);
            out.put("safekey.head_u.bias", bU);
            out.put("safekey.head_ctx.weight", wCtx);
            out.put("safekey.head_ctx.bias", bCtx);
            return out;
        }
    }

    /**
     * An example's part in the auxiliary objectives, in token positions of the example: the response
     * starts at {@code responseStart}, U ends at {@code understandingEnd}, K at {@code keyEnd}; {@code harmful} is y.
     */
    record Spans(int responseStart, int understandingEnd, int keyEnd, boolean harmful) {}

    /** Step-level weights of each term over its count (e.g. {@code qmm = 0.2 / key-sentence tokens of the step}). */
    record Scales(double main, double qmm, double head, double theta) {}

    /**
     * The query-mask copy of an example: its tokens up to the end of the key sentence, the key sentence
     * learned, and every position from the response on unable to see the prompt.
     */
    static TokenizedExample maskedCopy(TokenizedExample e, Spans s) {
        int promptEnd = s.responseStart();
        int[] tokens = java.util.Arrays.copyOf(e.tokens(), s.keyEnd());
        return new TokenizedExample(e.id() + "#qmm", tokens, s.understandingEnd(), false, (q, k) -> q >= promptEnd && k < promptEnd);
    }

    private final Transformer model;
    private final List<TokenizedExample> batch;
    private final Map<TokenizedExample, Spans> heads;  // examples read by the safety head (identity keys)
    private final java.util.Set<TokenizedExample> masked;
    private final Head head;
    private final Scales scales;
    /** The unscaled sums of this micro-batch: main cross-entropy, query-mask cross-entropy, head BCE (θ-mixed). */
    double mainSum;
    double qmmSum;
    double headSum;

    SafeKeyLoss(Transformer model, List<TokenizedExample> batch, Map<TokenizedExample, Spans> heads,
                java.util.Set<TokenizedExample> masked, Head head, Scales scales) {
        this.model = model;
        this.batch = batch;
        this.heads = heads;
        this.masked = masked;
        this.head = head;
        this.scales = scales;
    }

    @Override
    public double backward(GradientCollector gc, ForwardBackward.Hidden hidden) {
        NDArray h = hidden.last();
        TokenLoss.Targets all = TokenLoss.Targets.of(batch);
        boolean[] isMasked = new boolean[all.size()];
        int at = 0;
        for (TokenizedExample e : batch) {
            for (int j = 0; j < e.targets(); j++) {
                isMasked[at++] = masked.contains(e);
            }
        }
        mainSum = TokenLoss.backward(model, gc, h, subset(all, isMasked, false), null, (float) scales.main());
        TokenLoss.Targets qmm = subset(all, isMasked, true);
        qmmSum = qmm.size() == 0 ? 0 : TokenLoss.backward(model, gc, h, qmm, null, (float) scales.qmm());
        headSum = heads.isEmpty() ? 0 : headBackward(gc, h);
        return scales.main() * mainSum + scales.qmm() * qmmSum + scales.head() * headSum;
    }

    private static TokenLoss.Targets subset(TokenLoss.Targets t, boolean[] masked, boolean want) {
        int n = 0;
        for (boolean b : masked) {
            n += b == want ? 1 : 0;
        }
        long[] rows = new long[n];
        long[] ids = new long[n];
        int k = 0;
        for (int i = 0; i < masked.length; i++) {
            if (masked[i] == want) {
                rows[k] = t.rows()[i];
                ids[k++] = t.ids()[i];
            }
        }
        return new TokenLoss.Targets(rows, ids, new boolean[n]);
    }

    /** Both heads' BCE over this micro-batch's head examples, back-propagated into the hidden states and the heads. */
    private double headBackward(GradientCollector gc, NDArray h) {
        int n = (int) h.getShape().get(0);
        List<TokenizedExample> es = new ArrayList<>();
        int offset = 0;
        List<int[]> ranges = new ArrayList<>(); // [offset, responseStart, understandingEnd]
        for (TokenizedExample e : batch) {
            if (heads.containsKey(e)) {
                Spans s = heads.get(e);
                es.add(e);
                ranges.add(new int[] {offset, s.responseStart(), s.understandingEnd()});
            }
            offset += e.tokens().length;
        }
        int m = es.size();
        double[] poolU = new double[m * n];
        double[] poolCtx = new double[m * n];
        double[] y = new double[m];
        for (int i = 0; i < m; i++) {
            int[] r = ranges.get(i);
            for (int j = r[1]; j < r[2]; j++) {
                poolU[i * n + r[0] + j] = 1.0 / (r[2] - r[1]);
            }
            for (int j = 0; j < r[2]; j++) {
                poolCtx[i * n + r[0] + j] = 1.0 / r[2];
            }
            y[i] = heads.get(es.get(i)).harmful() ? 1 : 0;
        }
        try (NDManager mm = h.getManager().newSubManager()) {
            DataType type = h.getDataType();
            NDArray labels = mm.create(y).toType(type, false);
            NDArray ones = mm.ones(new Shape(m), type);
            NDArray bceU = bce(mm.create(poolU, new Shape(m, n)).toType(type, false).matMul(h), head.wU(), head.bU(), labels, ones);
            NDArray bceCtx = bce(mm.create(poolCtx, new Shape(m, n)).toType(type, false).matMul(h), head.wCtx(), head.bCtx(), labels, ones);
            NDArray mixed = io.thinksafe.model.Torch.times(bceU, (float) scales.theta())
                    .add(io.thinksafe.model.Torch.times(bceCtx, (float) (1 - scales.theta()))).sum();
            double value = mixed.toType(DataType.FLOAT64, false).getDouble();
            gc.backward(io.thinksafe.model.Torch.times(mixed, (float) scales.head()));
            return value;
        }
    }

    /** Binary cross-entropy with logits per row, in the stable form max(z, 0) − z·y + log(1 + e^−|z|); no Number operands under autograd. */
    private static NDArray bce(NDArray pooled, NDArray w, NDArray b, NDArray y, NDArray ones) {
        NDArray z = pooled.matMul(w.transpose()).reshape(-1).add(b);
        return Activation.relu(z).sub(z.mul(y)).add(z.abs().neg().exp().add(ones).log());
    }
}
