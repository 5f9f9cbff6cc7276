package io.thinksafe.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.cli.Main;
import io.thinksafe.data.Jsonl;
import io.thinksafe.generate.LocalEngine;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.generate.LogprobsJob;
import io.thinksafe.generate.SamplingParams;
import io.thinksafe.generate.TokenRequest;
import io.thinksafe.generate.TokenResult;
import io.thinksafe.model.Architecture;
import io.thinksafe.model.DType;
import io.thinksafe.model.ModelConfig;
import io.thinksafe.text.Tokenizer;
import io.thinksafe.util.AtomicFiles;
import io.thinksafe.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code thinksafe export} checked by llama.cpp itself (node-llama-cpp's prebuilt CPU build), on a
 * tiny random checkpoint of each architecture and on the micro-world student, each exported alone
 * (f32) and with a LoRA adapter on every projection trained here by {@code thinksafe train} (f32,
 * f16, bf16, q8_0). The tiny models' adapters are trained to answer one question, so that their
 * greedy choices are decisions (margins of nats) rather than the near-ties of random weights, which
 * any rounding flips:
 * <ul>
 *   <li>f32, read with an f32 KV cache: llama.cpp's next-token log-probs on a fixed sequence equal
 *       {@code thinksafe logprobs} within 1e-4 (with the adapter: the same job with the adapter folded
 *       in float32 as our commands load it);</li>
 *   <li>f16, bf16, q8_0, read as llama.cpp reads by default (f16 KV cache): 16 greedy tokens equal
 *       ours, and log-probs within the tolerance measured for the type ({@link #TOLERANCE});</li>
 *   <li>llama.cpp's tokenizer gives our ids on texts with special tokens, digits and non-ASCII;</li>
 *   <li>llama.cpp reads the architecture, BOS/EOS, add-BOS, pre-tokenizer and chat template we wrote.</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LlamaCppExportTest {
    private static final List<String> DTYPES = List.of("f32", "f16", "bf16", "q8_0");
    /** Bounds on |log p(llama.cpp) - log p(ours)| over a sequence: the largest, and the mean. */
    private record Tolerance(double max, double mean) {}

    /**
     * Per export type. f32 is the bound. The others are two to three times the largest measured
     * over these five models (the table this test prints; weight rounding and llama.cpp's default f16
     * KV cache together): f16 max 0.021 / mean 0.0022, bf16 max 0.086 / mean 0.017, q8_0 max 0.35
     * (0.56 with adapters trained twice as long) / mean 0.063. The largest differences fall on unlikely
     * tokens (log p of -3 to -13), where logits are largest; a wrong layout moves every position by nats.
     */
    private static final Map<String, Tolerance> TOLERANCE = Map.of("f32", new Tolerance(1e-4, 1e-4),
            "f16", new Tolerance(0.05, 0.005), "bf16", new Tolerance(0.2, 0.04), "q8_0", new Tolerance(1.0, 0.15));
    private static final int GREEDY_STEPS = 16;
    private static final String QUESTION = "What is 12 plus 30?";
    private static final String ANSWER = "12 plus 30 is 42. The answer is 42, and I am sure of it.";

    /**
     * A model checked: its base and trained adapter, the conversation scored and its prompt (as our
     * tokenizer and chat template give them), and texts for the tokenizer comparison.
     */
    private record Case(String name, Path model, Path adapter, int[] sequence, int[] prompt, List<String> texts,
                        List<int[]> textIds) {}

    @TempDir
    static Path dir;

    private final Map<String, Case> cases = new LinkedHashMap<>();
    private final Map<String, float[]> baseLogprobs = new LinkedHashMap<>();
    private final Map<String, float[]> adaptedLogprobs = new LinkedHashMap<>();
    private final Map<String, int[]> ourGreedy = new LinkedHashMap<>();
    private final Map<String, JsonNode> llamaCpp = new LinkedHashMap<>();
    private final Map<String, Tolerance> measured = new LinkedHashMap<>();
    /** Per rounded export, the smallest gap between llama.cpp's two most likely tokens along its greedy path. */
    private final Map<String, Double> margins = new LinkedHashMap<>();
    private String llamaCppRelease;

    @BeforeAll
    void exportAndAskLlamaCpp() throws Exception {
        List<String> qwenTexts = List.of("<|im_start|>user\nWhat is 12345 + 6789? Über café, naïve 日本語 🚀<|im_end|>\n"
                        + "<|im_start|>assistant\n<think>\n12345 + 6789 = 19134.\n</think>\n\nThe answer is 19134.<|im_end|>",
                "  3.14159 and 1000000\n\n\tindented — «quoted» ÆØÅ ñ 🦙🦙", "<think></think><|endoftext|>x<|im_start|>");
        add("qwen3", ExportFixtures.qwen3(dir.resolve("qwen3"), 11), null, qwenTexts);
        add("qwen2", ExportFixtures.qwen2(dir.resolve("qwen2"), 12), null, List.of(
                "<\uff5cbegin\u2581of\u2581sentence\uff5c><\uff5cUser\uff5c>What is 12345 + 6789? Über café 日本語 🚀"
                        + "<\uff5cAssistant\uff5c><think>\n12345 + 6789 = 19134\n</think>\n\n19134<\uff5cend\u2581of\u2581sentence\uff5c>",
                "  3.14159 and 1000000\n\n\tindented — «quoted» ÆØÅ ñ 🦙🦙"));
        add("llama", ExportFixtures.llama(dir.resolve("llama"), 13, DType.BF16), null, List.of(
                "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhat is 12345 + 6789? Über café 日本語 🚀"
                        + "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n12345 + 6789 = 19134.<|eot_id|>",
                "  3.14159 and 1000000 and 1234567\n\n\tindented — «quoted» ÆØÅ ñ 🦙🦙"));
        add("mistral", ExportFixtures.mistral(dir.resolve("mistral"), 14), null, List.of(
                "<s>[INST] What is 12345 + 6789? Über café 日本語 🚀 [/INST] 12345 + 6789 = 19134.</s>",
                "  3.14159 and 1000000\n\n\tindented — «quoted» ÆØÅ ñ 🦙🦙<unk>"));
        add("student", Path.of("microworld/student"), studentAdapter(), qwenTexts);

        List<LlamaCpp.Job> jobs = new ArrayList<>();
        for (Case c : cases.values()) {
            baseLogprobs.put(c.name(), logprobsCommand(c));
            adaptedLogprobs.put(c.name(), logprobsWithAdapter(c));
            ourGreedy.put(c.name(), greedy(c));
            jobs.add(new LlamaCpp.Job(export(c, null, "f32", "base"), true, c.sequence(), c.prompt(), 0, c.texts()));
            for (String dtype : DTYPES) {
                Path gguf = export(c, c.adapter(), dtype, "adapted");
                jobs.add(new LlamaCpp.Job(gguf, dtype.equals("f32"), c.sequence(), c.prompt(), GREEDY_STEPS, List.of()));
            }
        }
        JsonNode answer = LlamaCpp.run(jobs, dir);
        llamaCppRelease = answer.path("llamaCpp").path("repo").asText() + " " + answer.path("llamaCpp").path("release").asText()
                + " (" + answer.path("buildType").asText() + ")";
        for (JsonNode r : answer.path("results")) {
            llamaCpp.put(r.path("gguf").asText(), r);
        }
    }

    /** A case; with no adapter given, one is trained to answer {@link #QUESTION} with {@link #ANSWER}. */
    private void add(String name, Path model, Path adapter, List<String> texts) throws Exception {
        Path trained = adapter != null ? adapter : trainAdapter(name, model, QUESTION, ANSWER, 4, "3e-2", "15");
        try (LocalModel m = LocalModel.load(model)) {
            Map<String, Object> user = Map.of("role", "user", "content", QUESTION);
            Map<String, Object> assistant = Map.of("role", "assistant", "content", ANSWER);
            int[] sequence = m.chatTokens(List.of(user, assistant), false, Map.of());
            int[] prompt = m.chatTokens(List.of(user), true, Map.of());
            List<int[]> ids = texts.stream().map(m.tokenizer()::encode).toList();
            cases.put(name, new Case(name, model, trained, sequence, prompt, texts, ids));
        }
    }

    private Path export(Case c, Path adapter, String dtype, String label) {
        Path gguf = dir.resolve(c.name() + "-" + label + "-" + dtype + ".gguf");
        List<String> args = new ArrayList<>(List.of("export", "--model", c.model().toString(), "--format", "gguf", "--dtype", dtype,
                "--out", gguf.toString()));
        if (adapter != null) {
            args.addAll(List.of("--adapter", adapter.toString()));
        }
        assertThat(Main.execute(args.toArray(String[]::new))).as("export %s %s %s", c.name(), label, dtype).isZero();
        return gguf;
    }

    private Path sequenceFile(Case c) {
        Path in = dir.resolve(c.name() + "-sequence.jsonl");
        ObjectNode rec = Json.object();
        rec.put("id", "sequence");
        var ids = rec.putArray("token_ids");
        for (int t : c.sequence()) {
            ids.add(t);
        }
        AtomicFiles.writeString(in, rec + "\n");
        return in;
    }

    private static float[] logprobsOf(Path out) {
        JsonNode lp = Jsonl.read(out).get(0).path("logprobs");
        float[] v = new float[lp.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) lp.get(i).asDouble();
        }
        return v;
    }

    /** {@code thinksafe logprobs} on the base model. */
    private float[] logprobsCommand(Case c) {
        Path out = dir.resolve(c.name() + "-base-logprobs.jsonl");
        assertThat(Main.execute("logprobs", "--model", c.model().toString(), "--in", sequenceFile(c).toString(), "--out",
                out.toString())).isZero();
        return logprobsOf(out);
    }

    /** The logprobs command's job on the model with the adapter folded in float32, as our commands load adapters. */
    private float[] logprobsWithAdapter(Case c) {
        Path out = dir.resolve(c.name() + "-adapted-logprobs.jsonl");
        try (LocalModel m = LocalModel.load(c.model(), c.adapter())) {
            LogprobsJob.run(m, sequenceFile(c), out, 0, 4096);
        }
        return logprobsOf(out);
    }

    /** Our engine's greedy continuation with the adapter (no end-of-sequence stop: llama.cpp is asked for exactly 16 tokens). */
    private int[] greedy(Case c) {
        try (LocalModel m = LocalModel.load(c.model(), c.adapter())) {
            LocalEngine engine = new LocalEngine(m.transformer(), m.tokenizer(), Set.of(), LocalEngine.Options.defaults());
            List<TokenResult> out = new ArrayList<>();
            engine.run(List.of(new TokenRequest(0, c.prompt(), SamplingParams.greedy(GREEDY_STEPS))), out::add, null);
            return out.get(0).tokens();
        }
    }

    /** A LoRA adapter on every projection, trained by {@code thinksafe train} on {@code copies} of one exchange. */
    private static Path trainAdapter(String name, Path model, String question, String answer, int copies, String lr, String epochs)
            throws Exception {
        Path data = dir.resolve(name + "-sft.jsonl");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < copies; i++) {
            ObjectNode r = Json.object();
            r.put("instruction", question);
            r.put("response", answer);
            r.put("prompt_label", "benign");
            lines.append(r).append('\n');
        }
        Files.writeString(data, lines);
        Path run = dir.resolve(name + "-run");
        assertThat(Main.execute("train", "--model", model.toString(), "--data", data.toString(), "--out", run.toString(),
                "--lora-targets", "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj", "--lora-r", "8", "--lora-alpha", "16",
                "--lora-dropout", "0", "--lr", lr, "--epochs", epochs, "--batch", "2", "--seed", "3")).as("train %s", name).isZero();
        return run.resolve("adapter");
    }

    /** The student's adapter: a few steps of arithmetic with reasoning, the micro-world's own kind of data. */
    private static Path studentAdapter() throws Exception {
        Path data = dir.resolve("student-sft.jsonl");
        StringBuilder lines = new StringBuilder();
        for (int a = 2; a < 10; a++) {
            ObjectNode r = Json.object();
            r.put("instruction", "What is " + a + " plus " + (a + 3) + "?");
            r.put("response", "<think>\n" + a + " + " + (a + 3) + " = " + (2 * a + 3) + "\n</think>\n\nThe answer is " + (2 * a + 3) + ".");
            r.put("prompt_label", "benign");
            lines.append(r).append('\n');
        }
        Files.writeString(data, lines);
        Path run = dir.resolve("student-run");
        assertThat(Main.execute("train", "--model", "microworld/student", "--data", data.toString(), "--out", run.toString(),
                "--lora-targets", "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj", "--lora-r", "8", "--lora-alpha", "16",
                "--lr", "3e-3", "--epochs", "1", "--batch", "2", "--seed", "3")).isZero();
        return run.resolve("adapter");
    }

    private JsonNode answer(String name, String label, String dtype) {
        JsonNode r = llamaCpp.get(dir.resolve(name + "-" + label + "-" + dtype + ".gguf").toString());
        assertThat(r).as("llama.cpp's answer for %s %s %s", name, label, dtype).isNotNull();
        return r;
    }

    /** Checks llama.cpp's log-probs of the sequence against ours within the type's tolerance, and records the differences. */
    private void assertLogprobsClose(String name, String label, String dtype, float[] ours) {
        JsonNode theirs = answer(name, label, dtype).path("logprobs").get(0);
        assertThat(theirs.size()).isEqualTo(ours.length);
        double worst = 0;
        double sum = 0;
        for (int i = 0; i < ours.length; i++) {
            double d = Math.abs(theirs.get(i).asDouble() - ours[i]);
            worst = Math.max(worst, d);
            sum += d;
        }
        double mean = sum / ours.length;
        measured.put(name + " " + label + " " + dtype, new Tolerance(worst, mean));
        Tolerance t = TOLERANCE.get(dtype);
        assertThat(worst).as("max |llama.cpp - thinksafe logprobs| for %s %s %s", name, label, dtype).isLessThanOrEqualTo(t.max());
        assertThat(mean).as("mean |llama.cpp - thinksafe logprobs| for %s %s %s", name, label, dtype).isLessThanOrEqualTo(t.mean());
    }

    Stream<String> caseNames() {
        return cases.keySet().stream();
    }

    Stream<Arguments> roundedExports() {
        return cases.keySet().stream().flatMap(n -> DTYPES.stream().filter(d -> !d.equals("f32")).map(d -> Arguments.of(n, d)));
    }

    @ParameterizedTest
    @MethodSource("caseNames")
    void f32ExportGivesOurLogprobs(String name) {
        assertLogprobsClose(name, "base", "f32", baseLogprobs.get(name));
    }

    @ParameterizedTest
    @MethodSource("caseNames")
    void f32ExportWithAdapterGivesOurLogprobs(String name) {
        assertLogprobsClose(name, "adapted", "f32", adaptedLogprobs.get(name));
    }

    @ParameterizedTest
    @MethodSource("roundedExports")
    void roundedExportsGreedyEqualAndLogprobsClose(String name, String dtype) {
        JsonNode greedy = answer(name, "adapted", dtype).path("greedy").path("tokens");
        int[] theirs = new int[greedy.size()];
        for (int i = 0; i < theirs.length; i++) {
            theirs[i] = greedy.get(i).asInt();
        }
        double smallest = Double.MAX_VALUE;
        for (JsonNode m : answer(name, "adapted", dtype).path("greedy").path("margins")) {
            smallest = Math.min(smallest, m.asDouble());
        }
        margins.put(name + " " + dtype, smallest);
        assertThat(theirs).as("llama.cpp's greedy tokens for %s %s", name, dtype).containsExactly(ourGreedy.get(name));
        assertLogprobsClose(name, "adapted", dtype, adaptedLogprobs.get(name));
    }

    @ParameterizedTest
    @MethodSource("caseNames")
    void llamaCppTokenizesAsWeDo(String name) {
        Case c = cases.get(name);
        JsonNode tokens = answer(name, "base", "f32").path("tokens");
        assertThat(tokens.size()).isEqualTo(c.texts().size());
        for (int i = 0; i < c.texts().size(); i++) {
            List<Integer> theirs = new ArrayList<>();
            tokens.get(i).forEach(t -> theirs.add(t.asInt()));
            assertThat(theirs).as("llama.cpp's ids for %s text %d: %s", name, i, c.texts().get(i))
                    .containsExactly(Arrays.stream(c.textIds().get(i)).boxed().toArray(Integer[]::new));
        }
    }

    @ParameterizedTest
    @MethodSource("caseNames")
    void llamaCppReadsOurMetadata(String name) throws Exception {
        Case c = cases.get(name);
        JsonNode meta = answer(name, "base", "f32").path("metadata");
        ModelConfig config = ModelConfig.load(c.model().resolve("config.json"));
        boolean llamaFamily = config.architecture() == Architecture.LLAMA || config.architecture() == Architecture.MISTRAL;
        assertThat(meta.path("architecture").asText()).isEqualTo(llamaFamily ? "llama" : config.architecture().modelType);
        assertThat(meta.path("pre").asText()).isEqualTo(name.equals("llama") ? "llama-bpe" : "qwen2");
        JsonNode tc = Json.read(c.model().resolve("tokenizer_config.json"));
        // R1-Distill and Mistral say so in tokenizer_config.json, Llama 3 in its post-processor
        boolean addsBos = tc.path("add_bos_token").asBoolean(false) || name.equals("llama");
        assertThat(meta.path("prependsBos").asBoolean()).isEqualTo(addsBos);
        assertThat(meta.path("chatTemplate").asText()).isEqualTo(tc.path("chat_template").asText());
        try (Tokenizer t = Tokenizer.load(c.model())) {
            assertThat(meta.path("eos").asInt()).isEqualTo(t.addedTokenId(tc.path("eos_token").asText()));
            if (tc.path("bos_token").isTextual()) {
                assertThat(meta.path("bos").asInt()).isEqualTo(t.addedTokenId(tc.path("bos_token").asText()));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("caseNames")
    void adaptersChangeTheModelsTheyAreCheckedOn(String name) {
        // otherwise the adapter exports would not test the fold at all
        float[] without = baseLogprobs.get(name);
        float[] with = adaptedLogprobs.get(name);
        double largest = 0;
        for (int i = 0; i < with.length; i++) {
            largest = Math.max(largest, Math.abs(with[i] - without[i]));
        }
        assertThat(largest).as("largest log-prob change the adapter makes on %s", name).isGreaterThan(0.1);
    }

    @AfterAll
    void printMeasurements() {
        System.out.println("llama.cpp: " + llamaCppRelease);
        System.out.println("|log p(llama.cpp) - log p(thinksafe)| per export: max, mean (tolerated max, mean):");
        measured.forEach((k, v) -> {
            Tolerance t = TOLERANCE.get(k.substring(k.lastIndexOf(' ') + 1));
            System.out.printf("  %-28s %.3g %.3g (%.3g %.3g)%n", k, v.max(), v.mean(), t.max(), t.mean());
        });
        System.out.println("smallest top-1/top-2 log-prob gap on llama.cpp's greedy path:");
        margins.forEach((k, v) -> System.out.printf("  %-30s %.3g%n", k, v));
    }
}
