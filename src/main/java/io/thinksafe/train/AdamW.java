package io.thinksafe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * AdamW exactly as torch.optim.AdamW computes it (decoupled weight decay, bias-corrected moments,
 * {@code denom = sqrt(v) / sqrt(1 - β2^t) + eps}), written out so that its whole state (the moments
 * and the step count) can be checkpointed and restored bit for bit; DJL's optimisers keep theirs
 * out of reach. Also the global gradient norm and its clipping.
 */
public final class AdamW {
    private final List<NDArray> params;
    private final List<NDArray> m = new ArrayList<>();
    private final List<NDArray> v = new ArrayList<>();
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private int t;

    public AdamW(List<NDArray> params, NDManager stateManager, double beta1, double beta2, double eps, double weightDecay) {
        this.params = List.copyOf(params);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        for (NDArray p : params) {
            m.add(stateManager.zeros(p.getShape(), p.getDataType()));
            v.add(stateManager.zeros(p.getShape(), p.getDataType()));
        }
    }

    public List<NDArray> firstMoments() {
        return m;
    }

    public List<NDArray> secondMoments() {
        return v;
    }

    public int stepCount() {
        return t;
    }

    public void setStepCount(int steps) {
        this.t = steps;
    }

    /** sqrt(Σ‖g‖²) over every parameter's gradient. */
    public double gradNorm() {
        double sum = 0;
        for (NDArray p : params) {
            try (NDManager tmp = p.getManager().newSubManager()) {
                NDArray g = p.getGradient();
                g.attach(tmp);
                sum += g.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).square().sum().getDouble();
            }
        }
        return Math.sqrt(sum);
    }

    /** Indices of the parameters whose gradient holds an infinity or NaN (to name them in the error). */
    public List<Integer> nonFiniteGradients() {
        List<Integer> bad = new java.util.ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            try (NDManager tmp = params.get(i).getManager().newSubManager()) {
                NDArray g = params.get(i).getGradient();
                g.attach(tmp);
                if (!Double.isFinite(g.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).abs().sum().getDouble())) {
                    bad.add(i);
                }
            }
        }
        return bad;
    }

    /** Scales all gradients by {@code maxNorm / (norm + 1e-6)} when the norm exceeds maxNorm, as torch does. */
    public void clip(double norm, double maxNorm) {
        double coef = maxNorm / (norm + 1e-6);
        if (coef >= 1) {
            return;
        }
        for (NDArray p : params) {
            try (NDManager tmp = p.getManager().newSubManager()) {
                NDArray g = p.getGradient();
                g.attach(tmp);
                g.muli((float) coef);
            }
        }
    }

    /** One update with learning rate {@code lr}; gradients are then zeroed. */
    public void step(double lr) {
        t++;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i);
            try (NDManager tmp = p.getManager().newSubManager()) {
                NDArray g = p.getGradient();
                g.attach(tmp);
                NDArray mi = m.get(i);
                NDArray vi = v.get(i);
                if (weightDecay != 0) {
                    p.muli((float) (1 - lr * weightDecay));
                }
                mi.muli((float) beta1).addi(withManager(g.mul((float) (1 - beta1)), tmp));
                vi.muli((float) beta2).addi(withManager(g.square().mul((float) (1 - beta2)), tmp));
                NDArray denom = withManager(vi.sqrt(), tmp).div((float) Math.sqrt(bc2)).add((float) eps);
                NDArray update = withManager(mi.div(denom), tmp).mul((float) (lr / bc1));
                p.subi(update);
                g.muli(0f);
            }
        }
    }

    private static NDArray withManager(NDArray a, NDManager m) {
        a.attach(m);
        return a;
    }
}
