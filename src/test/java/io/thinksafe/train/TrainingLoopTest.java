package io.thinksafe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.model.LoraConfig;
import io.thinksafe.model.Torch;
import io.thinksafe.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop both trainers run, with a batch of its own. */
class TrainingLoopTest {
    @TempDir
    Path tmp;

    /** One micro-batch of one example, whose loss is {@code factor} times the sum of the final hidden states. */
    static TrainingLoop.Batch batch(int step, float factor, List<Integer> updatesSeen) {
        List<List<TokenizedExample>> micro = List.of(List.of(new TokenizedExample("x", new int[] {5, 6, 7, 8}, 2, false)));
        return new TrainingLoop.Batch() {
            @Override
            public List<List<TokenizedExample>> microBatches() {
                return micro;
            }

            @Override
            public ForwardBackward.Loss loss(int update, int j, NDManager m) {
                updatesSeen.add(step * 10 + update);
                return (gc, hidden) -> {
                    NDArray s = Torch.times(hidden.last().sum(), factor);
                    gc.backward(s);
                    return s.getFloat();
                };
            }

            @Override
            public TrainingLoop.Logged log(List<TrainingLoop.Update> updates, long doneAt, double elapsed) {
                return new TrainingLoop.Logged(Json.object().put("step", step + 1).put("updates", updates.size()), "", 4);
            }
        };
    }

    static TrainConfig config() {
        return TrainConfig.paperDefaults().withLora(new LoraConfig(4, 8, 0, List.of("q_proj", "v_proj")))
                .withSchedule(1e-3, 1, 1, 3).withCheckpoints(1, 2);
    }

    @Test
    void everyStepMakesItsUpdatesOnItsBatchAndTheRunWritesTheAdapter() {
        Path model = TinyChatModel.write(tmp.resolve("m"), 3, false);
        List<Integer> seen = new ArrayList<>();
        try (LocalModel m = LocalModel.load(model)) {
            TrainingLoop.Outcome o = new TrainingLoop(m, config(), tmp.resolve("run"), "test")
                    .run(Json.object(), 3, 2, (step, adapter) -> batch(step, 1f, seen), false, 0);
            assertThat(o.stepsDone()).isEqualTo(3);
            assertThat(o.output()).isEqualTo(tmp.resolve("run/adapter"));
        }
        assertThat(seen).containsExactly(0, 1, 10, 11, 20, 21);
        assertThat(io.thinksafe.data.Jsonl.read(tmp.resolve("run/metrics.jsonl"))).extracting(o -> o.get("updates").asInt())
                .containsExactly(2, 2, 2);
    }

    @Test
    void aNonFiniteGradientStopsTheRunNamingTheParametersItReached() {
        Path model = TinyChatModel.write(tmp.resolve("m"), 3, false);
        try (LocalModel m = LocalModel.load(model)) {
            TrainingLoop loop = new TrainingLoop(m, config(), tmp.resolve("nan"), "test");
            assertThatThrownBy(() -> loop.run(Json.object(), 3, 1, (step, adapter) -> batch(step, step == 1 ? Float.NaN : 1f,
                    new ArrayList<>()), false, 0))
                    .isInstanceOf(ThinkSafeException.class)
                    .hasMessageContaining("at step 2")
                    .hasMessageMatching("(?s).*non-finite gradients in [^;]*q_proj.lora_[AB].weight.*")
                    .hasMessageContaining("last good checkpoint: " + tmp.resolve("nan/checkpoints/step-000001"));
        }
    }
}
