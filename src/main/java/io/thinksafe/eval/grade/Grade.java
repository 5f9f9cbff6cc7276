package io.thinksafe.eval.grade;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One graded response: the answer as extracted and normalised, whether it is correct, where in the
 * response it was found and which check decided (both kept in records so every grade can be audited).
 */
public record Grade(String extracted, boolean correct, String source, String rule) {
    /** Adds {@code extracted}, {@code correct} and the two audit fields to a record. */
    public void writeTo(ObjectNode record) {
        record.put("extracted", extracted);
        record.put("correct", correct);
        record.put("extracted_from", source);
        record.put("decided_by", rule);
    }
}
