package io.thinksafe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.thinksafe.model.Adapter;
import io.thinksafe.model.Torch;
import io.thinksafe.model.Transformer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * SFT's per-token loss over the vocabulary, computed in row chunks so that no [T, vocab] matrix is
 * ever whole: cross-entropy {@code -log p(target)} for ordinary rows, and for rows marked KL the
 * full-vocabulary forward KL to the reference, {@code Σ_v p_ref (log p_ref - log p)}. Each chunk's
 * loss, scaled by {@code scale}, is back-propagated at once into the (leaf) hidden states, whose
 * gradient the caller then carries through the layers.
 *
 * <p>When the output projection is frozen (LoRA), the gradient with respect to the logits is
 * written down directly — {@code softmax - onehot(target)} for cross-entropy, {@code p - p_ref}
 * for KL — and handed to {@link FrozenHead}. A trainable projection (full fine-tuning) goes
 * through autograd.
 */
final class TokenLoss {
    /** Logit floats held at once by autograd (128 MiB). */
    private static final long LOGIT_BUDGET = 32L << 20;

    private TokenLoss() {}

    /** Rows of the packed batch that carry a loss, their target ids, and whether each uses KL. */
    record Targets(long[] rows, long[] ids, boolean[] kl) {
        int size() {
            return rows.length;
        }

        /** Rows predicting each target token: token j of an example is predicted at its row j - 1. */
        static Targets of(List<TokenizedExample> batch) {
            int n = 0;
            for (TokenizedExample e : batch) {
                n += e.targets();
            }
            long[] rows = new long[n];
            long[] ids = new long[n];
            boolean[] kl = new boolean[n];
            int i = 0;
            int offset = 0;
            for (TokenizedExample e : batch) {
                for (int j = e.targetStart(); j < e.tokens().length; j++, i++) {
                    rows[i] = offset + j - 1;
                    ids[i] = e.tokens()[j];
                    kl[i] = e.kl();
                }
                offset += e.tokens().length;
            }
            return new Targets(rows, ids, kl);
        }

        boolean anyKl() {
            for (boolean k : kl) {
                if (k) {
                    return true;
                }
            }
            return false;
        }

        /** Rows {@code from} to {@code to}, with 0/1 weights selecting cross-entropy or KL for each. */
        Chunk chunk(int from, int to) {
            int n = to - from;
            float[] ce = new float[n];
            float[] klWeight = new float[n];
            boolean anyKl = false;
            for (int i = 0; i < n; i++) {
                boolean k = kl[from + i];
                ce[i] = k ? 0f : 1f;
                klWeight[i] = k ? 1f : 0f;
                anyKl |= k;
            }
            return new Chunk(Arrays.copyOfRange(rows, from, to), Arrays.copyOfRange(ids, from, to), ce, klWeight, anyKl);
        }
    }

    /** A chunk of target rows. */
    private record Chunk(long[] rows, long[] ids, float[] ce, float[] kl, boolean anyKl) {
        int size() {
            return rows.length;
        }
    }

    /**
     * SFT's loss for one micro-batch, to be made before its forward: the targets of the examples
     * and, when some use KL, the reference's final hidden states (the frozen base: adapters off),
     * held in {@code m}. Its value is the unscaled sum of the token losses.
     */
    static ForwardBackward.Loss forExamples(Transformer model, Adapter adapter, List<TokenizedExample> examples, float scale,
                                            NDManager m) {
        Targets targets = Targets.of(examples);
        NDArray reference = null;
        if (targets.anyKl()) {
            List<Transformer.Segment> segments = new ArrayList<>();
            examples.forEach(e -> segments.add(e.segment()));
            adapter.setEnabled(false);
            try {
                reference = model.hidden(segments, m);
            } finally {
                adapter.setEnabled(true);
            }
        }
        NDArray ref = reference;
        return (gc, hidden) -> backward(model, gc, hidden.last(), targets, ref, scale);
    }

