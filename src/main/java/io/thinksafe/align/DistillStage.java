package io.thinksafe.align;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.generate.ModelSpec;
import io.thinksafe.train.DistillTrainer;
import io.thinksafe.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code recipe: onpolicy_distill}'s one stage: on-policy distillation on the run's prompts
 * ({@link DistillTrainer}), costed like GRPO's stage from its metrics. Student and teacher must be
 * model directories with one tokenizer: the teacher scores the student's own tokens over the whole
 * vocabulary, which a server's handful of top log-probs cannot give.
 */
final class DistillStage {
    /** The tokenizer parts that decide token ids: the same text must give the same ids in both models. */
    private static final List<String> TOKENIZER_PARTS = List.of("model", "added_tokens", "normalizer", "pre_tokenizer");

    private final Pipeline pipe;
    private final RunConfig cfg;

    DistillStage(Pipeline pipe, RunConfig cfg) {
        this.pipe = pipe;
        this.cfg = cfg;
    }

    /** Refuses, in one line, a teacher that is a URL or does not share the student's tokenizer and vocabulary. */
    static void checkTeacher(RunConfig cfg) {
        ModelSpec teacher = ModelSpec.parse(cfg.teacher());
        if (cfg.studentDir() == null || teacher.isRemote()) {
            throw new ThinkSafeException(cfg.file() + ": recipe onpolicy_distill needs the student and the teacher as model directories "
                    + "(the student samples from the adapter it trains; the teacher scores every token over the whole vocabulary, "
                    + "which a server's top log-probs cannot give)");
        }
        Path s = cfg.studentDir();
        Path t = teacher.dir();
        JsonNode st = Json.read(file(s, "tokenizer.json"));
        JsonNode tt = Json.read(file(t, "tokenizer.json"));
        for (String part : TOKENIZER_PARTS) {
            if (!st.path(part).equals(tt.path(part))) {
                throw new ThinkSafeException(cfg.file() + ": the teacher " + t + " does not share the student's tokenizer (tokenizer.json '"
                        + part + "' differs from " + s + "'s); on-policy distillation needs one tokenizer, so that the teacher scores "
                        + "the tokens the student sampled");
            }
        }
        long sv = Json.read(file(s, "config.json")).path("vocab_size").asLong(-1);
        long tv = Json.read(file(t, "config.json")).path("vocab_size").asLong(-1);
        if (sv != tv) {
            throw new ThinkSafeException(cfg.file() + ": the teacher " + t + " has vocab_size " + tv + ", the student " + sv
                    + "; on-policy distillation compares their next-token distributions over one vocabulary");
        }
    }

    private static Path file(Path dir, String name) {
        Path f = dir.resolve(name);
        if (!Files.isRegularFile(f)) {
            throw new ThinkSafeException(dir + ": no " + name);
        }
        return f;
    }

    Pipeline.Done run(StageRun run) {
        OnPolicyDistill d = cfg.distill();
        // the teacher only scores the student's samples: a judge's small KV cache is enough
        try (LocalModel student = io.thinksafe.train.TrainMemory.load(cfg.studentDir(), d.config(), 512);
             LocalModel teacher = LocalModel.load(ModelSpec.parse(cfg.teacher()).dir(), null, io.thinksafe.model.MemoryBudget.Workload.judge())) {
            DistillTrainer trainer = new DistillTrainer(student, teacher, d.config(), pipe.dir(run))
                    .onStep(step -> pipe.progress("distill step " + step));
            if (cfg.initAdapter() != null) {
                trainer.startFrom(cfg.initAdapter());
            }
            DistillTrainer.Result r = trainer.trainUntilStopped(pipe.prompts(), true, 0);
            if (r.output() == null) {
                throw new ThinkSafeException("distill: stopped at step " + r.stepsDone() + " of " + r.totalSteps()
                        + "; rerun the same command to continue");
            }
            return new Pipeline.Done(Json.object().put("steps", r.stepsDone()).put("last_kl", r.lastKl()).put("teacher", teacher.name())
                    .put("output", r.output().toString()), RunCosts.grpo(pipe.dir(run).resolve("metrics.jsonl")));
        }
    }
}
