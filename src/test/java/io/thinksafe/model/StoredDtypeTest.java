package io.thinksafe.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * 16-bit checkpoints held in their own dtype (one copy of the weights, mapped) score exactly as the same
 * checkpoint widened to float32 at load, on every architecture, through the reference kernels and the
 * chosen ones; LoRA kept unmerged on such a base equals the adapter folded into float32 weights.
 */
class StoredDtypeTest {
    @TempDir
    Path tmp;

    static <T> T with(Kernels k, Supplier<T> body) {
        Kernels before = Kernels.current();
        Kernels.use(k);
        try {
            return body.get();
        } finally {
            Kernels.use(before);
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void sixteenBitWeightsHeldAsStoredScoreLikeTheWidenedModel(Architecture arch) {
        for (DType dtype : new DType[] {DType.BF16, DType.F16}) {
            Path dir = TinyModels.write(tmp.resolve(arch + "-" + dtype), arch, dtype, 2, 21);
            int[] seq = TransformerTest.tokens(40, 5, 300);
            float[] widened;
            try (Transformer t = TransformerLoader.load(Checkpoint.open(dir), TransformerLoader.Storage.FLOAT32)) {
                widened = with(Kernels.REFERENCE, () -> TransformerTest.fullLogProbs(t, seq));
            }
            try (Transformer t = TransformerLoader.load(Checkpoint.open(dir))) {
                assertThat(t.embedding().dtype()).isEqualTo(dtype);
                assertThat(t.embedding().tensor()).as("no float32 copy of the embedding").isNull();
                assertThat(t.layers().get(0).q()).isInstanceOf(DenseLinear.class);
                assertThat(((DenseLinear) t.layers().get(0).q()).weight().tensor()).isNull();
                float[] reference = with(Kernels.REFERENCE, () -> TransformerTest.fullLogProbs(t, seq));
                float[] chosen = TransformerTest.fullLogProbs(t, seq);
                for (int i = 0; i < widened.length; i++) {
                    assertThat(reference[i]).as("%s %s reference, position %d", arch, dtype, i).isCloseTo(widened[i], within(1e-5f));
                    assertThat(chosen[i]).as("%s %s %s, position %d", arch, dtype, Kernels.current().description(), i)
                            .isCloseTo(widened[i], within(1e-5f));
                }
            }
        }
    }

    /** Log-probs of {@code seq} decoded one token at a time after a 4-token prefill, through {@code decoder}. */
    static float[] decodedLogProbs(Transformer t, Decoder decoder, int[] seq) {
        int v = t.config().vocabSize();
        float[] out = new float[seq.length - 1];
        try (NDManager m = t.manager().newSubManager(); KvCache cache = t.newCache(4)) {
            int prefill = 4;
            NDArray h = t.hidden(List.of(new Transformer.Segment(Arrays.copyOf(seq, prefill), cache)), m);
            float[] lp = t.logits(h).logSoftmax(-1).toFloatArray();
            for (int i = 0; i < prefill; i++) {
                out[i] = lp[i * v + seq[i + 1]];
            }
            for (int i = prefill; i + 1 < seq.length; i++) {
                float[] logits = decoder.logits(decoder.step(new int[] {seq[i]}, new KvCache[] {cache}), 1);
                out[i] = logits[seq[i + 1]] - TransformerTest.logSumExp(logits);
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void unmergedLoraOnABf16BaseEqualsTheAdapterFoldedInFloat32(Architecture arch) {
        Path dir = TinyModels.write(tmp.resolve("lora-" + arch), arch, DType.BF16, 1, 23);
        Path adapterDir = tmp.resolve("adapter-" + arch);
        LoraConfig cfg = new LoraConfig(4, 8, 0.05, LoraConfig.ALL_MODULES);
        try (Transformer t = TransformerLoader.load(Checkpoint.open(dir))) {
            Adapter a = Adapter.attach(t, cfg, 3);
            for (NDArray p : a.parameters()) { // B starts at zero: give the update some size
                p.addi(p.getManager().randomNormal(0, 0.2f, p.getShape(), DataType.FLOAT32));
            }
            a.save(adapterDir, dir.toString());
        }
        int[] seq = TransformerTest.tokens(30, 8, 300);
        float[] folded;
        try (Transformer t = TransformerLoader.load(Checkpoint.open(dir), TransformerLoader.Storage.FLOAT32)) {
            try (Transformer merged = Adapter.load(t, adapterDir).mergedCopy()) {
                folded = with(Kernels.REFERENCE, () -> TransformerTest.fullLogProbs(merged, seq));
            }
        }
        try (Transformer t = TransformerLoader.load(Checkpoint.open(dir))) {
            Adapter.load(t, adapterDir).setTraining(false);
            assertThat(t.layers().get(0).q()).isInstanceOf(LoraLinear.class);
            float[] prefill = TransformerTest.fullLogProbs(t, seq);
            float[] decoded = decodedLogProbs(t, Kernels.current().decoder(t), seq);
            float[] reference = with(Kernels.REFERENCE, () -> decodedLogProbs(t, Kernels.REFERENCE.decoder(t), seq));
            // (W + BA)x and Wx + B(Ax) round differently in float32: log-probs near -6 moved by up to 1.5e-5 on some
            // random adapters (seen on Java 25); a miswired adapter moves them by tenths
            for (int i = 0; i < folded.length; i++) {
                assertThat(prefill[i]).as("%s prefill position %d", arch, i).isCloseTo(folded[i], within(5e-5f));
                assertThat(decoded[i]).as("%s decode position %d", arch, i).isCloseTo(folded[i], within(5e-5f));
                assertThat(reference[i]).as("%s reference decode position %d", arch, i).isCloseTo(folded[i], within(5e-5f));
            }
        }
    }

    @Test
    void theFastPathIsChosenOnceAndSaysWhatRuns() {
        assertThat(Kernels.current().description()).isNotBlank();
        if (io.thinksafe.model.cpu.Vectors.AVAILABLE) {
            assertThat(Kernels.current()).isNotSameAs(Kernels.REFERENCE);
            assertThat(io.thinksafe.model.cpu.Vectors.ROUTE).isEqualTo(Runtime.version().feature() >= 19 ? "MemorySegment" : "ByteBuffer");
        }
    }
}
