package io.thinksafe.align;

import io.thinksafe.data.GenerationRecord;
import io.thinksafe.data.Prompt;
import io.thinksafe.data.TrainingExample;
import io.thinksafe.generate.ModelFamily;
import io.thinksafe.generate.Seeds;
import io.thinksafe.guard.GuardVerdict;
import io.thinksafe.guard.JudgedGeneration;
import io.thinksafe.guard.Verdict;
import io.thinksafe.text.ReasoningSplit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns judged generations into a training set in the released ThinkSafe datasets' columns
 * ({@code instruction} — always the original prompt, never the steered one — {@code response},
 * {@code prompt_label}, {@code response_label}) plus provenance, following a {@link Recipe}, and
 * counts what filtering removed.
 */
public final class DatasetBuilder {
    /** DirectRefusal's fixed answer: a near-empty think block and a short refusal. */
    public static final String DIRECT_REFUSAL = "<think>\nI should not answer this question!\n</think>\n\n"
            + "I'm sorry, but I can't help with that request.";

    /** The training rows and the filter report. */
    public record Result(List<TrainingExample> rows, FilterReport report) {}

    private DatasetBuilder() {}

    /**
     * @param judged judged generations, in prompt order
     * @param prompts the prompt set (DirectRefusal answers its harmful prompts without generating)
     */
    public static Result build(Recipe recipe, List<JudgedGeneration> judged, List<Prompt> prompts, ModelFamily family,
                               String steering, long seed) {
        return build(recipe, judged, prompts, family, steering, seed, RecipeOptions.SAFEPATH_PRIMER);
    }

    /** {@code primer}: SafePath's Safety Primer, which its harmful prompts learn instead of a response. */
    public static Result build(Recipe recipe, List<JudgedGeneration> judged, List<Prompt> prompts, ModelFamily family,
                               String steering, long seed, String primer) {
        FilterReport report = new FilterReport();
        Map<String, List<JudgedGeneration>> byPrompt = new LinkedHashMap<>();
        for (JudgedGeneration r : judged) {
            byPrompt.computeIfAbsent(r.generation().id(), k -> new ArrayList<>()).add(r);
        }
        List<TrainingExample> rows = new ArrayList<>();
        for (Prompt p : prompts) {
            boolean harmful = p.harmful();
            if (recipe == Recipe.DIRECT_REFUSAL && harmful) {
                rows.add(row(p, DIRECT_REFUSAL, null, null, recipe));
                continue;
            }
            if (recipe == Recipe.SAFEPATH && harmful) {
                rows.add(primerRow(p, primer));
                continue;
            }
            List<JudgedGeneration> samples = byPrompt.getOrDefault(p.id(), List.of());
            List<JudgedGeneration> usable = new ArrayList<>();
            List<String> responses = new ArrayList<>();
            for (JudgedGeneration s : samples) {
                FilterReport.Counts c = report.of(label(p));
                c.generated++;
                String response = Responses.restore(s.generation().response(), family);
                Verdict verdict = s.verdict().verdict();
                if (!Responses.closed(response)) {
                    c.unclosed++;
                } else if (verdict == Verdict.UNSAFE) {
                    c.unsafe++;
                } else if (verdict != Verdict.SAFE) {
                    c.error++; // an unreadable judgement is unsafe for training purposes
                } else {
                    usable.add(s);
                    responses.add(Responses.forTraining(response));
                }
            }
            if (usable.isEmpty()) {
                continue;
            }
            int pick = 0;
            if (recipe.allSamplesSafe()) {
                if (usable.size() < recipe.samples || usable.size() < samples.size()) {
                    continue; // every sample must be safe
                }
                pick = (int) Math.floorMod(Seeds.forItem(seed, p.id(), 0), (long) usable.size());
            }
            String response = responses.get(pick);
            if (recipe == Recipe.WITHOUT_REASONING && harmful) {
                response = Responses.withoutReasoning(response);
            }
            report.of(label(p)).kept += recipe.allSamplesSafe() ? usable.size() : 1;
            rows.add(row(p, response, usable.get(pick), recipe.steerHarmful && harmful ? steering : null, recipe));
        }
        return new Result(rows, report);
    }

    /**
     * SafePath's example for a harmful prompt: the opening think tag and the primer, nothing more; only the
     * primer is learned and no end of turn follows, so the rest of the generation stays the model's own.
     */
    private static TrainingExample primerRow(Prompt p, String primer) {
        return new TrainingExample(p.text(), ReasoningSplit.OPEN + "\n" + primer, "harmful", "safe", p.id(), p.label(), p.category(),
                Recipe.SAFEPATH.key(), null, null, "fixed", null, null, null, TrainingExample.PRIMER, null);
    }

    /**
     * At most {@code keep} of the rows (0: all), drawn by {@code seed} and kept in their order: the sample
     * size of the paper's Table 4 for the baselines.
     */
    public static List<TrainingExample> cap(List<TrainingExample> rows, int keep, long seed) {
        if (keep <= 0 || rows.size() <= keep) {
            return rows;
        }
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            idx.add(i);
        }
        java.util.Collections.shuffle(idx, new java.util.Random(seed * 31L + 7));
        List<Integer> chosen = new ArrayList<>(idx.subList(0, keep));
        java.util.Collections.sort(chosen);
        List<TrainingExample> out = new ArrayList<>(keep);
        chosen.forEach(i -> out.add(rows.get(i)));
        return out;
    }

    static String label(Prompt p) {
        return p.label() == null ? (p.harmful() ? "harmful" : "benign") : p.label();
    }

    /** A training row: the prompt's own text and labels, the response, and where it came from ({@code chosen} null: written, not generated). */
    private static TrainingExample row(Prompt p, String response, JudgedGeneration chosen, String steering, Recipe recipe) {
        GenerationRecord g = chosen == null ? null : chosen.generation();
        GuardVerdict v = chosen == null ? null : chosen.verdict();
        return new TrainingExample(p.text(), response, p.harmful() ? "harmful" : "benign", "safe", p.id(), p.label(), p.category(),
                recipe.key(), steering, g == null ? null : g.sample(), g == null ? "fixed" : g.model(), g == null ? null : g.seed(),
                v == null ? null : v.guard(), v == null ? null : v.pSafe());
    }
}
