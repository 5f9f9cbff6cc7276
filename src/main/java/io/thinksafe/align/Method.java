package io.thinksafe.align;

import java.util.List;

/** What a run makes its model with: a data recipe and fine-tuning on its set, or an online method (GRPO, on-policy distillation). */
public sealed interface Method permits Recipe, RunConfig.Grpo, OnPolicyDistill {
    /** The name in run configs ({@code recipe: KEY}), manifests and reports. */
    String key();

    /** The run's stages, in order. */
    List<StageRun> stages();
}
