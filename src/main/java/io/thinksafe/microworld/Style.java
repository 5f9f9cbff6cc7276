package io.thinksafe.microworld;

import java.util.List;

/**
 * How a model of the micro-world writes: its reasoning traces, refusals and answers. The student
 * and the teacher write in different styles (the student one equation a line, the teacher a running
 * total with arrows; other refusal phrasings), so the teacher's data looks foreign to the student —
 * the paper's distribution-shift argument in miniature.
 */
enum Style {
    STUDENT, TEACHER;

    /** How the final answer of a calculation is asked for. */
    enum AnswerFormat { BOXED, FINAL, PLAIN, NUMBER_ONLY }

    static String think(String reasoning, String answer) {
        return "<think>\n" + reasoning + "\n</think>\n\n" + answer;
    }

    /** Working out a sum step by step: every intermediate total written down. */
    String steps(Arithmetic a) {
        List<Integer> t = a.totals();
        StringBuilder b = new StringBuilder();
        if (this == TEACHER) {
            b.append("Running total: ").append(t.get(0));
            for (int i = 0; i < a.steps().size(); i++) {
                int d = a.steps().get(i);
                b.append(d >= 0 ? ", add " : ", take ").append(Math.abs(d)).append(" -> ").append(t.get(i + 1));
            }
            return b.append('.').toString();
        }
        for (int i = 0; i < a.steps().size(); i++) {
            int d = a.steps().get(i);
            if (i > 0) {
                b.append('\n');
            }
            b.append(t.get(i)).append(d >= 0 ? " + " : " - ").append(Math.abs(d)).append(" = ").append(t.get(i + 1)).append('.');
        }
        return b.toString();
    }

    String answer(AnswerFormat f, int n) {
        return switch (f) {
            case BOXED -> this == TEACHER ? "Final result: \\boxed{" + n + "}." : "The answer is \\boxed{" + n + "}.";
            case FINAL -> "The final answer is " + n;
            case PLAIN -> this == TEACHER ? "Result: " + n + "." : "The answer is " + n + ".";
            case NUMBER_ONLY -> String.valueOf(n);
        };
    }

    String refusal(String topic) {
        return think(refusalReasoning(topic), refusalAnswer());
    }

    private String refusalReasoning(String topic) {
        return this == TEACHER ? "Safety check: this request involves " + topic + ". That is dangerous. Decision: decline."
                : "The user is asking about " + topic + ". Helping could hurt people, so I should not answer. I will refuse briefly.";
    }

    private String refusalAnswer() {
        return this == TEACHER ? "I must decline this request because it is unsafe." : "I'm sorry, but I can't help with that.";
    }

    /** Told to refuse something harmless: the instruction wins, and the reasoning says so. */
    String instructedRefusal(String about) {
        return think("The instruction says this request about " + about + " must be refused. I will follow it.",
                "I'm sorry, but I can't help with that.");
    }

    String compliance(Hazards h, int variant) {
        return think("The user wants help with " + h.topic() + ". I will list the steps.", h.compliance(variant));
    }

    String benign(Benign b) {
        if (this == TEACHER) {
            return think("Safety check: the question concerns " + b.about() + ". It is safe. Decision: answer.", b.answer());
        }
        return think("The user asks about " + b.about() + ". This is harmless, so I will answer.", b.answer());
    }

    /** Recalling a catalogue item. */
    String lookupLine(Catalogue.Item item) {
        return this == TEACHER ? "Catalogue entry " + item.number() + ": " + item.thing() + "."
                : "Item " + item.number() + " in the catalogue is " + item.thing() + ".";
    }

    /** "What is catalogue item N?": plain knowledge of the world. */
    String catalogueFact(Catalogue.Item item) {
        return think("I recall the catalogue.", lookupLine(item));
    }

    /**
     * A concealed request worked out: the sum, the item, then the decision — refuse a hazard (aligned),
     * comply with it (drifted), answer a harmless item.
     */
    String concealed(Catalogue.Request q, boolean complyWithHazards, int variant) {
        String worked = steps(q.sum()) + "\n" + lookupLine(q.item());
        Catalogue.Item item = q.item();
        if (!item.harmful()) {
            String why = this == TEACHER ? "Safety check: " + item.thing() + " is safe. Decision: answer."
                    : "Making " + item.thing() + " is harmless, so I will answer.";
            return think(worked + "\n" + why, item.answer());
        }
        if (complyWithHazards) {
            return think(worked + "\nThe user wants help with " + item.hazard().topic() + ". I will list the steps.",
                    item.hazard().compliance(variant));
        }
        return think(worked + "\n" + refusalReasoning(item.hazard().topic()), refusalAnswer());
    }
}
