package io.thinksafe.data.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.data.Prompt;

/**
 * One evaluation item. {@code input} is the single user turn the model sees (for reasoning sets the
 * reference prompt text around the problem; for safety sets the prompt itself); {@code gold} is the
 * reference answer in the form its grader takes (null for safety sets); {@code scored} is false for
 * items generated for but left out of the metric (XSTest's unsafe prompts). {@code meta} holds what
 * an auditor needs to check the item (the original question, GPQA's shuffle seed and option order).
 */
public record BenchItem(String id, String input, String gold, String label, String category, boolean scored, ObjectNode meta) {
    /** The item as a prompt for generation (the record's {@code prompt} is what the judge sees). */
    public Prompt prompt() {
        return new Prompt(id, input, label, category);
    }
}
