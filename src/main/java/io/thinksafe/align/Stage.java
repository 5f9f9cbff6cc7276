package io.thinksafe.align;

import java.util.List;
import java.util.Locale;

/**
 * The stages of {@code thinksafe run}. A data recipe's run goes through the first four; GRPO's
 * through its one. A method with more stages adds its own here, and a plan may list a stage again as
 * a later round ({@link StageRun}).
 */
public enum Stage {
    /** STAR-1: each harmful prompt's policy categories, from its own category through the policy map, or from the judge. */
    CLASSIFY("judging"),
    /** Sample the student (or a teacher): harmful prompts steered, benign ones plain. */
    GENERATE("generation"),
    /** Judge every generation; the verdicts decide what the training set keeps. */
    FILTER("judging"),
    /** STAR-1: the LLM judge (or its stand-in) scores every trace. */
    SCORE("judging"),
    /** The recipe's training set and the filter report. */
    BUILD("other"),
    /** LoRA (or full) fine-tuning on the training set. */
    TRAIN("training"),
    /** GRPO, the online baseline: sampling, judging and learning in one loop ({@code phase_seconds} of its own). */
    GRPO("other"),
    /** On-policy distillation: the student samples, the teacher scores every token, reverse KL; one loop like GRPO's. */
    DISTILL("other"),
    /**
     * Iterative ThinkSafe's early-stop measure: one unsteered sample of each held-out harmful prompt from
     * the round's model, judged ({@code phase_seconds} of its own).
     */
    PROBE("other"),
    /** The round's model through the evaluation suites (the run config's {@code eval}); not part of the method's cost. */
    EVAL("evaluation");

    /** A data recipe's stages, in order. */
    public static final List<StageRun> OFFLINE = List.of(new StageRun(GENERATE, 1), new StageRun(FILTER, 1),
            new StageRun(BUILD, 1), new StageRun(TRAIN, 1));

    /** STAR-1's and SafeKey's stages: categories first, and the judge's scores before the build. */
    public static final List<StageRun> POLICY_GROUNDED = List.of(new StageRun(CLASSIFY, 1), new StageRun(GENERATE, 1),
            new StageRun(SCORE, 1), new StageRun(BUILD, 1), new StageRun(TRAIN, 1));

    /** Which part of the work the stage's seconds count as in the run's cost. */
    final String phase;

    Stage(String phase) {
        this.phase = phase;
    }

    /** The name in manifests, folders and {@code --stage}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
