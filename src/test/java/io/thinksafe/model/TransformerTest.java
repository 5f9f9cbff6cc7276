package io.thinksafe.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

public class TransformerTest {
    @TempDir
    Path tmp;

    public static int[] tokens(int n, long seed, int vocab) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(vocab);
        }
        return t;
    }

    /** log p(token_t | tokens_<t) from one forward over the whole sequence. */
    public static float[] fullLogProbs(Transformer model, int[] seq) {
        try (NDManager m = model.manager().newSubManager()) {
            NDArray h = model.hidden(List.of(new Transformer.Segment(seq, null)), m);
            NDArray lp = model.logits(h).logSoftmax(-1);
            float[] all = lp.toFloatArray();
            int v = model.config().vocabSize();
            float[] out = new float[seq.length - 1];
            for (int t = 0; t + 1 < seq.length; t++) {
                out[t] = all[t * v + seq[t + 1]];
            }
            return out;
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void cachedDecodingMatchesFullForward(Architecture arch) {
        Path dir = TinyModels.write(tmp.resolve("m"), arch, DType.F32, 1, 7);
        try (Transformer model = TransformerLoader.load(Checkpoint.open(dir))) {
            int[] seq = tokens(23, 3, 300);
            float[] full = fullLogProbs(model, seq);
            try (NDManager m = model.manager().newSubManager(); KvCache cache = model.newCache(4)) {
                // prefill 5 tokens, then one at a time: exercises growth of the cache too
                int prefill = 5;
                float[] inc = new float[seq.length - 1];
                int[] first = java.util.Arrays.copyOf(seq, prefill);
                NDArray h = model.hidden(List.of(new Transformer.Segment(first, cache)), m);
                float[] lp = model.logits(h).logSoftmax(-1).toFloatArray();
                int v = 300;
                for (int t = 0; t < prefill - 1; t++) {
                    inc[t] = lp[t * v + seq[t + 1]];
                }
                inc[prefill - 1] = lp[(prefill - 1) * v + seq[prefill]];
                for (int t = prefill; t + 1 < seq.length; t++) {
                    NDArray hs = model.hidden(List.of(new Transformer.Segment(new int[] {seq[t]}, cache)), m);
                    inc[t] = model.logits(hs).logSoftmax(-1).toFloatArray()[seq[t + 1]];
                }
                for (int t = 0; t < full.length; t++) {
                    assertThat(inc[t]).as("position %d", t).isCloseTo(full[t], within(1e-5f));
                }
            }
        }
    }

    /**
     * A key mask that hides every other position leaves each token attending to itself only: its value,
     * whatever its position, so every row equals that token run alone. A mask on part of the sequence
     * changes only the rows it applies to.
     */
    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"QWEN3", "LLAMA"})
    void keyMasksHideKeysFromTheQueriesTheyName(Architecture arch) {
        Path dir = TinyModels.write(tmp.resolve("mask"), arch, DType.F32, 1, 19);
        try (Transformer model = TransformerLoader.load(Checkpoint.open(dir)); NDManager m = model.manager().newSubManager()) {
            int[] seq = tokens(12, 4, 300);
            float[] alone = model.hidden(List.of(new Transformer.Segment(seq, null, (q, k) -> true)), m).toFloatArray();
            int h = model.config().hiddenSize();
            for (int t = 0; t < seq.length; t++) {
                float[] single = model.hidden(List.of(new Transformer.Segment(new int[] {seq[t]}, null)), m).toFloatArray();
                for (int j = 0; j < h; j++) {
                    assertThat(alone[t * h + j]).as("row %d", t).isCloseTo(single[j], within(1e-5f));
                }
            }
            // rows from 8 on may not see positions 0..3: rows 0..7 stay as in the plain causal forward
            float[] plain = model.hidden(List.of(new Transformer.Segment(seq, null)), m).toFloatArray();
            float[] part = model.hidden(List.of(new Transformer.Segment(seq, null, (q, k) -> q >= 8 && k < 4)), m).toFloatArray();
            for (int j = 0; j < 8 * h; j++) {
                assertThat(part[j]).isCloseTo(plain[j], within(1e-6f));
            }
            assertThat(Math.abs(part[10 * h] - plain[10 * h]) + Math.abs(part[10 * h + 1] - plain[10 * h + 1])).isGreaterThan(1e-4f);
        }
    }

    /** Sequences longer than one query block (and than Mistral's window) agree with a prefill in small chunks. */
    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"QWEN3", "MISTRAL"})
    void longSequencesInQueryBlocksMatchAChunkedPrefill(Architecture arch) {
        Path dir = TinyModels.write(tmp.resolve("long"), arch, DType.F32, 1, 17);
        try (Transformer model = TransformerLoader.load(Checkpoint.open(dir))) {
            int[] seq = tokens(600, 8, 300);
            float[] full = fullLogProbs(model, seq);
            int v = 300;
            try (NDManager m = model.manager().newSubManager(); KvCache cache = model.newCache(8)) {
                float[] chunked = new float[seq.length - 1];
                for (int from = 0; from < seq.length; from += 70) {
                    int to = Math.min(seq.length, from + 70);
                    NDArray h = model.hidden(List.of(new Transformer.Segment(java.util.Arrays.copyOfRange(seq, from, to), cache)), m);
                    float[] lp = model.logits(h).logSoftmax(-1).toFloatArray();
                    for (int t = from; t < to && t + 1 < seq.length; t++) {
                        chunked[t] = lp[(t - from) * v + seq[t + 1]];
                    }
                }
                for (int t = 0; t < full.length; t++) {
                    assertThat(chunked[t]).as("position %d", t).isCloseTo(full[t], within(2e-5f));
                }
            }
        }
    }

    public static float logSumExp(float[] row) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : row) {
            max = Math.max(max, x);
        }
        double s = 0;
        for (float x : row) {
            s += Math.exp(x - max);
        }
        return (float) (max + Math.log(s));
    }
}
