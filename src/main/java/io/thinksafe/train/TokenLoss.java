package io.thinksafe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.thinksafe.model.Transformer;

/**
 * The per-token loss over the vocabulary, computed in row chunks so that no [T, vocab] matrix is
 * ever whole: cross-entropy {@code -log p(target)} for ordinary rows, and for rows marked KL the
 * full-vocabulary forward KL to the reference, {@code Σ_v p_ref (log p_ref - log p)}. Each chunk's
 * loss, scaled by {@code scale}, is back-propagated at once into the (leaf) hidden states, whose
 * gradient the caller then carries through the layers.
 *
 * <p>When the output projection is frozen (LoRA), the gradient with respect to the logits is
 * written down directly — {@code softmax - onehot(target)} for cross-entropy, {@code p - p_ref}
 * for KL — and multiplied back through the projection, with no autograd graph over the vocabulary:
 * measured, autograd spent half a LoRA step there. A trainable projection (full fine-tuning) goes
 * through autograd.
 */
final class TokenLoss {
    /** Logit floats held at once by autograd (128 MiB). */
    private static final long LOGIT_BUDGET = 32L << 20;
    /** Logit floats per chunk of the direct path; its five [vocab, rows] buffers stay under glibc's mmap threshold. */
    private static final long DIRECT_BUDGET = 7L << 20;

    private TokenLoss() {}

    /** Rows of the packed batch that carry a loss, their target ids, and whether each uses KL. */
    record Targets(long[] rows, long[] ids, boolean[] kl) {
        int size() {
            return rows.length;
        }
    }

    /**
     * Back-propagates {@code scale · Σ loss} from {@code hidden} (a leaf with requires-grad) and
     * returns the unscaled sum of the token losses. {@code reference} holds the reference model's
     * final hidden states for the same rows (null when no row uses KL).
     */
    static double backward(Transformer model, GradientCollector gc, NDArray hidden, Targets t, NDArray reference, float scale) {
        int vocab = model.config().vocabSize();
        boolean frozenHead = model.lmHead() instanceof io.thinksafe.model.DenseLinear head && !head.trainable();
        int chunk = (int) Math.max(1, (frozenHead ? DIRECT_BUDGET : LOGIT_BUDGET) / vocab);
        double total = 0;
        for (int from = 0; from < t.size(); from += chunk) {
            int to = Math.min(t.size(), from + chunk);
            total += frozenHead ? directChunk(model, gc, hidden, t, reference, from, to, scale)
                    : chunk(model, gc, hidden, t, reference, from, to, scale);
        }
        return total;
    }

    /** One chunk with the logits' gradient written out (frozen output projection). */
    private static double directChunk(Transformer model, GradientCollector gc, NDArray hidden, Targets t, NDArray reference,
                                      int from, int to, float scale) {
        int n = to - from;
        io.thinksafe.model.DenseLinear head = (io.thinksafe.model.DenseLinear) model.lmHead();
        long[] rows = java.util.Arrays.copyOfRange(t.rows(), from, to);
        long[] ids = java.util.Arrays.copyOfRange(t.ids(), from, to);
        float[] ce = new float[n];
        float[] kl = new float[n];
        boolean anyKl = false;
        for (int i = 0; i < n; i++) {
            boolean k = t.kl()[from + i];
            ce[i] = k ? 0f : 1f;
            kl[i] = k ? 1f : 0f;
            anyKl |= k;
        }
        try (NDManager m = hidden.getManager().newSubManager()) {
            NDArray idx = m.create(rows);
            NDArray gradRows;
            double value;
            boolean grad = ai.djl.pytorch.jni.JniUtils.isGradMode();
            ai.djl.pytorch.jni.JniUtils.setGradMode(false);
            try {
                NDArray h = hidden.get(idx);
                h.attach(m);
                // columns are rows of the batch: [vocab, n], the weight on the left where sgemm is fastest
                NDArray logp = head.timesTransposed(h.transpose()).logSoftmax(0);
                NDArray p = logp.exp();
                NDArray ceW = m.create(ce, new Shape(1, n));
                NDArray picked = logp.gather(m.create(ids, new Shape(1, n)), 0); // [1, n]
                NDArray perToken = picked.neg().mul(ceW);
                NDArray target = m.create(ids).oneHot(model.config().vocabSize()).transpose().mul(ceW); // [vocab, n]
                if (anyKl) {
                    NDArray r = reference.get(idx);
                    r.attach(m);
                    NDArray refLogp = head.timesTransposed(r.transpose()).logSoftmax(0);
                    NDArray q = refLogp.exp().mul(m.create(kl, new Shape(1, n)));
                    perToken = perToken.add(q.mul(refLogp.sub(logp)).sum(new int[] {0}, true));
                    target = target.add(q);
                }
                value = perToken.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).sum().getDouble();
                NDArray g = p.sub(target).mul(scale);                 // ∂loss/∂logits, [vocab, n]
                gradRows = head.transposedTimes(g).transpose(); // [n, hidden]
                gradRows.attach(m);
            } finally {
                ai.djl.pytorch.jni.JniUtils.setGradMode(grad);
            }
            // hand the rows' gradient to autograd: d/dh Σ (h ⊙ G) = G, scattered into the leaf
            NDArray h = hidden.get(idx);
            h.attach(m);
            gc.backward(h.mul(gradRows).sum());
            return value;
        }
    }

    private static double chunk(Transformer model, GradientCollector gc, NDArray hidden, Targets t, NDArray reference,
                                int from, int to, float scale) {
        int n = to - from;
        long[] rows = java.util.Arrays.copyOfRange(t.rows(), from, to);
        long[] ids = java.util.Arrays.copyOfRange(t.ids(), from, to);
        float[] ceWeight = new float[n];
        float[] klWeight = new float[n];
        boolean anyKl = false;
        for (int i = 0; i < n; i++) {
            boolean kl = t.kl()[from + i];
            ceWeight[i] = kl ? 0f : 1f;
            klWeight[i] = kl ? 1f : 0f;
            anyKl |= kl;
        }
        try (NDManager m = hidden.getManager().newSubManager()) {
            NDArray idx = m.create(rows);
            NDArray h = hidden.get(idx);
            h.attach(m);
            NDArray logp = model.logits(h).logSoftmax(-1); // [n, vocab]
            NDArray picked = logp.gather(m.create(ids, new Shape(n, 1)), 1).reshape(n);
            NDArray perToken = picked.neg().mul(m.create(ceWeight));
            if (anyKl) {
                NDArray refLogp;
                boolean grad = ai.djl.pytorch.jni.JniUtils.isGradMode();
                ai.djl.pytorch.jni.JniUtils.setGradMode(false); // the reference is a constant
                try {
                    NDArray r = reference.get(idx);
                    r.attach(m);
                    refLogp = model.logits(r).logSoftmax(-1);
                    refLogp.attach(m);
                } finally {
                    ai.djl.pytorch.jni.JniUtils.setGradMode(grad);
                }
                // KL(ref ‖ student) per row = Σ_v p_ref · (log p_ref − log p)
                NDArray kl = refLogp.exp().mul(refLogp.sub(logp)).sum(new int[] {1});
                perToken = perToken.add(kl.mul(m.create(klWeight)));
            }
            NDArray loss = perToken.sum();
            double value = loss.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
            gc.backward(io.thinksafe.model.Torch.times(loss, scale));
            return value;
        }
    }
}
