package io.thinksafe.train;

import io.thinksafe.generate.LocalModel;
import io.thinksafe.model.Checkpoint;
import io.thinksafe.model.DType;
import io.thinksafe.model.MemoryBudget;
import io.thinksafe.model.ModelConfig;
import java.nio.file.Path;

/**
 * What a training run holds beyond the weights, estimated before the model loads so that the memory
 * plan can refuse a run that would not fit (naming {@code --recompute} when it would).
 *
 * <p>Per layer, autograd keeps about {@code 8·hidden + 5·qDim + 4·kvDim + 5·ffn} floats per token (norms,
 * projections, rotary and attention outputs, the MLP's five widths) and the attention scores and
 * probabilities, {@code heads·T²} floats for a sequence of T tokens; a 16-bit base adds the layer's
 * float32 copy, which its backward needs. Recompute keeps one layer's worth and each layer's input.
 * The vocabulary loss works on chunks of rows (a few [vocab, rows] buffers of 7M floats). Full
 * fine-tuning adds float32 weights, their gradients and AdamW's two moments.
 */
public final class TrainMemory {
    private TrainMemory() {}

    /** Bytes of activations and training state for micro-batches of {@code tokens} tokens. */
    static long estimate(ModelConfig c, DType base, long tokens, boolean recompute, boolean full) {
        long h = c.hiddenSize();
        long q = (long) c.numHeads() * c.headDim();
        long kv = (long) c.numKvHeads() * c.headDim();
        long ffn = c.intermediateSize();
        long perToken = 8 * h + 5 * q + 4 * kv + 5 * ffn;
        long layerParams = 2 * h * q + 2 * h * kv + 3 * h * ffn;
        long layer = 4 * (tokens * perToken + c.numHeads() * tokens * tokens)
                + (base == DType.F32 ? 0 : 4 * layerParams);
        long layers = recompute ? 2 * layer + 4 * tokens * h * c.numLayers() : layer * c.numLayers();
        long loss = 4 * 4 * (7L << 20);
        long state = full ? 16 * c.parameterCount() : 0;
        return layers + loss + state;
    }

    /**
     * The memory plan for training with {@code cfg}: the longest micro-batch is taken as the micro-batch
     * budget (or the longest example allowed, when that is shorter).
     */
    static MemoryBudget.Workload workload(Path dir, TrainConfig cfg, long kvBytes) {
        Checkpoint ckpt = Checkpoint.open(dir);
        long tokens = Math.min(cfg.microBatchTokens(), cfg.maxTokens());
        long bytes = estimate(ckpt.config(), ckpt.storageDtype(), tokens, cfg.recompute(), cfg.full());
        String advice = cfg.recompute() ? "fewer tokens per micro-batch (--micro-batch-tokens), or a machine with more memory"
                : "--recompute (activations " + gb(bytes) + " -> "
                        + gb(estimate(ckpt.config(), ckpt.storageDtype(), tokens, true, cfg.full())) + "), or fewer tokens per micro-batch";
        return new MemoryBudget.Workload(kvBytes, 0, bytes, advice);
    }

    /** Loads the student for SFT after checking its memory plan. */
    public static LocalModel load(Path dir, TrainConfig cfg) {
        return LocalModel.load(dir, null, workload(dir, cfg, 0));
    }

    /** Loads the policy for GRPO: training as for SFT, plus the rollouts' KV cache. */
    public static LocalModel load(Path dir, GrpoConfig cfg, int promptTokens) {
        ModelConfig c = Checkpoint.open(dir).config();
        long kv = 2L * c.numLayers() * c.numKvHeads() * c.headDim() * 4 * cfg.rolloutBatch() * (promptTokens + cfg.maxNewTokens());
        return LocalModel.load(dir, null, workload(dir, cfg.train(), kv));
    }

    /** Loads the student of on-policy distillation: training as for SFT, plus its rollouts' KV cache. */
    public static LocalModel load(Path dir, DistillConfig cfg, int promptTokens) {
        ModelConfig c = Checkpoint.open(dir).config();
        long kv = 2L * c.numLayers() * c.numKvHeads() * c.headDim() * 4 * cfg.rolloutBatch() * (promptTokens + cfg.maxNewTokens());
        return LocalModel.load(dir, null, workload(dir, cfg.train(), kv));
    }

    private static String gb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f GB", bytes / 1e9);
    }
}
