package io.thinksafe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.Jsonl;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.generate.TinyQwen3;
import io.thinksafe.model.LoraConfig;
import io.thinksafe.model.SafetensorsFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training that starts from an existing adapter ({@code --init-adapter}): SFT and GRPO take the
 * adapter's weights and shape, a killed run resumes to the straight run's end, a resumed run refuses
 * another start, and GRPO's KL reference is the start adapter (init) or the base.
 */
class InitAdapterTest {
    @TempDir
    static Path tmp;
    static Path base;
    static Path chat;
    static Path sftAdapter;
    static Path grpoAdapter;

    static final LoraConfig SHAPE = new LoraConfig(4, 8, 0.05, List.of("q_proj", "v_proj", "o_proj"));

    @BeforeAll
    static void models() {
        base = TinyQwen3.write(tmp.resolve("base"), 21);
        try (LocalModel m = LocalModel.load(base)) {
            sftAdapter = new SftTrainer(m, SftTrainerTest.config(SHAPE, 5e-2, 10, 3), tmp.resolve("first"))
                    .train(SftTrainerTest.data(6), false, 0).output();
        }
        chat = TinyChatModel.write(tmp.resolve("tiny"), 5, false);
        try (LocalModel m = LocalModel.load(chat)) {
            grpoAdapter = new GrpoTrainer(m, GrpoTrainerTest.config(3e-2, 3, 2, 4, 6, 0), GrpoTrainerTest.easy(), tmp.resolve("grpo-first"))
                    .train(GrpoTrainerTest.prompts(4), false, 0).output();
        }
    }

    static List<Double> column(Path run, String field) {
        return Jsonl.read(run.resolve("metrics.jsonl")).stream().map(o -> o.get(field).asDouble()).toList();
    }

    @Test
    void sftStartsFromTheAdapterAndTakesItsShape() {
        InitAdapter init = InitAdapter.read(sftAdapter);
        assertThat(init.shape().r()).isEqualTo(4);
        assertThat(init.shape().targetModules()).containsExactly("q_proj", "v_proj", "o_proj");
        // the run's shape comes from the adapter; a different shape named by the run is refused
        TrainConfig paper = SftTrainerTest.config(LoraConfig.paperDefaults(), 1e-9, 1, 3);
        TrainConfig cfg = init.applyTo(paper, false, "test");
        assertThat(cfg.lora().r()).isEqualTo(4);
        assertThat(cfg.lora().dropout()).isEqualTo(0.05);
        assertThatThrownBy(() -> init.applyTo(paper, true, "train")).isInstanceOf(ThinkSafeException.class)
                .hasMessageContaining("differs from the adapter's").hasMessageContaining("r 32").hasMessageContaining("r 4");
        assertThatThrownBy(() -> init.applyTo(paper.withLora(null), false, "train")).hasMessageContaining("full fine-tuning");

        // a negligible learning rate: the first step's loss is the adapter's, far below the base's, and the adapter comes back as it was
        Path fromScratch = tmp.resolve("scratch");
        Path fromInit = tmp.resolve("from-init");
        try (LocalModel m = LocalModel.load(base)) {
            new SftTrainer(m, SftTrainerTest.config(SHAPE, 1e-9, 1, 3), fromScratch).train(SftTrainerTest.data(6), false, 0);
        }
        try (LocalModel m = LocalModel.load(base)) {
            SftTrainer.Result r = new SftTrainer(m, cfg, fromInit).startFrom(init).train(SftTrainerTest.data(6), false, 0);
            assertThat(r.output()).isNotNull();
        }
        List<Double> scratch = column(fromScratch, "loss");
        List<Double> started = column(fromInit, "loss");
        List<Double> firstRun = column(tmp.resolve("first"), "loss");
        System.out.printf("init adapter: first-step loss from scratch %.3f, from the adapter %.3f (its own run: %.3f -> %.3f)%n",
                scratch.get(0), started.get(0), firstRun.get(0), firstRun.get(firstRun.size() - 1));
        assertThat(started.get(0)).isLessThan(scratch.get(0) - 2).isLessThan(firstRun.get(0) - 2);
        assertSameTensors(sftAdapter, fromInit.resolve("adapter"), 1e-6f);
    }

