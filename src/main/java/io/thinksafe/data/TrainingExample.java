package io.thinksafe.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of a training set, in the released ThinkSafe datasets' columns — {@code instruction}
 * (the original prompt, never the steered one), {@code response} (with its think block),
 * {@code prompt_label}, {@code response_label} — then provenance, which the released sets lack and
 * the build stage writes: the prompt's id, its label in the prompt set ({@code source_label}) and
 * category, the recipe, the steering template, and for a self-generated response the sample,
 * generator and seed it came from and the judge that passed it (with its P(safe)).
 * {@code generator} is {@code fixed} for DirectRefusal's written answer. {@code target} says what is learned
 * when it is not the whole response: {@code primer} (SafePath) learns only the response after its opening think
 * tag, with no end of turn (the rest of the generation stays unsupervised). {@code audit} keeps what chose the
 * example (STAR-1: its policy categories, the judge's scores and output). Absent fields are null.
 */
public record TrainingExample(String instruction, String response, String promptLabel, String responseLabel, String id,
                              String sourceLabel, String category, String recipe, String steering, Integer sample,
                              String generator, Long seed, String guard, Double pSafe, String target, JsonNode audit) {
    /** SafePath's target: only the primer after the opening think tag is learned. */
    public static final String PRIMER = "primer";

    public TrainingExample(String instruction, String response, String promptLabel, String responseLabel, String id,
                           String sourceLabel, String category, String recipe, String steering, Integer sample,
                           String generator, Long seed, String guard, Double pSafe) {
        this(instruction, response, promptLabel, responseLabel, id, sourceLabel, category, recipe, steering, sample, generator, seed,
                guard, pSafe, null, null);
    }

    public TrainingExample withAudit(JsonNode newAudit) {
        return new TrainingExample(instruction, response, promptLabel, responseLabel, id, sourceLabel, category, recipe, steering, sample,
                generator, seed, guard, pSafe, target, newAudit);
    }

    /** Harmful iff the prompt label says so, as the paper maps SafeChain's labels. */
    public boolean harmful() {
        return promptLabel != null && promptLabel.contains("harmful");
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("instruction", instruction);
        o.put("response", response);
        o.put("prompt_label", promptLabel);
        o.put("response_label", responseLabel);
        o.put("id", id);
        o.put("source_label", sourceLabel);
        putIf(o, "category", category);
        o.put("recipe", recipe);
        putIf(o, "steering", steering);
        if (sample != null) {
            o.put("sample", sample);
        }
        o.put("generator", generator);
        if (seed != null) {
            o.put("seed", seed);
        }
        putIf(o, "guard", guard);
        if (pSafe != null) {
            o.put("p_safe", pSafe);
        }
        putIf(o, "target", target);
        if (audit != null) {
            o.set("audit", audit);
        }
        return o;
    }

    private static void putIf(ObjectNode o, String field, String value) {
        if (value != null) {
            o.put(field, value);
        }
    }

    /**
     * Every example of a training set: {@code instruction} and {@code response} are required (an
     * error names the file, line and field); the prompt label may also be called {@code label}.
     */
    public static List<TrainingExample> read(Path file) {
        List<ObjectNode> rows = Jsonl.read(file);
        if (rows.isEmpty()) {
            throw new ThinkSafeException(file + ": no training examples (the file is empty)");
        }
        List<TrainingExample> out = new ArrayList<>();
        int line = 0;
        for (ObjectNode r : rows) {
            line++;
            Jsonl.requireText(file, line, r, "instruction");
            Jsonl.requireText(file, line, r, "response");
            out.add(fromJson(r));
        }
        return out;
    }

    public static TrainingExample fromJson(JsonNode r) {
        String promptLabel = Jsonl.textOrNull(r, "prompt_label");
        return new TrainingExample(r.path("instruction").asText(), r.path("response").asText(),
                promptLabel != null ? promptLabel : Jsonl.textOrNull(r, "label"), Jsonl.textOrNull(r, "response_label"),
                Jsonl.textOrNull(r, "id"), Jsonl.textOrNull(r, "source_label"), Jsonl.textOrNull(r, "category"),
                Jsonl.textOrNull(r, "recipe"), Jsonl.textOrNull(r, "steering"),
                r.hasNonNull("sample") ? r.get("sample").asInt() : null, Jsonl.textOrNull(r, "generator"),
                r.hasNonNull("seed") ? r.get("seed").asLong() : null, Jsonl.textOrNull(r, "guard"),
                r.hasNonNull("p_safe") ? r.get("p_safe").asDouble() : null, Jsonl.textOrNull(r, "target"),
                r.hasNonNull("audit") ? r.get("audit") : null);
    }
}
