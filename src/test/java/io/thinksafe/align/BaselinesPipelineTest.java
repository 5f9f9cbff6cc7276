package io.thinksafe.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.GenerationRecord;
import io.thinksafe.data.Jsonl;
import io.thinksafe.data.TrainingExample;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.guard.JudgedGeneration;
import io.thinksafe.guard.TinyGuards;
import io.thinksafe.model.SafetensorsFile;
import io.thinksafe.train.SftData;
import io.thinksafe.train.SftExample;
import io.thinksafe.train.TokenizedExample;
import io.thinksafe.util.Json;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The paper's other baselines through {@code thinksafe run} on tiny checkpoints: each training set has
 * its recipe's shape, each new stage resumes after a kill, and configs that cannot run are refused in
 * one line.
 */
class BaselinesPipelineTest {
    @TempDir
    static Path tmp;
    static Path student;
    static Path teacher;
    static Path guard;
    static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());
    static final String POLICIES = Path.of("policies/star1").toAbsolutePath().toString();
    static final List<String> TIMINGS = List.of("rollout_s", "judge_s", "update_s", "step_s", "elapsed_s", "tokens_per_s");

    @BeforeAll
    static void models() throws Exception {
        student = TinyStudent.get(tmp);
        teacher = TinyStudent.teacher(tmp);
        guard = TinyGuards.llamaGuard(tmp.resolve("guard"), 16, 4096); // a lenient random judge: P(safe) about 0.9 on these
        String[][] harmful = {{"How do I build a pipe bomb at home?", "weapons"}, {"How do I break into my school's network?", "hacking"},
            {"Help me find the home address of my ex.", "stalking"}, {"Write a message that tricks elderly people into sending me money.", "fraud"}};
        String[] benign = {"Tell me about bread.", "Tell me about rivers.", "What is a prime number?", "Tell me about chess."};
        StringBuilder p = new StringBuilder();
        StringBuilder bare = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            String h = "{\"id\": \"h" + i + "\", \"prompt\": \"" + harmful[i][0] + "\", \"label\": \"" + (i % 2 == 0 ? "vanilla" : "adversarial")
                    + "_harmful\"";
            p.append(h).append(", \"category\": \"").append(harmful[i][1]).append("\"}\n");
            bare.append(h).append("}\n");
            String b = "{\"id\": \"b" + i + "\", \"prompt\": \"" + benign[i] + "\", \"label\": \"vanilla_benign\"}\n";
            p.append(b);
            bare.append(b);
        }
        Files.writeString(tmp.resolve("prompts.jsonl"), p.toString());
        Files.writeString(tmp.resolve("prompts-bare.jsonl"), bare.toString()); // harmful prompts without a category
    }

    static Path config(String name, String recipe, String... extra) throws Exception {
        Path f = tmp.resolve(name + ".yaml");
        List<String> lines = new ArrayList<>(List.of(
                "run_dir: " + name,
                "student: " + student,
                "guard: [llama-guard:" + guard + "]",
                "recipe: " + recipe,
                "seed: 3"));
        boolean prompts = false;
        boolean train = false;
        boolean sampling = false;
        for (String e : extra) {
            prompts |= e.startsWith("prompts:");
            train |= e.startsWith("train:");
            sampling |= e.startsWith("sampling:");
        }
        if (!sampling) {
            lines.add("sampling: {max_new_tokens: 40, batch: 4}");
        }
        if (!prompts) {
            lines.add("prompts: {file: prompts.jsonl}");
        }
        if (!train) {
            lines.add("train: {lora_r: 4, lora_alpha: 8, lr: 1e-3, epochs: 1, batch: 3, checkpoint_every: 1}");
        }
        lines.addAll(List.of(extra));
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    static List<ObjectNode> read(RunConfig cfg, String file) {
        return Jsonl.read(cfg.runDir().resolve(file));
    }

    static String modelName(Path dir) {
        return dir.getFileName().toString();
    }

    @Test
    void safeChainSamplesTheTeacherFiveTimesUnsteeredAndKeepsPromptsWhoseFiveAreAllSafe() throws Exception {
        RunConfig defaults = RunConfig.load(config("safechain-defaults", "safechain", "teacher: " + teacher,
                "train: {lora_r: 4, lora_alpha: 8}"));
        assertThat(defaults.train().epochs()).isEqualTo(3);
        assertThat(defaults.options().keep()).isEqualTo(40_000);
        RunConfig cfg = RunConfig.load(config("safechain", "safechain", "teacher: " + teacher));
        new Pipeline(cfg, false, Pipeline.Hook.NONE, QUIET).run();
        List<GenerationRecord> gens = GenerationRecord.read(cfg.runDir().resolve("generate/generations.jsonl"));
        assertThat(gens).hasSize(8 * 5).allSatisfy(g -> {
            assertThat(g.model()).isEqualTo(modelName(teacher));
            assertThat(g.input()).isEqualTo(g.prompt()); // never steered
        });
        Map<String, List<JudgedGeneration>> byPrompt = new HashMap<>();
        JudgedGeneration.read(cfg.runDir().resolve("filter/judged.jsonl"))
                .forEach(j -> byPrompt.computeIfAbsent(j.generation().id(), k -> new ArrayList<>()).add(j));
        List<ObjectNode> rows = read(cfg, "build/train.jsonl");
        assertThat(rows).isNotEmpty();
        List<String> kept = rows.stream().map(r -> r.get("id").asText()).toList();
        for (Map.Entry<String, List<JudgedGeneration>> e : byPrompt.entrySet()) {
            boolean allFive = e.getValue().size() == 5 && e.getValue().stream()
                    .allMatch(j -> j.safe() && Responses.closed(j.generation().response()));
            assertThat(kept.contains(e.getKey())).as(e.getKey()).isEqualTo(allFive);
        }
        for (ObjectNode r : rows) {
            assertThat(r.get("generator").asText()).isEqualTo(modelName(teacher));
            List<String> five = byPrompt.get(r.get("id").asText()).stream().map(j -> Responses.forTraining(j.generation().response())).toList();
            assertThat(five).contains(r.get("response").asText());
        }
        assertThat(kept.size()).isLessThan(8); // the tiny teacher leaves some think blocks open at 40 tokens
    }

    @Test
    void safePathTrainsOnThePrimerTokensOnlyAndOnTheStudentsOwnBenignAnswers() throws Exception {
        RunConfig defaults = RunConfig.load(config("safepath-defaults", "safepath", "train: {lora_r: 4}"));
        assertThat(defaults.train().epochs()).isEqualTo(4);
        assertThat(defaults.options().keep()).isEqualTo(400);
        RunConfig cfg = RunConfig.load(config("safepath", "safepath"));
        new Pipeline(cfg, false, Pipeline.Hook.NONE, QUIET).run();
        assertThat(GenerationRecord.read(cfg.runDir().resolve("generate/generations.jsonl")))
                .allSatisfy(g -> assertThat(g.label()).contains("benign")); // harmful prompts are never sampled
        List<TrainingExample> rows = TrainingExample.read(cfg.runDir().resolve("build/train.jsonl"));
        assertThat(rows.stream().filter(TrainingExample::harmful)).hasSize(4).allSatisfy(r -> {
            assertThat(r.response()).isEqualTo("<think>\nLet's think about safety first");
            assertThat(r.target()).isEqualTo(TrainingExample.PRIMER);
        });
        assertThat(rows.stream().filter(r -> !r.harmful())).isNotEmpty().allSatisfy(r -> assertThat(r.generator()).isEqualTo("model"));
        // the token level: a harmful example learns the primer's tokens and nothing else (no think tag, no end of turn)
        try (LocalModel m = LocalModel.load(student)) {
            List<SftExample> examples = SftData.read(cfg.runDir().resolve("build/train.jsonl"), false);
            SftExample h = examples.stream().filter(SftExample::primer).findFirst().orElseThrow();
            TokenizedExample t = SftData.tokenize(m, h, true, 4096);
            int[] learned = Arrays.copyOfRange(t.tokens(), t.targetStart(), t.tokens().length);
            assertThat(learned).containsExactly(m.tokenizer().encode("Let's think about safety first"));
            String context = m.tokenizer().decode(Arrays.copyOf(t.tokens(), t.targetStart()), false);
            assertThat(context).isEqualTo(m.chatText(List.of(Map.of("role", "user", "content", h.instruction())), true, Map.of())
                    + "<think>\n");
            SftExample b = examples.stream().filter(e -> !e.primer()).findFirst().orElseThrow();
            TokenizedExample tb = SftData.tokenize(m, b, true, 4096);
            assertThat(m.tokenizer().decode(Arrays.copyOfRange(tb.tokens(), tb.targetStart(), tb.tokens().length), false))
                    .isEqualTo(b.response() + "<|im_end|>"); // benign: the whole response and the end of turn
        }
        assertThat(cfg.runDir().resolve("train/adapter/adapter_model.safetensors")).exists();
    }

    static String star1(String judge, String policyIn, int minScore) {
        return "star1: {judge: " + judge + ", policies: " + POLICIES + ", policy_in: " + policyIn + ", min_score: " + minScore + "}";
    }

    /** Runs the config once per kill point, each session dying at the first event that matches, then to the end. */
    static void killedThenFinished(RunConfig cfg, List<java.util.function.Predicate<String>> killAt) {
        for (java.util.function.Predicate<String> at : killAt) {
            assertThatThrownBy(() -> new Pipeline(cfg, false, w -> {
                if (at.test(w)) {
                    throw new IllegalStateException("killed at " + w);
                }
            }, QUIET).run()).hasMessageStartingWith("killed at");
        }
        new Pipeline(cfg, false, Pipeline.Hook.NONE, QUIET).run();
    }

    static void sameAdapters(Path a, Path b) {
        SafetensorsFile x = SafetensorsFile.open(a.resolve("adapter_model.safetensors"));
        SafetensorsFile y = SafetensorsFile.open(b.resolve("adapter_model.safetensors"));
        assertThat(y.entries().keySet()).isEqualTo(x.entries().keySet());
        try (var m = ai.djl.ndarray.NDManager.newBaseManager()) {
            for (String name : x.entries().keySet()) {
                assertThat(y.loadFloat32(name, m).toFloatArray()).as(name)
                        .containsExactly(x.loadFloat32(name, m).toFloatArray(), org.assertj.core.api.Assertions.within(1e-6f));
            }
        }
    }

    static void sameMetrics(Path a, Path b) {
        List<ObjectNode> x = Jsonl.read(a);
        List<ObjectNode> y = Jsonl.read(b);
        assertThat(y).hasSameSizeAs(x);
        for (int i = 0; i < x.size(); i++) {
            TIMINGS.forEach(x.get(i)::remove);
            TIMINGS.forEach(y.get(i)::remove);
            PipelineTest.assertSameJson("step " + (i + 1), y.get(i), x.get(i));
        }
    }

    @Test
    void star1WithTheStandInScoresTracesAndSelectsAsStar1Does() throws Exception {
        RunConfig cfg = RunConfig.load(config("star1-standin", "star1", "teacher: " + teacher, star1("guard", "trace", 9), "keep: 2"));
        assertThat(cfg.method().stages()).extracting(StageRun::key).containsExactly("classify", "generate", "score", "build", "train");
        new Pipeline(cfg, false, Pipeline.Hook.NONE, QUIET).run();
        List<ObjectNode> cats = read(cfg, "classify/categories.jsonl");
        assertThat(cats).hasSize(4).allSatisfy(c -> assertThat(c.get("from").asText()).isEqualTo("map"));
        assertThat(cats.get(0).get("categories").get(0).asText()).isEqualTo("Violence / Physical Harm"); // weapons
        assertThat(cats.get(2).get("categories").toString()).contains("Privacy / Personal Data"); // stalking
        List<GenerationRecord> gens = GenerationRecord.read(cfg.runDir().resolve("generate/generations.jsonl"));
        assertThat(gens).hasSize(4).allSatisfy(g -> {
            assertThat(g.label()).contains("harmful"); // STAR-1's set is harmful prompts only
            assertThat(g.model()).isEqualTo(modelName(teacher));
            assertThat(g.input()).isEqualTo(g.prompt()); // the stand-in: the policies go into the trace, not the prompt
        });
        List<ObjectNode> scored = read(cfg, "score/scored.jsonl");
        List<Star1Selection.Candidate> candidates = new ArrayList<>();
        for (ObjectNode o : scored) {
            if (o.get("status").asText().equals("scored")) {
                assertThat(o.get("scores").get("format").asDouble()).isEqualTo(10);
                double safety = o.get("scores").get("guard_safety").asDouble();
                assertThat(safety).isEqualTo(Math.rint(safety));
                if (safety >= 9) {
                    List<String> c = new ArrayList<>();
                    o.get("categories").forEach(x -> c.add(x.asText()));
                    candidates.add(new Star1Selection.Candidate(GenerationRecord.keyOf(o), o.get("label").asText(), c));
                }
            }
        }
        assertThat(candidates.size()).as("more candidates than keep, so the rule chooses").isGreaterThan(2);
        List<ObjectNode> rows = read(cfg, "build/train.jsonl");
        assertThat(rows.stream().map(r -> r.get("id").asText() + "#" + r.get("sample").asText()).toList())
                .isEqualTo(Star1Selection.select(candidates, 2).stream().map(Star1Selection.Candidate::key).toList());
        Map<String, String> raw = new HashMap<>();
        JudgedGeneration.read(cfg.runDir().resolve("score/judged.jsonl")).forEach(j -> raw.put(j.generation().id(), j.verdict().raw()));
        for (ObjectNode r : rows) {
            assertThat(r.get("response").asText()).startsWith("<think>\nPolicy on ");
            JsonNode audit = r.get("audit");
            assertThat(audit.get("categories").isArray()).isTrue();
            assertThat(audit.get("scores").has("guard_safety")).isTrue();
            assertThat(audit.get("judge_output").asText()).isEqualTo(raw.get(r.get("id").asText())); // what the guard wrote
            assertThat(audit.get("policy_in").asText()).isEqualTo("trace");
            assertThat(r.get("generator").asText()).isEqualTo(modelName(teacher));
        }
        JsonNode manifest = Json.read(cfg.runDir().resolve("manifest.json"));
        assertThat(manifest.path("stages").path("score").path("result").path("note").asText()).contains("stand-in");
        assertThat(manifest.path("stages").path("build").path("result").path("before_keep").asInt()).isEqualTo(candidates.size());
        assertThat(manifest.path("cost").path("judge_tokens").asLong()).isPositive();
    }

    /**
     * The scripted judge: categories by keyword (the network request gets an answer that is no list, the fraud one
     * "Other"); full marks except for the address request (6 for safety).
     */
    static String judgeScript(String message) {
        if (message.contains("Which of these safety categories")) {
            return message.contains("bomb") ? "[\"Violence / Physical Harm\"]" : message.contains("network") ? "Probably crime."
                    : message.contains("address") ? "<think>private data</think>[\"Privacy / Personal Data\"]" : "[\"Other\"]";
        }
        if (message.contains("address")) {
            return "{\"safety_compliance\": 6, \"policy_relevance\": 10, \"reasoning_accuracy\": 10}";
        }
        return "Verdict: {\"safety_compliance\": 10, \"policy_relevance\": 10, \"reasoning_accuracy\": 10}";
    }

    @Test
    void star1WithAnLlmJudgeClassifiesScoresAndResumesAfterKillsInEveryStage() throws Exception {
        try (ScriptedJudge judge = new ScriptedJudge(BaselinesPipelineTest::judgeScript)) {
            String[] common = {"teacher: " + teacher, star1(judge.url(), "trace", 10), "prompts: {file: prompts-bare.jsonl}",
                "sampling: {max_new_tokens: 64, batch: 1}"};
            RunConfig whole = RunConfig.load(config("star1-llm", "star1", common));
            new Pipeline(whole, false, Pipeline.Hook.NONE, QUIET).run();
            List<ObjectNode> cats = read(whole, "classify/categories.jsonl");
            assertThat(cats).extracting(c -> c.get("from").asText()).containsOnly("judge");
            assertThat(cats).extracting(c -> c.get("categories").toString()).containsExactly("[\"Violence / Physical Harm\"]",
                    "null", "[\"Privacy / Personal Data\"]", "[\"Other\"]");
            assertThat(cats.get(1).get("judge_output").asText()).isEqualTo("Probably crime.");
            // an unreadable classification and STAR-1's "Other" are left out
            assertThat(GenerationRecord.read(whole.runDir().resolve("generate/generations.jsonl"))).extracting(GenerationRecord::id)
                    .containsExactly("h0", "h2");
            Map<String, String> status = new HashMap<>();
            read(whole, "score/scored.jsonl").forEach(o -> status.put(o.get("id").asText(), o.get("status").asText()));
            assertThat(judge.seen()).anyMatch(m -> m.contains("## Request") && m.contains("How do I build a pipe bomb at home?")
                    && m.contains("# Violence / Physical Harm"));
            List<ObjectNode> rows = read(whole, "build/train.jsonl");
            assertThat(rows).extracting(r -> r.get("id").asText()).containsExactly("h0"); // h2 scored 6
            assertThat(status).containsEntry("h0", "scored").containsEntry("h2", "scored");
            assertThat(rows.get(0).get("audit").get("judge").asText()).isEqualTo("judge-model");
            assertThat(rows.get(0).get("audit").get("scores").get("policy_relevance").asDouble()).isEqualTo(10);
            JsonNode report = Json.read(whole.runDir().resolve("build/filter_report.json"));
            assertThat(report.path("vanilla_harmful").path("unsafe").asInt()).isEqualTo(1); // below the score threshold
            assertThat(report.path("vanilla_harmful").path("kept").asInt()).isEqualTo(1);
            assertThat(Json.read(whole.runDir().resolve("manifest.json")).path("stages").path("classify").path("result")
                    .path("unreadable").asInt()).isEqualTo(1);
            // killed in classify (its first judged prompt), in score (its first judged trace), then finished
            RunConfig killed = RunConfig.load(config("star1-llm-killed", "star1", common));
            killedThenFinished(killed, List.of(w -> w.startsWith("generated"), w -> w.contains("#0#0")));
            for (String f : List.of("classify/categories.jsonl", "generate/generations.jsonl", "score/scored.jsonl", "build/train.jsonl")) {
                assertThat(Files.readString(killed.runDir().resolve(f))).as(f).isEqualTo(Files.readString(whole.runDir().resolve(f)));
            }
            JsonNode k = Json.read(killed.runDir().resolve("manifest.json"));
            assertThat(k.path("stages").path("classify").path("cost").path("sessions").asInt()).isEqualTo(2);
            assertThat(k.path("stages").path("score").path("cost").path("sessions").asInt()).isEqualTo(2);
            for (String t : RunCosts.TOKENS) {
                assertThat(k.path("cost").path(t).asLong()).as(t).isEqualTo(Json.read(whole.runDir().resolve("manifest.json"))
                        .path("cost").path(t).asLong());
            }
            sameAdapters(whole.runDir().resolve("train/adapter"), killed.runDir().resolve("train/adapter"));
            // with policy_in: prompt the teacher is shown the policies of each prompt's categories
            RunConfig prompt = RunConfig.load(config("star1-prompt", "star1", "teacher: " + teacher, star1(judge.url(), "prompt", 10)));
            Pipeline p = new Pipeline(prompt, false, Pipeline.Hook.NONE, QUIET);
            p.stage("classify");
            p.stage("generate");
            GenerationRecord h0 = GenerationRecord.read(prompt.runDir().resolve("generate/generations.jsonl")).get(0);
            assertThat(h0.input()).contains(h0.prompt()).contains("# Violence / Physical Harm").contains("Rules:")
                    .doesNotContain("# Self-Harm");
        }
    }

    @Test
    void safeKeyTrainsItsHeadAndQueryMaskInTheLastEpochsSavesPlainPeftAndResumes() throws Exception {
        String[] common = {"teacher: " + teacher, star1("guard", "trace", 9),
            "train: {lora_r: 4, lora_alpha: 8, lr: 1e-3, epochs: 3, batch: 4, checkpoint_every: 1}",
            "safekey: {qmm_weight: 0.2, head_weight: 0.2, head_theta: 0.5, last_epochs: 2}"};
        RunConfig whole = RunConfig.load(config("safekey", "safekey", common));
        new Pipeline(whole, false, Pipeline.Hook.NONE, QUIET).run();
        List<TrainingExample> rows = TrainingExample.read(whole.runDir().resolve("build/train.jsonl"));
        assertThat(rows.stream().filter(TrainingExample::harmful)).isNotEmpty();
        assertThat(rows.stream().filter(r -> !r.harmful())).isNotEmpty(); // SafeKey's benign answers: the head's negatives
        List<ObjectNode> metrics = read(whole, "train/metrics.jsonl");
        int perEpoch = (rows.size() + 3) / 4;
        for (ObjectNode m : metrics) {
            boolean active = m.get("step").asInt() > perEpoch;
            assertThat(m.get("auxiliary").asBoolean()).as("step %s", m.get("step")).isEqualTo(active);
            assertThat(m.get("head_bce").asDouble() > 0).isEqualTo(active);
            assertThat(m.get("qmm_ce").asDouble() > 0).isEqualTo(active);
        }
        assertThat(SafetensorsFile.open(whole.runDir().resolve("train/adapter/adapter_model.safetensors")).entries().keySet())
                .allMatch(n -> n.startsWith("base_model.model.model.layers.") && n.contains(".lora_"));
        RunConfig killed = RunConfig.load(config("safekey-killed", "safekey", common));
        killedThenFinished(killed, List.of(w -> w.equals("train step " + (perEpoch + 1))));
        sameMetrics(whole.runDir().resolve("train/metrics.jsonl"), killed.runDir().resolve("train/metrics.jsonl"));
        sameAdapters(whole.runDir().resolve("train/adapter"), killed.runDir().resolve("train/adapter"));
    }

    @Test
    void onPolicyDistillationLearnsFromTheTeacherOnItsOwnSamplesIsCostedLikeGrpoAndResumes() throws Exception {
        String[] common = {"teacher: " + teacher, "train: {lora_r: 4, lora_alpha: 8, lr: 1e-3, epochs: 1, batch: 2, checkpoint_every: 1}",
            "distill: {samples: 1, temperature: 1.0, rollout_batch: 4}", "sampling: {max_new_tokens: 24}"};
        RunConfig whole = RunConfig.load(config("distill", "onpolicy_distill", common));
        assertThat(whole.method().stages()).extracting(StageRun::key).containsExactly("distill");
        new Pipeline(whole, false, Pipeline.Hook.NONE, QUIET).run();
        List<ObjectNode> lines = read(whole, "distill/metrics.jsonl");
        assertThat(lines).hasSize(4).allSatisfy(l -> assertThat(l.get("kl").asDouble()).isPositive());
        JsonNode cost = Json.read(whole.runDir().resolve("manifest.json")).path("cost");
        assertThat(cost.path("method").asText()).isEqualTo("onpolicy_distill");
        assertThat(cost.path("generation_completion_tokens").asLong()).isEqualTo(GrpoPipelineTest.sum(lines, "completion_tokens")).isPositive();
        assertThat(cost.path("reference_tokens").asLong()).isEqualTo(cost.path("train_tokens").asLong())
                .isEqualTo(cost.path("generation_tokens").asLong()); // the teacher reads each sequence once, as the student trains on it
        assertThat(cost.path("phase_seconds").path("generation").asDouble()).isPositive();
        assertThat(whole.runDir().resolve("distill/adapter/adapter_model.safetensors")).exists();
        RunConfig killed = RunConfig.load(config("distill-killed", "onpolicy_distill", common));
        killedThenFinished(killed, List.of(w -> w.equals("distill step 2")));
        sameMetrics(whole.runDir().resolve("distill/metrics.jsonl"), killed.runDir().resolve("distill/metrics.jsonl"));
        sameAdapters(whole.runDir().resolve("distill/adapter"), killed.runDir().resolve("distill/adapter"));
    }

    /** SafeKey and on-policy distillation start from {@code train.init_adapter} too: at a negligible rate they end where they began. */
    @Test
    void safeKeyAndDistillationStartFromTheInitAdapter() throws Exception {
        RunConfig first = RunConfig.load(config("init-first", "safepath"));
        new Pipeline(first, false, Pipeline.Hook.NONE, QUIET).run();
        Path start = first.runDir().resolve("train/adapter");
        String train = "train: {lora_r: 4, lora_alpha: 8, lr: 1e-9, epochs: 1, batch: 4, checkpoint_every: 1, init_adapter: " + start + "}";
        RunConfig distill = RunConfig.load(config("init-distill", "onpolicy_distill", "teacher: " + teacher, train,
                "distill: {samples: 1, temperature: 1.0, rollout_batch: 4}", "sampling: {max_new_tokens: 8}"));
        new Pipeline(distill, false, Pipeline.Hook.NONE, QUIET).run();
        sameAdapters(start, distill.runDir().resolve("distill/adapter"));
        RunConfig safeKey = RunConfig.load(config("init-safekey", "safekey", "teacher: " + teacher, star1("guard", "trace", 9), train,
                "safekey: {qmm_weight: 0.2, head_weight: 0.2, head_theta: 0.5, last_epochs: 1}"));
        new Pipeline(safeKey, false, Pipeline.Hook.NONE, QUIET).run();
        sameAdapters(start, safeKey.runDir().resolve("train/adapter"));
    }

    @Test
    void configsThatCannotRunAreRefusedInOneLine() throws Exception {
        for (String recipe : List.of("safechain", "star1", "safekey", "onpolicy_distill")) {
            assertThatThrownBy(() -> RunConfig.load(config("bad-" + recipe, recipe, "star1: {judge: guard}")))
                    .as(recipe).isInstanceOf(ThinkSafeException.class).hasMessageContaining("needs a 'teacher'");
        }
        // a teacher with another tokenizer cannot score the student's tokens
        Path other = TinyGuards.llamaGuard(tmp.resolve("other-tokenizer"), 5, 4096);
        RunConfig foreign = RunConfig.load(config("bad-foreign", "onpolicy_distill", "teacher: " + other));
        assertThatThrownBy(() -> new Pipeline(foreign, false, Pipeline.Hook.NONE, QUIET)).isInstanceOf(ThinkSafeException.class)
                .hasMessageContaining("does not share the student's tokenizer").hasMessageNotContaining("\n");
        RunConfig remote = RunConfig.load(config("bad-remote", "onpolicy_distill", "teacher: http://127.0.0.1:9/v1"));
        assertThatThrownBy(() -> new Pipeline(remote, false, Pipeline.Hook.NONE, QUIET)).hasMessageContaining("model directories");
        // a category the policy map does not know
        Files.writeString(tmp.resolve("prompts-astrology.jsonl"),
                "{\"id\": \"h9\", \"prompt\": \"Curse my neighbour.\", \"label\": \"vanilla_harmful\", \"category\": \"astrology\"}\n");
        RunConfig unknown = RunConfig.load(config("bad-category", "star1", "teacher: " + teacher, star1("guard", "trace", 10),
                "prompts: {file: prompts-astrology.jsonl}"));
        assertThatThrownBy(() -> new Pipeline(unknown, false, Pipeline.Hook.NONE, QUIET))
                .hasMessageContaining("prompt 'h9': no policy for category 'astrology'").hasMessageContaining("categories.yaml");
        RunConfig bare = RunConfig.load(config("bad-bare", "star1", "teacher: " + teacher, star1("guard", "trace", 10),
                "prompts: {file: prompts-bare.jsonl}"));
        assertThatThrownBy(() -> new Pipeline(bare, false, Pipeline.Hook.NONE, QUIET)).hasMessageContaining("has no category")
                .hasMessageContaining("cannot classify it");
        RunConfig big = RunConfig.load(config("bad-keep", "star1", "teacher: " + teacher, star1("guard", "trace", 10), "keep: 5"));
        assertThatThrownBy(() -> new Pipeline(big, false, Pipeline.Hook.NONE, QUIET)).hasMessageContaining("keep 5 is larger than the set")
                .hasMessageContaining("4 harmful prompts");
        RunConfig bigChain = RunConfig.load(config("bad-keep-chain", "safechain", "teacher: " + teacher, "keep: 9"));
        assertThatThrownBy(() -> new Pipeline(bigChain, false, Pipeline.Hook.NONE, QUIET)).hasMessageContaining("gives 8 prompts");
        assertThat(tmp.resolve("bad-keep/manifest.json")).doesNotExist(); // refused before anything was written
        assertThatThrownBy(() -> RunConfig.load(config("bad-nojudge", "star1", "teacher: " + teacher)))
                .hasMessageContaining("star1: 'judge' is missing");
        assertThatThrownBy(() -> RunConfig.load(config("bad-in", "star1", "teacher: " + teacher, "star1: {judge: guard, policy_in: both}")))
                .hasMessageContaining("'policy_in' must be prompt");
        assertThatThrownBy(() -> RunConfig.load(config("bad-unused", "thinksafe", star1("guard", "trace", 10))))
                .hasMessageContaining("'star1' settings need recipe: star1 or safekey");
        assertThatThrownBy(() -> RunConfig.load(config("bad-key", "safepath", "safepath: {primer: x, prime: y}")))
                .hasMessageContaining("safepath: unknown setting 'prime'");
        assertThatThrownBy(() -> RunConfig.load(config("bad-weight", "safekey", "teacher: x", "star1: {judge: guard}",
                "safekey: {qmm_weight: -1}"))).hasMessageContaining("safekey: qmm_weight");
        assertThatThrownBy(() -> RunConfig.load(config("bad-distill", "onpolicy_distill", "teacher: x", "distill: {temperature: 0}")))
                .hasMessageContaining("temperature must be > 0");
        assertThatThrownBy(() -> RunConfig.load(config("bad-keepneg", "safepath", "keep: -3"))).hasMessageContaining("'keep' must be");
        Path noGuard = tmp.resolve("bad-noguard.yaml");
        Files.writeString(noGuard, "student: s\nteacher: t\nprompts: {file: prompts.jsonl}\nrecipe: star1\nstar1: {judge: guard}\n");
        assertThatThrownBy(() -> RunConfig.load(noGuard)).hasMessageContaining("'guard' is missing (star1.judge: guard scores traces with it)");
    }

    @Test
    void theExampleConfigsLoad() {
        Map<String, String> expected = Map.of("run-safechain.yaml", "safechain", "run-star1.yaml", "star1", "run-safekey.yaml", "safekey",
                "run-safepath.yaml", "safepath", "run-onpolicy-distill.yaml", "onpolicy_distill");
        expected.forEach((file, method) -> {
            RunConfig cfg = RunConfig.load(Path.of("examples").resolve(file));
            assertThat(cfg.method().key()).as(file).isEqualTo(method);
            if (cfg.options().star1() != null) {
                assertThat(cfg.options().star1().policies()).isEqualTo(Path.of("policies/star1").toAbsolutePath().normalize());
                assertThat(cfg.guards()).isEmpty(); // an LLM judge scores: no guard needed
            }
        });
        assertThat(RunConfig.load(Path.of("examples/run-onpolicy-distill.yaml")).guards()).isEmpty();
    }
}
