package io.thinksafe.align;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code recipe: thinksafe_grpo}: the paper's second future direction — ThinkSafe's self-generated
 * safety data as the initialisation of policy optimisation. ThinkSafe's four stages, then GRPO on the
 * same prompts with the run's guard, starting from ThinkSafe's adapter ({@code train/adapter}), its KL
 * reference that adapter frozen ({@code grpo.reference: init}, the usual choice after a supervised
 * warm start) or the base ({@code base}). The method's cost adds both parts; the GRPO stage's
 * {@code metrics.jsonl} has the same columns as a plain GRPO run's, so the report can set the two
 * side by side step by step.
 */
public record WarmStart(Recipe recipe, RunConfig.Grpo grpo) implements Method {
    public static final String KEY = "thinksafe_grpo";
    /** The data recipe whose adapter GRPO starts from. */
    static final Recipe RECIPE = Recipe.THINKSAFE;

    static boolean matches(String recipeKey) {
        return recipeKey.strip().toLowerCase(Locale.ROOT).replace('-', '_').replace('+', '_').equals(KEY);
    }

    @Override
    public String key() {
        return KEY;
    }

    @Override
    public List<StageRun> stages() {
        List<StageRun> out = new ArrayList<>(Stage.OFFLINE);
        out.add(new StageRun(Stage.GRPO, 1));
        return List.copyOf(out);
    }
}
