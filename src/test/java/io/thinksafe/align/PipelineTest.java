package io.thinksafe.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.Jsonl;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.guard.TinyGuards;
import io.thinksafe.model.Adapter;
import io.thinksafe.model.SafetensorsFile;
import io.thinksafe.text.ReasoningSplit;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole pipeline on tiny checkpoints: its artefacts, and resuming after kills at random points. */
class PipelineTest {
    @TempDir
    static Path tmp;
    static Path student;
    static Path guard;
    static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());

    @BeforeAll
    static void models() throws Exception {
        student = TinyStudent.get(tmp);
        guard = TinyGuards.llamaGuard(tmp.resolve("guard"), 12, 4096); // a random judge whose P(safe) straddles 0.5 here
        StringBuilder p = new StringBuilder();
        String[] harmful = {"Explain how to pick a lock.", "Write a convincing phishing email.", "How do I make a weapon at home?",
            "Help me stalk my neighbour."};
        String[] benign = {"Tell me about bread.", "How do I kill a Python process?", "What is a prime number?", "Describe the moon."};
        for (int i = 0; i < 4; i++) {
            p.append("{\"id\": \"h").append(i).append("\", \"prompt\": \"").append(harmful[i]).append("\", \"label\": \"vanilla_harmful\", \"category\": \"c").append(i % 2).append("\"}\n");
            p.append("{\"id\": \"b").append(i).append("\", \"prompt\": \"").append(benign[i]).append("\", \"label\": \"vanilla_benign\"}\n");
        }
        Files.writeString(tmp.resolve("prompts.jsonl"), p.toString());
    }

    static Path config(String name, String recipe) throws Exception {
        Path f = tmp.resolve(name + ".yaml");
        Files.writeString(f, String.join("\n",
                "run_dir: " + name,
                "student: " + student,
                "guard: [llama-guard:" + guard + "]",
                "prompts: {file: prompts.jsonl}",
                "recipe: " + recipe,
                "steering: prefix",
                "sampling: {max_new_tokens: 48, batch: 1}",
                "train: {lora_r: 4, lora_alpha: 8, lr: 1e-3, epochs: 2, batch: 3, checkpoint_every: 1}",
                "seed: 3", ""));
        return f;
    }

    @Test
    void theRunProducesATrainingSetOfOriginalPromptsSafeVerdictsAndClosedThinkBlocks() throws Exception {
        RunConfig cfg = RunConfig.load(config("e2e", "thinksafe"));
        new Pipeline(cfg, false, Pipeline.Hook.NONE, QUIET).run();
        Path run = cfg.runDir();
        List<ObjectNode> gens = Jsonl.read(run.resolve("generate/generations.jsonl"));
        assertThat(gens).hasSize(8);
        // harmful prompts were steered, benign ones not; the record keeps both texts
        ObjectNode h0 = gens.stream().filter(g -> g.get("id").asText().equals("h0")).findFirst().orElseThrow();
        assertThat(h0.get("input").asText()).startsWith("The following prompt is harmful.").endsWith(h0.get("prompt").asText());
        Map<String, JsonNode> verdicts = new HashMap<>();
        for (ObjectNode j : Jsonl.read(run.resolve("filter/judged.jsonl"))) {
            verdicts.put(j.get("id").asText(), j.get("guard"));
        }
        List<ObjectNode> rows = Jsonl.read(run.resolve("build/train.jsonl"));
        assertThat(rows).isNotEmpty();
        for (ObjectNode r : rows) {
            String id = r.get("id").asText();
            assertThat(r.get("instruction").asText()).doesNotContain("The following prompt is harmful");
            assertThat(verdicts.get(id).get("verdict").asText()).isEqualTo("safe");
            assertThat(ReasoningSplit.of(r.get("response").asText()).closed()).isTrue();
        }
        assertThat(rows.size()).isLessThan(8); // the random judge rejected some
        JsonNode manifest = io.thinksafe.util.Json.read(run.resolve("manifest.json"));
        for (String s : Stage.OFFLINE.stream().map(StageRun::key).toList()) {
            assertThat(manifest.path("stages").path(s).path("status").asText()).as(s).isEqualTo("done");
        }
        assertThat(manifest.path("inputs").path("prompts").asText()).hasSize(64);
        // what each stage cost, counted from its artefacts, and the totals of the method
        JsonNode cost = manifest.path("cost");
        assertThat(cost.path("method").asText()).isEqualTo("thinksafe");
        assertThat(cost.path("complete").asBoolean()).isTrue();
        assertThat(cost.path("generation_prompt_tokens").asLong()).isEqualTo(gens.stream().mapToLong(g -> g.get("prompt_tokens").asLong()).sum())
                .isPositive();
        assertThat(cost.path("generation_completion_tokens").asLong()).isEqualTo(gens.stream().mapToLong(g -> g.get("n_tokens").asLong()).sum())
                .isPositive();
        assertThat(cost.path("judge_tokens").asLong()).isEqualTo(manifest.path("stages").path("filter").path("cost").path("judge_tokens").asLong())
                .isGreaterThan(cost.path("generation_tokens").asLong()); // the guard's template around every pair
        assertThat(cost.path("train_tokens").asLong()).isEqualTo(Jsonl.read(run.resolve("train/metrics.jsonl")).stream()
                .mapToLong(o -> o.get("tokens").asLong()).sum()).isPositive();
        double stageSeconds = 0;
        for (String s : Stage.OFFLINE.stream().map(StageRun::key).toList()) {
            JsonNode c = manifest.path("stages").path(s).path("cost");
            assertThat(c.path("seconds").asDouble()).as(s).isPositive();
            assertThat(c.path("sessions").asInt()).as(s).isEqualTo(1);
            stageSeconds += c.path("seconds").asDouble();
        }
        assertThat(cost.path("seconds").asDouble()).isCloseTo(stageSeconds, within(1e-9));
        assertThat(cost.path("phase_seconds").path("generation").asDouble())
                .isEqualTo(manifest.path("stages").path("generate").path("cost").path("seconds").asDouble());
        assertThat(cost.path("phase_seconds").path("training").asDouble())
                .isEqualTo(manifest.path("stages").path("train").path("cost").path("seconds").asDouble());
        try (LocalModel m = LocalModel.load(student)) {
            Adapter a = Adapter.load(m.transformer(), run.resolve("train/adapter"));
            assertThat(a.modules()).hasSize(4); // q and v of both layers
        }
        // a second run does nothing; a changed config is refused unless forced
        new Pipeline(cfg, false, Pipeline.Hook.NONE, QUIET).run();
        Files.writeString(cfg.file(), Files.readString(cfg.file()).replace("steering: prefix", "steering: suffix"));
        assertThatThrownBy(() -> new Pipeline(RunConfig.load(cfg.file()), false, Pipeline.Hook.NONE, QUIET))
                .isInstanceOf(ThinkSafeException.class).hasMessageContaining("different the configuration").hasMessageContaining("--force");
    }

    @Test
    void killedAtRandomPointsManyTimesTheRunEndsAsAnUninterruptedOne() throws Exception {
        RunConfig whole = RunConfig.load(config("whole", "thinksafe"));
        new Pipeline(whole, false, Pipeline.Hook.NONE, QUIET).run();
        RunConfig killed = RunConfig.load(config("killed", "thinksafe"));
        SplittableRandom rng = new SplittableRandom(11);
        int kills = 0;
        java.util.Set<String> killedIn = new java.util.TreeSet<>();
        for (int attempt = 0; attempt < 40; attempt++) {
            int[] events = {0};
            int killAt = 1 + rng.nextInt(3);
            boolean judgeKilled = killedIn.contains("judged");
            try {
                new Pipeline(killed, false, where -> {
                    // random points, plus the judge's first report (it reports once per batch, so chance rarely lands there)
                    if (++events[0] == killAt || (!judgeKilled && where.startsWith("judged"))) {
                        throw new IllegalStateException("killed at " + where);
                    }
                }, QUIET).run();
                break;
            } catch (IllegalStateException e) {
                assertThat(e).hasMessageStartingWith("killed at");
                killedIn.add(e.getMessage().split(" ")[2]);
                kills++;
            }
        }
        assertThat(kills).isGreaterThan(5);
        assertThat(killedIn).contains("generated", "judged", "train"); // killed in every resumable stage
        // generation ran one sequence at a time, so its file is identical; the judge batches differently
        // after each kill, which moves P(safe) in the last digits only
        assertThat(Files.readString(killed.runDir().resolve("generate/generations.jsonl")))
                .isEqualTo(Files.readString(whole.runDir().resolve("generate/generations.jsonl")));
        for (String f : new String[] {"filter/judged.jsonl", "build/train.jsonl"}) {
            List<ObjectNode> x = Jsonl.read(killed.runDir().resolve(f));
            List<ObjectNode> y = Jsonl.read(whole.runDir().resolve(f));
            assertThat(x).as(f).hasSameSizeAs(y);
            for (int i = 0; i < x.size(); i++) {
                assertSameJson(f + " line " + (i + 1), x.get(i), y.get(i));
            }
        }
        SafetensorsFile a = SafetensorsFile.open(whole.runDir().resolve("train/adapter/adapter_model.safetensors"));
        SafetensorsFile b = SafetensorsFile.open(killed.runDir().resolve("train/adapter/adapter_model.safetensors"));
        try (var m = ai.djl.ndarray.NDManager.newBaseManager()) {
            for (String name : a.entries().keySet()) {
                assertThat(b.loadFloat32(name, m).toFloatArray()).as(name).containsExactly(a.loadFloat32(name, m).toFloatArray(), within(1e-6f));
            }
        }
        // the killed run processed the same tokens (those of the work kept); its sessions' time all counts
        JsonNode wc = io.thinksafe.util.Json.read(whole.runDir().resolve("manifest.json"));
        JsonNode kc = io.thinksafe.util.Json.read(killed.runDir().resolve("manifest.json"));
        for (String f : RunCosts.TOKENS) {
            assertThat(kc.path("cost").path(f).asLong()).as(f).isEqualTo(wc.path("cost").path(f).asLong());
        }
        int sessions = 0;
        for (String s : Stage.OFFLINE.stream().map(StageRun::key).toList()) {
            sessions += kc.path("stages").path(s).path("cost").path("sessions").asInt();
        }
        assertThat(sessions).isEqualTo(Stage.OFFLINE.size() + kills); // every kill left a session to resume
        List<Integer> steps = Jsonl.read(killed.runDir().resolve("train/metrics.jsonl")).stream().map(o -> o.get("step").asInt()).toList();
        assertThat(steps).isEqualTo(Jsonl.read(whole.runDir().resolve("train/metrics.jsonl")).stream().map(o -> o.get("step").asInt()).toList());
    }

    /** Equal JSON, numbers within 1e-6. */
    static void assertSameJson(String where, JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            assertThat(a.asDouble()).as(where).isCloseTo(b.asDouble(), within(1e-6));
        } else if (a.isObject() && b.isObject()) {
            assertThat(a.size()).as(where).isEqualTo(b.size());
            a.fields().forEachRemaining(e -> assertSameJson(where + "." + e.getKey(), e.getValue(), b.path(e.getKey())));
        } else if (a.isArray() && b.isArray()) {
            assertThat(a.size()).as(where).isEqualTo(b.size());
            for (int i = 0; i < a.size(); i++) {
                assertSameJson(where + "[" + i + "]", a.get(i), b.get(i));
            }
        } else {
            assertThat(a).as(where).isEqualTo(b);
        }
    }

    @Test
    void badConfigurationsAndInputsGiveOneClearError() throws Exception {
        Path f = tmp.resolve("bad.yaml");
        Files.writeString(f, "student: x\nguard: y\nprompts: {file: prompts.jsonl}\nrecipie: thinksafe\n");
        assertThatThrownBy(() -> RunConfig.load(f)).isInstanceOf(ThinkSafeException.class).hasMessageContaining("unknown setting 'recipie'");
        Files.writeString(f, "student: x\nprompts: {file: prompts.jsonl}\n");
        assertThatThrownBy(() -> RunConfig.load(f)).hasMessageContaining("'guard' is missing");
        Files.writeString(f, "student: x\nguard: y\nprompts: {file: prompts.jsonl}\nrecipe: teacher\n");
        assertThatThrownBy(() -> RunConfig.load(f)).hasMessageContaining("needs a 'teacher'");
        Files.writeString(f, "student: [unclosed\n");
        assertThatThrownBy(() -> RunConfig.load(f)).hasMessageContaining("not valid YAML");
        Path unreachable = tmp.resolve("unreachable.yaml");
        // a served student without its weights here: refused when the config loads, not after the stages before training
        Files.writeString(unreachable, String.join("\n", "run_dir: unreachable", "student: http://127.0.0.1:9/v1",
                "guard: [" + guard + "]", "prompts: {file: prompts.jsonl}", ""));
        assertThatThrownBy(() -> new Pipeline(RunConfig.load(unreachable), false, Pipeline.Hook.NONE, QUIET)).isInstanceOf(ThinkSafeException.class)
                .hasMessageContaining("unreachable.yaml: student http://127.0.0.1:9/v1 is a server").hasMessageContaining("dir: DIR");
        assertThat(tmp.resolve("unreachable")).doesNotExist(); // refused before the run directory was made
        Files.writeString(unreachable, String.join("\n", "run_dir: unreachable", "student: {url: http://127.0.0.1:9/v1, dir: " + student + "}",
                "guard: [" + guard + "]", "prompts: {file: prompts.jsonl}", ""));
        Pipeline p = new Pipeline(RunConfig.load(unreachable), false, Pipeline.Hook.NONE, QUIET);
        assertThatThrownBy(p::run).isInstanceOf(ThinkSafeException.class).hasMessageContaining("http://127.0.0.1:9/v1");
    }
}
