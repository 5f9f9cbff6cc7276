package io.thinksafe.align;

import java.util.List;

/** What a run makes its model with: a data recipe and fine-tuning on its set, an online method (GRPO, on-policy distillation), rounds of ThinkSafe, or ThinkSafe then GRPO. */
public sealed interface Method permits Recipe, RunConfig.Grpo, OnPolicyDistill, Iterative, WarmStart {
    /** The name in run configs ({@code recipe: KEY}), manifests and reports. */
    String key();

    /** The run's stages, in order. */
    List<StageRun> stages();
}
