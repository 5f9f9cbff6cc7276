package io.thinksafe.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.data.GenerationRecord;

/**
 * A finished draw: the request, the response text, why it stopped ({@code stop}, {@code length}, or
 * {@code error} with {@code error} set), and the token counts. On disk it is a {@link GenerationRecord}.
 */
public record Generation(GenerationRequest request, String model, String response, String finishReason,
                         int tokens, int promptTokens, String error) {

    public static Generation failed(GenerationRequest request, String model, String error) {
        return new Generation(request, model, null, "error", 0, 0, error);
    }

    /** The draw as a line of a generations file. */
    public GenerationRecord toRecord() {
        return new GenerationRecord(request.id(), request.sample(), request.prompt(), request.input(), request.label(),
                request.category(), response, finishReason, error, model, request.sampling().toJson(), request.sampling().seed(),
                tokens, promptTokens);
    }

    public ObjectNode toJson() {
        return toRecord().toJson();
    }

    /** The resume key of a generation record. */
    public static String keyOf(JsonNode record) {
        return GenerationRecord.keyOf(record);
    }
}
