package io.thinksafe.model;

import ai.djl.ndarray.NDArray;
import java.util.SplittableRandom;

/**
 * LoRA around a frozen linear layer, as PEFT does it: {@code y = base(x) + scale · (dropout(x) · Aᵀ) · Bᵀ}
 * with A [r, in] and B [out, r]. Turning it off gives the base model back (the KL reference).
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
