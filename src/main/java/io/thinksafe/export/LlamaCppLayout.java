package io.thinksafe.export;

import io.thinksafe.ThinkSafeException;
import io.thinksafe.model.Architecture;
import io.thinksafe.model.ModelConfig;
import io.thinksafe.model.RopeScaling;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the tensors of a Hugging Face checkpoint go in llama.cpp's layout, and the architecture
 * metadata it reads. Qwen3 and Qwen2 keep their own llama.cpp architectures, whose RoPE rotates the
 * two halves of a head as transformers does (NEOX style). Llama and Mistral both become llama.cpp's
 * "llama", whose RoPE rotates adjacent pairs: as in llama.cpp's converter, the rows of q_proj and
 * k_proj (and their biases) are reordered within each head so that HF's pair (j, j + d/2) lands on
 * (2j, 2j + 1). Llama-3.1 rope_scaling becomes a {@code rope_freqs} tensor of per-frequency divisors.
 */
final class LlamaCppLayout {
    /**
     * One tensor of the GGUF file: its source in the checkpoint (null for generated ones), its name
     * there, its shape, and whether its rows are reordered head by head for llama.cpp's RoPE.
     */
    record Entry(String source, String name, long[] shape, boolean interleave) {}

    private final ModelConfig config;
    final String arch;
    private final boolean interleavedRope;

    private LlamaCppLayout(ModelConfig config, String arch, boolean interleavedRope) {
        this.config = config;
        this.arch = arch;
        this.interleavedRope = interleavedRope;
    }

    static LlamaCppLayout of(ModelConfig c, Path configFile) {
        LlamaCppLayout layout = switch (c.architecture()) {
            case QWEN3 -> new LlamaCppLayout(c, "qwen3", false);
            case QWEN2 -> new LlamaCppLayout(c, "qwen2", false);
            case LLAMA, MISTRAL -> new LlamaCppLayout(c, "llama", true);
        };
        if (c.ropeScaling().type() == RopeScaling.Type.LLAMA3 && !layout.interleavedRope) {
            throw new ThinkSafeException(configFile + ": rope_scaling llama3 on " + c.architecture().className
                    + " has no counterpart in llama.cpp's " + layout.arch + " architecture");
        }
        if (c.architecture() == Architecture.QWEN3 && c.attentionBias()) {
            throw new ThinkSafeException(configFile + ": attention_bias true on Qwen3ForCausalLM has no counterpart in llama.cpp's qwen3 architecture");
        }
        return layout;
    }

    /** The tensors in file order: embedding, then each block, then the final norm and output. */
    List<Entry> entries() {
        ModelConfig c = config;
        long h = c.hiddenSize();
        long q = (long) c.numHeads() * c.headDim();
        long kv = (long) c.numKvHeads() * c.headDim();
        long ff = c.intermediateSize();
        List<Entry> out = new ArrayList<>();
        out.add(plain("model.embed_tokens.weight", "token_embd.weight", c.vocabSize(), h));
        if (c.ropeScaling().type() == RopeScaling.Type.LLAMA3) {
            out.add(new Entry(null, "rope_freqs.weight", new long[] {c.headDim() / 2}, false));
        }
        for (int i = 0; i < c.numLayers(); i++) {
            String hf = "model.layers." + i + ".";
            String gg = "blk." + i + ".";
            out.add(plain(hf + "input_layernorm.weight", gg + "attn_norm.weight", h));
            out.add(new Entry(hf + "self_attn.q_proj.weight", gg + "attn_q.weight", new long[] {q, h}, interleavedRope));
            out.add(new Entry(hf + "self_attn.k_proj.weight", gg + "attn_k.weight", new long[] {kv, h}, interleavedRope));
            out.add(plain(hf + "self_attn.v_proj.weight", gg + "attn_v.weight", kv, h));
            if (c.qkvBias()) {
                out.add(new Entry(hf + "self_attn.q_proj.bias", gg + "attn_q.bias", new long[] {q}, interleavedRope));
                out.add(new Entry(hf + "self_attn.k_proj.bias", gg + "attn_k.bias", new long[] {kv}, interleavedRope));
                out.add(plain(hf + "self_attn.v_proj.bias", gg + "attn_v.bias", kv));
            }
            out.add(plain(hf + "self_attn.o_proj.weight", gg + "attn_output.weight", h, q));
            if (c.outputBias()) {
                out.add(plain(hf + "self_attn.o_proj.bias", gg + "attn_output.bias", h));
            }
            if (c.qkNorm()) {
                out.add(plain(hf + "self_attn.q_norm.weight", gg + "attn_q_norm.weight", c.headDim()));
                out.add(plain(hf + "self_attn.k_norm.weight", gg + "attn_k_norm.weight", c.headDim()));
            }
            out.add(plain(hf + "post_attention_layernorm.weight", gg + "ffn_norm.weight", h));
            out.add(plain(hf + "mlp.gate_proj.weight", gg + "ffn_gate.weight", ff, h));
            out.add(plain(hf + "mlp.up_proj.weight", gg + "ffn_up.weight", ff, h));
            out.add(plain(hf + "mlp.down_proj.weight", gg + "ffn_down.weight", h, ff));
            if (c.mlpBias()) {
                out.add(plain(hf + "mlp.gate_proj.bias", gg + "ffn_gate.bias", ff));
                out.add(plain(hf + "mlp.up_proj.bias", gg + "ffn_up.bias", ff));
                out.add(plain(hf + "mlp.down_proj.bias", gg + "ffn_down.bias", h));
            }
        }
        out.add(plain("model.norm.weight", "output_norm.weight", h));
        if (!c.tieWordEmbeddings()) {
            out.add(plain("lm_head.weight", "output.weight", c.vocabSize(), h));
        }
        return out;
    }

