package io.thinksafe.align;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.Jsonl;
import io.thinksafe.data.Prompt;
import io.thinksafe.data.PromptSet;
import io.thinksafe.generate.GenerateJob;
import io.thinksafe.generate.Generation;
import io.thinksafe.generate.GenerationRequest;
import io.thinksafe.generate.Generator;
import io.thinksafe.generate.Generators;
import io.thinksafe.generate.LocalEngine;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.generate.ModelFamily;
import io.thinksafe.generate.ModelSpec;
import io.thinksafe.generate.SamplingParams;
import io.thinksafe.guard.Guard;
import io.thinksafe.guard.GuardEnsemble;
import io.thinksafe.guard.GuardInput;
import io.thinksafe.guard.GuardJob;
import io.thinksafe.guard.GuardVerdict;
import io.thinksafe.guard.Guards;
import io.thinksafe.train.SftData;
import io.thinksafe.train.SftTrainer;
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
 * (the training set of the recipe), train (LoRA on the original prompts). Each stage writes into its
 * own folder of the run directory and can run alone; every stage resumes item by item, so a killed
 * run rerun with the same command loses nothing and does nothing twice.
 */
public final class Pipeline {
    public static final List<String> STAGES = List.of("generate", "filter", "build", "train");

    /** Called at every unit of progress (a generation, a judged batch, a training step): tests kill runs here. */
    public interface Hook {
        void event(String where);

        Hook NONE = w -> { };
    }

    private final RunConfig cfg;
    private final Hook hook;
    private final PrintStream log;
    private final RunManifest manifest;

    public Pipeline(RunConfig cfg, boolean force, Hook hook, PrintStream log) {
        this.cfg = cfg;
        this.hook = hook;
        this.log = log;
        Map<String, String> inputs = new LinkedHashMap<>();
        inputs.put("prompts", RunManifest.fileHash(cfg.promptFile()));
        inputs.put("student", RunManifest.modelFingerprint(cfg.student()));
        if (cfg.teacher() != null) {
            inputs.put("teacher", RunManifest.modelFingerprint(cfg.teacher()));
        }
        for (int i = 0; i < cfg.guards().size(); i++) {
            inputs.put("guard" + (i == 0 ? "" : String.valueOf(i)), RunManifest.modelFingerprint(cfg.guards().get(i)));
        }
        this.manifest = RunManifest.open(cfg.runDir(), cfg.normalized(), inputs, STAGES, force);
    }

    public Path dir(String stage) {
        return cfg.runDir().resolve(stage);
    }

    /** Runs every stage not done yet, in order. */
    public void run() {
        for (String s : STAGES) {
            stage(s);
        }
    }

    /** Runs one stage (its inputs must be done). */
    public void stage(String name) {
        int at = STAGES.indexOf(name);
        if (at < 0) {
            throw new ThinkSafeException("unknown stage '" + name + "' (stages: " + String.join(", ", STAGES) + ")");
        }
        for (int i = 0; i < at; i++) {
            if (!manifest.done(STAGES.get(i))) {
                throw new ThinkSafeException("stage " + name + " needs stage " + STAGES.get(i) + " done first");
            }
        }
        if (manifest.done(name)) {
            log.println("run: " + name + " already done");
            return;
        }
        manifest.start(name);
        ObjectNode info = switch (name) {
            case "generate" -> generate();
            case "filter" -> filter();
            case "build" -> build();
            default -> train();
        };
        manifest.finish(name, info);
        log.println("run: " + name + " done");
    }

    List<Prompt> prompts() {
        List<Prompt> all = PromptSet.requireLabels(PromptSet.read(cfg.promptFile()), cfg.promptFile());
        return PromptSet.limit(PromptSet.sample(all, cfg.promptSample(), cfg.seed()), cfg.promptLimit());
    }

    private ObjectNode generate() {
        Recipe r = cfg.recipe();
        List<Prompt> prompts = prompts().stream().filter(p -> r.generatesHarmful() || !p.harmful()).toList();
        String who = r.teacher ? cfg.teacher() : cfg.student();
        Generators.Options d = Generators.Options.defaults();
        LocalEngine.Options engine = new LocalEngine.Options(cfg.sampling().path("batch").asInt(d.engine().maxBatch()),
                d.engine().prefillChunk(), d.engine().kvBudgetBytes());
        Generators.Options opts = new Generators.Options(null, engine, d.templateExtras(), d.remote(), d.listener(), d.log());
        try (Generator g = Generators.open(ModelSpec.parse(who), opts)) {
            SamplingParams sampling = sampling(g.family());
            GenerateJob.Summary s = GenerateJob.run(watching(g), prompts, r.samples, sampling, cfg.seed(),
                    dir("generate").resolve("generations.jsonl"), false,
                    p -> r.steerHarmful && p.harmful() ? cfg.steering().apply(p.text()) : p.text());
            return Json.object().put("model", g.modelName()).put("family", g.family().name()).put("items", s.total())
                    .put("failed", s.failed()).put("tokens", s.tokens());
        }
    }

