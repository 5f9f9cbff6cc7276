package io.thinksafe.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.util.Json;
import java.util.List;

/**
 * One GRPO step's line of {@code metrics.jsonl}. Rewards: {@code reward_mean}/{@code reward_std}
 * (weighted total) and {@code reward_<name>_mean}/{@code _std} per component, with
 * {@code _harmful_mean}/{@code _benign_mean} when the prompts carry labels; {@code reward_<name>_errors}
 * counts failed judgements (scored 0). {@code zero_std_groups}: groups whose rewards were all equal
 * (advantage 0, nothing learned from them but the KL term). Then the update's {@code loss},
 * {@code grad_norm}, {@code lr}, {@code kl} (mean k3 per completion token), {@code clip_fraction};
 * lengths; and cost: {@code rollout_s}, {@code judge_s}, {@code update_s}, {@code step_s} (their sum), {@code elapsed_s} (since this session began),
 * {@code prompt_tokens}, {@code completion_tokens}, {@code judge_tokens}, {@code train_tokens}
 * (through forward+backward), {@code reference_tokens} (through the frozen reference).
 */
final class GrpoStepLog {
    private GrpoStepLog() {}

    /**
     * What the step's updates did: the objective before them (first update), the last gradient norm
     * and learning rate, the mean k3 KL per completion token (first update), the share of token
     * updates that were clipped (all updates), and tokens through the trained and the reference
     * forward passes.
     */
    record Update(double loss, double gradNorm, double lr, double kl, double clipFraction, long trainTokens, long referenceTokens) {}

    static ObjectNode line(int step, double epoch, List<Rollout> rollouts, Rewards.Scored scored, int group, Update u) {
        ObjectNode o = Json.object();
        o.put("step", step);
        o.put("epoch", epoch);
        o.put("reward_mean", mean(scored.total()));
        o.put("reward_std", std(scored.total()));
        for (int c = 0; c < scored.names().size(); c++) {
            String n = "reward_" + scored.names().get(c);
            double[] v = scored.components()[c];
            o.put(n + "_mean", mean(v));
            o.put(n + "_std", std(v));
            putByLabel(o, n, v, rollouts);
            if (scored.errors()[c] > 0) {
                o.put(n + "_errors", scored.errors()[c]);
            }
        }
        int flat = 0;
        for (int g = 0; g < rollouts.size(); g += group) {
            double first = scored.total()[g];
            boolean same = true;
            for (int i = g; i < g + group; i++) {
                same &= scored.total()[i] == first;
            }
            flat += same ? 1 : 0;
        }
        o.put("zero_std_groups", flat);
        o.put("groups", rollouts.size() / group);
        o.put("loss", u.loss());
        o.put("grad_norm", u.gradNorm());
        o.put("lr", u.lr());
        o.put("kl", u.kl());
        o.put("clip_fraction", u.clipFraction());
        long promptTokens = 0;
        long completionTokens = 0;
        int longest = 0;
        int truncated = 0;
        for (Rollout r : rollouts) {
            promptTokens += r.promptTokens().length;
            completionTokens += r.completion().length;
            longest = Math.max(longest, r.completion().length);
            truncated += "length".equals(r.finishReason()) ? 1 : 0;
        }
        o.put("completion_length_mean", (double) completionTokens / rollouts.size());
        o.put("completion_length_max", longest);
        o.put("truncated", truncated);
        o.put("prompt_tokens", promptTokens);
        o.put("completion_tokens", completionTokens);
        o.put("judge_tokens", scored.judgeTokens());
        o.put("train_tokens", u.trainTokens());
        o.put("reference_tokens", u.referenceTokens());
        return o;
    }

    /** Wall-clock of the step's phases (checkpoints are not part of any) and of the session so far. */
    static void times(ObjectNode o, long rolloutNanos, long judgeNanos, long updateNanos, double elapsed) {
        o.put("rollout_s", rolloutNanos / 1e9);
        o.put("judge_s", judgeNanos / 1e9);
        o.put("update_s", updateNanos / 1e9);
        o.put("step_s", (rolloutNanos + judgeNanos + updateNanos) / 1e9);
        o.put("elapsed_s", elapsed);
    }

    private static void putByLabel(ObjectNode o, String name, double[] v, List<Rollout> rollouts) {
        double harmful = 0;
        double benign = 0;
        int nh = 0;
        int nb = 0;
        for (int i = 0; i < v.length; i++) {
            String label = rollouts.get(i).label();
            if (label == null) {
                continue;
            }
            if (rollouts.get(i).harmful()) {
                harmful += v[i];
                nh++;
            } else {
                benign += v[i];
                nb++;
            }
        }
        if (nh > 0) {
            o.put(name + "_harmful_mean", harmful / nh);
        }
        if (nb > 0) {
            o.put(name + "_benign_mean", benign / nb);
        }
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** Population standard deviation over the step's completions. */
    static double std(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / v.length);
    }
}
