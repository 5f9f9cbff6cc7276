package io.thinksafe.model.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import io.thinksafe.model.Architecture;
import io.thinksafe.model.Checkpoint;
import io.thinksafe.model.DType;
import io.thinksafe.model.Decoder;
import io.thinksafe.model.KvCache;
import io.thinksafe.model.TinyModels;
import io.thinksafe.model.Transformer;
import io.thinksafe.model.TransformerLoader;
import io.thinksafe.model.TransformerTest;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Java decode path against the reference forward ({@link Transformer#hidden} in libtorch). */
class CpuDecoderTest {
    @TempDir
    Path tmp;

    /** For a few sequences (kernel) and many (libtorch products), weights in every stored dtype. */
    @ParameterizedTest
    @EnumSource(Architecture.class)
    void decodeStepsMatchTheReferenceForward(Architecture arch) {
        for (DType dtype : new DType[] {DType.BF16, DType.F16, DType.F32}) {
            Path dir = TinyModels.write(tmp.resolve(arch + "-" + dtype), arch, dtype, 1, 13);
            try (Transformer model = TransformerLoader.load(Checkpoint.open(dir))) {
                Decoder decoder = CpuDecoder.of(model);
                assertThat(decoder).as("the Java path reads %s weights", dtype).isNotNull();
                assertDecodesLikeReference(model, decoder, arch + " " + dtype);
            }
        }
    }

    static void assertDecodesLikeReference(Transformer model, Decoder decoder, String what) {
        int v = model.config().vocabSize();
        for (int batch : new int[] {1, 3, 10}) {
            int[][] seqs = new int[batch][];
            float[][] full = new float[batch][];
            for (int b = 0; b < batch; b++) {
                seqs[b] = TransformerTest.tokens(14 + 2 * b, 50 + b, v);
                full[b] = TransformerTest.fullLogProbs(model, seqs[b]);
            }
            try (NDManager m = model.manager().newSubManager()) {
                KvCache[] caches = new KvCache[batch];
                for (int b = 0; b < batch; b++) {
                    caches[b] = model.newCache(4);
                    // prompts of different lengths: sequence b starts decoding after 3 + b tokens
                    model.hidden(List.of(new Transformer.Segment(Arrays.copyOf(seqs[b], 3 + b), caches[b])), m);
                }
                for (int step = 0; step < 10; step++) {
                    int[] next = new int[batch];
                    for (int b = 0; b < batch; b++) {
                        next[b] = seqs[b][3 + b + step];
                    }
                    float[] logits = decoder.logits(decoder.step(next, caches), batch);
                    for (int b = 0; b < batch; b++) {
                        int t = 3 + b + step; // position of next[b]
                        float[] row = Arrays.copyOfRange(logits, b * v, (b + 1) * v);
                        float lse = TransformerTest.logSumExp(row);
                        assertThat(row[seqs[b][t + 1]] - lse).as("%s batch %d seq %d position %d", what, batch, b, t)
                                .isCloseTo(full[b][t], within(1e-5f));
                    }
                }
                for (KvCache c : caches) {
                    c.close();
                }
            }
        }
    }
}
