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
        int correct = 0;
        int noAnswer = 0;
        int failed = 0;
        int truncated = 0;
        for (GenerationRecord g : generations) {
            BenchItem item = Suites.item(byId, g, set);
            Grade grade = g.response() == null ? new Grade("", false, "none", "none") : task.grade(g.response(), item.gold());
            items.add(new EvalItem(item, g, new EvalItem.Graded(item.gold(), grade, item.meta())));
            int[] pc = perProblem.computeIfAbsent(item.id(), k -> new int[2]);
            pc[0]++;
            if (grade.correct()) {
                pc[1]++;
                correct++;
            }
            noAnswer += grade.extracted().isEmpty() ? 1 : 0;
            failed += g.failed() ? 1 : 0;
            truncated += g.truncated() ? 1 : 0;
        }
        List<int[]> problems = new ArrayList<>(perProblem.values());
        int k = problems.stream().mapToInt(p -> p[0]).min().orElse(0);
        Map<Integer, Double> passAtK = new TreeMap<>();
        for (int kk : KS) {
            if (kk <= k) {
                passAtK.put(kk, PassAtK.mean(problems, kk));
            }
        }
        double pass1 = generations.isEmpty() ? Double.NaN : (double) correct / generations.size();
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("samples", generations.size());
        counts.put("correct", correct);
        counts.put("incorrect", generations.size() - correct);
        counts.put("no_answer", noAnswer);
        counts.put("failed_generations", failed);
        counts.put("truncated", truncated);
        // samples of one problem are correlated: an interval over n = problems is the conservative one
        Score s = new Score(set.benchmark(), "pass@1", pass1, Wilson.of(pass1 * problems.size(), problems.size()), correct,
                generations.size(), perProblem.size(), set.complete(), set.note(), counts, problems.size(), k, passAtK,
                set.file().toString(), set.sha256(), records);
        return new Outcome(items, s);
    }
}
