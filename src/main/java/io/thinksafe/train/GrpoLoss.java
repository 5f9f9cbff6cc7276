package io.thinksafe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.thinksafe.model.Transformer;
import java.util.Arrays;

/**
 * GRPO's objective (DeepSeekMath; the paper's Eq. 3 and 4), per completion token t of completion i:
 * <pre>
 *   ρ = exp(logp − logp_old)                                   importance ratio
 *   L = −min(ρ·A_i, clip(ρ, 1−ε, 1+ε)·A_i) + β·(exp(ref − logp) − (ref − logp) − 1)
 * </pre>
 * with A_i the group-normalised advantage and the KL term the unbiased k3 estimator of
 * KL(π_θ ‖ π_ref). Log-probabilities are those of the sampling distribution, softmax(logits / T),
 * so that the ratio compares the distributions that actually drew the tokens (as TRL does).
 *
 * <p>The gradient is written down rather than left to autograd over the vocabulary, as in
 * {@link TokenLoss}: ∂L/∂logp = −ρ·A·[not clipped] + β·(1 − exp(ref − logp)), and
 * ∂logp/∂logits = (onehot(token) − softmax(logits / T)) / T, handed to {@link FrozenHead}.
 */
public final class GrpoLoss {
    private GrpoLoss() {}

