package io.thinksafe.generate;

import io.thinksafe.data.GenerationRecord;
import java.util.List;
import java.util.Map;

/**
 * One prompt to complete {@code sampling}-many ways. {@code messages} is the chat (rendered with the
 * model's own template); {@code input} is the user message as the model saw it (e.g. steered), kept
 * for the record; {@code prompt} is the original prompt. {@code sample} numbers repeated draws.
 * {@code label} and {@code category} (may be null) come from the prompt set and are kept in outputs.
 */
public record GenerationRequest(String id, int sample, String prompt, String input,
                                List<Map<String, Object>> messages, SamplingParams sampling, String label, String category) {

    public GenerationRequest(String id, int sample, String prompt, String input, List<Map<String, Object>> messages,
                             SamplingParams sampling) {
        this(id, sample, prompt, input, messages, sampling, null, null);
    }

    /** One user turn, as the paper evaluates: no system prompt. */
    public static GenerationRequest userTurn(String id, int sample, String prompt, String input, SamplingParams sampling) {
        return new GenerationRequest(id, sample, prompt, input, List.of(Map.of("role", "user", "content", input)), sampling);
    }

    /** The same request carrying the prompt's label and category into its record. */
    public GenerationRequest labelled(String newLabel, String newCategory) {
        return new GenerationRequest(id, sample, prompt, input, messages, sampling, newLabel, newCategory);
    }

    /** The key of this draw in resumable outputs. */
    public String key() {
        return key(id, sample);
    }

    public static String key(String id, int sample) {
        return GenerationRecord.key(id, sample);
    }
}
