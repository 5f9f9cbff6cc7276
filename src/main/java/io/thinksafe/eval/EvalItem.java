package io.thinksafe.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.data.GenerationRecord;
import io.thinksafe.data.bench.BenchItem;
import io.thinksafe.eval.grade.Grade;
import io.thinksafe.guard.GuardVerdict;
import io.thinksafe.util.Json;

/**
 * One line of an evaluation's {@code BENCH/items.jsonl}, the per-item audit record: the item, the
 * sample, the prompt as the model saw it, the item's label and category, the whole response (null
 * when generation failed, with the error) and how generation ended, then what scored it.
 */
record EvalItem(BenchItem item, GenerationRecord generation, Scored scored) {
    /** What scored an item: a safety judge's verdict, XSTest's refusal answer, or a reasoning grade. */
    sealed interface Scored permits Judged, Refusal, Graded {}

    /** Judged by a safety guard: its verdict, and the whole judgement. */
    record Judged(GuardVerdict guard) implements Scored {}

    /** XSTest: whether the prompt is scored (its safe prompts), and for those WildGuard's refusal answer (null: none) and judgement. */
    record Refusal(boolean scored, Boolean refusal, GuardVerdict guard) implements Scored {}

    /** Graded against the gold answer; {@code meta} is the item's own fields. */
    record Graded(String gold, Grade grade, JsonNode meta) implements Scored {}

    ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("id", item.id());
        o.put("sample", generation.sample());
        o.put("prompt", item.input());
        if (item.label() != null) {
            o.put("label", item.label());
        }
        if (item.category() != null) {
            o.put("category", item.category());
        }
        if (generation.response() != null) {
            o.put("response", generation.response());
        } else {
            o.putNull("response");
        }
        o.put("finish_reason", generation.finishReason());
        if (generation.error() != null) {
            o.put("error", generation.error());
        }
        o.put("n_tokens", generation.tokens());
        o.put("seed", generation.seed());
        if (scored instanceof Judged j) {
            o.put("verdict", j.guard().verdict().json());
            o.set("guard", j.guard().toJson());
        } else if (scored instanceof Refusal r) {
            o.put("scored", r.scored());
            if (r.scored()) {
                if (r.refusal() != null) {
                    o.put("refusal", r.refusal());
                } else {
                    o.putNull("refusal");
                }
                o.set("guard", r.guard().toJson());
            }
        } else if (scored instanceof Graded g) {
            o.put("gold", g.gold());
            g.grade().writeTo(o);
            o.set("item", g.meta());
        }
        return o;
    }
}
