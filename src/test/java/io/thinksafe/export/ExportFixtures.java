package io.thinksafe.export;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.model.Architecture;
import io.thinksafe.model.DType;
import io.thinksafe.model.ModelConfig;
import io.thinksafe.model.RandomCheckpoint;
import io.thinksafe.model.RopeScaling;
import io.thinksafe.text.BpeTrainer;
import io.thinksafe.text.ByteLevelTokenizer;
import io.thinksafe.text.Qwen3Files;
import io.thinksafe.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.thinksafe.model.SafetensorsWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Tiny random checkpoints of each architecture with the tokenizer and chat template of their family,
 * for exports that llama.cpp loads. Every matrix row is a multiple of 32 wide (hidden 64, MLP 128,
 * heads of 16), so that Q8_0 quantizes all of them rather than falling back to f16; vocabularies are
 * larger than the tokenizers, so padding ids are exercised.
 */
final class ExportFixtures {
    private ExportFixtures() {}

    static final List<String> CORPUS = List.of(
            "The quick brown fox jumps over the lazy dog. What is 12 plus 30? The answer is 42.",
            "Please reason step by step, and put your final answer within a box.",
            "I cannot help with that request, but here is something safe you could do instead.",
            "There are three apples and four oranges on the table; how many pieces of fruit are there?");

    /** The real Qwen3 tokenizer and template (151,669 tokens in a 151,936 vocabulary). */
    static Path qwen3(Path dir, long seed) {
        ModelConfig c = ModelConfig.builder(Architecture.QWEN3).vocab(151936).hidden(64).intermediate(128).layers(2)
                .heads(4, 2).headDim(16).rmsNormEps(1e-6).rope(1_000_000, RopeScaling.NONE).tiedEmbeddings(true)
                .maxPositions(40960).dtype(DType.BF16).eos(151645, 151643).pad(151643).build();
        RandomCheckpoint.write(dir, c, DType.BF16, 1, seed, Qwen3Files.dir());
        return dir;
    }

    /** DeepSeek-R1-Distill-Qwen's shape: Qwen2 with q/k/v biases, its full-width special tokens, a BOS added. */
    static Path qwen2(Path dir, long seed) {
        List<String> specials = List.of("<\uff5cbegin\u2581of\u2581sentence\uff5c>", "<\uff5cend\u2581of\u2581sentence\uff5c>",
                "<\uff5cUser\uff5c>", "<\uff5cAssistant\uff5c>");
        Tokenizer t = tokenizer(dir, specials, List.of("<think>", "</think>"), 40);
        ModelConfig c = ModelConfig.builder(Architecture.QWEN2).vocab(t.size() + 7).hidden(64).intermediate(128).layers(2)
                .heads(4, 2).headDim(16).rmsNormEps(1e-6).rope(10_000, RopeScaling.NONE).tiedEmbeddings(false)
                .maxPositions(4096).dtype(DType.BF16).bos(t.first()).eos(t.first() + 1).build();
        RandomCheckpoint.write(dir, c, DType.BF16, 2, seed, null);
        ObjectNode tc = Json.object();
        tc.put("add_bos_token", true);
        tc.put("add_eos_token", false);
        tc.put("bos_token", specials.get(0));
        tc.put("eos_token", specials.get(1));
        tc.put("chat_template", "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'user' %}<\uff5cUser\uff5c>{{ m['content'] }}"
                + "{% else %}<\uff5cAssistant\uff5c>{{ m['content'] }}<\uff5cend\u2581of\u2581sentence\uff5c>{% endif %}{% endfor %}"
                + "{% if add_generation_prompt %}<\uff5cAssistant\uff5c><think>\n{% endif %}");
        Json.writePretty(dir.resolve("tokenizer_config.json"), tc);
        return dir;
    }

    /**
     * Llama 3's shape: its pre-tokenizer (digits in threes, merges ignored for whole words), a BOS
     * added by the post-processor, Llama-3.1 rope_scaling that moves low frequencies at these sizes,
     * grouped-query attention 4:1, in {@code dtype}.
     */
    static Path llama(Path dir, long seed, DType dtype) {
        List<String> specials = List.of("<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>",
                "<|eot_id|>");
        Tokenizer t = tokenizer(dir, specials, List.of(), 48);
        ObjectNode json = (ObjectNode) Json.read(dir.resolve("tokenizer.json"));
        ((ObjectNode) json.path("pre_tokenizer").path("pretokenizers").get(0).path("pattern")).put("Regex", PreTokenizer.LLAMA3_SPLIT);
        ((ObjectNode) json.path("model")).put("ignore_merges", true);
        ObjectNode post = json.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", specials.get(0)).put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addAll(single.deepCopy());
        pair.addObject().putObject("SpecialToken").put("id", specials.get(0)).put("type_id", 1);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode bos = post.putObject("special_tokens").putObject(specials.get(0));
        bos.put("id", specials.get(0));
        bos.putArray("ids").add(t.first());
        bos.putArray("tokens").add(specials.get(0));
        Json.writePretty(dir.resolve("tokenizer.json"), json);
        ModelConfig c = ModelConfig.builder(Architecture.LLAMA).vocab(t.size() + 3).hidden(64).intermediate(128).layers(2)
                .heads(4, 1).headDim(16).rmsNormEps(1e-5).rope(500_000, new RopeScaling(RopeScaling.Type.LLAMA3, 8, 1, 4, 64)).attentionBias(true).mlpBias(true)
                .maxPositions(4096).dtype(dtype).bos(t.first()).eos(t.first() + 4, t.first() + 1).build();
        RandomCheckpoint.write(dir, c, dtype, 1, seed, null);
        ObjectNode tc = Json.object();
        tc.put("bos_token", specials.get(0));
        tc.put("eos_token", specials.get(4));
        tc.put("chat_template", "{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m['role'] }}<|end_header_id|>\n\n"
                + "{{ m['content'] }}<|eot_id|>{% endfor %}{% if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}");
        Json.writePretty(dir.resolve("tokenizer_config.json"), tc);
        return dir;
    }

