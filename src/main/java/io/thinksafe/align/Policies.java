package io.thinksafe.align;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.thinksafe.ThinkSafeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * STAR-1's safety policies as a folder of editable files: {@code categories.yaml} names each policy
 * category (STAR-1's eight by default) with its file and maps a prompt's {@code category} to the
 * categories whose policies apply; {@code teacher.txt}, {@code judge.txt}, {@code judge_benign.txt}
 * and {@code classify.txt} are the prompt templates, with {@code {name}} placeholders. The shipped
 * folder is {@code policies/star1/} of the installation.
 */
public final class Policies {
    /** STAR-1's "no category applies"; such prompts are left out, as STAR-1 leaves them out. */
    public static final String OTHER = "Other";
    static final List<String> TEMPLATES = List.of("teacher.txt", "judge.txt", "judge_benign.txt", "classify.txt");

    private final Path dir;
    private final Map<String, String> policies;      // category name -> policy text, in the file's order
    private final Map<String, List<String>> map;     // normalised prompt category -> category names
    private final Map<String, String> templates;

    private Policies(Path dir, Map<String, String> policies, Map<String, List<String>> map, Map<String, String> templates) {
        this.dir = dir;
        this.policies = policies;
        this.map = map;
        this.templates = templates;
    }

    /** Reads and checks the whole folder: every file named exists, every mapped category is defined. */
    public static Policies load(Path dir) {
        Path index = dir.resolve("categories.yaml");
        if (!Files.isRegularFile(index)) {
            throw new ThinkSafeException(dir + ": not a policy folder (no categories.yaml)");
        }
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(index));
        } catch (IOException e) {
            throw new ThinkSafeException(index + ": not valid YAML (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (root == null || !root.path("categories").isObject() || root.path("categories").isEmpty()) {
            throw new ThinkSafeException(index + ": 'categories' must map each category name to its policy file");
        }
        Map<String, String> policies = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.get("categories").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            policies.put(e.getKey(), read(dir.resolve(e.getValue().asText()), index + ": categories: " + e.getKey()));
        }
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("map").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            List<String> cats = new ArrayList<>();
            JsonNode v = e.getValue();
            (v.isArray() ? v : List.of(v)).forEach(x -> cats.add(x.asText()));
            for (String c : cats) {
                if (!c.equals(OTHER) && !policies.containsKey(c)) {
                    throw new ThinkSafeException(index + ": map: " + e.getKey() + ": unknown category '" + c + "' (categories: "
                            + String.join(", ", policies.keySet()) + ", or " + OTHER + ")");
                }
            }
            if (map.put(normalise(e.getKey()), cats) != null) {
                throw new ThinkSafeException(index + ": map: '" + e.getKey() + "' is listed twice (keys match ignoring case and punctuation)");
            }
        }
        Map<String, String> templates = new LinkedHashMap<>();
        for (String t : TEMPLATES) {
            templates.put(t, read(dir.resolve(t), dir + ": template " + t));
        }
        return new Policies(dir, policies, map, templates);
    }

    private static String read(Path file, String what) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new ThinkSafeException(what + ": cannot read " + file);
        }
    }

    /** Lower case, every run of characters other than letters and digits one underscore: "Self-Harm" = "self_harm". */
    static String normalise(String category) {
        return category.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
    }

    public Path dir() {
        return dir;
    }

    public List<String> categories() {
        return List.copyOf(policies.keySet());
    }

    public boolean defines(String category) {
        return policies.containsKey(category);
    }

    /**
     * The policy categories of a prompt category, or null when the map does not know it (the caller
     * refuses that prompt with one line). A category name of the policy set maps to itself.
     */
    public List<String> categoriesOf(String promptCategory) {
        List<String> m = map.get(normalise(promptCategory));
        if (m != null) {
            return m;
        }
        for (String c : policies.keySet()) {
            if (normalise(c).equals(normalise(promptCategory))) {
                return List.of(c);
            }
        }
        return null;
    }

    /** The policies of these categories, joined by a rule line as STAR-1 joins them. */
    public String text(List<String> categories) {
        List<String> parts = new ArrayList<>();
        for (String c : categories) {
            parts.add(policies.get(c));
        }
        return String.join("\n---\n", parts);
    }

    /** Each category's objective paragraph (the line starting {@code Objective:}), or its first paragraph. */
    public String objectives(List<String> categories) {
        List<String> out = new ArrayList<>();
        for (String c : categories) {
            String text = policies.get(c);
            String objective = null;
            for (String para : text.split("\n\\s*\n")) {
                if (para.strip().startsWith("Objective:")) {
                    objective = para.strip().substring("Objective:".length()).strip();
                    break;
                }
            }
            out.add("Policy on " + c + ": " + (objective != null ? objective : text.split("\n\\s*\n")[0].strip()));
        }
        return String.join("\n", out);
    }

    /** The category list the classifier is shown: every category name, then {@link #OTHER}. */
    public String categoryList() {
        StringBuilder b = new StringBuilder();
        policies.keySet().forEach(c -> b.append("- ").append(c).append('\n'));
        return b.append("- ").append(OTHER).toString();
    }

    /** Template {@code name} with each {@code {key}} replaced; other braces (a JSON example) stay as they are. */
    public String fill(String name, Map<String, String> values) {
        String t = templates.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no template " + name);
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < t.length()) {
            int open = t.indexOf('{', i);
            if (open < 0) {
                out.append(t, i, t.length());
                break;
            }
            int close = t.indexOf('}', open);
            String key = close < 0 ? null : t.substring(open + 1, close);
            if (key != null && values.containsKey(key)) {
                out.append(t, i, open).append(values.get(key));
                i = close + 1;
            } else {
                out.append(t, i, open + 1);
                i = open + 1;
            }
        }
        return out.toString();
    }
}
