package io.thinksafe.align;

import java.util.List;

/** What a run makes its model with: a data recipe and fine-tuning on its set, or GRPO online. */
public sealed interface Method permits Recipe, RunConfig.Grpo, Iterative, WarmStart {
    /** The name in run configs ({@code recipe: KEY}), manifests and reports. */
    String key();

    /** The run's stages, in order. */
    List<StageRun> stages();
}
