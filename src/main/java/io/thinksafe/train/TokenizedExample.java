package io.thinksafe.train;

import io.thinksafe.model.Transformer;
import java.util.ArrayList;
import java.util.List;

/**
 * An example as the model sees it: the rendered prompt followed by the response and the
 * end-of-turn token. Tokens from {@code targetStart} on are learned (each predicted from the
 * position before it); with completion-only loss that is the assistant part, else everything
 * after the first token. A GRPO rollout is one too: prompt and completion, the completion learned.
 */
public record TokenizedExample(String id, int[] tokens, int targetStart, boolean kl, Transformer.KeyMask mask) {
    public TokenizedExample(String id, int[] tokens, int targetStart, boolean kl) {
        this(id, tokens, targetStart, kl, null);
    }

    /** The example as one sequence of a packed forward, with its own attention mask if it has one. */
    public Transformer.Segment segment() {
        return new Transformer.Segment(tokens, null, mask);
    }

    public int targets() {
        return tokens.length - targetStart;
    }

    /** Consecutive examples packed into micro-batches while their tokens fit the budget (at least one each). */
    static List<List<TokenizedExample>> pack(List<TokenizedExample> batch, int budget) {
        List<List<TokenizedExample>> out = new ArrayList<>();
        List<TokenizedExample> cur = new ArrayList<>();
        int used = 0;
        for (TokenizedExample e : batch) {
            if (!cur.isEmpty() && used + e.tokens().length > budget) {
                out.add(cur);
                cur = new ArrayList<>();
                used = 0;
            }
            cur.add(e);
            used += e.tokens().length;
        }
        if (!cur.isEmpty()) {
            out.add(cur);
        }
        return out;
    }
}
