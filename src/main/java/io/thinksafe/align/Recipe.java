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
    DIRECT_REFUSAL(1, false, false, 5, 1_000),
    /** SafeChain (Jiang et al. 2025): rejection sampling with the teacher generating, five unsteered samples, all five safe. */
    SAFECHAIN(5, false, true, 3, 40_000),
    /** STAR-1 (Wang et al. 2025): the teacher reasons over the policy of each harmful prompt's category; an LLM judge scores; the top are kept. */
    STAR1(1, false, true, 5, 1_000),
    /** SafeKey (Zhou et al. 2025): STAR-1's data (and benign answers) with a dual-path safety head and query-mask modelling in training. */
    SAFEKEY(1, false, true, 5, 1_000),
    /** SafePath (Jeung et al. 2025): harmful prompts learn only the opening "Let's think about safety first"; benign ones the student's own answers. */
    SAFEPATH(1, false, false, 4, 400);

    public final int samples;
    public final boolean steerHarmful;
    public final boolean teacher;
    /** The paper's Table 4 (epochs, sample size) for the baselines; ThinkSafe's own settings (3 epochs, every example) for the rest. */
    public final int defaultEpochs;
    /** Training examples kept at most unless the config says {@code keep}; 0 keeps all. */
    public final int defaultKeep;

    Recipe(int samples, boolean steerHarmful, boolean teacher) {
        this(samples, steerHarmful, teacher, 3, 0);
    }

    Recipe(int samples, boolean steerHarmful, boolean teacher, int defaultEpochs, int defaultKeep) {
        this.samples = samples;
        this.steerHarmful = steerHarmful;
        this.teacher = teacher;
        this.defaultEpochs = defaultEpochs;
        this.defaultKeep = defaultKeep;
    }

    @Override
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public List<StageRun> stages() {
        return policyGrounded() ? Stage.POLICY_GROUNDED : Stage.OFFLINE;
    }

    /** Whether harmful prompts are generated at all (DirectRefusal and SafePath write their responses). */
    public boolean generatesHarmful() {
        return this != DIRECT_REFUSAL && this != SAFEPATH;
    }

    /** Whether benign prompts are generated (STAR-1's set is harmful prompts only). */
    public boolean generatesBenign() {
        return this != STAR1;
    }

    /** A prompt is kept only if every one of its samples is safe, and one is trained on (rejection sampling, SafeChain). */
    public boolean allSamplesSafe() {
        return this == REJECTION_SAMPLING || this == SAFECHAIN;
    }

    /** STAR-1's data: policy categories, the teacher on policies, an LLM judge's scores, STAR-1's selection (STAR-1, SafeKey). */
    public boolean policyGrounded() {
        return this == STAR1 || this == SAFEKEY;
    }

    public static Recipe parse(String s) {
        try {
            return valueOf(s.strip().toUpperCase(Locale.ROOT).replace('-', '_').replace('+', '_'));
        } catch (IllegalArgumentException e) {
            throw new ThinkSafeException("unknown recipe '" + s + "' (thinksafe, thinksafe_kl, rejection_sampling, "
                    + "without_reasoning, teacher, direct_refusal, safechain, star1, safekey, safepath; or the online ones, grpo and "
                    + "onpolicy_distill)");
        }
    }
}
