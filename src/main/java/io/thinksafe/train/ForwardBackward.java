package io.thinksafe.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.thinksafe.model.Adapter;
import io.thinksafe.model.Transformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Forward and backward of one micro-batch: several examples packed without padding, a loss on the
 * hidden states, gradients accumulated into the trainable parameters (the LoRA adapter's, or with
 * full fine-tuning every weight, the embedding included).
 *
 * <p>With {@code recompute} (activation checkpointing), the forward keeps only each layer's input;
 * the backward then re-runs one layer at a time with autograd on and pushes the gradient through it,
 * so memory holds one layer's activations instead of all of them. Dropout masks are seeded per
 * (step, micro-batch, layer), so a re-run layer draws the same mask as its first run.
 */
public final class ForwardBackward {
    /**
     * A loss on top of the decoder: given the hidden states as leaves that collect their own
     * gradient, back-propagates the loss into them and returns its value. Cross-entropy/KL
     * ({@link TokenLoss}) for SFT, the clipped policy objective ({@link GrpoLoss}) for GRPO; a loss
     * that also reads inner layers (a probe on layer l's output) names them in {@link #layers}.
     */
    interface Loss {
        double backward(GradientCollector gc, Hidden hidden);

        /** Layers whose outputs the loss reads besides the final hidden states. */
        default int[] layers() {
            return new int[0];
        }
    }

    /** The final-norm hidden states [N, hidden] of the packed batch, and the outputs of the layers the loss asked for. */
    record Hidden(NDArray last, Map<Integer, NDArray> layers) {
        NDArray layer(int index) {
            NDArray h = layers.get(index);
            if (h == null) {
                throw new IllegalStateException("the loss did not ask for layer " + index + "'s output (Loss.layers)");
            }
            return h;
        }
    }

    private final Transformer model;
    private final Adapter adapter;
    private final boolean recompute;

    private ForwardBackward(Transformer model, Adapter adapter, boolean recompute) {
        this.model = model;
        this.adapter = adapter;
        this.recompute = recompute;
    }

    /** Trains {@code adapter}'s parameters; the base weights stay frozen. */
    public static ForwardBackward lora(Transformer model, Adapter adapter, boolean recompute) {
        return new ForwardBackward(model, adapter, recompute);
    }

    /** Trains every weight of {@code model} (they must require gradients), the embedding included. */
    public static ForwardBackward full(Transformer model, boolean recompute) {
        return new ForwardBackward(model, null, recompute);
    }

    /**
     * Forward of the examples packed through the decoder, {@code loss} on the hidden states, and the
     * backward into every trainable parameter; returns the loss value. Temporaries live in {@code m}.
     */
    double run(List<TokenizedExample> examples, Loss loss, long dropoutSeed, NDManager m) {
        List<Transformer.Segment> segments = new ArrayList<>();
        for (TokenizedExample e : examples) {
            segments.add(e.segment());
        }
        Transformer.Packed packed = Transformer.Packed.of(segments);
        NDArray positions = m.create(packed.positions());
        boolean[] tapped = new boolean[model.config().numLayers()];
        for (int l : loss.layers()) {
            tapped[l] = true;
        }
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            return recompute
                    ? withRecompute(gc, packed, positions, loss, tapped, dropoutSeed, m)
                    : withoutRecompute(gc, packed, positions, loss, tapped, dropoutSeed, m);
        }
    }

    /** One SFT micro-batch ({@link TokenLoss}, scaled by {@code scale}); returns the unscaled sum of its token losses. */
    public double sft(List<TokenizedExample> examples, float scale, long dropoutSeed) {
        try (NDManager m = model.manager().newSubManager()) {
            return run(examples, TokenLoss.forExamples(model, adapter, examples, scale, m), dropoutSeed, m);
        }
    }

    /** Dropout masks of layer {@code layer} in this micro-batch; a recomputed layer gets the same ones. */
    private void seed(long dropoutSeed, int layer) {
        if (adapter != null) {
            adapter.setMaskSeed(dropoutSeed * 1_000_003L + layer);
        }
    }

    /**
     * One graph over the whole decoder, cut at the outputs of tapped layers: there the loss's
     * gradient joins the one coming down from above before the backward goes on.
     */
    private double withoutRecompute(GradientCollector gc, Transformer.Packed packed, NDArray positions, Loss loss,
                                    boolean[] tapped, long dropoutSeed, NDManager m) {
        Map<Integer, NDArray> taps = new TreeMap<>();
        TreeMap<Integer, NDArray> cut = new TreeMap<>(); // layer → its output before the cut
        NDArray x = model.embed(packed, m);
        for (int l = 0; l < tapped.length; l++) {
            seed(dropoutSeed, l);
            x = model.layer(l, x, positions, packed);
            if (tapped[l]) {
                cut.put(l, x);
                x = detachedLeaf(x);
                taps.put(l, x);
            }
        }
        NDArray h = model.finalNorm(x);
        NDArray leaf = detachedLeaf(h);
        double value = loss.backward(gc, new Hidden(leaf, taps));
        backward(h, leaf.getGradient());
        for (int l : cut.descendingKeySet()) {
            backward(cut.get(l), taps.get(l).getGradient());
        }
        return value;
    }

    private double withRecompute(GradientCollector gc, Transformer.Packed packed, NDArray positions, Loss loss,
                                 boolean[] tapped, long dropoutSeed, NDManager m) {
        int layers = tapped.length;
        NDArray[] inputs = new NDArray[layers + 1];
        JniUtils.setGradMode(false);
        try {
            NDArray x = model.embed(packed, m);
            for (int l = 0; l < layers; l++) {
                inputs[l] = x;
                try (NDManager lm = m.newSubManager()) {
                    x.tempAttach(lm);
                    seed(dropoutSeed, l);
                    NDArray y = model.layer(l, x, positions, packed);
                    y.attach(m);
                    x = y;
                }
            }
            inputs[layers] = x;
        } finally {
            JniUtils.setGradMode(true);
        }
        // a tapped layer's output is the leaf that the next layer's re-run reads, so both gradients gather in it
        NDArray[] leaves = new NDArray[layers + 1];
        Map<Integer, NDArray> taps = new TreeMap<>();
        for (int l = 0; l < layers; l++) {
            if (tapped[l]) {
                leaves[l + 1] = detachedLeaf(inputs[l + 1]);
                taps.put(l, leaves[l + 1]);
            }
        }
        NDArray top = leaves[layers] != null ? leaves[layers] : detachedLeaf(inputs[layers]);
        NDArray h = model.finalNorm(top);
        NDArray leaf = detachedLeaf(h);
        double value = loss.backward(gc, new Hidden(leaf, taps));
        backward(h, leaf.getGradient());
        NDArray grad = top.getGradient();
        for (int l = layers - 1; l >= 0; l--) {
            try (NDManager lm = m.newSubManager()) {
                NDArray in = leaves[l] != null ? leaves[l] : detachedLeaf(inputs[l]);
                in.attach(lm);
                seed(dropoutSeed, l);
                NDArray y = model.layer(l, in, positions, packed);
                backward(y, grad);
                NDArray g = in.getGradient().duplicate();
                g.attach(m);
                grad = g;
            }
        }
        if (adapter == null) {
            NDArray e = model.embed(packed, m);
            backward(e, grad);
        }
        return value;
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
