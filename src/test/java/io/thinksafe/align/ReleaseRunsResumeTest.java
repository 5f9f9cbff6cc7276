package io.thinksafe.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.data.Jsonl;
import io.thinksafe.guard.TinyGuards;
import io.thinksafe.model.SafetensorsFile;
import io.thinksafe.util.AtomicDirs;
import io.thinksafe.util.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run directories that thinksafe 0.1.0 wrote and left killed after training step 2
 * ({@code src/test/resources/written-by-0.1.0/run-*}) resume with this code: the finished stages
 * are kept as they are, training goes on from the old checkpoint, and it ends where a straight run
 * of this code ends; the steps the old release logged equal this code's.
 */
class ReleaseRunsResumeTest {
    static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());
    static final List<String> TIMINGS = List.of("rollout_s", "judge_s", "update_s", "step_s", "elapsed_s", "tokens_per_s");

    @TempDir
    static Path tmp;
    static Path student;

    @BeforeAll
    static void models() {
        student = TinyStudent.get(tmp);
    }

    static Path fixture(String name) throws Exception {
        return Path.of(ReleaseRunsResumeTest.class.getResource("/written-by-0.1.0/" + name).toURI());
    }

    /** A copy of a fixture's folder with the models placed where its run.yaml names them. */
    static Path placed(String name, String as) throws Exception {
        Path root = tmp.resolve(as);
        copyTree(fixture(name), root);
        Files.createSymbolicLink(root.resolve("student"), student);
        TinyGuards.llamaGuard(root.resolve("guard"), 12, 4096);
        return root;
    }

    @Test
    void aKilledThinkSafeRunOfTheReleaseResumesAndEndsAsAStraightRun() throws Exception {
        Path old = fixture("run-thinksafe/run");
        Path resumed = placed("run-thinksafe", "sft-resumed");
        new Pipeline(RunConfig.load(resumed.resolve("run.yaml")), false, Pipeline.Hook.NONE, QUIET).run();
        Path straight = placed("run-thinksafe", "sft-straight");
        AtomicDirs.deleteTree(straight.resolve("run/train"));
        new Pipeline(RunConfig.load(straight.resolve("run.yaml")), false, Pipeline.Hook.NONE, QUIET).run();

        for (String f : List.of("generate/generations.jsonl", "filter/judged.jsonl", "build/train.jsonl")) {
            assertThat(Files.readString(resumed.resolve("run").resolve(f))).as(f).isEqualTo(Files.readString(old.resolve(f)));
        }
        JsonNode manifest = Json.read(resumed.resolve("run/manifest.json"));
        for (String s : List.of("generate", "filter", "build")) {
            assertThat(manifest.path("stages").path(s).path("cost").path("sessions").asInt()).as(s).isEqualTo(1);
        }
        assertThat(manifest.path("stages").path("train").path("status").asText()).isEqualTo("done");
        assertThat(manifest.path("stages").path("train").path("cost").path("sessions").asInt()).isEqualTo(2);
        assertSameSteps(resumed.resolve("run/train/metrics.jsonl"), straight.resolve("run/train/metrics.jsonl"), 6);
        assertSameAdapter(resumed.resolve("run/train/adapter"), straight.resolve("run/train/adapter"));
    }

    /**
     * GRPO samples its own rollouts, and this release's engine adds vector lanes in a fixed order where the
     * old one let the JIT choose (its order differed between compiled and interpreted code): sampled tokens
     * may differ from the old release's at near-ties, so a straight run of this code is not the old one's.
     * What must hold: the old steps are kept, not redone; training continues from the old checkpoint; and
     * resuming the same directory twice gives the same steps and adapter.
     */
    @Test
    void aKilledGrpoRunOfTheReleaseResumesFromItsCheckpoint() throws Exception {
        Path old = fixture("run-grpo/run");
        Path resumed = placed("run-grpo", "grpo-resumed");
        new Pipeline(RunConfig.load(resumed.resolve("run.yaml")), false, Pipeline.Hook.NONE, QUIET).run();
        Path again = placed("run-grpo", "grpo-resumed-again");
        new Pipeline(RunConfig.load(again.resolve("run.yaml")), false, Pipeline.Hook.NONE, QUIET).run();

        JsonNode stage = Json.read(resumed.resolve("run/manifest.json")).path("stages").path("grpo");
        assertThat(stage.path("status").asText()).isEqualTo("done");
        assertThat(stage.path("cost").path("sessions").asInt()).isEqualTo(2);
        List<ObjectNode> oldSteps = Jsonl.read(old.resolve("grpo/metrics.jsonl"));
        List<ObjectNode> newSteps = Jsonl.read(resumed.resolve("run/grpo/metrics.jsonl"));
        assertThat(oldSteps).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertThat(newSteps.get(i)).as("step %d is the release's own line", i + 1).isEqualTo(oldSteps.get(i));
        }
        assertSameSteps(resumed.resolve("run/grpo/metrics.jsonl"), again.resolve("run/grpo/metrics.jsonl"), 4);
        assertSameAdapter(resumed.resolve("run/grpo/adapter"), again.resolve("run/grpo/adapter"));
    }

    /** Each step logged once, in order; the same numbers but for timings (the first two steps are the release's). */
    static void assertSameSteps(Path a, Path b, int steps) {
        List<ObjectNode> x = Jsonl.read(a);
        List<ObjectNode> y = Jsonl.read(b);
        assertThat(x).extracting(o -> o.get("step").asInt()).containsExactlyElementsOf(
                java.util.stream.IntStream.rangeClosed(1, steps).boxed().toList());
        assertThat(y).hasSameSizeAs(x);
        for (int i = 0; i < x.size(); i++) {
            TIMINGS.forEach(x.get(i)::remove);
            TIMINGS.forEach(y.get(i)::remove);
            PipelineTest.assertSameJson("step " + (i + 1), x.get(i), y.get(i));
        }
    }

    static void assertSameAdapter(Path a, Path b) {
        SafetensorsFile x = SafetensorsFile.open(a.resolve("adapter_model.safetensors"));
        SafetensorsFile y = SafetensorsFile.open(b.resolve("adapter_model.safetensors"));
        assertThat(y.entries().keySet()).isEqualTo(x.entries().keySet());
        try (var m = ai.djl.ndarray.NDManager.newBaseManager()) {
            for (String name : x.entries().keySet()) {
                assertThat(y.loadFloat32(name, m).toFloatArray()).as(name).containsExactly(x.loadFloat32(name, m).toFloatArray(), within(1e-6f));
            }
        }
    }

    static void copyTree(Path from, Path to) {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
