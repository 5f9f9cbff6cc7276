package io.thinksafe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.SplittableRandom;

/**
 * LoRA around a frozen linear layer, as PEFT does it: {@code y = base(x) + scale · (dropout(x) · Aᵀ) · Bᵀ}
 * with A [r, in] and B [out, r], {@code scale = alpha / r}. Turning it off gives the base model back
 * (the KL reference). The base stays as stored (bf16 included): the adapter costs only A and B.
 *
 * <p>This class is where the update is written: as tensors for libtorch ({@link #forward}), on float
 * arrays for the Java decode path ({@link #addDelta}), and folded into a weight ({@link #mergedWeight}).
 */
public final class LoraLinear implements Linear {
    private final DenseLinear base;
    private final NDArray a;
    private final NDArray b;
    private final float scale;
    private final float dropout;
    private boolean enabled = true;
    private boolean training;
    private long maskSeed;

    public LoraLinear(DenseLinear base, NDArray a, NDArray b, float scale, float dropout) {
        this.base = base;
        this.a = a;
        this.b = b;
        this.scale = scale;
        this.dropout = dropout;
    }

    public DenseLinear base() {
        return base;
    }

    public NDArray a() {
        return a;
    }

    public NDArray b() {
        return b;
    }

    public float scale() {
        return scale;
    }

    public boolean enabled() {
        return enabled;
    }

    public void setEnabled(boolean on) {
        this.enabled = on;
    }

    /**
     * Seeds the next dropout mask. Masks come from our own generator, not libtorch's process-wide
     * one: the same seed gives the same mask, so a layer recomputed in backward, or a step redone
     * after a resume, drops exactly what it dropped the first time.
     */
    public void setMaskSeed(long seed) {
        this.maskSeed = seed;
    }

    /** Dropout applies only while training. */
    public void setTraining(boolean on) {
        this.training = on;
    }

    public boolean training() {
        return training;
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray y = base.forward(x);
        if (!enabled) {
            return y;
        }
        NDArray in = training && dropout > 0 ? x.mul(mask(x)) : x;
        NDArray low = ai.djl.nn.core.Linear.linear(in, a).singletonOrThrow();
        NDArray delta = Torch.times(ai.djl.nn.core.Linear.linear(low, b).singletonOrThrow(), scale);
        return y.add(delta);
    }

    /** Products of float arrays: {@code y [m, rows] = x [m, cols] · Wᵀ}. */
    public interface Product {
        float[] apply(Weight w, float[] x, int m);
    }

    /**
     * {@code y += scale · (x · Aᵀ) · Bᵀ} on float arrays (x [m, in], y [m, out]), for the Java decode path;
     * dropout does not apply (inference).
     */
    public void addDelta(float[] x, int m, float[] y, Product product) {
        if (!enabled) {
            return;
        }
        float[] low = product.apply(Weight.of(a), x, m);
        float[] delta = product.apply(Weight.of(b), low, m);
        for (int i = 0; i < y.length; i++) {
            y[i] += scale * delta[i];
        }
    }

    /** The folded weight {@code W + scale · B·A} as a new float32 tensor owned by {@code m}. */
    public NDArray mergedWeight(NDManager m) {
        boolean grad = ai.djl.pytorch.jni.JniUtils.isGradMode();
        ai.djl.pytorch.jni.JniUtils.setGradMode(false); // a snapshot, not part of any graph
        try (NDManager tmp = m.newSubManager()) {
            NDArray merged = fold(base.weight().float32(tmp), a, b, scale);
            merged.attach(m);
            return merged;
        } finally {
            ai.djl.pytorch.jni.JniUtils.setGradMode(grad);
        }
    }

    /**
     * {@code W + scale · B·A} for a weight W [out, in] and factors A [r, in], B [out, r], in the factors'
     * float type: the one fold, used by merged snapshots, {@code merge} and {@code export}. The result
     * belongs to W's manager.
     */
    public static NDArray fold(NDArray w, NDArray a, NDArray b, float scale) {
        try (NDManager tmp = w.getManager().newSubManager()) {
            NDArray delta = b.matMul(a);
            delta.attach(tmp);
            NDArray merged = w.toType(delta.getDataType(), false).add(Torch.times(delta, scale));
            merged.attach(w.getManager());
            return merged;
        }
    }

    /** Inverted dropout: each element kept with probability 1 - p and scaled by 1 / (1 - p). */
    private NDArray mask(NDArray x) {
        SplittableRandom rng = new SplittableRandom(maskSeed);
        float[] m = new float[Math.toIntExact(x.size())];
        float keep = 1f / (1f - dropout);
        for (int i = 0; i < m.length; i++) {
            m[i] = rng.nextDouble() < dropout ? 0f : keep;
        }
        return x.getManager().create(m, x.getShape()).toType(x.getDataType(), false);
    }

    @Override
    public int inFeatures() {
        return base.inFeatures();
    }

    @Override
    public int outFeatures() {
        return base.outFeatures();
    }
}
