package io.thinksafe.guard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.data.GenerationRecord;
import io.thinksafe.data.Jsonl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of a judged file: a generation with the judge's verdict under {@code guard}. The judge
 * keeps every field of what it read ({@link #withVerdict}), so a file of other records judged with
 * {@code --prompt-only} (prompts) has the same shape, and reads as generations without a response.
 */
public record JudgedGeneration(GenerationRecord generation, GuardVerdict verdict) {
    private static final String FIELD = "guard";

    public String key() {
        return generation.key();
    }

    public boolean safe() {
        return verdict.safe();
    }

    public ObjectNode toJson() {
        return withVerdict(generation.toJson(), verdict);
    }

    public static JudgedGeneration fromJson(JsonNode o) {
        return new JudgedGeneration(GenerationRecord.fromJson(o), verdictOf(o));
    }

    public static List<JudgedGeneration> read(Path file) {
        return of(Jsonl.read(file));
    }

    public static List<JudgedGeneration> of(List<? extends JsonNode> records) {
        List<JudgedGeneration> out = new ArrayList<>(records.size());
        records.forEach(r -> out.add(fromJson(r)));
        return out;
    }

    /** The record as the judge writes it: its own fields as they were, then the verdict. */
    public static ObjectNode withVerdict(ObjectNode record, GuardVerdict v) {
        ObjectNode o = record.deepCopy();
        o.set(FIELD, v.toJson());
        return o;
    }

    /** The verdict of any judged record; one without a verdict is an error (never safe). */
    public static GuardVerdict verdictOf(JsonNode record) {
        return GuardVerdict.fromJson(record.get(FIELD));
    }
}
