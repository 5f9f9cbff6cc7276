package io.thinksafe.model;

import java.nio.file.Path;

/** Tiny configurations of each architecture, small enough to build and run in milliseconds. */
public final class TinyModels {
    private TinyModels() {}

    public static ModelConfig config(Architecture arch, int vocab) {
        return switch (arch) {
            case QWEN3 -> ModelConfig.builder(arch).vocab(vocab).hidden(64).intermediate(96).layers(2).heads(4, 2)
                    .headDim(32).rmsNormEps(1e-6).rope(1_000_000, RopeScaling.NONE).tiedEmbeddings(true)
                    .maxPositions(4096).dtype(DType.BF16).eos(vocab - 1, vocab - 2).pad(vocab - 2).build();
            case QWEN2 -> ModelConfig.builder(arch).vocab(vocab).hidden(48).intermediate(80).layers(2).heads(6, 2)
                    .headDim(8).rmsNormEps(1e-6).rope(10_000, RopeScaling.NONE)
                    .maxPositions(4096).dtype(DType.BF16).eos(vocab - 1).bos(vocab - 3).build();
            case LLAMA -> ModelConfig.builder(arch).vocab(vocab).hidden(64).intermediate(128).layers(2).heads(4, 1)
                    .headDim(16).rmsNormEps(1e-5).rope(500_000, new RopeScaling(RopeScaling.Type.LLAMA3, 8, 1, 4, 64))
                    .attentionBias(true).mlpBias(true)
                    .maxPositions(4096).dtype(DType.BF16).eos(vocab - 1, vocab - 4).bos(vocab - 3).build();
            case MISTRAL -> ModelConfig.builder(arch).vocab(vocab).hidden(64).intermediate(112).layers(2).heads(4, 2)
                    .headDim(16).rmsNormEps(1e-5).rope(10_000, RopeScaling.NONE).slidingWindow(7, 0)
                    .maxPositions(4096).dtype(DType.BF16).eos(vocab - 1).bos(vocab - 3).build();
        };
    }

    public static Path write(Path dir, Architecture arch, DType dtype, int shards, long seed) {
        RandomCheckpoint.write(dir, config(arch, 300), dtype, shards, seed, null);
        return dir;
    }
}
