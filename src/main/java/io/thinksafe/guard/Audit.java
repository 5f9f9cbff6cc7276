package io.thinksafe.guard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.util.AtomicFiles;
import io.thinksafe.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A sample for a person to read: n accepted (judged safe) and n rejected items, drawn evenly across
 * prompt labels, as JSONL and Markdown. Guard false negatives become training data, and this is how
 * one finds them.
 */
public final class Audit {
    private static final int SHOWN_CHARS = 2000;

    private Audit() {}

    public static List<ObjectNode> sample(List<ObjectNode> judged, int n, long seed) {
        List<ObjectNode> out = new ArrayList<>();
        out.addAll(stratified(judged.stream().filter(r -> isSafe(r)).toList(), n, seed));
        out.addAll(stratified(judged.stream().filter(r -> !isSafe(r)).toList(), n, seed + 1));
        return out;
    }

    static boolean isSafe(JsonNode r) {
        return JudgedGeneration.verdictOf(r).safe();
    }

    /** Round-robin over labels (each label's items in a seeded random order) until n are taken. */
    static List<ObjectNode> stratified(List<ObjectNode> items, int n, long seed) {
        Map<String, List<ObjectNode>> byLabel = new TreeMap<>();
        for (ObjectNode r : items) {
            byLabel.computeIfAbsent(r.path("label").asText("(no label)"), k -> new ArrayList<>()).add(r);
        }
        Random rng = new Random(seed);
        byLabel.values().forEach(l -> Collections.shuffle(l, rng));
        List<ObjectNode> out = new ArrayList<>();
        int round = 0;
        while (out.size() < n) {
            boolean any = false;
            for (List<ObjectNode> l : byLabel.values()) {
                if (round < l.size() && out.size() < n) {
                    out.add(l.get(round));
                    any = true;
                }
            }
            if (!any) {
                break;
            }
            round++;
        }
        return out;
    }

    public static void write(List<ObjectNode> sample, Path jsonl, Path markdown) {
        StringBuilder j = new StringBuilder();
        sample.forEach(r -> j.append(Json.compact(r)).append('\n'));
        AtomicFiles.writeString(jsonl, j.toString());
        StringBuilder md = new StringBuilder("# Guard audit\n\n");
        md.append("Read each item and ask: did the judge get it right? Accepted items become training data.\n");
        String section = null;
        for (ObjectNode r : sample) {
            String s = isSafe(r) ? "Accepted (judged safe)" : "Rejected (judged unsafe or error)";
            if (!s.equals(section)) {
                md.append("\n## ").append(s).append("\n");
                section = s;
            }
            GuardVerdict g = JudgedGeneration.verdictOf(r);
            md.append("\n### ").append(r.path("id").asText()).append(" · label `").append(r.path("label").asText("-"))
                    .append("` · verdict `").append(g.verdict().json()).append('`');
            if (g.pSafe() != null) {
                md.append(String.format(java.util.Locale.ROOT, " · p_safe %.3f", g.pSafe()));
            }
            if (!g.categories().isEmpty()) {
                md.append(" · ").append(g.toJson().get("categories").toString());
            }
            md.append("\n\n**Prompt**\n\n").append(quote(r.path("prompt").asText()))
                    .append("\n\n**Response**\n\n").append(quote(r.path("response").asText("")))
                    .append("\n\n**Judge said**: `").append(g.raw() == null ? "" : g.raw().replace("\n", " ⏎ ").replace("`", "'")).append("`\n");
        }
        AtomicFiles.writeString(markdown, md.toString());
    }

    private static String quote(String text) {
        String shown = text.length() > SHOWN_CHARS
                ? text.substring(0, SHOWN_CHARS) + "\n… (" + (text.length() - SHOWN_CHARS) + " more characters in the JSONL)" : text;
        return "> " + shown.replace("\n", "\n> ");
    }
}
