package io.thinksafe.align;

import io.thinksafe.ThinkSafeException;
import java.util.List;
import java.util.Locale;

/**
 * How a training set is made: ThinkSafe and the baselines and ablations the paper compares it with.
 * Each says whom to sample, how often, and whether harmful prompts are steered. (GRPO, the online
 * baseline, makes no training set: it is the other {@link Method}.)
 */
public enum Recipe implements Method {
    /** Steered harmful + unsteered benign, one sample each, the student's own, guard-filtered. */
    THINKSAFE(1, true, false),
    /** ThinkSafe's data; benign pairs learn by forward KL to the frozen base instead of cross-entropy. */
    THINKSAFE_KL(1, true, false),
    /** No steering; five samples per prompt; a prompt is kept only if all five are safe; one is trained on. */
    REJECTION_SAMPLING(5, false, false),
    /** ThinkSafe's data with the reasoning of harmful-prompt responses emptied. */
    WITHOUT_REASONING(1, true, false),
    /** ThinkSafe's recipe with another model generating (the distribution-shift baseline). */
    TEACHER(1, true, true),
    /** A fixed short refusal for harmful prompts; the student's own answers for benign ones. */
    DIRECT_REFUSAL(1, false, false);

    public final int samples;
    public final boolean steerHarmful;
    public final boolean teacher;

    Recipe(int samples, boolean steerHarmful, boolean teacher) {
        this.samples = samples;
        this.steerHarmful = steerHarmful;
        this.teacher = teacher;
    }

    @Override
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public List<StageRun> stages() {
        return Stage.OFFLINE;
    }

    /** Whether harmful prompts are generated at all (DirectRefusal writes their responses). */
    public boolean generatesHarmful() {
        return this != DIRECT_REFUSAL;
    }

    public static Recipe parse(String s) {
        try {
            return valueOf(s.strip().toUpperCase(Locale.ROOT).replace('-', '_').replace('+', '_'));
        } catch (IllegalArgumentException e) {
            throw new ThinkSafeException("unknown recipe '" + s + "' (thinksafe, thinksafe_kl, rejection_sampling, "
                    + "without_reasoning, teacher, direct_refusal; or grpo, the online baseline)");
        }
    }
}