    @Test
    void aKilledRunFromAnAdapterResumesToTheStraightRunAndRefusesAnotherStart() {
        InitAdapter init = InitAdapter.read(sftAdapter);
        TrainConfig cfg = init.applyTo(SftTrainerTest.config(SHAPE, 1e-2, 2, 3).withCheckpoints(1, 2), false, "test");
        Path straight = tmp.resolve("init-straight");
        Path resumed = tmp.resolve("init-resumed");
        try (LocalModel m = LocalModel.load(base)) {
            new SftTrainer(m, cfg, straight).startFrom(init).train(SftTrainerTest.data(6), false, 0);
        }
        try (LocalModel m = LocalModel.load(base)) {
            assertThat(new SftTrainer(m, cfg, resumed).startFrom(init).train(SftTrainerTest.data(6), false, 2).output()).isNull();
        }
        // resuming without the start adapter is refused: the checkpoint belongs to this start
        try (LocalModel m = LocalModel.load(base)) {
            assertThatThrownBy(() -> new SftTrainer(m, cfg, resumed).train(SftTrainerTest.data(6), true, 0))
                    .isInstanceOf(ThinkSafeException.class).hasMessageContaining("other settings or data");
        }
        try (LocalModel m = LocalModel.load(base)) {
            assertThat(new SftTrainer(m, cfg, resumed).startFrom(init).train(SftTrainerTest.data(6), true, 0).output()).isNotNull();
        }
        assertThat(column(resumed, "loss")).hasSize(4);
        List<Double> a = column(straight, "loss");
        List<Double> b = column(resumed, "loss");
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i)).as("step %d", i + 1).isCloseTo(a.get(i), within(1e-6));
        }
        assertSameTensors(straight.resolve("adapter"), resumed.resolve("adapter"), 1e-6f);
    }

    @Test
    void grpoFromAnAdapterPullsTowardsItOrTowardsTheBase() {
        InitAdapter init = InitAdapter.read(grpoAdapter);
        GrpoConfig c = GrpoTrainerTest.config(1e-2, 1, 2, 4, 6, 0);
        GrpoConfig cfg = c.withTrain(init.applyTo(c.train(), false, "test").withCheckpoints(1, 2));
        Path towardsInit = tmp.resolve("ref-init");
        Path towardsBase = tmp.resolve("ref-base");
        Path scratch = tmp.resolve("ref-scratch");
        try (LocalModel m = LocalModel.load(chat)) {
            new GrpoTrainer(m, cfg, GrpoTrainerTest.easy(), towardsInit).startFrom(init, GrpoTrainer.Reference.INIT)
                    .train(GrpoTrainerTest.prompts(4), false, 0);
        }
        try (LocalModel m = LocalModel.load(chat)) {
            new GrpoTrainer(m, cfg, GrpoTrainerTest.easy(), towardsBase).startFrom(init, GrpoTrainer.Reference.BASE)
                    .train(GrpoTrainerTest.prompts(4), false, 0);
        }
        try (LocalModel m = LocalModel.load(chat)) {
            new GrpoTrainer(m, cfg, GrpoTrainerTest.easy(), scratch).train(GrpoTrainerTest.prompts(4), false, 0);
        }
        // step 1 samples the start adapter: its rollouts are those of the warm-started runs, not of the base
        List<ObjectNode> i = Jsonl.read(towardsInit.resolve("metrics.jsonl"));
        List<ObjectNode> b = Jsonl.read(towardsBase.resolve("metrics.jsonl"));
        List<ObjectNode> s = Jsonl.read(scratch.resolve("metrics.jsonl"));
        assertThat(i.get(0).get("reward_mean").asDouble()).isEqualTo(b.get(0).get("reward_mean").asDouble());
        assertThat(i.get(0).get("reward_mean").asDouble()).isGreaterThan(s.get(0).get("reward_mean").asDouble());
        // the KL of step 1 is measured before any update: zero to the start adapter, large to the base
        assertThat(i.get(0).get("kl").asDouble()).isLessThan(1e-5);
        assertThat(b.get(0).get("kl").asDouble()).isGreaterThan(1e-3);
        assertThat(s.get(0).get("kl").asDouble()).isLessThan(1e-5);
        // and a resumed INIT run keeps its reference: a checkpoint restored over the weights does not move it
        Path resumed = tmp.resolve("ref-init-resumed");
        try (LocalModel m = LocalModel.load(chat)) {
            new GrpoTrainer(m, cfg, GrpoTrainerTest.easy(), resumed).startFrom(init, GrpoTrainer.Reference.INIT)
                    .train(GrpoTrainerTest.prompts(4), false, 1);
        }
        try (LocalModel m = LocalModel.load(chat)) {
            assertThatThrownBy(() -> new GrpoTrainer(m, cfg, GrpoTrainerTest.easy(), resumed).startFrom(init, GrpoTrainer.Reference.BASE)
                    .train(GrpoTrainerTest.prompts(4), true, 0)).hasMessageContaining("other settings or data");
        }
        try (LocalModel m = LocalModel.load(chat)) {
            new GrpoTrainer(m, cfg, GrpoTrainerTest.easy(), resumed).startFrom(init, GrpoTrainer.Reference.INIT)
                    .train(GrpoTrainerTest.prompts(4), true, 0);
        }
        List<ObjectNode> r = Jsonl.read(resumed.resolve("metrics.jsonl"));
        assertThat(r).hasSameSizeAs(i);
        for (int k = 0; k < r.size(); k++) {
            assertThat(r.get(k).get("kl").asDouble()).as("step %d", k + 1).isCloseTo(i.get(k).get("kl").asDouble(), within(1e-6));
            assertThat(r.get(k).get("loss").asDouble()).as("step %d", k + 1).isCloseTo(i.get(k).get("loss").asDouble(), within(1e-6));
        }
        assertSameTensors(towardsInit.resolve("adapter"), resumed.resolve("adapter"), 1e-6f);
    }

    static void assertSameTensors(Path a, Path b, float tolerance) {
        SafetensorsFile x = SafetensorsFile.open(a.resolve("adapter_model.safetensors"));
        SafetensorsFile y = SafetensorsFile.open(b.resolve("adapter_model.safetensors"));
        assertThat(y.entries().keySet()).isEqualTo(x.entries().keySet());
        try (var m = ai.djl.ndarray.NDManager.newBaseManager()) {
            for (String name : x.entries().keySet()) {
                assertThat(y.loadFloat32(name, m).toFloatArray()).as(name).containsExactly(x.loadFloat32(name, m).toFloatArray(), within(tolerance));
            }
        }
    }
}
