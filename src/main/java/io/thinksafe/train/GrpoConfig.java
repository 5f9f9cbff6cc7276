package io.thinksafe.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import java.util.Locale;

/**
 * Everything that decides a GRPO run, with the reference's settings as defaults: G = 8 samples per
 * prompt at temperature 0.7, clipped ratio with epsilon 0.2, KL to the frozen base with beta 0.04, and
 * the SFT optimiser and LoRA ({@link TrainConfig}: lr 1e-5 cosine with 10% warm-up, clip 1.0, r 32 /
 * alpha 16 / dropout 0.05 on q/v). {@code train.effectiveBatch()} counts prompts per step, so the
 * default 8 prompts × 8 samples is the reference's 64 completions a step; {@code train.epochs()}
 * passes over the prompts.
 *
 * @param iterations optimiser steps on each batch of rollouts (TRL's num_iterations, μ); with 1 the
 *                   ratio is exactly 1 and clipping never acts
 * @param advantageEps added to the group's standard deviation before dividing (TRL's 1e-4)
 * @param rolloutBatch sequences the engine decodes together while sampling (memory and speed, not
 *                     results: a rollout's tokens depend only on its seed)
 */
public record GrpoConfig(TrainConfig train, int group, double temperature, int maxNewTokens, double beta, double clip,
                         int iterations, LossNorm lossNorm, double advantageEps, int rolloutBatch) {

    /**
     * How token losses are averaged: {@code SEQUENCE} as the paper's Eq. 4 and DeepSeekMath (the mean
     * over each completion's tokens, then over completions), {@code TOKEN} over all completion tokens
     * of the step at once (TRL's bnpo/dapo: long completions weigh more).
     */
    public enum LossNorm {
        SEQUENCE, TOKEN;

        public static LossNorm parse(String s) {
            try {
                return valueOf(s.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ThinkSafeException("unknown loss normalisation '" + s + "' (expected sequence or token)");
            }
        }
    }

    public GrpoConfig {
        if (train.full()) {
            throw new ThinkSafeException("GRPO trains LoRA adapters (its KL reference is the base with adapters off); full fine-tuning is not supported");
        }
        if (group < 2) {
            throw new ThinkSafeException("GRPO needs at least 2 samples per prompt to compare (--group), got " + group);
        }
        if (!(temperature > 0)) {
            throw new ThinkSafeException("GRPO samples from the policy: temperature must be > 0, got " + temperature);
        }
        if (maxNewTokens <= 0 || iterations <= 0 || rolloutBatch <= 0) {
            throw new ThinkSafeException("max new tokens, iterations and rollout batch must be positive");
        }
        if (beta < 0 || !(clip > 0 && clip < 1) || !(advantageEps > 0)) {
            throw new ThinkSafeException("GRPO needs beta >= 0, 0 < epsilon < 1 and a positive advantage epsilon");
        }
    }

    public static GrpoConfig paperDefaults() {
        return new GrpoConfig(TrainConfig.paperDefaults(), 8, 0.7, 4096, 0.04, 0.2, 1, LossNorm.SEQUENCE, 1e-4, 64);
    }

    public GrpoConfig withTrain(TrainConfig t) {
        return new GrpoConfig(t, group, temperature, maxNewTokens, beta, clip, iterations, lossNorm, advantageEps, rolloutBatch);
    }

    public GrpoConfig withSampling(int newGroup, double newTemperature, int newMaxNewTokens) {
        return new GrpoConfig(train, newGroup, newTemperature, newMaxNewTokens, beta, clip, iterations, lossNorm, advantageEps,
                rolloutBatch);
    }

    public GrpoConfig withObjective(double newBeta, double newClip, int newIterations, LossNorm newNorm) {
        return new GrpoConfig(train, group, temperature, maxNewTokens, newBeta, newClip, newIterations, newNorm, advantageEps,
                rolloutBatch);
    }

    public GrpoConfig withRolloutBatch(int n) {
        return new GrpoConfig(train, group, temperature, maxNewTokens, beta, clip, iterations, lossNorm, advantageEps, n);
    }

    /** Optimiser steps in a run over {@code prompts} prompts. */
    public int totalSteps(int prompts) {
        return stepsPerEpoch(prompts) * train.epochs();
    }

    public int stepsPerEpoch(int prompts) {
        return (prompts + train.effectiveBatch() - 1) / train.effectiveBatch();
    }

    /** What must match for a checkpoint to be resumed. */
    public ObjectNode identity() {
        ObjectNode o = train.identity();
        o.put("method", "grpo");
        o.put("group", group).put("temperature", temperature).put("max_new_tokens", maxNewTokens);
        o.put("beta", beta).put("clip", clip).put("iterations", iterations);
        o.put("loss_norm", lossNorm.name().toLowerCase(Locale.ROOT)).put("advantage_eps", advantageEps);
        return o;
    }
}
