package io.thinksafe.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.training.GradientCollector;
import io.thinksafe.model.Adapter;
import io.thinksafe.model.Transformer;
import java.util.ArrayList;
import java.util.List;

/**
 * Forward and backward of one micro-batch: several examples packed without padding, the loss on
 * their target tokens, gradients accumulated into the trainable parameters.
 *
 * <p>With {@code recompute} (activation checkpointing), the forward keeps only each layer's input;
 * the backward then re-runs one layer at a time with autograd on and pushes the gradient through it,
 * so memory holds one layer's activations instead of all of them. Dropout masks are seeded per
 * (step, micro-batch, layer), so a re-run layer draws the same mask as its first run.
 */
public final class MicroBatch {
    private MicroBatch() {}

    /** Sum of the token losses and the number of target tokens. */
    public record Result(double lossSum, int targets) {}

    /**
     * The loss on top of the decoder: given the final-norm hidden states as a leaf that collects its
     * own gradient, back-propagates the loss into it and returns the loss value. Cross-entropy/KL
     * ({@link TokenLoss}) for SFT, the clipped policy objective ({@link GrpoLoss}) for GRPO.
     */
    public interface HeadLoss {
        double backward(GradientCollector gc, NDArray hidden);
    }

    public static Result run(Transformer model, Adapter adapter, List<TokenizedExample> batch, float scale, boolean recompute,
                      boolean trainEmbedding, long dropoutSeed) {
        List<Transformer.Segment> segments = new ArrayList<>();
        for (TokenizedExample e : batch) {
            segments.add(new Transformer.Segment(e.tokens(), null));
        }
        Transformer.Packed packed = Transformer.Packed.of(segments);
        TokenLoss.Targets targets = targets(batch);
        try (NDManager m = model.manager().newSubManager()) {
            NDArray reference = null;
            boolean anyKl = false;
            for (boolean k : targets.kl()) {
                anyKl |= k;
            }
            if (anyKl) {
                adapter.setEnabled(false); // the frozen base is the reference
                try {
                    reference = model.hidden(segments, m);
                } finally {
                    adapter.setEnabled(true);
                }
            }
            NDArray ref = reference;
            double loss = forwardBackward(model, adapter, packed, recompute, trainEmbedding, dropoutSeed, m,
                    (gc, leaf) -> TokenLoss.backward(model, gc, leaf, targets, ref, scale));
            return new Result(loss, targets.size());
        }
    }

    /**
     * Forward of a packed batch through the decoder, {@code loss} on the final hidden states, and the
     * backward into every trainable parameter (with or without recompute); returns the loss value.
     */
    static double forwardBackward(Transformer model, Adapter adapter, Transformer.Packed packed, boolean recompute,
                                  boolean trainEmbedding, long dropoutSeed, NDManager m, HeadLoss loss) {
        NDArray positions = m.create(packed.positions());
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            return recompute
                    ? withRecompute(model, adapter, gc, packed, positions, loss, trainEmbedding, dropoutSeed, m)
                    : withoutRecompute(model, adapter, gc, packed, positions, loss, dropoutSeed, m);
        }
    }

    /** Rows predicting each target token: token j of an example is predicted at its row j - 1. */
    static TokenLoss.Targets targets(List<TokenizedExample> batch) {
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
        return new TokenLoss.Targets(rows, ids, kl);
    }

    /** Dropout masks of layer {@code layer} in this micro-batch; a recomputed layer gets the same ones. */
    private static void seed(Adapter adapter, long dropoutSeed, int layer) {
        if (adapter != null) {
            adapter.setMaskSeed(dropoutSeed * 1_000_003L + layer);
        }
    }

    private static double withoutRecompute(Transformer model, Adapter adapter, GradientCollector gc, Transformer.Packed packed, NDArray positions,
                                           HeadLoss headLoss, long dropoutSeed, NDManager m) {
        NDArray x = model.embed(packed, m);
        for (int l = 0; l < model.config().numLayers(); l++) {
            seed(adapter, dropoutSeed, l);
            x = model.layer(l, x, positions, packed);
        }
        NDArray h = model.finalNorm(x);
        NDArray leaf = detachedLeaf(h);
        double loss = headLoss.backward(gc, leaf);
        backward(h, leaf.getGradient());
        return loss;
    }

    private static double withRecompute(Transformer model, Adapter adapter, GradientCollector gc, Transformer.Packed packed, NDArray positions,
                                        HeadLoss headLoss, boolean trainEmbedding, long dropoutSeed, NDManager m) {
        int layers = model.config().numLayers();
        NDArray[] inputs = new NDArray[layers + 1];
        JniUtils.setGradMode(false);
        try {
            NDArray x = model.embed(packed, m);
            for (int l = 0; l < layers; l++) {
                inputs[l] = x;
                try (NDManager lm = m.newSubManager()) {
                    x.tempAttach(lm);
                    seed(adapter, dropoutSeed, l);
                    NDArray y = model.layer(l, x, positions, packed);
                    y.attach(m);
                    x = y;
                }
            }
            inputs[layers] = x;
        } finally {
            JniUtils.setGradMode(true);
        }
        NDArray top = detachedLeaf(inputs[layers]);
        NDArray h = model.finalNorm(top);
        NDArray leaf = detachedLeaf(h);
        double loss = headLoss.backward(gc, leaf);
        backward(h, leaf.getGradient());
        NDArray grad = top.getGradient();
        for (int l = layers - 1; l >= 0; l--) {
            try (NDManager lm = m.newSubManager()) {
                NDArray in = detachedLeaf(inputs[l]);
                in.attach(lm);
                seed(adapter, dropoutSeed, l);
                NDArray y = model.layer(l, in, positions, packed);
                backward(y, grad);
                NDArray g = in.getGradient().duplicate();
                g.attach(m);
                grad = g;
            }
        }
        if (trainEmbedding) {
            NDArray e = model.embed(packed, m);
            backward(e, grad);
        }
        return loss;
    }

    /** A copy of {@code a} cut from its graph that collects its own gradient. */
    private static NDArray detachedLeaf(NDArray a) {
        NDArray leaf = a.stopGradient();
        leaf.setRequiresGradient(true);
        return leaf;
    }

    /** Back-propagates {@code grad} (∂loss/∂out) from {@code out} into everything that produced it. */
    private static void backward(NDArray out, NDArray grad) {
        JniUtils.backward((PtNDArray) out, (PtNDArray) grad, false, false);
    }
}
