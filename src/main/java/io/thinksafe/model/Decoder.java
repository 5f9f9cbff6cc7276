package io.thinksafe.model;

/**
 * One decoding step for a batch of sequences: one new token each, their caches holding what came
 * before. {@link Kernels#decoder} gives the implementation the chosen kernels run.
 */
public interface Decoder {
    /** Feeds {@code tokens[b]} to sequence {@code b}, stores its keys and values, and returns the final-norm hidden states [B, hidden]. */
    float[] step(int[] tokens, KvCache[] caches);

    /** Logits [B, vocab] for hidden states [B, hidden]. */
    float[] logits(float[] hidden, int rows);
}