    SamplingParams sampling(ModelFamily family) {
        JsonNode s = cfg.sampling();
        SamplingParams d = family.defaultSampling(s.path("max_new_tokens").asInt(4096), cfg.seed());
        return new SamplingParams(s.path("temperature").asDouble(d.temperature()), s.path("top_p").asDouble(d.topP()),
                s.path("top_k").asInt(d.topK()), s.path("min_p").asDouble(d.minP()), d.maxNewTokens(), List.of(), cfg.seed());
    }

    private ObjectNode filter() {
        Path in = dir("generate").resolve("generations.jsonl");
        GuardEnsemble.Policy policy = cfg.guardPolicy().equalsIgnoreCase("majority") ? GuardEnsemble.Policy.MAJORITY : GuardEnsemble.Policy.ALL;
        try (Guard guard = Guards.open(cfg.guards(), Guards.Format.LLAMA_GUARD, policy, Guards.Remote.defaults())) {
            List<ObjectNode> judged = GuardJob.run(watching(guard), in, dir("filter").resolve("judged.jsonl"), 0, false);
            long safe = judged.stream().filter(j -> j.path("guard").path("verdict").asText().equals("safe")).count();
            return Json.object().put("guard", guard.name()).put("judged", judged.size()).put("safe", safe);
        }
    }

    private ObjectNode build() {
        List<ObjectNode> judged = Jsonl.read(dir("filter").resolve("judged.jsonl"));
        ModelFamily family = ModelFamily.valueOf(manifestText("generate", "family", ModelFamily.OTHER.name()));
        DatasetBuilder.Result res = DatasetBuilder.build(cfg.recipe(), judged, prompts(), family, cfg.steering().name(), cfg.seed());
        if (res.rows().isEmpty()) {
            throw new ThinkSafeException("build: no example survived filtering (see " + dir("filter").resolve("judged.jsonl") + ")");
        }
        StringBuilder lines = new StringBuilder();
        res.rows().forEach(r -> lines.append(Json.compact(r)).append('\n'));
        AtomicFiles.writeString(dir("build").resolve("train.jsonl"), lines.toString());
        Json.writePretty(dir("build").resolve("filter_report.json"), res.report().toJson());
        AtomicFiles.writeString(dir("build").resolve("filter_report.txt"), res.report().table());
        log.print(res.report().table());
        return Json.object().put("examples", res.rows().size()).put("recipe", cfg.recipe().key());
    }

    private String manifestText(String stage, String field, String fallback) {
        return manifest.json().path("stages").path(stage).path("result").path(field).asText(fallback);
    }

    private ObjectNode train() {
        ModelSpec spec = ModelSpec.parse(cfg.student());
        if (spec.isRemote()) {
            throw new ThinkSafeException("train: the student " + cfg.student() + " is a URL; training needs its directory");
        }
        var examples = SftData.read(dir("build").resolve("train.jsonl"), cfg.recipe() == Recipe.THINKSAFE_KL);
        try (LocalModel m = LocalModel.load(spec.dir())) {
            SftTrainer trainer = new SftTrainer(m, cfg.train(), dir("train")).onStep(step -> hook.event("train step " + step));
            SftTrainer.Result r = trainer.trainUntilStopped(examples, true, 0);
            if (r.output() == null) {
                throw new ThinkSafeException("train: stopped at step " + r.stepsDone() + " of " + r.totalSteps()
                        + "; rerun the same command to continue");
            }
            return Json.object().put("steps", r.stepsDone()).put("last_loss", r.lastLoss()).put("output", r.output().toString());
        }
    }

    /** The generator, telling the hook of every finished generation. */
    private Generator watching(Generator g) {
        return new Generator() {
            @Override
            public void generate(List<GenerationRequest> requests, Consumer<Generation> sink) {
                g.generate(requests, x -> {
                    sink.accept(x);
                    hook.event("generated " + x.request().key());
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
    private Guard watching(Guard g) {
        return new Guard() {
            @Override
            public String name() {
                return g.name();
            }

            @Override
            public List<GuardVerdict> judge(List<GuardInput> inputs) {
                List<GuardVerdict> v = g.judge(inputs);
                hook.event("judged " + inputs.size());
                return v;
            }

            @Override
            public long tokensRead(List<GuardInput> inputs) {
                return g.tokensRead(inputs);
            }
        };
    }
}
