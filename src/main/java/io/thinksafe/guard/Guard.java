package io.thinksafe.guard;

import java.util.List;

/** A safety judge over (prompt, response) pairs: Llama-Guard-3, WildGuard, or an ensemble of them. */
public interface Guard extends AutoCloseable {
    String name();

    /** One verdict per input, in order. A judgement that fails is an {@link Verdict#ERROR} verdict, not an exception. */
    List<GuardVerdict> judge(List<GuardInput> inputs);

    /**
     * The prompt tokens this judge reads to judge {@code inputs} (its rendered prompts after any
     * middle cut; an ensemble's members together), for cost accounting. Exact with the judge's own
     * tokenizer, estimated from characters for a judge on a server.
     */
    long tokensRead(List<GuardInput> inputs);

    @Override
    default void close() {
    }
}
