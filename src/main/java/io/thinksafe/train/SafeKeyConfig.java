package io.thinksafe.train;

import io.thinksafe.ThinkSafeException;

/**
 * SafeKey's auxiliary objectives (Zhou et al. 2025), with its released training script's defaults:
 * query-mask modelling weighted 0.2, the dual-path safety head weighted 0.2 with its two paths
 * mixed half and half, both switched on for the last two epochs only.
 *
 * @param qmmWeight  weight of the key sentence's cross-entropy when the answer cannot see the prompt
 * @param headWeight weight of the safety head's binary cross-entropy
 * @param headTheta  share of the understanding-only path in the head's loss (the rest: prompt and understanding)
 * @param lastEpochs the auxiliary losses apply in the last this many epochs
 */
public record SafeKeyConfig(double qmmWeight, double headWeight, double headTheta, int lastEpochs) {
    public SafeKeyConfig {
        if (!(qmmWeight >= 0) || !(headWeight >= 0) || !(headTheta >= 0 && headTheta <= 1) || lastEpochs < 0) {
            throw new ThinkSafeException("qmm_weight and head_weight must be >= 0, head_theta in [0, 1], last_epochs >= 0");
        }
    }

    public static SafeKeyConfig reference() {
        return new SafeKeyConfig(0.2, 0.2, 0.5, 2);
    }

    /** Whether the auxiliary losses apply in this epoch (counted from 0) of {@code epochs}. */
    public boolean active(int epoch, int epochs) {
        return epoch >= epochs - lastEpochs;
    }
}
