package io.thinksafe.align;

import io.thinksafe.ThinkSafeException;
import java.util.Locale;

/**
 * How a training set is made: ThinkSafe and the baselines and ablations the paper compares it with.
 * Each says whom to sample, how often, and whether harmful prompts are steered. GRPO, the online
 * baseline, is here too so that one run config names any method the paper compares.
 */
public enum Recipe {
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
    DIRECT_REFUSAL(1, false, false),
    /**
     * Not a data recipe: GRPO, the online-RL baseline, samples (G per prompt, unsteered), judges and
     * learns in one loop on the run's prompts with the run's guard ({@code samples} is the default G).
     */
    GRPO(8, false, false);

    public final int samples;
    public final boolean steerHarmful;
    public final boolean teacher;

    Recipe(int samples, boolean steerHarmful, boolean teacher) {
        this.samples = samples;
        this.steerHarmful = steerHarmful;
        this.teacher = teacher;
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether harmful prompts are generated at all (DirectRefusal writes their responses). */
    public boolean generatesHarmful() {
        return this != DIRECT_REFUSAL;
    }

    /** Whether the method learns online (one GRPO stage) instead of from a filtered, self-generated set. */
    public boolean online() {
        return this == GRPO;
    }

    public static Recipe parse(String s) {
        try {
            return valueOf(s.strip().toUpperCase(Locale.ROOT).replace('-', '_').replace('+', '_'));
        } catch (IllegalArgumentException e) {
            throw new ThinkSafeException("unknown recipe '" + s + "' (thinksafe, thinksafe_kl, rejection_sampling, "
                    + "without_reasoning, teacher, direct_refusal, grpo)");
        }
    }
}
