package io.thinksafe.train;

/**
 * One supervised pair: the user's instruction and the assistant response to learn (reasoning
 * included). {@code kl} marks examples trained by forward KL to the frozen base instead of
 * cross-entropy (the paper's ThinkSafe+KL uses it for benign pairs). {@code primer} marks a response
 * that is only the opening of one (SafePath's Safety Primer): the text after its opening think tag is
 * learned, and no end of turn follows.
 */
public record SftExample(String id, String instruction, String response, boolean kl, boolean primer) {
    public SftExample(String id, String instruction, String response, boolean kl) {
        this(id, instruction, response, kl, false);
    }
}
