package io.thinksafe.generate;

import io.thinksafe.model.Architecture;
import io.thinksafe.model.DType;
import io.thinksafe.model.ModelConfig;
import io.thinksafe.model.RandomCheckpoint;
import io.thinksafe.model.RopeScaling;
import io.thinksafe.text.Qwen3Files;
import java.nio.file.Path;

/** A tiny random Qwen3-architecture model with the real Qwen3 tokenizer and chat template. */
public final class TinyQwen3 {
    private TinyQwen3() {}

    public static Path write(Path dir, long seed) {
        return write(dir, seed, DType.BF16);
    }

    public static Path write(Path dir, long seed, DType dtype) {
        ModelConfig c = ModelConfig.builder(Architecture.QWEN3).vocab(151936).hidden(32).intermediate(64).layers(2)
                .heads(4, 2).headDim(8).rmsNormEps(1e-6).rope(1_000_000, RopeScaling.NONE).tiedEmbeddings(true)
                .maxPositions(40960).dtype(dtype).eos(151645, 151643).pad(151643).build();
        RandomCheckpoint.write(dir, c, dtype, 1, seed, Qwen3Files.dir());
        return dir;
    }
}
