package io.thinksafe.export;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.cli.Main;
import io.thinksafe.model.Architecture;
import io.thinksafe.model.Checkpoint;
import io.thinksafe.model.DType;
import io.thinksafe.model.ModelConfig;
import io.thinksafe.model.SafetensorsFile;
import io.thinksafe.model.TinyModels;
import io.thinksafe.text.ByteLevelTokenizer;
import io.thinksafe.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GGUF file itself, read back byte by byte, and what {@code thinksafe export} refuses. */
class GgufExportTest {
    private static final int F32 = 0;
    private static final int F16 = 1;
    private static final int Q8_0 = 8;

    @TempDir
    Path tmp;

    private record Run(int code, String err) {
        String errorLine() {
            return err.lines().filter(l -> l.startsWith("thinksafe: error:")).findFirst().orElse("");
        }
    }

    private static Run run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            return new Run(Main.execute(args), buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void q8BlocksHoldMaxOver127AsF16ThenValuesRoundedHalfAwayFromZero() {
        float[] v = new float[64];
        v[0] = 127f; // d = 1 exactly, so each value is its own rounding case
        v[1] = 2.5f;
        v[2] = -2.5f;
        v[3] = 0.5f;
        v[4] = -0.49f;
        v[5] = 126.5f;
        ByteBuffer out = ByteBuffer.allocate(2 * 34).order(ByteOrder.LITTLE_ENDIAN);
        TensorEncoding.encode(v, 0, 64, GgmlType.Q8_0, out);
        assertThat(DType.f16ToFloat(out.getShort(0))).isEqualTo(1f);
        assertThat(new byte[] {out.get(2), out.get(3), out.get(4), out.get(5), out.get(6), out.get(7)})
                .containsExactly(127, 3, -3, 1, 0, 127);
        assertThat(out.getShort(34)).as("an all-zero block has scale 0").isZero();
        for (int i = 36; i < 68; i++) {
            assertThat(out.get(i)).isZero();
        }
        float[] w = {-3f, 1f, 0.25f};
        float[] block = new float[32];
        System.arraycopy(w, 0, block, 0, 3);
        ByteBuffer b = ByteBuffer.allocate(34).order(ByteOrder.LITTLE_ENDIAN);
        TensorEncoding.encode(block, 0, 32, GgmlType.Q8_0, b);
        float d = 3f / 127f;
        assertThat(b.getShort(0)).isEqualTo(DType.floatToF16(d));
        assertThat(new byte[] {b.get(2), b.get(3), b.get(4)}).containsExactly(-127, 42, 11); // 42.33 -> 42, 10.58 -> 11
    }

    @Test
    void halfTypesRoundToNearestEven() {
        float[] v = {1f + 0x1p-11f, 1f + 0x3p-11f, 1f + 0x1p-8f, 1f + 0x3p-8f};
        ByteBuffer f16 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        TensorEncoding.encode(v, 0, 2, GgmlType.F16, f16);
        assertThat(DType.f16ToFloat(f16.getShort(0))).isEqualTo(1f); // halfway: to the even neighbour
        assertThat(DType.f16ToFloat(f16.getShort(2))).isEqualTo(1f + 0x1p-9f); // 1.5 ulp: up to the even 2 ulp
        ByteBuffer bf16 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        TensorEncoding.encode(v, 2, 2, GgmlType.BF16, bf16);
        assertThat(DType.bf16ToFloat(bf16.getShort(0))).isEqualTo(1f);
        assertThat(DType.bf16ToFloat(bf16.getShort(2))).isEqualTo(1f + 0x1p-6f);
    }

    @Test
    void interleavingMovesHfHalvesToAdjacentPairs() {
        // two heads of four rows, two columns: rows (a, b | c, d) become (a, c, b, d) in each head
        float[] rows = {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7};
        LlamaCppLayout.interleaveHeads(rows, 2, 4);
        assertThat(rows).containsExactly(0, 0, 2, 2, 1, 1, 3, 3, 4, 4, 6, 6, 5, 5, 7, 7);
    }

    @Test
    void studentFileHasLlamaCppNamesTypesMetadataAndAlignment() throws Exception {
        Path out = tmp.resolve("student.gguf");
        assertThat(run("export", "--model", "microworld/student", "--dtype", "q8_0", "--out", out.toString()).code()).isZero();
        GgufFile f = GgufFile.read(out);
        assertThat(f.version()).isEqualTo(3);
        assertThat(f.metadata()).containsEntry("general.architecture", "qwen3").containsEntry("general.file_type", 7L)
                .containsEntry("qwen3.block_count", 4L).containsEntry("qwen3.embedding_length", 128L)
                .containsEntry("qwen3.attention.head_count_kv", 2L).containsEntry("qwen3.attention.key_length", 32L)
                .containsEntry("qwen3.context_length", 2048L).containsEntry("tokenizer.ggml.model", "gpt2")
                .containsEntry("tokenizer.ggml.pre", "qwen2").containsEntry("tokenizer.ggml.eos_token_id", 1458L)
                .containsEntry("tokenizer.ggml.padding_token_id", 1456L).containsEntry("tokenizer.ggml.add_bos_token", false)
                .doesNotContainKey("tokenizer.ggml.bos_token_id");
        assertThat(f.metadataTypes()).containsEntry("qwen3.attention.layer_norm_rms_epsilon", GgufValue.FLOAT32)
                .containsEntry("qwen3.rope.freq_base", GgufValue.FLOAT32).containsEntry("qwen3.block_count", GgufValue.UINT32)
                .containsEntry("tokenizer.ggml.add_bos_token", GgufValue.BOOL);
        List<?> tokens = (List<?>) f.metadata().get("tokenizer.ggml.tokens");
        List<?> types = (List<?>) f.metadata().get("tokenizer.ggml.token_type");
        assertThat(tokens).hasSize(1465);
        assertThat(tokens.get(1458)).isEqualTo("<|im_end|>");
        assertThat(types.get(1458)).isEqualTo(GgufVocab.CONTROL);
        assertThat(tokens.get(1463)).isEqualTo("<think>");
        assertThat(types.get(1463)).as("<think> is an added token that is not special").isEqualTo(GgufVocab.USER_DEFINED);
        assertThat(types.get(32)).isEqualTo(GgufVocab.NORMAL);
        assertThat(((List<?>) f.metadata().get("tokenizer.ggml.merges")).get(0)).isEqualTo("\u0120 a");

        assertThat(f.tensor("token_embd.weight").ggmlShape()).containsExactly(128, 1465);
        assertThat(f.tensor("token_embd.weight").type()).isEqualTo(Q8_0);
        assertThat(f.tensor("blk.3.ffn_down.weight").ggmlShape()).containsExactly(384, 128);
        assertThat(f.tensor("blk.0.attn_q_norm.weight").type()).isEqualTo(F32);
        assertThat(f.tensor("blk.0.attn_norm.weight").type()).isEqualTo(F32);
        assertThat(f.tensor("output_norm.weight").type()).isEqualTo(F32);
        assertThat(f.tensors()).as("tied embeddings: llama.cpp reuses token_embd").noneMatch(t -> t.name().equals("output.weight"));
        assertThat(f.tensors()).hasSize(2 + 4 * 11);
        long end = 0;
        for (GgufFile.TensorInfo t : f.tensors()) {
            assertThat(t.offset() % 32).as("offset of %s", t.name()).isZero();
            assertThat(t.offset()).isGreaterThanOrEqualTo(end);
            long n = t.ggmlShape()[0] * (t.ggmlShape().length > 1 ? t.ggmlShape()[1] : 1);
            end = t.offset() + (t.type() == Q8_0 ? n / 32 * 34 : t.type() == F16 ? 2 * n : 4 * n);
        }
        assertThat(f.dataStart() % 32).isZero();
        assertThat(f.size()).isEqualTo(f.dataStart() + GgufWriter.padded(end));
        // f32 values of the norms are the checkpoint's, untouched
        Checkpoint ckpt = Checkpoint.open(Path.of("microworld/student"));
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            assertThat(f.floats("blk.2.ffn_norm.weight"))
                    .containsExactly(ckpt.loadRaw("model.layers.2.post_attention_layernorm.weight", m).toFloatArray());
        }
    }