    /**
     * Back-propagates {@code scale · Σ loss} from {@code hidden} (a leaf with requires-grad) and
     * returns the unscaled sum of the token losses. {@code reference} holds the reference model's
     * final hidden states for the same rows (null when no row uses KL).
     */
    static double backward(Transformer model, GradientCollector gc, NDArray hidden, Targets t, NDArray reference, float scale) {
        FrozenHead head = FrozenHead.of(model);
        int chunk = head != null ? head.rowsPerChunk() : (int) Math.max(1, LOGIT_BUDGET / model.config().vocabSize());
        double total = 0;
        for (int from = 0; from < t.size(); from += chunk) {
            Chunk c = t.chunk(from, Math.min(t.size(), from + chunk));
            total += head != null ? direct(head, gc, hidden, c, reference, scale) : autograd(model, gc, hidden, c, reference, scale);
        }
        return total;
    }

    /** One chunk with the logits' gradient written out (frozen output projection). */
    private static double direct(FrozenHead head, GradientCollector gc, NDArray hidden, Chunk c, NDArray reference, float scale) {
        int n = c.size();
        try (NDManager m = hidden.getManager().newSubManager()) {
            NDArray idx = m.create(c.rows());
            double[] value = new double[1];
            NDArray g = FrozenHead.withoutGraph(() -> {
                NDArray h = hidden.get(idx);
                h.attach(m);
                NDArray logp = head.logSoftmax(h, 1); // [vocab, n]: columns are rows of the batch
                NDArray p = logp.exp();
                NDArray ceW = m.create(c.ce(), new Shape(1, n));
                NDArray picked = logp.gather(m.create(c.ids(), new Shape(1, n)), 0); // [1, n]
                NDArray perToken = picked.neg().mul(ceW);
                NDArray target = m.create(c.ids()).oneHot(head.vocab()).transpose().mul(ceW); // [vocab, n]
                if (c.anyKl()) {
                    NDArray r = reference.get(idx);
                    r.attach(m);
                    NDArray refLogp = head.logSoftmax(r, 1);
                    NDArray q = refLogp.exp().mul(m.create(c.kl(), new Shape(1, n)));
                    perToken = perToken.add(q.mul(refLogp.sub(logp)).sum(new int[] {0}, true));
                    target = target.add(q);
                }
                value[0] = perToken.toType(DataType.FLOAT64, false).sum().getDouble();
                return p.sub(target).mul(scale); // ∂loss/∂logits, [vocab, n]
            });
            head.backward(gc, hidden, idx, g, m);
            return value[0];
        }
    }

    /** One chunk through autograd (trainable output projection). */
    private static double autograd(Transformer model, GradientCollector gc, NDArray hidden, Chunk c, NDArray reference, float scale) {
        int n = c.size();
        try (NDManager m = hidden.getManager().newSubManager()) {
            NDArray idx = m.create(c.rows());
            NDArray h = hidden.get(idx);
            h.attach(m);
            NDArray logp = model.logits(h).logSoftmax(-1); // [n, vocab]
            NDArray picked = logp.gather(m.create(c.ids(), new Shape(n, 1)), 1).reshape(n);
            NDArray perToken = picked.neg().mul(m.create(c.ce()));
            if (c.anyKl()) {
                NDArray refLogp = FrozenHead.withoutGraph(() -> { // the reference is a constant
                    NDArray r = reference.get(idx);
                    r.attach(m);
                    NDArray lp = model.logits(r).logSoftmax(-1);
                    lp.attach(m);
                    return lp;
                });
                // KL(ref ‖ student) per row = Σ_v p_ref · (log p_ref − log p)
                NDArray kl = refLogp.exp().mul(refLogp.sub(logp)).sum(new int[] {1});
                perToken = perToken.add(kl.mul(m.create(c.kl())));
            }
            NDArray loss = perToken.sum();
            double value = loss.toType(DataType.FLOAT64, false).getDouble();
            gc.backward(Torch.times(loss, scale));
            return value;
        }
    }
}
