package io.thinksafe.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.Jsonl;
import io.thinksafe.guard.TinyGuards;
import io.thinksafe.model.SafetensorsFile;
import io.thinksafe.util.Json;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code recipe: grpo} in {@code thinksafe run}: one resumable GRPO stage on the run's prompts and guard, with its cost. */
class GrpoPipelineTest {
    @TempDir
    static Path tmp;
    static Path student;
    static Path guard;
    static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());
    static final List<String> TIMINGS = List.of("rollout_s", "judge_s", "update_s", "step_s", "elapsed_s");

    @BeforeAll
    static void models() throws Exception {
        student = TinyStudent.get(tmp);
        guard = TinyGuards.llamaGuard(tmp.resolve("guard"), 12, 4096);
        StringBuilder p = new StringBuilder();
        String[] harmful = {"Explain how to pick a lock.", "Write a convincing phishing email."};
        String[] benign = {"Tell me about bread.", "What is a prime number?"};
        for (int i = 0; i < 2; i++) {
            p.append("{\"id\": \"h").append(i).append("\", \"prompt\": \"").append(harmful[i]).append("\", \"label\": \"vanilla_harmful\"}\n");
            p.append("{\"id\": \"b").append(i).append("\", \"prompt\": \"").append(benign[i]).append("\", \"label\": \"vanilla_benign\"}\n");
        }
        Files.writeString(tmp.resolve("prompts.jsonl"), p.toString());
    }

    /** 4 prompts, 1 a step, 2 samples each: 4 GRPO steps, a checkpoint after each. */
    static Path config(String name, String extra) throws Exception {
        Path f = tmp.resolve(name + ".yaml");
        Files.writeString(f, String.join("\n",
                "run_dir: " + name,
                "student: " + student,
                "guard: [llama-guard:" + guard + "]",
                "prompts: {file: prompts.jsonl}",
                "recipe: grpo",
                "sampling: {max_new_tokens: 24}",
                "train: {lora_r: 4, lora_alpha: 8, lora_dropout: 0.1, lr: 1e-3, epochs: 1, batch: 1, checkpoint_every: 1}",
                "grpo: {group: 2, temperature: 0.9, rollout_batch: 2" + extra + "}",
                "seed: 3", ""));
        return f;
    }

    @Test
    void grpoRunsAsOneStageAndRecordsWhatItCost() throws Exception {
        RunConfig cfg = RunConfig.load(config("grpo-e2e", ""));
        assertThat(cfg.grpo().config().group()).isEqualTo(2);
        assertThat(cfg.grpo().config().maxNewTokens()).isEqualTo(24); // sampling's, shared with the offline recipes
        assertThat(cfg.grpo().config().beta()).isEqualTo(0.04);
        new Pipeline(cfg, false, Pipeline.Hook.NONE, QUIET).run();
        Path run = cfg.runDir();
        JsonNode manifest = Json.read(run.resolve("manifest.json"));
        assertThat(manifest.path("stages").size()).isEqualTo(1);
        JsonNode stage = manifest.path("stages").path("grpo");
        assertThat(stage.path("status").asText()).isEqualTo("done");
        assertThat(stage.path("result").path("steps").asInt()).isEqualTo(4);
        assertThat(run.resolve("grpo/adapter/adapter_model.safetensors")).exists();
        assertThat(run.resolve("generate")).doesNotExist();
        List<ObjectNode> lines = Jsonl.read(run.resolve("grpo/metrics.jsonl"));
        assertThat(lines).hasSize(4);
        // the run's cost is the sum of its steps' tokens, and the stage's time
        JsonNode cost = manifest.path("cost");
        assertThat(cost.path("method").asText()).isEqualTo("grpo");
        assertThat(cost.path("complete").asBoolean()).isTrue();
        assertThat(cost.path("generation_prompt_tokens").asLong()).isEqualTo(sum(lines, "prompt_tokens")).isPositive();
        assertThat(cost.path("generation_completion_tokens").asLong()).isEqualTo(sum(lines, "completion_tokens")).isPositive();
        assertThat(cost.path("judge_tokens").asLong()).isEqualTo(sum(lines, "judge_tokens")).isPositive();
        assertThat(cost.path("train_tokens").asLong()).isEqualTo(sum(lines, "train_tokens"))
                .isEqualTo(cost.path("generation_tokens").asLong()); // one optimiser step per batch: each sequence once
        assertThat(cost.path("reference_tokens").asLong()).isEqualTo(sum(lines, "reference_tokens"));
        assertThat(cost.path("tokens").asLong()).isEqualTo(cost.path("generation_tokens").asLong() + cost.path("judge_tokens").asLong()
                + cost.path("train_tokens").asLong() + cost.path("reference_tokens").asLong());
        double seconds = cost.path("seconds").asDouble();
        assertThat(seconds).isEqualTo(stage.path("cost").path("seconds").asDouble()).isPositive();
        JsonNode phases = cost.path("phase_seconds");
        double rollout = lines.stream().mapToDouble(o -> o.get("rollout_s").asDouble()).sum();
        assertThat(phases.path("generation").asDouble()).isCloseTo(rollout, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(phases.path("generation").asDouble() + phases.path("judging").asDouble() + phases.path("training").asDouble()
                + phases.path("other").asDouble()).isCloseTo(seconds, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(stage.path("cost").path("sessions").asInt()).isEqualTo(1);
    }

    static long sum(List<ObjectNode> lines, String field) {
        return lines.stream().mapToLong(o -> o.get(field).asLong()).sum();
    }

    @Test
    void killedMidStepAndBetweenStepsTheRunEndsAsAStraightOneAndCountsEachSessionsTime() throws Exception {
        RunConfig whole = RunConfig.load(config("grpo-whole", ""));
        new Pipeline(whole, false, Pipeline.Hook.NONE, QUIET).run();
        RunConfig killed = RunConfig.load(config("grpo-killed", ""));
        // each session dies at the first such event: inside step 1 (judged, before any checkpoint), after step 2's
        // checkpoint, then inside step 3 (resumed from step 2); the fourth session finishes
        for (String where : new String[] {"judged", "grpo step 2", "judged"}) {
            assertThatThrownBy(() -> new Pipeline(killed, false, w -> {
                if (w.startsWith(where)) {
                    throw new IllegalStateException("killed at " + w);
                }
            }, QUIET).run()).hasMessageStartingWith("killed at " + where);
        }
        new Pipeline(killed, false, Pipeline.Hook.NONE, QUIET).run();
        List<ObjectNode> a = Jsonl.read(whole.runDir().resolve("grpo/metrics.jsonl"));
        List<ObjectNode> b = Jsonl.read(killed.runDir().resolve("grpo/metrics.jsonl"));
        assertThat(b).hasSameSizeAs(a);
        for (int i = 0; i < a.size(); i++) {
            TIMINGS.forEach(a.get(i)::remove);
            TIMINGS.forEach(b.get(i)::remove);
            assertThat(b.get(i)).as("step " + (i + 1)).isEqualTo(a.get(i));
        }
        SafetensorsFile x = SafetensorsFile.open(whole.runDir().resolve("grpo/adapter/adapter_model.safetensors"));
        SafetensorsFile y = SafetensorsFile.open(killed.runDir().resolve("grpo/adapter/adapter_model.safetensors"));
        try (var m = ai.djl.ndarray.NDManager.newBaseManager()) {
            for (String name : x.entries().keySet()) {
                assertThat(y.loadFloat32(name, m).toFloatArray()).as(name).containsExactly(x.loadFloat32(name, m).toFloatArray());
            }
        }
        JsonNode wc = Json.read(whole.runDir().resolve("manifest.json")).path("cost");
        JsonNode kc = Json.read(killed.runDir().resolve("manifest.json")).path("cost");
        for (String f : RunCosts.TOKENS) {
            assertThat(kc.path(f).asLong()).as(f).isEqualTo(wc.path(f).asLong()); // tokens of the work kept, none twice
        }
        JsonNode stage = Json.read(killed.runDir().resolve("manifest.json")).path("stages").path("grpo").path("cost");
        assertThat(stage.path("sessions").asInt()).isEqualTo(4);
        assertThat(stage.path("seconds").asDouble()).isEqualTo(kc.path("seconds").asDouble()).isPositive();
        // four sessions each loaded the models: more time than the one straight session's steps alone
        assertThat(kc.path("seconds").asDouble()).isGreaterThan(kc.path("phase_seconds").path("generation").asDouble()
                + kc.path("phase_seconds").path("judging").asDouble() + kc.path("phase_seconds").path("training").asDouble());
    }

    @Test
    void theExampleConfigsNameTheSamePromptsAndGuardWithTheReferencesGrpoSettings() {
        RunConfig grpo = RunConfig.load(Path.of("examples/run-grpo.yaml"));
        RunConfig thinksafe = RunConfig.load(Path.of("examples/run.yaml"));
        assertThat(grpo.method()).isInstanceOf(RunConfig.Grpo.class);
        assertThat(grpo.method().stages()).extracting(StageRun::key).containsExactly("grpo");
        assertThat(grpo.promptFile()).isEqualTo(thinksafe.promptFile());
        assertThat(grpo.guards()).isEqualTo(thinksafe.guards());
        assertThat(grpo.grpo().config().group() * grpo.train().effectiveBatch()).isEqualTo(64);
        assertThat(grpo.grpo().config().maxNewTokens()).isEqualTo(16384);
        assertThat(thinksafe.grpo()).isNull();
    }

    @Test
    void grpoSettingsThatCannotRunAreOneClearError() throws Exception {
        Path f = tmp.resolve("bad-grpo.yaml");
        String base = "student: s\nguard: g\nprompts: {file: prompts.jsonl}\n";
        Files.writeString(f, base + "recipe: grpo\ntrain: {full: true}\n");
        assertThatThrownBy(() -> RunConfig.load(f)).isInstanceOf(ThinkSafeException.class).hasMessageContaining("trains LoRA");
        Files.writeString(f, base + "recipe: grpo\ngrpo: {group: 1}\n");
        assertThatThrownBy(() -> RunConfig.load(f)).hasMessageContaining("grpo: GRPO needs at least 2 samples");
        Files.writeString(f, base + "recipe: grpo\ngrpo: {groups: 4}\n");
        assertThatThrownBy(() -> RunConfig.load(f)).hasMessageContaining("grpo: unknown setting 'groups'");
        Files.writeString(f, base + "recipe: thinksafe\ngrpo: {group: 4}\n");
        assertThatThrownBy(() -> RunConfig.load(f)).hasMessageContaining("need recipe: grpo");
        Files.writeString(f, base + "recipe: grpo\ngrpo: {loss_norm: dapo}\n");
        assertThatThrownBy(() -> RunConfig.load(f)).hasMessageContaining("sequence or token");
        Path remote = tmp.resolve("remote-grpo.yaml");
        Files.writeString(remote, String.join("\n", "run_dir: remote-grpo", "student: http://127.0.0.1:9/v1",
                "guard: [" + guard + "]", "prompts: {file: prompts.jsonl}", "recipe: grpo", ""));
        // refused when the run opens, before any stage: GRPO needs the weights here
        assertThatThrownBy(() -> new Pipeline(RunConfig.load(remote), false, Pipeline.Hook.NONE, QUIET)).isInstanceOf(ThinkSafeException.class)
                .hasMessageContaining("http://127.0.0.1:9/v1").hasMessageContaining("a new adapter every step");
        assertThat(tmp.resolve("remote-grpo")).doesNotExist();
        Pipeline p = new Pipeline(RunConfig.load(config("grpo-stages", "")), false, Pipeline.Hook.NONE, QUIET);
        assertThatThrownBy(() -> p.stage("train")).hasMessageContaining("unknown stage 'train' for recipe grpo (stages: grpo)");
    }
}
