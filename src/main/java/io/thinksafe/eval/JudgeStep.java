package io.thinksafe.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.data.ResumableJsonl;
import io.thinksafe.data.GenerationRecord;
import io.thinksafe.guard.Guard;
import io.thinksafe.guard.GuardJob;
import io.thinksafe.guard.JudgedGeneration;
import io.thinksafe.util.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Judges generation records (prompt + whole response) into a resumable file, a chunk at a time, so a
 * killed evaluation judges nothing twice. A record without a response (a failed generation) gets an
 * {@code error} verdict, never {@code safe}.
 */
final class JudgeStep {
    private static final int CHUNK = 16;

    private JudgeStep() {}

    /** The judged records by generation key ({@code id#sample}). */
    static Map<String, JudgedGeneration> run(Guard guard, List<GenerationRecord> records, Path out, String label) {
        Map<String, Integer> order = new HashMap<>();
        List<ObjectNode> todo = new ArrayList<>();
        Map<String, JudgedGeneration> byKey = new LinkedHashMap<>();
        try (ResumableJsonl sink = ResumableJsonl.open(out, GenerationRecord::keyOf)) {
            for (GenerationRecord r : records) {
                order.put(r.key(), order.size());
                if (!sink.isDone(r.key())) {
                    todo.add(r.toJson());
                }
            }
            try (Progress progress = new Progress(label, records.size())) {
                progress.advance(records.size() - todo.size(), 0);
                for (int i = 0; i < todo.size(); i += CHUNK) {
                    List<ObjectNode> chunk = todo.subList(i, Math.min(todo.size(), i + CHUNK));
                    for (ObjectNode judged : GuardJob.judge(guard, chunk, false)) {
                        sink.append(judged);
                    }
                    progress.advance(chunk.size(), 0);
                }
            }
            sink.finish(Comparator.comparingInt(r -> order.getOrDefault(GenerationRecord.keyOf(r), Integer.MAX_VALUE)));
            for (ObjectNode r : sink.records()) {
                JudgedGeneration j = JudgedGeneration.fromJson(r);
                byKey.put(j.key(), j);
            }
        }
        return byKey;
    }
}
