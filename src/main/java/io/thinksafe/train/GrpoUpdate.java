package io.thinksafe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.model.Adapter;
import io.thinksafe.model.Transformer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The learning half of a GRPO step: the frozen reference's log-probs of every completion token
 * (adapters off, once per step), then {@code iterations} optimiser steps over the step's rollouts,
 * each accumulating the gradient of Σ weight·L over micro-batches packed by a token budget, then
 * gradient-norm clipping, AdamW and the cosine schedule. The behaviour policy's log-probs are those
 * the first iteration computes (it runs the weights that sampled), so later iterations see a ratio
 * that moves and clipping that acts.
 */
final class GrpoUpdate {
    private GrpoUpdate() {}

    /**
     * What the step did: the objective before it (first iteration), the last gradient norm and
     * learning rate, the mean k3 KL per completion token (first iteration), the share of token
     * updates that were clipped (all iterations), and tokens through the trained and the reference
     * forward passes.
     */
    record Stats(double loss, double gradNorm, double lr, double kl, double clipFraction, long trainTokens, long referenceTokens) {}

    private record Micro(List<TokenizedExample> seqs, long[] rows, long[] ids, double[] advantage,
                         double[] weight) {}

    static Stats run(Transformer t, Adapter adapter, GrpoConfig cfg, List<Rollout> rollouts, double[] advantages, AdamW opt,
                     CosineSchedule schedule, int step, Path out) {
        List<Micro> micros = pack(rollouts, advantages, cfg);
        long seqTokens = 0;
        int completionTokens = 0;
        for (Micro mb : micros) {
            completionTokens += mb.rows().length;
            for (TokenizedExample e : mb.seqs()) {
                seqTokens += e.tokens().length;
            }
        }
        List<double[]> ref = new ArrayList<>();
        for (Micro mb : micros) {
            ref.add(reference(t, adapter, mb, cfg.temperature()));
        }
        List<double[]> old = new ArrayList<>();
        double firstLoss = 0;
        double firstKl = 0;
        long clipped = 0;
        double norm = 0;
        double lr = 0;
        int mu = cfg.iterations();
        for (int k = 0; k < mu; k++) {
            double loss = 0;
            double kl = 0;
            for (int j = 0; j < micros.size(); j++) {
                Micro mb = micros.get(j);
                GrpoLoss.Targets targets = new GrpoLoss.Targets(mb.rows(), mb.ids(), mb.advantage(), mb.weight(), ref.get(j),
                        k == 0 ? null : old.get(j));
                long dropoutSeed = cfg.train().seed() * 7_919L + ((long) step * mu + k) * 1_009L + j;
                GrpoLoss.Stats s = forwardBackward(t, adapter, mb, targets, cfg, dropoutSeed);
                if (k == 0) {
                    old.add(s.logp());
                }
                loss += s.loss();
                kl += s.klSum();
                clipped += s.clipped();
            }
            norm = opt.gradNorm();
            if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
                List<Path> saved = TrainCheckpoint.list(out);
                throw new ThinkSafeException("GRPO loss became " + loss + " (gradient norm " + norm + ") at step " + (step + 1)
                        + "; last good checkpoint: " + (saved.isEmpty() ? "none" : saved.get(saved.size() - 1)));
            }
            if (k == 0) {
                firstLoss = loss;
                firstKl = kl / completionTokens;
            }
            opt.clip(norm, cfg.train().maxGradNorm());
            lr = schedule.lr(step * mu + k);
            opt.step(lr);
        }
        return new Stats(firstLoss, norm, lr, firstKl, (double) clipped / ((long) completionTokens * mu), seqTokens * mu, seqTokens);
    }

    private static GrpoLoss.Stats forwardBackward(Transformer t, Adapter adapter, Micro mb, GrpoLoss.Targets targets,
                                                  GrpoConfig cfg, long dropoutSeed) {
        GrpoLoss.Stats[] stats = new GrpoLoss.Stats[1];
        try (NDManager m = t.manager().newSubManager()) {
            MicroBatch.forwardBackward(t, adapter, packed(mb), cfg.train().recompute(), false, dropoutSeed, m, (gc, leaf) -> {
                stats[0] = GrpoLoss.backward(t, gc, leaf, targets, cfg.temperature(), cfg.clip(), cfg.beta());
                return stats[0].loss();
            });
        }
        return stats[0];
    }

    /** The frozen base's log-probs of the micro-batch's completion tokens. */
    private static double[] reference(Transformer t, Adapter adapter, Micro mb, double temperature) {
        List<Transformer.Segment> segments = new ArrayList<>();
        mb.seqs().forEach(e -> segments.add(new Transformer.Segment(e.tokens(), null)));
        adapter.setEnabled(false);
        try (NDManager m = t.manager().newSubManager()) {
            NDArray hidden = t.hidden(segments, m);
            return GrpoLoss.logprobs(t, hidden, mb.rows(), mb.ids(), temperature);
        } finally {
            adapter.setEnabled(true);
        }
    }

    private static Transformer.Packed packed(Micro mb) {
        List<Transformer.Segment> segments = new ArrayList<>();
        mb.seqs().forEach(e -> segments.add(new Transformer.Segment(e.tokens(), null)));
        return Transformer.Packed.of(segments);
    }

    /**
     * Rollouts as prompt+completion sequences, packed in order while they fit the token budget (at
     * least one each), with every completion token's advantage and weight: 1 / (completions ·
     * its completion's length) for the sequence mean, 1 / (completion tokens of the step) for the
     * token mean.
     */
    private static List<Micro> pack(List<Rollout> rollouts, double[] advantages, GrpoConfig cfg) {
        long allTokens = 0;
        for (Rollout r : rollouts) {
            allTokens += r.completion().length;
        }
        List<Micro> out = new ArrayList<>();
        List<Integer> cur = new ArrayList<>();
        int used = 0;
        for (int i = 0; i < rollouts.size(); i++) {
            int len = rollouts.get(i).promptTokens().length + rollouts.get(i).completion().length;
            if (!cur.isEmpty() && used + len > cfg.train().microBatchTokens()) {
                out.add(micro(cur, rollouts, advantages, cfg, allTokens));
                cur = new ArrayList<>();
                used = 0;
            }
            cur.add(i);
            used += len;
        }
        if (!cur.isEmpty()) {
            out.add(micro(cur, rollouts, advantages, cfg, allTokens));
        }
        return out;
    }

    private static Micro micro(List<Integer> members, List<Rollout> rollouts, double[] advantages, GrpoConfig cfg, long allTokens) {
        List<TokenizedExample> seqs = new ArrayList<>();
        List<Double> adv = new ArrayList<>();
        List<Double> weight = new ArrayList<>();
        for (int i : members) {
            Rollout r = rollouts.get(i);
            int[] tokens = new int[r.promptTokens().length + r.completion().length];
            System.arraycopy(r.promptTokens(), 0, tokens, 0, r.promptTokens().length);
            System.arraycopy(r.completion(), 0, tokens, r.promptTokens().length, r.completion().length);
            seqs.add(new TokenizedExample(r.promptId() + "#" + r.sample(), tokens, r.promptTokens().length, false));
            double w = cfg.lossNorm() == GrpoConfig.LossNorm.SEQUENCE
                    ? 1.0 / ((double) rollouts.size() * r.completion().length) : 1.0 / allTokens;
            for (int j = 0; j < r.completion().length; j++) {
                adv.add(advantages[i]);
                weight.add(w);
            }
        }
        TokenLoss.Targets t = MicroBatch.targets(seqs); // rows and ids of the completion tokens, in this order
        return new Micro(seqs, t.rows(), t.ids(), adv.stream().mapToDouble(Double::doubleValue).toArray(),
                weight.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
