package io.thinksafe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.Jsonl;
import io.thinksafe.data.Prompt;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.model.LoraConfig;
import io.thinksafe.model.SafetensorsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GRPO on a tiny model with scripted rewards: it learns, it resumes exactly, it refuses what it cannot do. */
class GrpoTrainerTest {
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

    /** "Answer with the letter A", made dense: the share of the answer's characters that are 'A'. */
    static Rewards.Reward letterA() {
        return new Rewards.Reward() {
            @Override
            public String name() {
                return "letter_a";
            }

            @Override
            public Rewards.Scores score(List<Rollout> rollouts) {
                double[] v = new double[rollouts.size()];
                for (int i = 0; i < v.length; i++) {
                    String t = rollouts.get(i).text();
                    v[i] = t.isEmpty() ? 0 : t.chars().filter(c -> c == 'A').count() / (double) t.length();
                }
                return new Rewards.Scores(v, 0);
            }
        };
    }

    static GrpoConfig config(double lr, int epochs, int batch, int group, int maxNew, double dropout) {
        LoraConfig lora = new LoraConfig(8, 16, dropout, LoraConfig.ALL_MODULES);
        TrainConfig t = TrainConfig.paperDefaults().withLora(lora).withSchedule(lr, epochs, batch, 7).withCheckpoints(1000, 2);
        return GrpoConfig.paperDefaults().withTrain(t).withSampling(group, 1.0, maxNew);
    }

    @Test
    void theMeanRewardRisesOnAnEasyReward() {
        GrpoConfig cfg = config(3e-2, 4, 4, 8, 6, 0);
        try (LocalModel m = LocalModel.load(model)) {
            Rewards r = Rewards.of(List.of(new Rewards.Term(letterA(), 1)));
            GrpoTrainer.Result res = new GrpoTrainer(m, cfg, r, tmp.resolve("learn")).train(prompts(4), false, 0);
            Jsonl.read(tmp.resolve("learn/metrics.jsonl")).forEach(o -> System.out.println(o.get("rollout_s") + " " + o.get("judge_s") + " " + o.get("update_s") + " " + o.get("train_tokens")));
            assertThat(res.stepsDone()).isEqualTo(30);
        }
        List<ObjectNode> lines = Jsonl.read(tmp.resolve("learn/metrics.jsonl"));
        List<Double> rewards = lines.stream().map(o -> o.get("reward_mean").asDouble()).toList();
        System.out.println("reward curve: " + rewards);
        lines.forEach(o -> System.out.println(o.get("rollout_s") + " " + o.get("judge_s") + " " + o.get("update_s") + " " + o.get("train_tokens")));
        double first = rewards.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = rewards.subList(25, 30).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertThat(last).isGreaterThan(first + 0.2);
    }
}
