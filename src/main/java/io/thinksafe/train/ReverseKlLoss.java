package io.thinksafe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.thinksafe.model.Transformer;
import java.util.Arrays;

/**
 * On-policy distillation's per-token loss (Agarwal et al. 2024 with the reverse KL, λ = 1: every
 * sequence is the student's own sample): at each sampled position t,
 * <pre>
 *   KL_t = Σ_v p(v) (log p(v) − log q(v))       p the student's next-token distribution, q the teacher's
 * </pre>
 * summed with per-token weights. The samples are data, not differentiated through (as GKD does); the
 * gradient with respect to the student's logits is written out, as for {@link TokenLoss}:
 * ∂KL_t/∂z_j = p_j (log p_j − log q_j − KL_t), and handed to {@link FrozenHead}. Both models' logits
 * are computed in row chunks, so no [tokens, vocab] matrix is ever whole.
 */
final class ReverseKlLoss {
    private ReverseKlLoss() {}

    /** Σ weight·KL, the KL of every row (for metrics). */
    record Stats(double loss, double[] kl) {}

    /**
     * Back-propagates Σ_t weight_t · KL_t from {@code hidden} (the student's final hidden states, a leaf
     * collecting its gradient) for the given rows; {@code teacherHidden} holds the teacher's final hidden
     * states for the same packed sequences. Both output projections must be frozen and share the vocabulary.
     */
    static Stats backward(Transformer student, Transformer teacher, GradientCollector gc, NDArray hidden, NDArray teacherHidden,
                          long[] rows, double[] weight) {
        FrozenHead hs = FrozenHead.of(student);
        FrozenHead ht = FrozenHead.of(teacher);
        if (hs == null || ht == null || hs.vocab() != ht.vocab()) {
            throw new IllegalStateException("reverse KL needs frozen output projections over one vocabulary");
        }
        int chunk = Math.min(hs.rowsPerChunk(), ht.rowsPerChunk());
        double[] kl = new double[rows.length];
        double[] loss = {0};
        for (int from = 0; from < rows.length; from += chunk) {
            int first = from;
            int n = Math.min(rows.length, from + chunk) - from;
            try (NDManager m = hidden.getManager().newSubManager()) {
                NDArray idx = m.create(Arrays.copyOfRange(rows, first, first + n));
                NDArray g = FrozenHead.withoutGraph(() -> {
                    NDArray h = hidden.get(idx);
                    h.attach(m);
                    NDArray r = teacherHidden.get(idx);
                    r.attach(m);
                    NDArray logp = hs.logSoftmax(h, 1);                 // [vocab, n]
                    NDArray logq = ht.logSoftmax(r.toType(logp.getDataType(), false), 1);
                    NDArray p = logp.exp();
                    NDArray diff = logp.sub(logq);
                    NDArray rowKl = p.mul(diff).sum(new int[] {0}, true);    // [1, n]
                    double[] k = rowKl.toType(DataType.FLOAT64, false).toDoubleArray();
                    double[] w = new double[n];
                    for (int i = 0; i < n; i++) {
                        kl[first + i] = k[i];
                        w[i] = weight[first + i];
                        loss[0] += w[i] * k[i];
                    }
                    NDArray wArr = m.create(w, new Shape(1, n)).toType(logp.getDataType(), false);
                    return p.mul(diff.sub(rowKl)).mul(wArr);                 // ∂loss/∂logits
                });
                hs.backward(gc, hidden, idx, g, m);
            }
        }
        return new Stats(loss[0], kl);
    }
}
