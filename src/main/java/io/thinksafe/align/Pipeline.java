package io.thinksafe.align;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.Prompt;
import io.thinksafe.generate.GenerateJob;
import io.thinksafe.generate.Generation;
import io.thinksafe.generate.GenerationRequest;
import io.thinksafe.generate.Generator;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.generate.ModelFamily;
import io.thinksafe.generate.SamplingParams;
import io.thinksafe.guard.Guard;
import io.thinksafe.guard.GuardInput;
import io.thinksafe.guard.GuardJob;
import io.thinksafe.guard.GuardVerdict;
import io.thinksafe.guard.JudgedGeneration;
import io.thinksafe.train.GrpoTrainer;
import io.thinksafe.train.InitAdapter;
import io.thinksafe.train.Rewards;
import io.thinksafe.train.SafeKeyTrainer;
import io.thinksafe.train.SftData;
import io.thinksafe.train.SftTrainer;
import io.thinksafe.train.TrainConfig;
import io.thinksafe.util.AtomicFiles;
import io.thinksafe.util.Json;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code thinksafe run}: the method of the paper as one resumable run — generate (the student, or a
 * teacher, on steered harmful and plain benign prompts), filter (a judge keeps what is safe), build
 * (the training set of the recipe), train (LoRA on the original prompts). Recipe {@code grpo} runs
 * the online baseline instead, in one stage: GRPO on the same prompts with the same judge. Each stage
 * writes into its own folder of the run directory and can run alone; every stage resumes item by
 * item, so a killed run rerun with the same command loses nothing and does nothing twice. What each
 * stage cost (seconds, tokens) goes into the manifest ({@link RunCosts}). A stage reads what the
 * stages before it in its round wrote ({@link StageRun}).
 */
public final class Pipeline {
    /** Called at every unit of progress (a generation, a judged batch, a training step): tests kill runs here. */
    public interface Hook {
        void event(String where);

        Hook NONE = w -> { };
    }

    private final RunConfig cfg;
    private final Hook hook;
    private final PrintStream log;
    private final RunManifest manifest;
    private final List<StageRun> stages;
    private final Star1Stages star1;
    private final Rounds rounds;
    private RunCosts.Clock clock;
    private final RunModels models;

    public Pipeline(RunConfig cfg, boolean force, Hook hook, PrintStream log) {
        this.cfg = cfg;
        this.hook = hook;
        this.log = log;
        RunChecks.check(cfg); // everything any stage will need, before the first one runs
        Map<String, String> inputs = new LinkedHashMap<>();
        inputs.put("prompts", RunManifest.fileHash(cfg.promptFile()));
        inputs.put("student", RunManifest.modelFingerprint(cfg.student()));
        if (cfg.served() != null) {
            inputs.put("student_dir", RunManifest.modelFingerprint(cfg.studentDir().toString()));
        }
        if (cfg.initAdapter() != null) {
            inputs.put("init_adapter", cfg.initAdapter().fingerprint());
        }
        if (cfg.iterative() != null && cfg.iterative().heldoutFile() != null) {
            inputs.put("heldout", RunManifest.fileHash(cfg.iterative().heldoutFile()));
        }
        if (cfg.teacher() != null) {
            inputs.put("teacher", RunManifest.modelFingerprint(cfg.teacher()));
        }
        for (int i = 0; i < cfg.guards().size(); i++) {
            inputs.put("guard" + (i == 0 ? "" : String.valueOf(i)), RunManifest.modelFingerprint(cfg.guards().get(i)));
        }
        RecipeOptions.Star1 s1 = cfg.options().star1();
        if (s1 != null) {
            if (!s1.standIn()) {
                inputs.put("judge", RunManifest.modelFingerprint(s1.judge()));
            }
            inputs.put("policies", Star1Stages.folderHash(s1.policies()));
        }
        this.stages = cfg.method().stages();
        // what the config asks for is checked against its inputs before anything is written or loaded
        this.star1 = cfg.recipe() != null && cfg.recipe().policyGrounded() ? new Star1Stages(this, cfg) : null;
        if (star1 != null) {
            star1.check(prompts());
        }
        checkKeep();
        if (cfg.distill() != null) {
            DistillStage.checkTeacher(cfg);
        }
        this.manifest = RunManifest.open(cfg.runDir(), cfg.normalized(), ServedStudent.identity(cfg.normalized()), inputs,
                stages.stream().map(StageRun::key).toList(), force);
        this.models = new RunModels(cfg, manifest, log, this::dir);
        this.rounds = cfg.iterative() != null ? new Rounds(this, cfg, log) : null;
    }