    /**
     * Group-normalised advantages: rewards come in consecutive groups of {@code group}; each becomes
     * (r − mean) / (std + eps) with the group's sample standard deviation (n − 1, as torch.std), and
     * exactly 0 for every member of a group whose rewards are all equal (nothing to prefer).
     */
    public static double[] advantages(double[] rewards, int group, double eps) {
        if (group < 1 || rewards.length % group != 0) {
            throw new IllegalArgumentException(rewards.length + " rewards do not split into groups of " + group);
        }
        double[] out = new double[rewards.length];
        for (int g = 0; g < rewards.length; g += group) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            double sum = 0;
            for (int i = g; i < g + group; i++) {
                min = Math.min(min, rewards[i]);
                max = Math.max(max, rewards[i]);
                sum += rewards[i];
            }
            if (min == max || group == 1) {
                continue; // all equal: advantages stay 0, not (r − mean) rounding noise over eps
            }
            double mean = sum / group;
            double ss = 0;
            for (int i = g; i < g + group; i++) {
                ss += (rewards[i] - mean) * (rewards[i] - mean);
            }
            double std = Math.sqrt(ss / (group - 1));
            for (int i = g; i < g + group; i++) {
                out[i] = (rewards[i] - mean) / (std + eps);
            }
        }
        return out;
    }

    /**
     * One token's loss, its derivative with respect to the policy's log-prob of the token, whether
     * the clipped branch was taken (the ratio left [1−ε, 1+ε] on the side the advantage pushes
     * towards, so the token gives no policy gradient), and its k3 KL estimate.
     */
    public record Term(double loss, double dLogp, boolean clipped, double kl) {}

    public static Term term(double logp, double oldLogp, double refLogp, double advantage, double clip, double beta) {
        double ratio = Math.exp(logp - oldLogp);
        double clippedRatio = Math.min(Math.max(ratio, 1 - clip), 1 + clip);
        double surrogate = Math.min(ratio * advantage, clippedRatio * advantage);
        boolean clipped = (advantage > 0 && ratio > 1 + clip) || (advantage < 0 && ratio < 1 - clip);
        double d = refLogp - logp;
        double kl = Math.exp(d) - d - 1;
        double dLogp = (clipped ? 0 : -ratio * advantage) + beta * (1 - Math.exp(d));
        return new Term(-surrogate + beta * kl, dLogp, clipped, kl);
    }

    /**
     * The completion tokens of one packed micro-batch: the row predicting each token, its id, the
     * advantage of its completion, its weight in the step's loss, and the reference's and the
     * behaviour policy's log-probs; {@code oldLogp} null means "the current policy, detached" (one
     * optimiser step per rollout batch, where the ratio is 1).
     */
    public record Targets(long[] rows, long[] ids, double[] advantage, double[] weight, double[] refLogp, double[] oldLogp) {
        int size() {
            return rows.length;
        }
    }

    /** What a backward pass saw: Σ weight·loss, the policy's log-probs, clipped tokens and Σ KL. */
    public record Stats(double loss, double[] logp, int clipped, double klSum) {}

    /**
     * Back-propagates Σ_t weight_t · L_t from {@code hidden} (a leaf collecting its gradient) for
     * the given targets. The output projection must be frozen (LoRA).
     */
    public static Stats backward(Transformer model, GradientCollector gc, NDArray hidden, Targets t, double temperature,
                                 double clip, double beta) {
        FrozenHead head = frozenHead(model);
        int chunk = head.rowsPerChunk();
        double[] logp = new double[t.size()];
        double[] sums = new double[3]; // Σ weight·loss, Σ KL, clipped tokens
        for (int from = 0; from < t.size(); from += chunk) {
            int first = from;
            int n = Math.min(t.size(), from + chunk) - from;
            try (NDManager m = hidden.getManager().newSubManager()) {
                NDArray idx = m.create(Arrays.copyOfRange(t.rows(), first, first + n));
                long[] ids = Arrays.copyOfRange(t.ids(), first, first + n);
                NDArray g = FrozenHead.withoutGraph(() -> {
                    NDArray h = hidden.get(idx);
                    h.attach(m);
                    NDArray lp = head.logSoftmax(h, temperature); // [vocab, n]
                    double[] picked = lp.gather(m.create(ids, new Shape(1, n)), 0).toType(DataType.FLOAT64, false).toDoubleArray();
                    double[] coef = new double[n];
                    for (int i = 0; i < n; i++) {
                        int k = first + i;
                        logp[k] = picked[i];
                        double old = t.oldLogp() == null ? picked[i] : t.oldLogp()[k];
                        Term term = term(picked[i], old, t.refLogp()[k], t.advantage()[k], clip, beta);
                        sums[0] += t.weight()[k] * term.loss();
                        sums[1] += term.kl();
                        sums[2] += term.clipped() ? 1 : 0;
                        coef[i] = t.weight()[k] * term.dLogp() / temperature;
                    }
                    DataType type = lp.getDataType();
                    NDArray c = m.create(coef, new Shape(1, n)).toType(type, false);
                    NDArray onehot = m.create(ids).oneHot(head.vocab()).transpose().toType(type, false); // [vocab, n]
                    return onehot.sub(lp.exp()).mul(c);                                                  // ∂L/∂logits
                });
                head.backward(gc, hidden, idx, g, m);
            }
        }
        return new Stats(sums[0], logp, (int) sums[2], sums[1]);
    }

    /** log softmax(logits / T) at the given tokens, without a graph (reference and scoring passes). */
    public static double[] logprobs(Transformer model, NDArray hidden, long[] rows, long[] ids, double temperature) {
        FrozenHead head = frozenHead(model);
        int chunk = head.rowsPerChunk();
        double[] out = new double[rows.length];
        FrozenHead.withoutGraph(() -> {
            for (int from = 0; from < rows.length; from += chunk) {
                int to = Math.min(rows.length, from + chunk);
                try (NDManager m = hidden.getManager().newSubManager()) {
                    NDArray h = hidden.get(m.create(Arrays.copyOfRange(rows, from, to)));
                    h.attach(m);
                    // the same arithmetic as backward's, so a reference equal to the policy gives KL 0 exactly
                    NDArray lp = head.logSoftmax(h, temperature); // [vocab, n]
                    NDArray picked = lp.gather(m.create(Arrays.copyOfRange(ids, from, to), new Shape(1, to - from)), 0);
                    System.arraycopy(picked.toType(DataType.FLOAT64, false).toDoubleArray(), 0, out, from, to - from);
                }
            }
            return null;
        });
        return out;
    }

    private static FrozenHead frozenHead(Transformer model) {
        FrozenHead head = FrozenHead.of(model);
        if (head == null) {
            throw new IllegalStateException("GRPO's loss needs a frozen output projection (LoRA training)");
        }
        return head;
    }
}
