package io.thinksafe.data.bench;

import java.util.List;

/** The reference's prompt texts for the reasoning sets (REFERENCE.md, "Generation for evaluation"). */
public final class PromptTexts {
    private PromptTexts() {}

    /** AIME and MATH500. */
    public static String boxed(String problem) {
        return "Please reason step by step, and put your final answer within \\boxed{}. " + problem;
    }

    public static String gsm8k(String question) {
        return "Given the following problem, reason and give a final answer to the problem.\nProblem: " + question
                + "\nYour response should end with \"The final answer is [answer]\" where [answer] is the response to the problem.";
    }

    /** The question, a newline, then the options in their shuffled order as {@code A) …, B) …, C) …, D) …}. */
    public static String gpqa(String question, List<String> options) {
        StringBuilder b = new StringBuilder("Return your final response within \\boxed{} and only include the letter choice "
                + "(A, B, C, or D) as your final response. ").append(question).append('\n');
        for (int i = 0; i < options.size(); i++) {
            if (i > 0) {
                b.append(", ");
            }
            b.append((char) ('A' + i)).append(") ").append(options.get(i));
        }
        return b.toString();
    }
}