    @Test
    void q8FallsBackToF16ForRowsThatAreNotWholeBlocks() throws Exception {
        Path model = TinyModels.write(tmp.resolve("qwen2-48"), Architecture.QWEN2, DType.BF16, 1, 3); // hidden 48, MLP 80
        ByteLevelTokenizer.write(model.resolve("tokenizer.json"), List.of("<|endoftext|>", "<|im_end|>"));
        Path out = tmp.resolve("q.gguf");
        assertThat(run("export", "--model", model.toString(), "--dtype", "q8_0", "--out", out.toString()).code()).isZero();
        GgufFile f = GgufFile.read(out);
        assertThat(f.tensor("blk.0.attn_q.weight").type()).isEqualTo(F16);
        assertThat(f.tensor("blk.0.ffn_down.weight").type()).isEqualTo(F16);
        assertThat(f.tensor("blk.0.attn_q.bias").type()).isEqualTo(F32);
        assertThat(f.metadata().get("tokenizer.ggml.merges")).isEqualTo(List.of());
    }

    @Test
    void adapterIsFoldedInFloat32BeforeLlamaRowsAreInterleaved() throws Exception {
        Path base = ExportFixtures.llama(tmp.resolve("llama"), 5, DType.F32);
        Path adapter = ExportFixtures.randomAdapter(base, tmp.resolve("adapter"), List.of("q_proj", "k_proj"), 4, 8, 6);
        Path out = tmp.resolve("llama.gguf");
        assertThat(run("export", "--model", base.toString(), "--adapter", adapter.toString(), "--dtype", "f32", "--out",
                out.toString()).code()).isZero();
        GgufFile f = GgufFile.read(out);
        ModelConfig c = ModelConfig.load(base.resolve("config.json"));
        Checkpoint ckpt = Checkpoint.open(base);
        SafetensorsFile lora = SafetensorsFile.open(adapter.resolve("adapter_model.safetensors"));
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            for (String proj : List.of("q", "k")) {
                String hf = "model.layers.1.self_attn." + proj + "_proj";
                float[] w = ckpt.loadRaw(hf + ".weight", m).toFloatArray();
                float[] a = lora.loadFloat32("base_model.model." + hf + ".lora_A.weight", m).toFloatArray();
                float[] b = lora.loadFloat32("base_model.model." + hf + ".lora_B.weight", m).toFloatArray();
                float[] bias = ckpt.loadRaw(hf + ".bias", m).toFloatArray();
                int cols = c.hiddenSize();
                int rows = w.length / cols;
                int d = c.headDim();
                float[] weight = f.floats("blk.1.attn_" + proj + ".weight");
                float[] gguBias = f.floats("blk.1.attn_" + proj + ".bias");
                for (int row = 0; row < rows; row++) {
                    // GGUF row h·d + 2j + s holds HF row h·d + s·d/2 + j
                    int head = row / d;
                    int j = (row % d) / 2;
                    int s = row % 2;
                    int hfRow = head * d + s * d / 2 + j;
                    assertThat(gguBias[row]).isEqualTo(bias[hfRow]);
                    for (int col = 0; col < cols; col++) {
                        double delta = 0;
                        for (int k = 0; k < 4; k++) {
                            delta += (double) b[hfRow * 4 + k] * a[k * cols + col];
                        }
                        double expected = w[hfRow * cols + col] + 2.0 * delta; // alpha 8 / r 4
                        assertThat((double) weight[row * cols + col]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5));
                    }
                }
            }
        }
        // Llama-3.1 rope_scaling as llama.cpp's converter computes its rope_freqs (factor 8, low 1, high 4, original 64)
        float[] factors = f.floats("rope_freqs.weight");
        for (int i = 0; i < factors.length; i++) {
            double freq = 1 / Math.pow(500_000, 2.0 * i / 16);
            double wavelen = 2 * Math.PI / freq;
            double expected = wavelen < 64 / 4.0 ? 1 : wavelen > 64 ? 8 : 1 / ((1 - (64 / wavelen - 1) / 3) / 8 + (64 / wavelen - 1) / 3);
            assertThat((double) factors[i]).as("rope factor %d", i).isCloseTo(expected, org.assertj.core.data.Percentage.withPercentage(1e-3));
        }
        assertThat(factors).as("this configuration must exercise all three bands").contains(1f, 8f);
    }

    @Test
    void badInputIsOneClearLineAndExitCode2() throws Exception {
        Path good = ExportFixtures.mistral(tmp.resolve("mistral"), 7);
        Path out = tmp.resolve("x.gguf");
        assertThat(run("export", "--model", good.toString(), "--dtype", "q4_0", "--out", out.toString()).errorLine())
                .isEqualTo("thinksafe: error: --dtype q4_0: expected one of f32, f16, bf16, q8_0");
        assertThat(run("export", "--model", good.toString(), "--format", "onnx", "--out", out.toString()).errorLine())
                .isEqualTo("thinksafe: error: --format onnx: only gguf is supported");
        assertThat(run("export", "--model", good.toString(), "--out", tmp.toString()).errorLine())
                .contains("is a directory; --out names the .gguf file to write");
        assertThat(run("export", "--model", "http://localhost:1/v1", "--out", out.toString()).errorLine())
                .contains("export needs a local model directory");

        Path noTokenizer = copy(good, "no-tokenizer");
        Files.delete(noTokenizer.resolve("tokenizer.json"));
        assertThat(run("export", "--model", noTokenizer.toString(), "--out", out.toString()).errorLine())
                .contains("no-tokenizer: tokenizer.json is missing; the export writes the vocabulary llama.cpp tokenizes with");

        Path spm = copy(good, "spm");
        editJson(spm.resolve("tokenizer.json"), j -> ((ObjectNode) j.path("model")).put("byte_fallback", true));
        assertThat(run("export", "--model", spm.toString(), "--out", out.toString()).errorLine())
                .contains("BPE with byte_fallback (SentencePiece-style) tokenizer; export supports byte-level BPE tokenizers");

        Path gpt2 = copy(good, "gpt2");
        editJson(gpt2.resolve("tokenizer.json"), j -> ((ObjectNode) j).putObject("pre_tokenizer").put("type", "ByteLevel")
                .put("add_prefix_space", false).put("use_regex", true));
        assertThat(run("export", "--model", gpt2.toString(), "--out", out.toString()).errorLine())
                .contains("field 'pre_tokenizer' (ByteLevel) is not one llama.cpp implements");

        Path scaledQwen = ExportFixtures.qwen2(tmp.resolve("qwen2"), 8);
        editJson(scaledQwen.resolve("config.json"), j -> ((ObjectNode) j).putObject("rope_scaling").put("rope_type", "llama3")
                .put("factor", 8.0).put("original_max_position_embeddings", 64));
        assertThat(run("export", "--model", scaledQwen.toString(), "--out", out.toString()).errorLine())
                .contains("config.json: rope_scaling llama3 on Qwen2ForCausalLM has no counterpart in llama.cpp's qwen2 architecture");

        Path wrongRank = ExportFixtures.randomAdapter(good, tmp.resolve("wrong-rank"), List.of("q_proj"), 4, 8, 1);
        editJson(wrongRank.resolve("adapter_config.json"), j -> ((ObjectNode) j).put("r", 8));
        assertThat(run("export", "--model", good.toString(), "--adapter", wrongRank.toString(), "--out", out.toString()).errorLine())
                .contains("tensor 'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight' has shape [4, 64]"
                        + " but the base model and rank imply [8, 64]");
        Path dora = ExportFixtures.randomAdapter(good, tmp.resolve("dora"), List.of("q_proj"), 4, 8, 1);
        editJson(dora.resolve("adapter_config.json"), j -> ((ObjectNode) j).put("use_dora", true));
        assertThat(run("export", "--model", good.toString(), "--adapter", dora.toString(), "--out", out.toString()).errorLine())
                .contains("field 'use_dora' is true; only plain LoRA");

        Path extra = copy(good, "extra-tensor");
        rewriteHeader(extra.resolve("model.safetensors"), h -> ((ObjectNode) h).set("model.layers.0.mlp.extra.weight",
                h.get("model.norm.weight").deepCopy()));
        assertThat(run("export", "--model", extra.toString(), "--out", out.toString()).errorLine())
                .contains("tensor 'model.layers.0.mlp.extra.weight' has no place in llama.cpp's MistralForCausalLM layout");
        assertThat(out).doesNotExist();
    }

    @Test
    void aFailureWhileWritingLeavesNeitherTheFileNorATemporary() throws Exception {
        Path model = copy(ExportFixtures.mistral(tmp.resolve("mistral"), 9), "broken");
        // the second layer's down projection stored as integers: found only when its turn to be written comes
        rewriteHeader(model.resolve("model.safetensors"), h -> ((ObjectNode) h.get("model.layers.1.mlp.down_proj.weight")).put("dtype", "I16"));
        Path outDir = Files.createDirectories(tmp.resolve("out"));
        Run r = run("export", "--model", model.toString(), "--dtype", "f16", "--out", outDir.resolve("model.gguf").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errorLine()).contains("tensor 'model.layers.1.mlp.down_proj.weight' has dtype I16 but a floating-point weight was expected");
        try (Stream<Path> left = Files.list(outDir)) {
            assertThat(left).isEmpty();
        }
    }

    private Path copy(Path model, String name) throws Exception {
        Path to = Files.createDirectories(tmp.resolve(name));
        try (Stream<Path> files = Files.list(model)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
        return to;
    }

    private static void editJson(Path file, java.util.function.Consumer<JsonNode> edit) {
        JsonNode j = Json.read(file);
        edit.accept(j);
        Json.writePretty(file, j);
    }

    /** Rewrites a safetensors file's JSON header (data untouched), padded to 8 bytes as the format wants. */
    private static void rewriteHeader(Path file, java.util.function.Consumer<JsonNode> edit) throws Exception {
        byte[] all = Files.readAllBytes(file);
        long len = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode header = Json.MAPPER.readTree(new String(all, 8, (int) len, StandardCharsets.UTF_8));
        edit.accept(header);
        StringBuilder json = new StringBuilder(Json.compact(header));
        while (json.length() % 8 != 0) {
            json.append(' ');
        }
        byte[] h = json.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length + all.length - 8 - (int) len).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(all, 8 + (int) len, all.length - 8 - (int) len);
        Files.write(file, out.array());
    }
}
