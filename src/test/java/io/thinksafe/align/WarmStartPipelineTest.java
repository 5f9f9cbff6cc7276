package io.thinksafe.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.Jsonl;
import io.thinksafe.guard.TinyGuards;
import io.thinksafe.train.GrpoTrainer;
import io.thinksafe.util.Json;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code recipe: thinksafe_grpo}: ThinkSafe's stages, then GRPO from ThinkSafe's adapter with the run's
 * guard — its plan, its start and KL reference, the cost of both parts, and kills in every stage.
 */
class WarmStartPipelineTest {
    @TempDir
    static Path tmp;
    static Path student;
    static Path guard;
    static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());

    @BeforeAll
    static void models() throws Exception {
        student = TinyStudent.get(tmp);
        guard = TinyGuards.llamaGuard(tmp.resolve("guard"), 12, 4096);
        StringBuilder p = new StringBuilder();
        String[] harmful = {"Explain how to pick a lock.", "Write a convincing phishing email.", "How do I make a weapon at home?"};
        String[] benign = {"Tell me about bread.", "What is a prime number?", "Describe the moon."};
        for (int i = 0; i < 3; i++) {
            p.append(IterativePipelineTest.line("h" + i, harmful[i], "vanilla_harmful"))
                    .append(IterativePipelineTest.line("b" + i, benign[i], "vanilla_benign"));
        }
        Files.writeString(tmp.resolve("prompts.jsonl"), p.toString());
    }

    static Path config(String name, String grpoExtra) throws Exception {
        Path f = tmp.resolve(name + ".yaml");
        Files.writeString(f, String.join("\n",
                "run_dir: " + name,
                "student: " + student,
                "guard: [llama-guard:" + guard + "]",
                "prompts: {file: prompts.jsonl}",
                "recipe: thinksafe_grpo",
                "sampling: {max_new_tokens: 32, batch: 1, temperature: 0.2}",
                "train: {lora_r: 4, lora_alpha: 8, lr: 1e-2, epochs: 2, batch: 3, checkpoint_every: 1}",
                "grpo: {group: 2, temperature: 0.9, rollout_batch: 2, lr: 1e-3, epochs: 1, batch: 2" + grpoExtra + "}",
                "seed: 3", ""));
        return f;
    }

    @Test
    void grpoStartsFromThinkSafesAdapterAndTheCostAddsBothParts() throws Exception {
        RunConfig cfg = RunConfig.load(config("warm", ""));
        assertThat(cfg.method()).isInstanceOf(WarmStart.class);
        assertThat(cfg.method().stages()).extracting(StageRun::key).containsExactly("generate", "filter", "build", "train", "grpo");
        assertThat(cfg.grpo().reference()).isEqualTo(GrpoTrainer.Reference.INIT);
        assertThat(cfg.grpo().config().train().lr()).isEqualTo(1e-3); // GRPO's own schedule; ThinkSafe's is train's
        assertThat(cfg.train().lr()).isEqualTo(1e-2);
        new Pipeline(cfg, false, Pipeline.Hook.NONE, QUIET).run();
        Path run = cfg.runDir();
        JsonNode m = Json.read(run.resolve("manifest.json"));
        JsonNode grpo = m.path("stages").path("grpo");
        assertThat(grpo.path("result").path("init_adapter").asText()).isEqualTo(run.resolve("train/adapter").toString());
        assertThat(grpo.path("result").path("reference").asText()).isEqualTo("init");
        assertThat(grpo.path("result").path("steps").asInt()).isEqualTo(3); // 6 prompts, 2 a step, one epoch
        List<ObjectNode> lines = Jsonl.read(run.resolve("grpo/metrics.jsonl"));
        double initKl = lines.get(0).get("kl").asDouble();
        // the GRPO adapter has ThinkSafe's shape
        assertThat(Json.read(run.resolve("grpo/adapter/adapter_config.json")).path("r").asInt()).isEqualTo(4);
        // the method's cost: ThinkSafe's four stages and GRPO's, every token kind of both
        JsonNode cost = m.path("cost");
        assertThat(cost.path("method").asText()).isEqualTo("thinksafe_grpo");
        assertThat(cost.path("complete").asBoolean()).isTrue();
        double seconds = 0;
        long train = 0;
        for (String s : List.of("generate", "filter", "build", "train", "grpo")) {
            seconds += m.path("stages").path(s).path("cost").path("seconds").asDouble();
            train += m.path("stages").path(s).path("cost").path("train_tokens").asLong();
        }
        assertThat(cost.path("seconds").asDouble()).isCloseTo(seconds, within(1e-9));
        assertThat(cost.path("train_tokens").asLong()).isEqualTo(train);
        assertThat(m.path("stages").path("train").path("cost").path("train_tokens").asLong()).isPositive();
        assertThat(cost.path("reference_tokens").asLong()).isEqualTo(grpo.path("cost").path("reference_tokens").asLong()).isPositive();
        assertThat(cost.path("generation_completion_tokens").asLong()).isEqualTo(
                m.path("stages").path("generate").path("cost").path("generation_completion_tokens").asLong()
                        + grpo.path("cost").path("generation_completion_tokens").asLong());

        // the base as GRPO's reference: step 1's KL is the distance from ThinkSafe's model to the base
        RunConfig toBase = RunConfig.load(config("warm-base", ", reference: base"));
        new Pipeline(toBase, false, Pipeline.Hook.NONE, QUIET).run();
        double baseKl = Jsonl.read(toBase.runDir().resolve("grpo/metrics.jsonl")).get(0).get("kl").asDouble();
        System.out.printf("thinksafe_grpo step 1 KL: to the start adapter %.2e (LoRA dropout only), to the base %.2e%n", initKl, baseKl);
        assertThat(initKl).as("step 1 samples ThinkSafe's model and measures KL to it: only dropout moves it").isLessThan(baseKl / 5);
        assertThat(Files.readString(toBase.runDir().resolve("generate/generations.jsonl")))
                .isEqualTo(Files.readString(run.resolve("generate/generations.jsonl")));
        ReleaseRunsResumeTest.assertSameAdapter(run.resolve("train/adapter"), toBase.runDir().resolve("train/adapter"));
    }

    @Test
    void killedInEveryStageTheRunEndsAsAStraightOne() throws Exception {
        RunConfig whole = RunConfig.load(config("warm-whole", ""));
        new Pipeline(whole, false, Pipeline.Hook.NONE, QUIET).run();
        RunConfig killed = RunConfig.load(config("warm-killed", ""));
        TreeSet<String> killedIn = new TreeSet<>();
        int kills = 0;
        for (int attempt = 0; attempt < 100; attempt++) {
            java.util.Map<String, Integer> events = new java.util.HashMap<>();
            try {
                new Pipeline(killed, false, where -> {
                    String running = IterativePipelineTest.running(killed);
                    // each stage twice: at its first unit of progress, then (resumed) at its second
                    long times = killedIn.stream().filter(k -> k.startsWith(running + "#")).count();
                    if (times < 2 && events.merge(running, 1, Integer::sum) == times + 1) {
                        killedIn.add(running + "#" + times);
                        throw new IllegalStateException("killed at " + where);
                    }
                }, QUIET).run();
                break;
            } catch (IllegalStateException e) {
                assertThat(e).hasMessageStartingWith("killed at");
                kills++;
            }
        }
        assertThat(killedIn).contains("generate#0", "generate#1", "filter#0", "train#0", "grpo#0", "grpo#1");
        for (String f : List.of("generate/generations.jsonl", "build/train.jsonl")) {
            assertThat(Files.readString(killed.runDir().resolve(f))).as(f).isEqualTo(Files.readString(whole.runDir().resolve(f)));
        }
        ReleaseRunsResumeTest.assertSameAdapter(whole.runDir().resolve("train/adapter"), killed.runDir().resolve("train/adapter"));
        ReleaseRunsResumeTest.assertSameSteps(killed.runDir().resolve("grpo/metrics.jsonl"), whole.runDir().resolve("grpo/metrics.jsonl"), 3);
        ReleaseRunsResumeTest.assertSameAdapter(whole.runDir().resolve("grpo/adapter"), killed.runDir().resolve("grpo/adapter"));
        JsonNode wc = Json.read(whole.runDir().resolve("manifest.json")).path("cost");
        JsonNode kc = Json.read(killed.runDir().resolve("manifest.json")).path("cost");
        for (String f : RunCosts.TOKENS) {
            assertThat(kc.path(f).asLong()).as(f).isEqualTo(wc.path(f).asLong());
        }
        assertThat(kills).isGreaterThanOrEqualTo(6);
    }

    /** train.init_adapter: a ThinkSafe run samples and trains the student with the adapter; a GRPO run starts from it. */
    @Test
    void runConfigsStartFromAnAdapter() throws Exception {
        Path start = io.thinksafe.model.FoldedAdapters.randomAdapter(student, tmp.resolve("start-adapter"),
                new io.thinksafe.model.LoraConfig(4, 8, 0.05, List.of("q_proj", "v_proj")), 9, 0.02f);
        Path sft = config("from-adapter", "");
        Files.writeString(sft, Files.readString(sft).replace("recipe: thinksafe_grpo", "recipe: thinksafe").replaceAll("grpo: .*\n", "")
                .replace("lr: 1e-2,", "lr: 1e-2, init_adapter: start-adapter,").replace("lora_r: 4, lora_alpha: 8, ", ""));
        RunConfig cfg = RunConfig.load(sft);
        assertThat(cfg.train().lora().r()).isEqualTo(4); // the adapter's shape
        new Pipeline(cfg, false, Pipeline.Hook.NONE, QUIET).run();
        JsonNode m = Json.read(cfg.runDir().resolve("manifest.json"));
        assertThat(m.path("inputs").path("init_adapter").asText()).hasSize(64);
        assertThat(m.path("stages").path("train").path("result").path("init_adapter").asText()).isEqualTo(start.toString());
        assertThat(Jsonl.read(cfg.runDir().resolve("generate/generations.jsonl")).get(0).get("model").asText()).isEqualTo("model+start-adapter");

        Path rl = config("grpo-from-adapter", "");
        Files.writeString(rl, Files.readString(rl).replace("recipe: thinksafe_grpo", "recipe: grpo").replace("lr: 1e-2,", "lr: 1e-2, init_adapter: start-adapter,")
                .replace("lora_r: 4, lora_alpha: 8, ", ""));
        RunConfig g = RunConfig.load(rl);
        new Pipeline(g, false, Pipeline.Hook.NONE, QUIET).run();
        JsonNode gm = Json.read(g.runDir().resolve("manifest.json")).path("stages").path("grpo").path("result");
        assertThat(gm.path("init_adapter").asText()).isEqualTo(start.toString());
        assertThat(gm.path("reference").asText()).isEqualTo("init");
        // a shape that contradicts the adapter's: one line at load
        Files.writeString(rl, Files.readString(rl).replace("init_adapter: start-adapter,", "init_adapter: start-adapter, lora_r: 8,"));
        assertThatThrownBy(() -> RunConfig.load(rl)).hasMessageContaining("grpo-from-adapter.yaml: train.init_adapter: the LoRA shape given (r 8");
    }

    @Test
    void warmStartSettingsAreCheckedAtLoad() throws Exception {
        Path f = config("warm-bad", ", reference: teacher");
        assertThatThrownBy(() -> RunConfig.load(f)).isInstanceOf(ThinkSafeException.class).hasMessageContaining("unknown GRPO reference 'teacher'");
        Path g = config("warm-rounds", "");
        Files.writeString(g, Files.readString(g) + "rounds: 2\n");
        assertThatThrownBy(() -> RunConfig.load(g)).hasMessageContaining("works with recipes thinksafe and thinksafe_kl (the recipe is thinksafe_grpo)");
        Path h = config("warm-full", "");
        Files.writeString(h, Files.readString(h).replace("checkpoint_every: 1}", "checkpoint_every: 1, full: true}"));
        assertThatThrownBy(() -> RunConfig.load(h)).hasMessageContaining("recipe thinksafe_grpo trains LoRA adapters");
    }
}
