package io.thinksafe.align;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinksafe.util.Json;
import io.thinksafe.generate.Generator;
import io.thinksafe.generate.Generators;
import io.thinksafe.generate.LocalEngine;
import io.thinksafe.generate.ModelFamily;
import io.thinksafe.generate.ModelSpec;
import io.thinksafe.generate.SamplingParams;
import io.thinksafe.guard.Guard;
import io.thinksafe.guard.GuardEnsemble;
import io.thinksafe.guard.Guards;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The models a run samples and judges with, opened as its settings say: the student as a round left it
 * (a local model with the round's adapter, or servers serving it under a name the run waits for and
 * checks), the teacher or a judge model, the guard, and the sampling settings for a model's family.
 */
final class RunModels {
    private final RunConfig cfg;
    private final RunManifest manifest;
    private final PrintStream log;
    private final Function<StageRun, Path> dir;
    /** Rounds whose served model was checked against the weights here in this session. */
    private final Set<Integer> servedChecked = new HashSet<>();

    RunModels(RunConfig cfg, RunManifest manifest, PrintStream log, Function<StageRun, Path> dir) {
        this.cfg = cfg;
        this.manifest = manifest;
        this.log = log;
        this.dir = dir;
    }

    /** A model (directory or URL) for sampling, decoding {@code sampling.batch} sequences together. */
    Generator openGenerator(String who) {
        return Generators.open(ModelSpec.parse(who), generatorOptions(null, null));
    }

    /** The engine settings of the run's sampling ({@code sampling.batch}), with an adapter on a local model and a server's model name. */
    private Generators.Options generatorOptions(Path adapter, Generators.Remote remote) {
        Generators.Options d = Generators.Options.defaults();
        LocalEngine.Options engine = new LocalEngine.Options(cfg.sampling().path("batch").asInt(d.engine().maxBatch()),
                d.engine().prefillChunk(), d.engine().kvBudgetBytes());
        return new Generators.Options(adapter, engine, d.templateExtras(), remote != null ? remote : d.remote(), d.listener(), d.log());
    }

    /**
     * The student as round {@code k} left it (round 0: before any training; the run's start adapter if it
     * has one): a local model with the round's adapter on top, or the servers, serving the round's adapter
     * under its name (the run waits until they do, and checks they serve what the run trained).
     */
    Generator openStudent(int k) {
        ServedStudent served = cfg.served();
        Path adapter = k == 0 ? (cfg.initAdapter() != null ? cfg.initAdapter().dir() : null)
                : dir.apply(new StageRun(Stage.TRAIN, k)).resolve("adapter");
        if (served == null) {
            ModelSpec spec = ModelSpec.parse(cfg.student());
            return Generators.open(spec, generatorOptions(spec.isRemote() ? null : adapter, null));
        }
        String name = servedName(k, adapter);
        return Generators.open(ModelSpec.parse(served.url()), generatorOptions(null, served.remote(name)));
    }

    /**
     * The name the servers serve round k's model under, checked (once per session) against the weights
     * here: round 0 by {@code served_model} or the one model listed (settled in the manifest the first
     * time, as later rounds add names to the list), later rounds by waiting for their adapter.
     */
    private String servedName(int k, Path adapter) {
        ServedStudent served = cfg.served();
        String name;
        if (k == 0) {
            name = manifest.json().path("served_student").path("name").asText(null);
            if (name == null) {
                name = served.servedModel() != null ? served.servedModel() : ServedProbe.baseName(served);
                manifest.put("served_student", Json.object().put("url", served.url()).put("name", name));
            }
        } else {
            name = ServedProbe.awaitAdapter(served, Rounds.runName(cfg), k, adapter, log, System::nanoTime);
        }
        if (servedChecked.add(k)) {
            ServedProbe.check(served, name, cfg.studentDir(), adapter, log);
        }
        return name;
    }

    SamplingParams sampling(ModelFamily family) {
        return sampling(family, cfg.seed());
    }

    SamplingParams sampling(ModelFamily family, long seed) {
        JsonNode s = cfg.sampling();
        SamplingParams d = family.defaultSampling(s.path("max_new_tokens").asInt(4096), seed);
        return new SamplingParams(s.path("temperature").asDouble(d.temperature()), s.path("top_p").asDouble(d.topP()),
                s.path("top_k").asInt(d.topK()), s.path("min_p").asDouble(d.minP()), d.maxNewTokens(), List.of(), seed);
    }

    Guard openGuard() {
        GuardEnsemble.Policy policy = cfg.guardPolicy().equalsIgnoreCase("majority") ? GuardEnsemble.Policy.MAJORITY : GuardEnsemble.Policy.ALL;
        return Guards.open(cfg.guards(), Guards.Format.LLAMA_GUARD, policy, Guards.Remote.defaults());
    }
}
