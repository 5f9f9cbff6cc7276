package io.thinksafe.cli;

import io.thinksafe.ThinkSafeException;
import io.thinksafe.model.Architecture;
import io.thinksafe.model.DType;
import io.thinksafe.model.ModelConfig;
import io.thinksafe.model.ModelShapes;
import io.thinksafe.model.RandomCheckpoint;
import io.thinksafe.model.RopeScaling;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes a random checkpoint in the Hugging Face layout: small ones to try the CLI without downloads,
 * real-size ones (Qwen3-8B, Llama-3.1-8B, Mistral-7B dimensions) to measure memory and speed.
 */
@Command(name = "random-model", mixinStandardHelpOptions = true,
        description = "Write a random checkpoint (config, safetensors, tokenizer files) in the Hugging Face layout.")
final class RandomModelCommand implements Runnable {
    @Option(names = "--out", required = true, description = "Directory to write.")
    Path out;

    @Option(names = "--tokenizer", required = true,
            description = "Folder with tokenizer.json and tokenizer_config.json to copy (e.g. Qwen3's).")
    Path tokenizer;

    @Option(names = "--shape", description = "Start from a real model's dimensions: ${COMPLETION-CANDIDATES}; "
            + "flags given explicitly override them.", completionCandidates = ShapeNames.class)
    String shape;

    @Option(names = "--architecture", description = "QWEN3, QWEN2, LLAMA or MISTRAL (default QWEN3).")
    Architecture architecture;

    @Option(names = "--hidden", description = "Hidden size (default 64).") Integer hidden;
    @Option(names = "--intermediate", description = "MLP width (default 3 x hidden).") Integer intermediate;
    @Option(names = "--layers", description = "Decoder layers (default 2).") Integer layers;
    @Option(names = "--heads", description = "Query heads (default 4).") Integer heads;
    @Option(names = "--kv-heads", description = "Key/value heads (default 2).") Integer kvHeads;
    @Option(names = "--head-dim", description = "Per-head width (default hidden / heads).") Integer headDim;
    @Option(names = "--vocab", description = "Embedding rows (default 151936, Qwen3's).") Integer vocab;
    @Option(names = "--untied", description = "A separate lm_head instead of sharing the embedding.") boolean untied;
    @Option(names = "--rope-theta", description = "RoPE base (default 1000000).") Double ropeTheta;
    @Option(names = "--rope-scaling", description = "none, linear:FACTOR, or llama3:FACTOR[:LOW:HIGH:ORIGINAL_MAX] "
            + "(Llama-3.1: llama3:8:1:4:8192).") String ropeScaling;
    @Option(names = "--dtype", defaultValue = "BF16", description = "BF16, F16 or F32.") DType dtype;
    @Option(names = "--shards", defaultValue = "1") int shards;
    @Option(names = "--seed", defaultValue = "0") long seed;

    static final class ShapeNames extends java.util.ArrayList<String> {
        ShapeNames() {
            super(ModelShapes.NAMES);
        }
    }

    @Override
    public void run() {
        ModelConfig.Builder b;
        if (shape != null) {
            b = ModelShapes.named(shape);
            if (architecture != null && architecture != b.build().architecture()) {
                throw new ThinkSafeException("--architecture " + architecture + " contradicts --shape " + shape);
            }
        } else {
            Architecture arch = architecture == null ? Architecture.QWEN3 : architecture;
            b = ModelConfig.builder(arch).vocab(151936).hidden(64).intermediate(192).layers(2).heads(4, 2).rmsNormEps(1e-6)
                    .rope(1_000_000, RopeScaling.NONE).tiedEmbeddings(true).maxPositions(40960)
                    .eos(151645, 151643).pad(151643);
        }
        ModelConfig base = b.build();
        int h = hidden != null ? hidden : base.hiddenSize();
        int qHeads = heads != null ? heads : base.numHeads();
        if (headDim == null && h % qHeads != 0) {
            throw new ThinkSafeException("--hidden (" + h + ") must be a multiple of --heads (" + qHeads + ") unless --head-dim is given");
        }
        b.hidden(h)
                .intermediate(intermediate != null ? intermediate : hidden != null || shape == null ? 3 * h : base.intermediateSize())
                .heads(qHeads, kvHeads != null ? kvHeads : base.numKvHeads())
                .headDim(headDim != null ? headDim : hidden != null || heads != null || shape == null ? h / qHeads : base.headDim())
                .dtype(dtype);
        if (layers != null) {
            b.layers(layers);
        }
        if (vocab != null) {
            b.vocab(vocab);
        }
        if (untied) {
            b.tiedEmbeddings(false);
        }
        if (ropeTheta != null || ropeScaling != null) {
            b.rope(ropeTheta != null ? ropeTheta : base.ropeTheta(),
                    ropeScaling != null ? parseScaling(ropeScaling) : base.ropeScaling());
        }
        ModelConfig c;
        try {
            c = b.build();
        } catch (IllegalArgumentException e) {
            throw new ThinkSafeException("random-model: " + e.getMessage());
        }
        RandomCheckpoint.write(out, c, dtype, shards, seed, tokenizer);
        System.err.println("wrote " + out + " (" + c.parameterCount() + " parameters, " + dtype + ")");
    }

    static RopeScaling parseScaling(String spec) {
        String[] p = spec.split(":");
        try {
            return switch (p[0]) {
                case "none", "default" -> RopeScaling.NONE;
                case "linear" -> {
                    if (p.length != 2) {
                        throw new NumberFormatException();
                    }
                    yield new RopeScaling(RopeScaling.Type.LINEAR, Double.parseDouble(p[1]), 0, 0, 0);
                }
                case "llama3" -> {
                    if (p.length != 2 && p.length != 5) {
                        throw new NumberFormatException();
                    }
                    double factor = Double.parseDouble(p[1]);
                    yield p.length == 2 ? new RopeScaling(RopeScaling.Type.LLAMA3, factor, 1, 4, 8192)
                            : new RopeScaling(RopeScaling.Type.LLAMA3, factor, Double.parseDouble(p[2]),
                                    Double.parseDouble(p[3]), Integer.parseInt(p[4]));
                }
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException e) {
            throw new ThinkSafeException("--rope-scaling '" + spec + "': expected none, linear:FACTOR or "
                    + "llama3:FACTOR[:LOW:HIGH:ORIGINAL_MAX]");
        }
    }
}
