package io.thinksafe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.Jsonl;
import io.thinksafe.data.Prompt;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.model.LoraConfig;
import io.thinksafe.model.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GRPO on a tiny model with scripted rewards: it learns, it resumes exactly, it refuses what it cannot do. */
class GrpoTrainerTest {
    /** Fields that measure this machine's speed, not the run: they differ between any two runs. */
    static final List<String> TIMINGS = List.of("rollout_s", "judge_s", "update_s", "step_s", "elapsed_s");

    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void models() {
        model = TinyChatModel.write(tmp.resolve("tiny"), 5, false);
    }

    static List<Prompt> prompts(int n) {
        List<Prompt> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Prompt("p" + i, "Question " + i + ": pick a letter.", i % 2 == 0 ? "vanilla_harmful" : "vanilla_benign", null));
        }
        return out;
    }

    /**
     * "Answer in capital letters", an easy reward for a random byte-level model: the share of the
     * answer's characters that are A–Z (about 1 in 10 by chance), dense enough that every group
     * has something to prefer.
     */
    static Rewards.Reward capitals() {
        return new Rewards.Reward() {
            @Override
            public String name() {
                return "capitals";
            }

            @Override
            public Rewards.Scores score(List<Rollout> rollouts) {
                double[] v = new double[rollouts.size()];
                for (int i = 0; i < v.length; i++) {
                    String t = rollouts.get(i).text();
                    v[i] = t.isEmpty() ? 0 : t.chars().filter(c -> c >= 'A' && c <= 'Z').count() / (double) t.length();
                }
                return new Rewards.Scores(v, 0, 0);
            }
        };
    }

    static Rewards easy() {
        return Rewards.of(List.of(new Rewards.Term(capitals(), 1)));
    }

    static GrpoConfig config(double lr, int epochs, int batch, int group, int maxNew, double dropout) {
        LoraConfig lora = new LoraConfig(8, 16, dropout, LoraConfig.ALL_MODULES);
        TrainConfig t = TrainConfig.paperDefaults().withLora(lora).withSchedule(lr, epochs, batch, 7).withCheckpoints(1000, 2);
        return GrpoConfig.paperDefaults().withTrain(t).withSampling(group, 1.0, maxNew);
    }

    @Test
    void theMeanRewardRisesOnAnEasyReward() {
        // 4 prompts, 2 a step: 2 steps an epoch, 15 epochs = 30 steps of 16 completions of 6 tokens
        GrpoConfig cfg = config(3e-2, 15, 2, 8, 6, 0);
        Path out = tmp.resolve("learn");
        try (LocalModel m = LocalModel.load(model)) {
            GrpoTrainer.Result res = new GrpoTrainer(m, cfg, easy(), out).train(prompts(4), false, 0);
            assertThat(res.stepsDone()).isEqualTo(30);
            assertThat(res.totalSteps()).isEqualTo(30);
            assertThat(res.output()).isEqualTo(out.resolve("adapter"));
        }
        List<ObjectNode> lines = Jsonl.read(out.resolve("metrics.jsonl"));
        assertThat(lines).hasSize(30);
        List<Double> rewards = lines.stream().map(o -> o.get("reward_mean").asDouble()).toList();
        double first = rewards.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = rewards.subList(25, 30).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        System.out.printf("GRPO easy reward: first 5 steps %.3f, last 5 steps %.3f; mean step %.2f s%n", first, last,
                lines.stream().mapToDouble(o -> o.get("step_s").asDouble()).average().orElseThrow());
        assertThat(last).isGreaterThan(first + 0.2);
        ObjectNode l = lines.get(0);
        // every per-step field the README promises
        for (String f : List.of("reward_mean", "reward_std", "reward_capitals_mean", "reward_capitals_std", "reward_capitals_harmful_mean",
                "reward_capitals_benign_mean", "kl", "clip_fraction", "completion_length_mean", "completion_length_max", "loss",
                "grad_norm", "lr", "zero_std_groups", "prompt_tokens", "completion_tokens", "judge_tokens", "train_tokens",
                "reference_tokens", "rollout_s", "judge_s", "update_s", "step_s")) {
            assertThat(l.has(f)).as(f).isTrue();
        }
        assertThat(l.get("groups").asInt()).isEqualTo(2);
        assertThat(l.get("completion_length_max").asInt()).isLessThanOrEqualTo(6);
        // the step's sequences: 16 of them, each prompt plus completion, once through the policy (μ = 1)
        assertThat(l.get("train_tokens").asLong()).isEqualTo(l.get("prompt_tokens").asLong() + l.get("completion_tokens").asLong());
        assertThat(l.get("reference_tokens").asLong()).isEqualTo(l.get("train_tokens").asLong());
        assertThat(l.get("clip_fraction").asDouble()).isEqualTo(0.0); // one iteration per batch: ratio 1, nothing clipped
        assertThat(lines.get(29).get("kl").asDouble()).isGreaterThan(0.0); // the policy moved away from the base
    }

    @Test
    void stoppedAfterSomeStepsAndResumedTheRunEndsExactlyAsAStraightOne() {
        // dropout on and two optimiser steps per batch, so masks, the behaviour log-probs and clipping must all resume
        GrpoConfig base = config(2e-2, 2, 2, 4, 5, 0.1).withObjective(0.04, 0.2, 2, GrpoConfig.LossNorm.TOKEN);
        GrpoConfig cfg = base.withTrain(base.train().withCheckpoints(1, 2));
        Path straight = tmp.resolve("straight");
        Path resumed = tmp.resolve("resumed");
        try (LocalModel m = LocalModel.load(model)) {
            assertThat(new GrpoTrainer(m, cfg, easy(), straight).train(prompts(3), false, 0).stepsDone()).isEqualTo(4);
        }
        try (LocalModel m = LocalModel.load(model)) {
            GrpoTrainer.Result part = new GrpoTrainer(m, cfg, easy(), resumed).train(prompts(3), false, 3);
            assertThat(part.stepsDone()).isEqualTo(3);
            assertThat(part.output()).isNull();
            assertThat(resumed.resolve("adapter")).doesNotExist();
        }
        // a kill after step 3's line but before its checkpoint: the line is dropped and the step redone
        io.thinksafe.util.AtomicDirs.deleteTree(TrainCheckpoint.dirFor(resumed, 3));
        try (LocalModel m = LocalModel.load(model)) {
            assertThatThrownBy(() -> new GrpoTrainer(m, cfg, easy(), resumed).train(prompts(3), false, 0))
                    .isInstanceOf(ThinkSafeException.class).hasMessageContaining("--resume");
        }
        try (LocalModel m = LocalModel.load(model)) {
            assertThat(new GrpoTrainer(m, cfg, easy(), resumed).train(prompts(3), true, 0).stepsDone()).isEqualTo(4);
        }
        List<ObjectNode> a = Jsonl.read(straight.resolve("metrics.jsonl"));
        List<ObjectNode> b = Jsonl.read(resumed.resolve("metrics.jsonl"));
        assertThat(b).hasSameSizeAs(a);
        for (int i = 0; i < a.size(); i++) {
            TIMINGS.forEach(a.get(i)::remove);
            TIMINGS.forEach(b.get(i)::remove);
            assertThat(b.get(i)).as("step " + (i + 1)).isEqualTo(a.get(i));
        }
        assertThat(a.stream().mapToDouble(o -> o.get("clip_fraction").asDouble()).max().orElseThrow()).isGreaterThan(0.0);
        SafetensorsFile x = SafetensorsFile.open(straight.resolve("adapter/adapter_model.safetensors"));
        SafetensorsFile y = SafetensorsFile.open(resumed.resolve("adapter/adapter_model.safetensors"));
        assertThat(y.entries().keySet()).isEqualTo(x.entries().keySet());
        try (NDManager m = NDManager.newBaseManager()) {
            for (String name : x.entries().keySet()) {
                assertThat(y.loadFloat32(name, m).toFloatArray()).as(name).containsExactly(x.loadFloat32(name, m).toFloatArray());
            }
        }
        // resuming under other settings is refused, naming what to do
        GrpoConfig other = cfg.withSampling(6, 1.0, 5);
        try (LocalModel m = LocalModel.load(model)) {
            assertThatThrownBy(() -> new GrpoTrainer(m, other, easy(), resumed).train(prompts(3), true, 0))
                    .isInstanceOf(ThinkSafeException.class).hasMessageContaining("other settings");
        }
        try (LocalModel m = LocalModel.load(model)) {
            assertThatThrownBy(() -> new GrpoTrainer(m, cfg, easy(), resumed).train(prompts(4), true, 0))
                    .isInstanceOf(ThinkSafeException.class).hasMessageContaining("other settings");
        }
    }

    @Test
    void settingsGrpoCannotRunAreRefusedWithOneLine() {
        TrainConfig t = TrainConfig.paperDefaults();
        GrpoConfig d = GrpoConfig.paperDefaults();
        assertThatThrownBy(() -> d.withTrain(t.withLora(null))).isInstanceOf(ThinkSafeException.class).hasMessageContaining("full fine-tuning");
        assertThatThrownBy(() -> d.withSampling(1, 0.7, 64)).isInstanceOf(ThinkSafeException.class).hasMessageContaining("at least 2 samples");
        assertThatThrownBy(() -> d.withSampling(8, 0, 64)).isInstanceOf(ThinkSafeException.class).hasMessageContaining("temperature");
        assertThatThrownBy(() -> d.withSampling(8, 0.7, 0)).isInstanceOf(ThinkSafeException.class).hasMessageContaining("max new tokens");
        assertThatThrownBy(() -> d.withObjective(-1, 0.2, 1, GrpoConfig.LossNorm.SEQUENCE)).isInstanceOf(ThinkSafeException.class)
                .hasMessageContaining("beta");
        assertThatThrownBy(() -> d.withObjective(0.04, 1.5, 1, GrpoConfig.LossNorm.SEQUENCE)).isInstanceOf(ThinkSafeException.class)
                .hasMessageContaining("epsilon");
        assertThatThrownBy(() -> d.withObjective(0.04, 0.2, 0, GrpoConfig.LossNorm.SEQUENCE)).isInstanceOf(ThinkSafeException.class)
                .hasMessageContaining("iterations");
        assertThatThrownBy(() -> GrpoConfig.LossNorm.parse("dapo")).isInstanceOf(ThinkSafeException.class).hasMessageContaining("sequence or token");
        assertThat(d.group()).isEqualTo(8);
        assertThat(d.temperature()).isEqualTo(0.7);
        assertThat(d.beta()).isEqualTo(0.04);
        assertThat(d.clip()).isEqualTo(0.2);
        assertThat(d.train().lr()).isEqualTo(1e-5);
        assertThat(d.train().warmupRatio()).isEqualTo(0.1);
        assertThat(d.train().effectiveBatch() * d.group()).isEqualTo(64); // the reference's 64 completions a step
        try (LocalModel m = LocalModel.load(model)) {
            Path out = tmp.resolve("refused");
            assertThatThrownBy(() -> new GrpoTrainer(m, config(1e-3, 1, 2, 2, 4, 0), easy(), out).train(List.of(), false, 0))
                    .isInstanceOf(ThinkSafeException.class).hasMessageContaining("prompt set is empty");
            assertThat(out).doesNotExist();
        }
        assertThatThrownBy(() -> Rewards.of(List.of())).isInstanceOf(ThinkSafeException.class);
        assertThatThrownBy(() -> Rewards.of(List.of(new Rewards.Term(capitals(), 1), new Rewards.Term(capitals(), 2))))
                .isInstanceOf(ThinkSafeException.class).hasMessageContaining("two rewards are named 'capitals'");
    }

    @Test
    void aRewardThatIsNotANumberStopsTheRunNamingTheItem() {
        Rewards.Reward broken = new Rewards.Reward() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public Rewards.Scores score(List<Rollout> rollouts) {
                double[] v = new double[rollouts.size()];
                v[v.length - 1] = Double.NaN;
                return new Rewards.Scores(v, 0, 0);
            }
        };
        try (LocalModel m = LocalModel.load(model)) {
            Path out = tmp.resolve("nan");
            assertThatThrownBy(() -> new GrpoTrainer(m, config(1e-3, 1, 2, 2, 4, 0), Rewards.of(List.of(new Rewards.Term(broken, 1))), out)
                    .train(prompts(2), false, 0)).isInstanceOf(ThinkSafeException.class).hasMessageContaining("reward broken is NaN")
                    .hasMessageContaining("sample 1");
            assertThat(Files.exists(out.resolve("adapter"))).isFalse();
        }
    }
}
