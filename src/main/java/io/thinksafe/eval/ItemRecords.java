package io.thinksafe.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.data.bench.BenchItem;
import io.thinksafe.util.Json;

/** The common part of the per-item audit records ({@code BENCH/items.jsonl}). */
final class ItemRecords {
    private ItemRecords() {}

    /** id, sample, the prompt as the model saw it, label, category, the whole response and how generation ended. */
    static ObjectNode base(BenchItem item, JsonNode generation) {
        ObjectNode o = Json.object();
        o.put("id", item.id());
        o.put("sample", generation.path("sample").asInt(0));
        o.put("prompt", item.input());
        if (item.label() != null) {
            o.put("label", item.label());
        }
        if (item.category() != null) {
            o.put("category", item.category());
        }
        o.set("response", generation.path("response").isTextual() ? generation.get("response") : Json.MAPPER.nullNode());
        o.put("finish_reason", generation.path("finish_reason").asText());
        if (generation.has("error")) {
            o.set("error", generation.get("error"));
        }
        o.put("n_tokens", generation.path("n_tokens").asInt());
        o.put("seed", generation.path("seed").asLong());
        return o;
    }

    static boolean failed(JsonNode generation) {
        return "error".equals(generation.path("finish_reason").asText()) || !generation.path("response").isTextual();
    }

    static boolean truncated(JsonNode generation) {
        return "length".equals(generation.path("finish_reason").asText());
    }
}
