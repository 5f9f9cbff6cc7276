package io.thinksafe.guard;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Verdict counts by prompt label and by hazard category, as a small text table. */
public final class GuardSummary {
    private GuardSummary() {}

    public static String table(Iterable<? extends JsonNode> judged) {
        Map<String, int[]> byLabel = new TreeMap<>();
        Map<String, Integer> byCategory = new TreeMap<>();
        int[] total = new int[3];
        for (JsonNode r : judged) {
            String label = r.path("label").asText("(no label)");
            GuardVerdict g = JudgedGeneration.verdictOf(r);
            byLabel.computeIfAbsent(label, k -> new int[3])[g.verdict().ordinal()]++;
            total[g.verdict().ordinal()]++;
            for (String c : g.categories()) {
                byCategory.merge(c, 1, Integer::sum);
            }
        }
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-24s %7s %7s %7s %7s%n", "label", "safe", "unsafe", "error", "total"));
        byLabel.forEach((label, c) -> row(b, label, c));
        row(b, "all", total);
        if (!byCategory.isEmpty()) {
            b.append("categories:");
            byCategory.forEach((c, n) -> b.append(' ').append(c).append(" (").append(LlamaGuard.CATEGORIES.getOrDefault(c, "?"))
                    .append(") ").append(n).append(';'));
            b.append('\n');
        }
        return b.toString();
    }

    private static void row(StringBuilder b, String label, int[] c) {
        b.append(String.format(Locale.ROOT, "%-24s %7d %7d %7d %7d%n", label, c[0], c[1], c[2], c[0] + c[1] + c[2]));
    }
}