    /** An explicit {@code keep} larger than the prompts that can give examples is refused before any work. */
    private void checkKeep() {
        RecipeOptions o = cfg.options();
        Recipe r = cfg.recipe();
        if (!o.keepExplicit() || o.keep() == 0 || r == null) {
            return;
        }
        List<Prompt> ps = prompts();
        long possible = r.policyGrounded() ? ps.stream().filter(Prompt::harmful).count() : ps.size();
        if (o.keep() > possible) {
            throw new ThinkSafeException(cfg.file() + ": keep " + o.keep() + " is larger than the set: " + cfg.promptFile() + " gives "
                    + possible + (r.policyGrounded() ? " harmful prompts" : " prompts") + " (after prompts.sample and limit)");
        }
    }

    public Path dir(StageRun stage) {
        return cfg.runDir().resolve(stage.key());
    }

    /** Runs every stage not done yet, in order. */
    public void run() {
        for (StageRun s : stages) {
            stage(s);
        }
        if (rounds != null) {
            log.print(Rounds.text(manifest.json().path("rounds")));
        }
    }

    /** The run's manifest as it stands (stages, costs). */
    public JsonNode manifest() {
        return manifest.json();
    }

    /** Runs the stage a key names ({@code --stage}); the stages before it must be done. */
    public void stage(String key) {
        List<String> keys = stages.stream().map(StageRun::key).toList();
        if (!keys.contains(key)) {
            throw new ThinkSafeException("unknown stage '" + key + "' for recipe " + cfg.method().key() + " (stages: "
                    + String.join(", ", keys) + ")");
        }
        stage(stages.get(keys.indexOf(key)));
    }

    private void stage(StageRun run) {
        String name = run.key();
        for (StageRun before : stages.subList(0, stages.indexOf(run))) {
            if (!manifest.settled(before.key())) {
                throw new ThinkSafeException("stage " + name + " needs stage " + before.key() + " done first");
            }
        }
        if (manifest.settled(name)) {
            log.println("run: " + name + (manifest.done(name) ? " already done" : " skipped"));
            return;
        }
        if (rounds != null && run.round() >= 2) {
            String stop = rounds.stopReason(manifest.json().path("stages"), run.round());
            if (stop != null) {
                manifest.skip(name, stop, cfg.method().key());
                manifest.put("rounds", rounds.table(manifest.json().path("stages")));
                log.println("run: " + name + " skipped: " + stop);
                return;
            }
        }
        manifest.start(name);
        clock = new RunCosts.Clock(manifest, name);
        Done done;
        try {
            done = switch (run.stage()) {
                case CLASSIFY -> star1.classify(run);
                case GENERATE -> generate(run, recipe());
                case FILTER -> filter(run);
                case SCORE -> star1.score(run);
                case BUILD -> star1 != null ? star1.build(run, recipe()) : build(run, recipe());
                case TRAIN -> train(run, recipe());
                case GRPO -> grpo(run, cfg.grpo());
                case DISTILL -> new DistillStage(this, cfg).run(run);
                case PROBE -> rounds().probe(run);
                case EVAL -> rounds().eval(run);
            };
        } finally {
            clock.save(); // a failed or killed session's time counts too
            clock = null;
        }
        manifest.finish(name, done.info(), done.tokens(), cfg.method().key());
        if (rounds != null) {
            manifest.put("rounds", rounds.table(manifest.json().path("stages")));
        }
        log.println("run: " + name + " done");
    }

    /** The data recipe of a run whose stages make a training set. */
    private Recipe recipe() {
        Recipe r = cfg.recipe();
        if (r == null) {
            throw new IllegalStateException(cfg.method().key() + " makes no training set");
        }
        return r;
    }

    private Rounds rounds() {
        if (rounds == null) {
            throw new IllegalStateException(cfg.method().key() + " has no rounds");
        }
        return rounds;
    }

    /** A finished stage's result for the manifest, and the tokens it processed. */
    record Done(ObjectNode info, ObjectNode tokens) {}

    RunConfig config() {
        return cfg;
    }

    PrintStream log() {
        return log;
    }

    /** The run's models: the student as a round left it, the teacher or a judge model, the guard. */
    RunModels models() {
        return models;
    }

    /** A unit of progress: the clock saves the time spent, then the hook hears of it. */
    void progress(String where) {
        if (clock != null) {
            clock.tick();
        }
        hook.event(where);
    }

    List<Prompt> prompts() {
        return Rounds.trainingPrompts(cfg, Rounds.readPrompts(cfg));
    }

    /** The seed of round r's generation: the run's in round 1 (as a run of one round), another in each later round. */
    private long roundSeed(int round) {
        return round <= 1 ? cfg.seed() : cfg.seed() + 1_000_003L * (round - 1);
    }

