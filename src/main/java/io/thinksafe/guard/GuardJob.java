package io.thinksafe.guard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.GenerationRecord;
import io.thinksafe.data.Jsonl;
import io.thinksafe.data.ResumableJsonl;
import io.thinksafe.util.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code thinksafe guard}: judges every record of a generations file (its original {@code prompt}
 * and whole {@code response}) and writes the record with a {@code guard} field, item by item, so a
 * killed run resumes without judging anything twice. Records that carry no response (a failed
 * generation) are judged {@code error}. With {@code promptOnly}, records need only a prompt.
 */
public final class GuardJob {
    private static final int CHUNK = 16;

    private GuardJob() {}

    public static List<ObjectNode> run(Guard guard, Path in, Path out, int limit, boolean promptOnly) {
        List<ObjectNode> rows = Jsonl.readFirst(in, limit, "nothing to judge");
        Map<String, Integer> order = new HashMap<>();
        List<ObjectNode> todo = new ArrayList<>();
        try (ResumableJsonl sink = ResumableJsonl.open(out, GenerationRecord::keyOf)) {
            int line = 0;
            for (ObjectNode r : rows) {
                line++;
                if (!r.path("prompt").isTextual()) {
                    throw new ThinkSafeException(in + ": record " + line + ": missing field 'prompt'");
                }
                if (!promptOnly && !r.has("response")) {
                    throw new ThinkSafeException(in + ": record " + line + ": missing field 'response' (use --prompt-only to judge prompts)");
                }
                String k = GenerationRecord.keyOf(r);
                if (order.put(k, order.size()) != null) {
                    throw new ThinkSafeException(in + ": record " + line + ": duplicate item " + k);
                }
                if (!sink.isDone(k)) {
                    todo.add(r);
                }
            }
            try (Progress progress = new Progress("guard", order.size())) {
                progress.advance(order.size() - todo.size(), 0);
                for (int i = 0; i < todo.size(); i += CHUNK) {
                    List<ObjectNode> chunk = todo.subList(i, Math.min(todo.size(), i + CHUNK));
                    for (ObjectNode judged : judge(guard, chunk, promptOnly)) {
                        sink.append(judged);
                    }
                    progress.advance(chunk.size(), 0);
                }
            }
            sink.finish(Comparator.comparingInt(r -> order.getOrDefault(GenerationRecord.keyOf(r), Integer.MAX_VALUE)));
            return new ArrayList<>(sink.records());
        }
    }

    /** The records with their verdicts attached; records without a response get an error verdict. */
    public static List<ObjectNode> judge(Guard guard, List<ObjectNode> records, boolean promptOnly) {
        List<GuardInput> inputs = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            JsonNode r = records.get(i);
            if (promptOnly) {
                inputs.add(GuardInput.promptOnly(r.path("prompt").asText()));
                positions.add(i);
            } else if (r.path("response").isTextual()) {
                inputs.add(new GuardInput(r.path("prompt").asText(), r.path("response").asText()));
                positions.add(i);
            }
        }
        GuardVerdict[] verdicts = new GuardVerdict[records.size()];
        List<GuardVerdict> judged = inputs.isEmpty() ? List.of() : guard.judge(inputs);
        for (int j = 0; j < judged.size(); j++) {
            verdicts[positions.get(j)] = judged.get(j);
        }
        List<ObjectNode> out = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            GuardVerdict v = verdicts[i] != null ? verdicts[i]
                    : GuardVerdict.error(guard.name(), null, "no response to judge (generation failed)");
            out.add(JudgedGeneration.withVerdict(records.get(i), v));
        }
        return out;
    }
}
