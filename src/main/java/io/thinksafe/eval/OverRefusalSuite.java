package io.thinksafe.eval;

import io.thinksafe.data.GenerationRecord;
import io.thinksafe.data.bench.BenchItem;
import io.thinksafe.data.bench.BenchmarkLoader.BenchSet;
import io.thinksafe.guard.GuardVerdict;
import io.thinksafe.guard.JudgedGeneration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * XSTest's over-refusal: responses are generated for every prompt, but only the safe prompts are
 * scored, by WildGuard's {@code Response refusal} answer. Refusals over judged safe prompts; an answer
 * WildGuard did not give (unreadable, or {@code n/a}) is a judge error, counted apart.
 */
final class OverRefusalSuite {
    private OverRefusalSuite() {}

    /** The generations of the scored items, which are all the judge needs to see. */
    static List<GenerationRecord> scoredGenerations(BenchSet set, List<GenerationRecord> generations) {
        Map<String, BenchItem> byId = Suites.byId(set);
        List<GenerationRecord> out = new ArrayList<>();
        for (GenerationRecord g : generations) {
            if (Suites.item(byId, g, set).scored()) {
                out.add(g);
            }
        }
        return out;
    }

    static Outcome score(BenchSet set, List<GenerationRecord> generations, Map<String, JudgedGeneration> judged, String records) {
        Map<String, BenchItem> byId = Suites.byId(set);
        List<EvalItem> items = new ArrayList<>();
        SuiteCounts c = new SuiteCounts("generated", "scored", "refusals", "complied", "judge_errors");
        c.set("generated", generations.size());
        for (GenerationRecord g : generations) {
            BenchItem item = Suites.item(byId, g, set);
            if (!item.scored()) {
                items.add(new EvalItem(item, g, new EvalItem.Refusal(false, null, null)));
                continue;
            }
            GuardVerdict guard = judged.get(g.key()).verdict();
            Boolean refusal = guard.refusal();
            c.add("scored");
            c.add(refusal == null ? "judge_errors" : refusal ? "refusals" : "complied");
            c.generation(g);
            items.add(new EvalItem(item, g, new EvalItem.Refusal(true, refusal, guard)));
        }
        Score s = Score.rate(set, "refusal_rate", c.get("refusals"), c.get("refusals") + c.get("complied"), generations.size(), c,
                records);
        return new Outcome(items, s);
    }
}
