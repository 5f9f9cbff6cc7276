package io.thinksafe.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.util.Json;
import org.junit.jupiter.api.Test;

/** Stages by name, repeated ones by round, as manifests and folders name them. */
class StageTest {
    @Test
    void aFirstRoundKeepsTheStagesNameAndLaterRoundsAreNumbered() {
        assertThat(Stage.OFFLINE).extracting(StageRun::key).containsExactly("generate", "filter", "build", "train");
        assertThat(new StageRun(Stage.GENERATE, 2).key()).isEqualTo("generate-2");
        assertThat(new StageRun(Stage.GENERATE, 2).of(Stage.FILTER).key()).isEqualTo("filter-2");
        assertThat(StageRun.parse("train-3")).isEqualTo(new StageRun(Stage.TRAIN, 3));
        assertThat(StageRun.parse("grpo")).isEqualTo(new StageRun(Stage.GRPO, 1));
        assertThatThrownBy(() -> StageRun.parse("evaluate")).isInstanceOf(ThinkSafeException.class).hasMessageContaining("unknown stage");
        assertThat(Recipe.THINKSAFE.stages()).isEqualTo(Stage.OFFLINE);
    }

    @Test
    void eachRoundsSecondsCountInItsStagesPhase() {
        ObjectNode stages = Json.object();
        stages.putObject("generate").put("status", "done").putObject("cost").put("seconds", 1.0);
        stages.putObject("train").put("status", "done").putObject("cost").put("seconds", 2.0);
        stages.putObject("generate-2").put("status", "done").putObject("cost").put("seconds", 4.0);
        stages.putObject("train-2").put("status", "pending");
        ObjectNode t = RunCosts.totals(stages, "rounds");
        assertThat(t.path("phase_seconds").path("generation").asDouble()).isEqualTo(5.0);
        assertThat(t.path("phase_seconds").path("training").asDouble()).isEqualTo(2.0);
        assertThat(t.path("complete").asBoolean()).isFalse();
    }
}
