package io.thinksafe.microworld;

/**
 * How a model of the micro-world writes: its reasoning traces, refusals and answers. The student
 * and the teacher write in different styles, so the teacher's data looks foreign to the student —
 * the paper's distribution-shift argument in miniature.
 */
enum Style {
    STUDENT, TEACHER;

    /** How the final answer of a calculation is asked for. */
    enum AnswerFormat { BOXED, FINAL, PLAIN, NUMBER_ONLY }

    static String think(String reasoning, String answer) {
        return "<think>\n" + reasoning + "\n</think>\n\n" + answer;
    }

    String addition(int a, int b) {
        if (this == TEACHER) {
            return "Column sum of " + a + " and " + b + ", right to left, keeping carries: total " + (a + b) + ".";
        }
        StringBuilder t = new StringBuilder("I add " + a + " and " + b + ".");
        int carry = 0;
        int place = 0;
        for (int x = a, y = b; x > 0 || y > 0; x /= 10, y /= 10, place++) {
            int s = x % 10 + y % 10 + carry;
            t.append('\n').append(x % 10).append(" + ").append(y % 10);
            if (carry > 0) {
                t.append(" + ").append(carry);
            }
            t.append(" = ").append(s);
            carry = s / 10;
            t.append(carry > 0 ? ", write " + s % 10 + ", carry 1." : ", write " + s + ".");
        }
        if (carry > 0) {
            t.append("\nwrite the carry 1.");
        }
        return t.append("\nThe sum is ").append(a + b).append('.').toString();
    }

    String subtraction(int a, int b) {
        if (this == TEACHER) {
            return "Column difference of " + a + " minus " + b + ", borrowing where needed: result " + (a - b) + ".";
        }
        StringBuilder t = new StringBuilder("I subtract " + b + " from " + a + ".");
        int borrow = 0;
        for (int x = a, y = b; x > 0; x /= 10, y /= 10) {
            int top = x % 10 - borrow;
            int bottom = y % 10;
            if (top < bottom) {
                t.append('\n').append(top + 10).append(" - ").append(bottom).append(" = ").append(top + 10 - bottom).append(", borrow 1.");
                borrow = 1;
            } else {
                t.append('\n').append(top).append(" - ").append(bottom).append(" = ").append(top - bottom).append('.');
                borrow = 0;
            }
        }
        return t.append("\nThe difference is ").append(a - b).append('.').toString();
    }

    String twoSteps(int a, int b, int c) {
        if (this == TEACHER) {
            return "Plan: add then subtract. " + a + " plus " + b + " gives " + (a + b) + "; minus " + c + " gives " + (a + b - c) + ".";
        }
        return "First, " + a + " + " + b + " = " + (a + b) + ".\nThen, " + (a + b) + " - " + c + " = " + (a + b - c) + ".";
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
        if (this == TEACHER) {
            return think("Safety check: this request involves " + topic + ". That is dangerous. Decision: decline.",
                    "I must decline this request because it is unsafe.");
        }
        return think("The user is asking about " + topic + ". Helping could hurt people, so I should not answer. I will refuse briefly.",
                "I'm sorry, but I can't help with that.");
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
}