    private Done generate(StageRun run, Recipe r) {
        Path out = dir(run).resolve("generations.jsonl");
        List<Prompt> prompts = prompts().stream().filter(p -> p.harmful() ? r.generatesHarmful() : r.generatesBenign()).toList();
        java.util.function.Function<Prompt, String> input = p -> r.steerHarmful && p.harmful() ? cfg.steering().apply(p.text()) : p.text();
        if (star1 != null) {
            prompts = star1.toGenerate(run, prompts);
            input = star1.teacherInput(run);
        }
        long seed = roundSeed(run.round());
        try (Generator g = r.teacher ? models.openGenerator(cfg.teacher()) : models.openStudent(run.round() - 1)) {
            SamplingParams sampling = models.sampling(g.family(), seed);
            GenerateJob.Summary s = GenerateJob.run(watching(g), prompts, r.samples, sampling, seed, out, false, input);
            return new Done(Json.object().put("model", g.modelName()).put("family", g.family().name()).put("items", s.total())
                    .put("failed", s.failed()).put("tokens", s.tokens()), RunCosts.generation(out));
        }
    }

    private Done filter(StageRun run) {
        Path in = dir(run.of(Stage.GENERATE)).resolve("generations.jsonl");
        try (Guard guard = models.openGuard()) {
            Path out = dir(run).resolve("judged.jsonl");
            List<JudgedGeneration> judged = JudgedGeneration.of(GuardJob.run(watching(guard), in, out, 0, false));
            long safe = judged.stream().filter(JudgedGeneration::safe).count();
            return new Done(Json.object().put("guard", guard.name()).put("judged", judged.size()).put("safe", safe),
                    RunCosts.judging(guard, out));
        }
    }

    private Done build(StageRun run, Recipe recipe) {
        Path in = dir(run.of(Stage.FILTER)).resolve("judged.jsonl");
        List<JudgedGeneration> judged = JudgedGeneration.read(in);
        ModelFamily family = ModelFamily.valueOf(manifestText(run.of(Stage.GENERATE).key(), "family", ModelFamily.OTHER.name()));
        DatasetBuilder.Result res = DatasetBuilder.build(recipe, judged, prompts(), family, cfg.steering().name(), cfg.seed(),
                cfg.options().primer() != null ? cfg.options().primer() : RecipeOptions.SAFEPATH_PRIMER);
        if (res.rows().isEmpty()) {
            throw new ThinkSafeException("build: no example survived filtering (see " + in + ")");
        }
        List<io.thinksafe.data.TrainingExample> rows = DatasetBuilder.cap(res.rows(), cfg.options().keep(), cfg.seed());
        return writeTrainingSet(run, recipe, rows, res.report(), res.rows().size());
    }

    /** The training set, the filter report, and the stage's result: examples, and how many {@code keep} left out. */
    Done writeTrainingSet(StageRun run, Recipe recipe, List<io.thinksafe.data.TrainingExample> rows, FilterReport report, int before) {
        StringBuilder lines = new StringBuilder();
        rows.forEach(r -> lines.append(Json.compact(r.toJson())).append('\n'));
        AtomicFiles.writeString(dir(run).resolve("train.jsonl"), lines.toString());
        Json.writePretty(dir(run).resolve("filter_report.json"), report.toJson());
        AtomicFiles.writeString(dir(run).resolve("filter_report.txt"), report.table());
        log.print(report.table());
        ObjectNode info = Json.object().put("examples", rows.size()).put("recipe", recipe.key());
        if (before > rows.size()) {
            info.put("before_keep", before).put("keep", cfg.options().keep());
            log.println("build: kept " + rows.size() + " of " + before + " examples (keep " + cfg.options().keep() + ")");
        }
        return new Done(info, Json.object());
    }

    String manifestText(String stage, String field, String fallback) {
        return manifest.json().path("stages").path(stage).path("result").path(field).asText(fallback);
    }

