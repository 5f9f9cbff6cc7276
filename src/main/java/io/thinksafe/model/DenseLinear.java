package io.thinksafe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;

/** A plain weight matrix (and optional bias): {@code y = x·Wᵀ + b}. */
public final class DenseLinear implements Linear {
    private final Weight weight;
    private final NDArray bias;

    public DenseLinear(Weight weight, NDArray bias) {
        this.weight = weight;
        this.bias = bias;
    }

    /** A float32 tensor [out, in] as the weight. */
    public DenseLinear(NDArray weight, NDArray bias) {
        this(Weight.of(weight), bias);
    }

    public Weight weight() {
        return weight;
    }

    public NDArray bias() {
        return bias;
    }

    /** True when the weight collects gradients (full fine-tuning); LoRA leaves it frozen. */
    public boolean trainable() {
        return weight.trainable();
    }

    @Override
    public int inFeatures() {
        return weight.cols();
    }

    @Override
    public int outFeatures() {
        return weight.rows();
    }

    /** Under autograd, or on a GPU, libtorch's {@code linear}; otherwise the chosen {@link Kernels}. */
    @Override
    public NDArray forward(NDArray x) {
        if (JniUtils.isGradMode() || weight.trainable() || x.getDevice().isGpu()) {
            return Kernels.reference(x, weight, bias);
        }
        return Kernels.current().linear(x, weight, bias);
    }

    /** {@code W · xt} for xt [in, n], no bias, outside autograd: [out, n] in xt's manager. */
    public NDArray timesTransposed(NDArray xt) {
        return Kernels.current().timesTransposed(weight, xt);
    }

    /**
     * {@code Wᵀ · g} for g [out, n], outside autograd: [in, n] in g's manager. The gradient of a loss
     * with respect to this layer's input, written by hand through a frozen weight (the losses' head).
     */
    public NDArray transposedTimes(NDArray g) {
        NDManager out = g.getManager();
        if (weight.tensor() != null) {
            NDArray y = weight.tensor().transpose().matMul(g);
            y.attach(out);
            return y;
        }
        int per = weight.rowsPerTorchBlock();
        NDArray sum = null;
        try (NDManager tmp = out.newSubManager()) {
            for (int from = 0; from < weight.rows(); from += per) {
                int to = Math.min(weight.rows(), from + per);
                NDArray block = weight.float32Rows(from, to, tmp);
                NDArray part = block.transpose().matMul(g.get("{}:{}", from, to));
                sum = sum == null ? part : sum.addi(part);
                block.close();
            }
            sum.attach(out);
            return sum;
        }
    }
}
