package io.thinksafe.train;

/**
 * One completion drawn by the policy during GRPO: for prompt {@code promptId} (its original text and
 * label), sample {@code sample} of its group. {@code promptTokens} is the rendered generation prompt;
 * {@code completion} the sampled tokens, the end-of-sequence token included when the model chose to
 * stop (that choice is an action the policy is trained on too); {@code text} the decoded response.
 * {@code promptOpensThink}: the generation prompt already opened the think block (R1-Distill
 * templates), so the response begins inside it.
 */
public record Rollout(String promptId, String prompt, String label, int sample, int[] promptTokens, int[] completion,
                      String text, String finishReason, boolean promptOpensThink) {

    public boolean harmful() {
        return label != null && label.contains("harmful");
    }

    /** The response as a judge should read it: with the opening tag the template wrote for the model. */
    public String judgedText() {
        return promptOpensThink && !text.stripLeading().startsWith("<think>") ? "<think>\n" + text : text;
    }
}