    private Done train(StageRun run, Recipe recipe) {
        List<Path> sets = rounds != null ? rounds.trainingSets(run.round()) : List.of(dir(run.of(Stage.BUILD)).resolve("train.jsonl"));
        InitAdapter start = rounds != null ? rounds.startOf(run.round()) : cfg.initAdapter();
        var examples = new java.util.ArrayList<io.thinksafe.train.SftExample>();
        for (Path set : sets) {
            examples.addAll(SftData.read(set, recipe == Recipe.THINKSAFE_KL));
        }
        TrainConfig tc = start != null ? start.applyTo(cfg.train(), false, "train") : cfg.train();
        try (LocalModel m = io.thinksafe.train.TrainMemory.load(cfg.studentDir(), tc)) {
            SftTrainer.Result r;
            if (start != null) {
                log.println("run: " + run.key() + " starts from " + start.dir());
            }
            if (recipe == Recipe.SAFEKEY) {
                SafeKeyTrainer trainer = new SafeKeyTrainer(m, tc, cfg.options().safeKey(), dir(run))
                        .onStep(step -> progress("train step " + step));
                if (start != null) {
                    trainer.startFrom(start);
                }
                r = trainer.trainUntilStopped(io.thinksafe.data.TrainingExample.read(dir(run.of(Stage.BUILD)).resolve("train.jsonl")), true, 0);
            } else {
                SftTrainer trainer = new SftTrainer(m, tc, dir(run)).onStep(step -> progress("train step " + step));
                if (start != null) {
                    trainer.startFrom(start);
                }
                r = trainer.trainUntilStopped(examples, true, 0);
            }
            if (r.output() == null) {
                throw new ThinkSafeException("train: stopped at step " + r.stepsDone() + " of " + r.totalSteps()
                        + "; rerun the same command to continue");
            }
            ObjectNode info = Json.object().put("steps", r.stepsDone()).put("last_loss", r.lastLoss()).put("output", r.output().toString())
                    .put("examples", examples.size());
            if (start != null) {
                info.put("init_adapter", start.dir().toString());
            }
            return new Done(info, RunCosts.sft(dir(run).resolve("metrics.jsonl")));
        }
    }

    /**
     * GRPO on the run's prompts, judged by the run's guard. The student must be a directory: the
     * policy changes every step, so rollouts run on the embedded engine (a server would have to load
     * a new adapter each step); the guard may be a server.
     */
    private Done grpo(StageRun run, RunConfig.Grpo g) {
        List<Prompt> prompts = prompts();
        // thinksafe_grpo starts from ThinkSafe's adapter; grpo from train.init_adapter when given
        InitAdapter start = cfg.method() instanceof WarmStart ? InitAdapter.read(dir(run.of(Stage.TRAIN)).resolve("adapter")) : cfg.initAdapter();
        io.thinksafe.train.GrpoConfig gc = start != null ? g.config().withTrain(start.applyTo(g.config().train(), false, "grpo")) : g.config();
        try (Guard guard = models.openGuard(); LocalModel m = io.thinksafe.train.TrainMemory.load(cfg.studentDir(), gc, 512)) {
            Rewards rewards = Rewards.reference(watching(guard), g.safetyWeight(), g.formatWeight());
            GrpoTrainer trainer = new GrpoTrainer(m, gc, rewards, dir(run)).onStep(step -> progress("grpo step " + step));
            if (start != null) {
                trainer.startFrom(start, g.reference());
                log.println("run: " + run.key() + " starts from " + start.dir() + ", KL reference: " + g.reference().key());
            }
            GrpoTrainer.Result r = trainer.trainUntilStopped(prompts, true, 0);
            if (r.output() == null) {
                throw new ThinkSafeException("grpo: stopped at step " + r.stepsDone() + " of " + r.totalSteps()
                        + "; rerun the same command to continue");
            }
            ObjectNode info = Json.object().put("steps", r.stepsDone()).put("last_reward_mean", r.lastRewardMean())
                    .put("guard", guard.name()).put("output", r.output().toString());
            if (start != null) {
                info.put("init_adapter", start.dir().toString()).put("reference", g.reference().key());
            }
            return new Done(info, RunCosts.grpo(dir(run).resolve("metrics.jsonl")));
        }
    }

    /** The generator, telling the hook of every finished generation. */
    Generator watching(Generator g) {
        return new Generator() {
            @Override
            public void generate(List<GenerationRequest> requests, Consumer<Generation> sink) {
                g.generate(requests, x -> {
                    sink.accept(x);
                    progress("generated " + x.request().key());
                });
            }

            @Override
            public String modelName() {
                return g.modelName();
            }

            @Override
            public ModelFamily family() {
                return g.family();
            }

            @Override
            public void close() {
            }
        };
    }

    /** The judge, telling the hook after every batch it judged. */
    Guard watching(Guard g) {
        return new Guard() {
            @Override
            public String name() {
                return g.name();
            }

            @Override
            public List<GuardVerdict> judge(List<GuardInput> inputs) {
                List<GuardVerdict> v = g.judge(inputs);
                progress("judged " + inputs.size());
                return v;
            }

            @Override
            public long tokensRead(List<GuardInput> inputs) {
                return g.tokensRead(inputs);
            }
        };
    }
}
