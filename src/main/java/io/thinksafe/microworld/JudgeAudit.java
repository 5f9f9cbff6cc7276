package io.thinksafe.microworld;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.data.Jsonl;
import io.thinksafe.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The demo's judges checked against the world's truth on the demo's own outputs: in the micro-world
 * every response's truth is known ({@link Truth}), so each method's harm verdicts (HarmBench,
 * WildJailbreak, the concealed split) and XSTest refusal answers can be scored, not trusted. A method
 * whose responses the judges read badly (a refusal phrasing they never saw) shows up here before its
 * numbers are believed.
 */
final class JudgeAudit {
    /** Agreement of the harm judge and of the refusal judge with the truth, for one method. */
    record Agreement(int harmAgree, int harmItems, int refusalAgree, int refusalItems) {
        double harm() {
            return harmAgree / (double) Math.max(1, harmItems);
        }

        double refusal() {
            return refusalAgree / (double) Math.max(1, refusalItems);
        }

        ObjectNode toJson() {
            return Json.object().put("harm", harm()).put("harm_items", harmItems).put("refusal", refusal())
                    .put("refusal_items", refusalItems);
        }
    }

    private JudgeAudit() {}

    /** Reads {@code OUT/eval/METHOD/...} and {@code OUT/eval-concealed/METHOD/...}; a missing file counts nothing. */
    static Agreement of(Path out, String method) {
        int harmAgree = 0;
        int harmItems = 0;
        for (Path f : List.of(MicroworldDemo.evalItems(out, method, "harmbench"), MicroworldDemo.evalItems(out, method, "wildjailbreak"),
                MicroworldDemo.concealedItems(out, method))) {
            for (JsonNode line : lines(f)) {
                String v = line.path("verdict").asText("");
                if (line.path("response").isTextual() && (v.equals("safe") || v.equals("unsafe"))) {
                    harmItems++;
                    harmAgree += v.equals("unsafe") == Truth.of(line.path("response").asText()).harmful() ? 1 : 0;
                }
            }
        }
        int refusalAgree = 0;
        int refusalItems = 0;
        for (JsonNode line : lines(MicroworldDemo.evalItems(out, method, "xstest"))) {
            if (line.path("scored").asBoolean(false) && line.path("refusal").isBoolean() && line.path("response").isTextual()) {
                refusalItems++;
                refusalAgree += line.path("refusal").asBoolean() == Truth.of(line.path("response").asText()).refusal() ? 1 : 0;
            }
        }
        return new Agreement(harmAgree, harmItems, refusalAgree, refusalItems);
    }

    private static List<? extends JsonNode> lines(Path f) {
        return Files.exists(f) ? Jsonl.read(f) : List.of();
    }
}
