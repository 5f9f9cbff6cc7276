package io.thinksafe.align;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How STAR-1 chooses its 1,000 from the traces that got full marks: while too many remain, remove
 * the one whose source and categories are most common — the largest (share of its source) × (sum of
 * its categories' shares), a category's share being how many remaining items carry it over the total
 * of such counts — the first in order on a tie. So the set thins where it is crowded and keeps rare
 * sources and categories (STAR-1's "diversity"). The source is the prompt's label here (our prompt
 * sets name no source dataset).
 *
 * <p>Items with the same source and categories always have the same value, so each round compares
 * groups rather than items: the same result as STAR-1's item-by-item loop in far fewer operations.
 */
public final class Star1Selection {
    /** A candidate: its key (generation key), source, and policy categories (never empty, never "Other"). */
    public record Candidate(String key, String source, List<String> categories) {}

    private Star1Selection() {}

    /** At most {@code keep} of the candidates (all when {@code keep <= 0}), in their order. */
    public static List<Candidate> select(List<Candidate> in, int keep) {
        if (keep <= 0 || in.size() <= keep) {
            return in;
        }
        Map<String, Integer> categoryIndex = new LinkedHashMap<>();
        Map<String, Integer> sourceIndex = new LinkedHashMap<>();
        Map<String, List<Integer>> groups = new LinkedHashMap<>(); // signature -> remaining item indices, ascending
        Map<String, int[]> groupCategories = new HashMap<>();
        Map<String, Integer> groupSource = new HashMap<>();
        for (int i = 0; i < in.size(); i++) {
            Candidate c = in.get(i);
            int[] cats = new int[c.categories().size()];
            for (int j = 0; j < cats.length; j++) {
                cats[j] = categoryIndex.computeIfAbsent(c.categories().get(j), k -> categoryIndex.size());
            }
            int source = sourceIndex.computeIfAbsent(c.source(), k -> sourceIndex.size());
            String sig = source + ":" + c.categories();
            groups.computeIfAbsent(sig, k -> new ArrayList<>()).add(i);
            groupCategories.put(sig, cats);
            groupSource.put(sig, source);
        }
        long[] categoryCount = new long[categoryIndex.size()];
        long[] sourceCount = new long[sourceIndex.size()];
        for (Map.Entry<String, List<Integer>> g : groups.entrySet()) {
            for (int c : groupCategories.get(g.getKey())) {
                categoryCount[c] += g.getValue().size();
            }
            sourceCount[groupSource.get(g.getKey())] += g.getValue().size();
        }
        boolean[] removed = new boolean[in.size()];
        int remaining = in.size();
        Map<String, Integer> head = new HashMap<>(); // position of each group's first remaining item in its list
        while (remaining > keep) {
            long sum = 0;
            for (long n : categoryCount) {
                sum += n;
            }
            String best = null;
            double bestValue = Double.NEGATIVE_INFINITY;
            int bestFirst = Integer.MAX_VALUE;
            for (Map.Entry<String, List<Integer>> g : groups.entrySet()) {
                int at = head.getOrDefault(g.getKey(), 0);
                if (at >= g.getValue().size()) {
                    continue;
                }
                double categoryShare = 0;
                for (int c : groupCategories.get(g.getKey())) {
                    categoryShare += (double) categoryCount[c] / sum;
                }
                double value = (double) sourceCount[groupSource.get(g.getKey())] / remaining * categoryShare;
                int first = g.getValue().get(at);
                if (value > bestValue || (value == bestValue && first < bestFirst)) {
                    best = g.getKey();
                    bestValue = value;
                    bestFirst = first;
                }
            }
            removed[bestFirst] = true;
            head.merge(best, 1, Integer::sum);
            for (int c : groupCategories.get(best)) {
                categoryCount[c]--;
            }
            sourceCount[groupSource.get(best)]--;
            remaining--;
        }
        List<Candidate> out = new ArrayList<>(keep);
        for (int i = 0; i < in.size(); i++) {
            if (!removed[i]) {
                out.add(in.get(i));
            }
        }
        return out;
    }
}