    /** Mistral's shape (WildGuard's base) with a byte-level tokenizer and SentencePiece-style special tokens. */
    static Path mistral(Path dir, long seed) {
        List<String> specials = List.of("<unk>", "<s>", "</s>");
        Tokenizer t = tokenizer(dir, specials, List.of(), 40);
        ModelConfig c = ModelConfig.builder(Architecture.MISTRAL).vocab(t.size()).hidden(64).intermediate(128).layers(2)
                .heads(4, 2).headDim(16).rmsNormEps(1e-5).rope(1_000_000, RopeScaling.NONE)
                .maxPositions(4096).dtype(DType.BF16).bos(t.first() + 1).eos(t.first() + 2).build();
        RandomCheckpoint.write(dir, c, DType.BF16, 1, seed, null);
        ObjectNode tc = Json.object();
        tc.put("add_bos_token", true);
        tc.put("bos_token", "<s>");
        tc.put("eos_token", "</s>");
        tc.put("unk_token", "<unk>");
        tc.put("chat_template", "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'user' %}[INST] {{ m['content'] }} [/INST]"
                + "{% else %}{{ m['content'] }}{{ eos_token }}{% endif %}{% endfor %}");
        Json.writePretty(dir.resolve("tokenizer_config.json"), tc);
        return dir;
    }

    /** A PEFT LoRA adapter with random A and B (B non-zero, unlike a fresh one) on {@code modules} of every layer. */
    static Path randomAdapter(Path base, Path out, List<String> modules, int r, double alpha, long seed) {
        ModelConfig c = ModelConfig.load(base.resolve("config.json"));
        long q = (long) c.numHeads() * c.headDim();
        long kv = (long) c.numKvHeads() * c.headDim();
        long h = c.hiddenSize();
        long ff = c.intermediateSize();
        Map<String, long[]> shapes = Map.of("q_proj", new long[] {q, h}, "k_proj", new long[] {kv, h}, "v_proj", new long[] {kv, h},
                "o_proj", new long[] {h, q}, "gate_proj", new long[] {ff, h}, "up_proj", new long[] {ff, h}, "down_proj", new long[] {h, ff});
        SplittableRandom rng = new SplittableRandom(seed);
        List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
        for (int layer = 0; layer < c.numLayers(); layer++) {
            for (String m : modules) {
                String block = List.of("q_proj", "k_proj", "v_proj", "o_proj").contains(m) ? ".self_attn." : ".mlp.";
                String key = "base_model.model.model.layers." + layer + block + m;
                long outF = shapes.get(m)[0];
                long inF = shapes.get(m)[1];
                tensors.add(new SafetensorsWriter.Tensor(key + ".lora_A.weight", DType.F32, new long[] {r, inF}, gaussian(rng, r * inF)));
                tensors.add(new SafetensorsWriter.Tensor(key + ".lora_B.weight", DType.F32, new long[] {outF, r}, gaussian(rng, outF * r)));
            }
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SafetensorsWriter.write(out.resolve("adapter_model.safetensors"), tensors, Map.of("format", "pt"));
        ObjectNode cfg = Json.object();
        cfg.put("peft_type", "LORA").put("task_type", "CAUSAL_LM").put("r", r).put("lora_alpha", alpha).put("lora_dropout", 0.0)
                .put("bias", "none").put("base_model_name_or_path", base.toString());
        modules.forEach(cfg.putArray("target_modules")::add);
        Json.writePretty(out.resolve("adapter_config.json"), cfg);
        return out;
    }

    private static Supplier<float[]> gaussian(SplittableRandom rng, long n) {
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (0.1 * rng.nextGaussian());
        }
        return () -> v;
    }

    /** A written byte-level tokenizer: its size and the id of its first special token. */
    record Tokenizer(int size, int first) {}

    private static Tokenizer tokenizer(Path dir, List<String> specials, List<String> plainAdded, int merges) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String[]> learned = BpeTrainer.train(CORPUS, merges, specials);
        ByteLevelTokenizer.write(dir.resolve("tokenizer.json"), specials, learned, plainAdded);
        List<String> all = new ArrayList<>(specials);
        all.addAll(plainAdded);
        return new Tokenizer(256 + learned.size() + all.size(), 256 + learned.size());
    }
}
