package io.thinksafe.eval;

import io.thinksafe.data.GenerationRecord;
import io.thinksafe.data.bench.BenchItem;
import io.thinksafe.data.bench.BenchmarkLoader.BenchSet;
import io.thinksafe.eval.grade.Grade;
import io.thinksafe.eval.grade.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reasoning accuracy: k samples per problem, each whole response graded by the set's rule; the
 * metric is the mean correctness over all samples (average pass@1), with pass@k for k = 1, 2, 4, 8
 * (those not above the samples per problem) by the unbiased estimator.
 */
final class ReasoningSuite {
    static final int[] KS = {1, 2, 4, 8};

    private ReasoningSuite() {}

    static Outcome score(BenchSet set, Task task, List<GenerationRecord> generations, String records) {
        Map<String, BenchItem> byId = Suites.byId(set);
        Map<String, int[]> perProblem = new LinkedHashMap<>();
        List<EvalItem> items = new ArrayList<>();
        SuiteCounts c = new SuiteCounts("samples", "correct", "incorrect", "no_answer");
        for (GenerationRecord g : generations) {
            BenchItem item = Suites.item(byId, g, set);
            Grade grade = g.response() == null ? new Grade("", false, "none", "none") : task.grade(g.response(), item.gold());
            items.add(new EvalItem(item, g, new EvalItem.Graded(item.gold(), grade, item.meta())));
            int[] pc = perProblem.computeIfAbsent(item.id(), k -> new int[2]);
            pc[0]++;
            if (grade.correct()) {
                pc[1]++;
                c.add("correct");
            }
            if (grade.extracted().isEmpty()) {
                c.add("no_answer");
            }
            c.generation(g);
        }
        int correct = c.get("correct");
        c.set("samples", generations.size());
        c.set("incorrect", generations.size() - correct);
        List<int[]> problems = new ArrayList<>(perProblem.values());
        int k = problems.stream().mapToInt(p -> p[0]).min().orElse(0);
        Map<Integer, Double> passAtK = new TreeMap<>();
        for (int kk : KS) {
            if (kk <= k) {
                passAtK.put(kk, PassAtK.mean(problems, kk));
            }
        }
        double pass1 = generations.isEmpty() ? Double.NaN : (double) correct / generations.size();
        // samples of one problem are correlated: an interval over n = problems is the conservative one
        Score s = new Score(set.benchmark(), "pass@1", pass1, Wilson.of(pass1 * problems.size(), problems.size()), correct,
                generations.size(), perProblem.size(), set.complete(), set.note(), c.asMap(), problems.size(), k, passAtK,
                set.file().toString(), set.sha256(), records);
        return new Outcome(items, s);
    }
}
