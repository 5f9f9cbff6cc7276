package io.thinksafe.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;

/**
 * On-policy distillation (Agarwal et al. 2024, "On-Policy Distillation of Language Models: Learning
 * from Self-Generated Mistakes", GKD with the student's own samples and the reverse KL): each step
 * takes the next {@code train.effectiveBatch()} prompts, samples {@code samples} completions of each
 * from the current student at {@code temperature}, and lowers the per-token reverse KL to the teacher
 * on them. The optimiser and LoRA are SFT's ({@link TrainConfig}).
 *
 * @param rolloutBatch sequences decoded together while sampling (memory and speed only)
 */
public record DistillConfig(TrainConfig train, int samples, double temperature, int maxNewTokens, int rolloutBatch) {
    public DistillConfig {
        if (train.full()) {
            throw new ThinkSafeException("on-policy distillation trains LoRA adapters; full fine-tuning is not supported");
        }
        if (samples < 1 || maxNewTokens <= 0 || rolloutBatch <= 0) {
            throw new ThinkSafeException("distill: samples, max_new_tokens and rollout_batch must be positive");
        }
        if (!(temperature > 0)) {
            throw new ThinkSafeException("distill: the student samples its own completions, so temperature must be > 0, got " + temperature);
        }
    }

    /** One sample per prompt at temperature 1 (the student's own distribution), SFT's optimiser. */
    public static DistillConfig defaults() {
        return new DistillConfig(TrainConfig.paperDefaults(), 1, 1.0, 4096, 64);
    }

    public int stepsPerEpoch(int prompts) {
        return (prompts + train.effectiveBatch() - 1) / train.effectiveBatch();
    }

    public int totalSteps(int prompts) {
        return stepsPerEpoch(prompts) * train.epochs();
    }

    /** What must match for a checkpoint to be resumed. */
    public ObjectNode identity() {
        ObjectNode o = train.identity();
        o.put("method", "onpolicy_distill");
        o.put("samples", samples).put("temperature", temperature).put("max_new_tokens", maxNewTokens);
        return o;
    }
}
