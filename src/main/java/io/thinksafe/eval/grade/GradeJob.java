package io.thinksafe.eval.grade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.Jsonl;
import io.thinksafe.util.AtomicFiles;
import io.thinksafe.util.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code thinksafe grade}: re-grades saved responses, so a grader fix never needs a new generation
 * run. Input records need {@code response} (a string, or null for a failed generation) and
 * {@code gold}; everything else is kept. Eval's {@code items.jsonl} qualifies as it is.
 */
public final class GradeJob {
    private GradeJob() {}

    public record Summary(int records, int correct, int noAnswer) {
        public double accuracy() {
            return records == 0 ? Double.NaN : (double) correct / records;
        }
    }

    public static Summary run(Task task, Path in, Path out, int limit) {
        List<ObjectNode> rows = Jsonl.readFirst(in, limit, "nothing to grade");
        List<ObjectNode> graded = new ArrayList<>();
        int correct = 0;
        int noAnswer = 0;
        int n = 0;
        for (ObjectNode r : rows) {
            n++;
            JsonNode response = r.get("response");
            if (response == null || !(response.isTextual() || response.isNull())) {
                throw new ThinkSafeException(in + ": record " + n + ": " + (response == null ? "missing field 'response'"
                        : "field 'response' must be a string (or null for a failed generation)"));
            }
            JsonNode gold = r.get("gold");
            if (gold == null || gold.isNull() || !gold.isValueNode() || gold.asText().isBlank()) {
                throw new ThinkSafeException(in + ": record " + n + ": missing field 'gold' (the reference answer"
                        + (task == Task.GPQA ? ", a letter A-D" : task == Task.GSM8K ? ", a number or a '#### N' solution" : "") + ")");
            }
            Grade g = response.isNull() ? new Grade("", false, "none", "none") : task.grade(response.asText(), gold.asText());
            ObjectNode o = r.deepCopy();
            g.writeTo(o);
            graded.add(o);
            correct += g.correct() ? 1 : 0;
            noAnswer += g.extracted().isEmpty() ? 1 : 0;
        }
        AtomicFiles.write(out, o -> {
            for (ObjectNode r : graded) {
                o.write((Json.compact(r) + "\n").getBytes(StandardCharsets.UTF_8));
            }
        });
        return new Summary(graded.size(), correct, noAnswer);
    }
}
