package io.thinksafe.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.text.ReasoningSplit;
import io.thinksafe.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of a generations file ({@code thinksafe generate}, the run's generate stage, eval):
 * the draw — item {@code id}, {@code sample} number, the original {@code prompt}, the {@code input}
 * the model saw (e.g. steered), the prompt's {@code label} and {@code category} (may be null) — what
 * came back — the {@code response} (null when the draw failed, with its {@code error}), and why it
 * stopped ({@code stop}, {@code length}, {@code error}) — and provenance: the model, its sampling
 * settings (as sent), the draw's seed, and completion and prompt token counts. The file also carries
 * the response's reasoning and answer, split at its think block for readers; they are recomputed here.
 */
public record GenerationRecord(String id, int sample, String prompt, String input, String label, String category,
                               String response, String finishReason, String error, String model, ObjectNode sampling,
                               long seed, int tokens, int promptTokens) {

    /** The item's key in resumable outputs ({@code id#sample}). */
    public String key() {
        return key(id, sample);
    }

    public static String key(String id, int sample) {
        return id + "#" + sample;
    }

    /** The key of a record as read, for files of other shapes that share it (judged records). */
    public static String keyOf(JsonNode record) {
        return key(record.path("id").asText(), record.path("sample").asInt(0));
    }

    /** No response to use: the draw failed. */
    public boolean failed() {
        return "error".equals(finishReason) || response == null;
    }

    /** Stopped by the token limit, not by the model. */
    public boolean truncated() {
        return "length".equals(finishReason);
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("sample", sample);
        o.put("prompt", prompt);
        o.put("input", input);
        if (label != null) {
            o.put("label", label);
        }
        if (category != null) {
            o.put("category", category);
        }
        if (response != null) {
            ReasoningSplit split = ReasoningSplit.of(response);
            o.put("response", response);
            o.put("reasoning", split.reasoning());
            o.put("answer", split.answer());
        } else {
            o.putNull("response");
        }
        o.put("finish_reason", finishReason);
        if (error != null) {
            o.put("error", error);
        }
        o.put("model", model);
        o.set("sampling", sampling);
        o.put("seed", seed);
        o.put("n_tokens", tokens);
        o.put("prompt_tokens", promptTokens);
        return o;
    }

    /** A record as read; fields this release always writes default to empty or 0 when an older file lacks them. */
    public static GenerationRecord fromJson(JsonNode o) {
        JsonNode sampling = o.path("sampling");
        return new GenerationRecord(o.path("id").asText(), o.path("sample").asInt(0), o.path("prompt").asText(),
                o.path("input").asText(o.path("prompt").asText()), Jsonl.textOrNull(o, "label"), Jsonl.textOrNull(o, "category"),
                Jsonl.textOrNull(o, "response"), o.path("finish_reason").asText(""), Jsonl.textOrNull(o, "error"),
                o.path("model").asText(""), sampling.isObject() ? (ObjectNode) sampling : Json.object(), o.path("seed").asLong(0),
                o.path("n_tokens").asInt(0), o.path("prompt_tokens").asInt(0));
    }

    /** Every record of a generations file. */
    public static List<GenerationRecord> read(Path file) {
        List<GenerationRecord> out = new ArrayList<>();
        int line = 0;
        for (ObjectNode o : Jsonl.read(file)) {
            line++;
            Jsonl.requireText(file, line, o, "prompt");
            if (!o.has("response")) {
                throw new ThinkSafeException(file + ":" + line + ": missing field 'response' (not a generations file?)");
            }
            out.add(fromJson(o));
        }
        return out;
    }
}