    private Entry plain(String source, String name, long... shape) {
        return new Entry(source, name, shape, false);
    }

    /**
     * The GGML type a tensor is stored in, as llama.cpp's converter decides it: 1-D tensors, norms and
     * biases stay float32; other weights take the requested type, and Q8_0 falls back to f16 for rows
     * that do not fill blocks of 32.
     */
    static GgmlType typeOf(Entry e, GgmlType requested) {
        if (e.shape().length == 1 || e.name().endsWith("_norm.weight") || !e.name().endsWith(".weight")) {
            return GgmlType.F32;
        }
        long row = e.shape()[e.shape().length - 1];
        return row % requested.blockSize == 0 ? requested : GgmlType.F16;
    }

    /** The architecture keys ({@code ARCH.*}) llama.cpp reads for these families. */
    void addHyperParameters(GgufWriter w) {
        ModelConfig c = config;
        w.putUint32(arch + ".vocab_size", c.vocabSize());
        w.putUint32(arch + ".context_length", c.maxPositionEmbeddings());
        w.putUint32(arch + ".embedding_length", c.hiddenSize());
        w.putUint32(arch + ".feed_forward_length", c.intermediateSize());
        w.putUint32(arch + ".block_count", c.numLayers());
        w.putUint32(arch + ".attention.head_count", c.numHeads());
        w.putUint32(arch + ".attention.head_count_kv", c.numKvHeads());
        w.putUint32(arch + ".attention.key_length", c.headDim());
        w.putUint32(arch + ".attention.value_length", c.headDim());
        w.putFloat32(arch + ".attention.layer_norm_rms_epsilon", c.rmsNormEps());
        w.putFloat32(arch + ".rope.freq_base", c.ropeTheta());
        w.putUint32(arch + ".rope.dimension_count", c.headDim());
        if (c.ropeScaling().type() == RopeScaling.Type.LINEAR) {
            w.putString(arch + ".rope.scaling.type", "linear");
            w.putFloat32(arch + ".rope.scaling.factor", c.ropeScaling().factor());
        }
    }

    /**
     * llama.cpp's {@code rope_freqs} for Llama-3.1 scaling: per frequency the divisor that turns plain
     * RoPE's inverse frequency into the scaled one, taken from the same computation our decoder uses.
     */
    float[] ropeFrequencyFactors() {
        float[] plain = RopeScaling.NONE.inverseFrequencies(config.ropeTheta(), config.headDim());
        float[] scaled = config.ropeScaling().inverseFrequencies(config.ropeTheta(), config.headDim());
        float[] out = new float[plain.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = plain[i] / scaled[i];
        }
        return out;
    }

    /**
     * Reorders the rows of whole heads in {@code rows} (row-major, {@code cols} wide, starting at a
     * head boundary) from HF's halves to llama.cpp's adjacent pairs: new row 2j + s of a head is old
     * row s·d/2 + j.
     */
    static void interleaveHeads(float[] rows, int cols, int headDim) {
        int half = headDim / 2;
        float[] head = new float[headDim * cols];
        for (int start = 0; start < rows.length; start += headDim * cols) {
            System.arraycopy(rows, start, head, 0, head.length);
            for (int j = 0; j < half; j++) {
                for (int s = 0; s < 2; s++) {
                    System.arraycopy(head, (s * half + j) * cols, rows, start + (2 * j + s) * cols, cols);
                }
            }
        }
    }
}
