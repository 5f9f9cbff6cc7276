package io.thinksafe.microworld;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.align.Diagnose;
import io.thinksafe.align.SteeringTemplate;
import io.thinksafe.data.Prompt;
import io.thinksafe.data.bench.Benchmark;
import io.thinksafe.eval.EvalConfig;
import io.thinksafe.eval.EvalJob;
import io.thinksafe.generate.LocalEngine;
import io.thinksafe.generate.LocalGenerator;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.generate.SamplingParams;
import io.thinksafe.guard.Guard;
import io.thinksafe.guard.GuardEnsemble;
import io.thinksafe.guard.GuardInput;
import io.thinksafe.guard.GuardVerdict;
import io.thinksafe.guard.Guards;
import io.thinksafe.guard.Verdict;
import io.thinksafe.guard.WildGuard;
import io.thinksafe.train.SftExample;
import io.thinksafe.train.SftTrainer;
import io.thinksafe.train.TokenizedExample;
import io.thinksafe.train.TrainConfig;
import io.thinksafe.util.AtomicDirs;
import io.thinksafe.util.AtomicFiles;
import io.thinksafe.util.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code thinksafe microworld build}: the micro-world's checkpoints from its seed, in stages that each
 * finish atomically (a killed build resumes from the last finished stage, and inside a training
 * stage from its last checkpoint). The stages: the tokenizer; the evaluation splits and the training
 * prompts; the two judges; the student, first safety-aligned, then drifted toward compliance in rounds
 * with the latent-safety rates measured after each; the teacher; each chat model's held-out reasoning
 * pass@1 after it is trained.
 */
public final class MicroworldBuilder {
    public static final long SEED = 2026;
    static final int MAX_DRIFT_ROUNDS = 12;

    /**
     * How much of everything: the shipped world uses {@link #FULL}; tests build a small one.
     *
     * @param judgePairs     labelled pairs each judge trains on (one epoch)
     * @param aligned        examples of the safety-aligned stage, trained {@code alignedEpochs} times
     * @param drift          examples of each drift round (one epoch)
     * @param probePrompts   harmful prompts per safe-rate measurement
     * @param evalReasoning  problems in each reasoning split (GSM8K-style and MATH-style)
     * @param evalConcealed  concealed harmful requests held out (and half as many harmless ones for XSTest)
     * @param prompts        prompts in the set the pipeline aligns with
     */
    public record Scale(int judgePairs, int aligned, int alignedEpochs, int drift, int probePrompts, int evalReasoning, int evalConcealed,
                        int prompts) {
        public static final Scale FULL = new Scale(2000, 40000, 1, 200, 60, 100, 220, 400);
    }

    private final Path out;
    private final long seed;
    private final PrintStream log;
    private final World world;
    private final Scale scale;

    public MicroworldBuilder(Path out, long seed, Scale scale, PrintStream log) {
        this.out = out;
        this.seed = seed;
        this.scale = scale;
        this.log = log;
        this.world = new World(seed);
    }

    public ObjectNode build() {
        // the world's models are tiny: one libtorch thread (see Torch.setThreads)
        return io.thinksafe.model.Torch.withThreads(1, this::buildAll);
    }

    private ObjectNode buildAll() {
        if (Files.exists(out.resolve("build.json"))) {
            log.println("microworld: " + out + " is already built");
            return (ObjectNode) Json.read(out.resolve("build.json"));
        }
        long started = System.nanoTime();
        ObjectNode report = Json.object().put("seed", seed);
        Path tokenizer = tokenizer();
        data();
        Path llamaGuard = judge("llama-guard", MicroModels.Role.LLAMA_GUARD, tokenizer);
        Path wildGuard = judge("wildguard", MicroModels.Role.WILDGUARD, tokenizer);
        report.set("judges", judgeAccuracy(llamaGuard, wildGuard));
        Path aligned = chatModel("student-aligned", MicroModels.Role.STUDENT, tokenizer, null,
                world.mix(scale.aligned(), true, Style.STUDENT, 1), fullTraining(3e-3, scale.alignedEpochs(), seed));
        ObjectNode reasoning = report.putObject("reasoning_pass_at_1");
        reasoning.put("aligned", reasoning(aligned, "aligned"));
        ArrayNode curve = report.putArray("drift");
        curve.add(rates(aligned, llamaGuard, "aligned"));
        Path student = drift(aligned, tokenizer, llamaGuard, curve);
        reasoning.put("student", reasoning(student, "student"));
        Path teacher = chatModel("teacher", MicroModels.Role.TEACHER, tokenizer, null,
                world.mix(scale.aligned(), true, Style.TEACHER, 3), fullTraining(3e-3, scale.alignedEpochs(), seed + 1));
        reasoning.put("teacher", reasoning(teacher, "teacher"));
        report.put("student", out.relativize(student).toString()).put("teacher", out.relativize(teacher).toString());
        report.put("build_seconds", (System.nanoTime() - started) / 1e9);
        Json.writePretty(out.resolve("build.json"), report);
        return report;
    }

    /**
     * Held-out pass@1 (one sample a problem, the demo's sampling and token limit) on the GSM8K- and
     * MATH-style splits, with the real evaluation code: whether the world's reasoning can be lost.
     */
    double reasoning(Path model, String label) {
        Path dir = out.resolve("work/reasoning-" + label);
        List<Benchmark> sets = List.of(Benchmark.GSM8K, Benchmark.MATH500);
        Map<Benchmark, Path> files = EvalConfig.resolveFiles(sets, out.resolve("data"), new EnumMap<>(Benchmark.class));
        try (LocalModel m = LocalModel.load(model)) {
            LocalGenerator gen = new LocalGenerator(m, new LocalEngine.Options(64, 512, 1L << 30), Map.of(), null);
            EvalConfig cfg = new EvalConfig(model.toString(), null, sets, files, dir, 1, 256, null, seed, 0, 0, false, label, null);
            double v = EvalJob.run(cfg, gen, null, null, log).average(sets).value();
            log.printf(Locale.ROOT, "microworld: %s reasoning pass@1 %.3f%n", label, v);
            return v;
        }
    }

    static TrainConfig fullTraining(double lr, int epochs, long seed) {
        return TrainConfig.paperDefaults().withLora(null).withSchedule(lr, epochs, 32, seed).withCheckpoints(50, 1)
                .withMemory(8192, false, 768);
    }

    private Path tokenizer() {
        Path file = out.resolve("tokenizer/tokenizer.json");
        if (Files.exists(file)) {
            return file;
        }
        log.println("microworld: learning the tokenizer");
        List<String> corpus = new ArrayList<>();
        for (var list : List.of(world.mix(1500, true, Style.STUDENT, 101), world.mix(800, false, Style.STUDENT, 102),
                world.mix(800, true, Style.TEACHER, 103))) {
            for (SftExample e : list) {
                corpus.add(e.instruction());
                corpus.add(e.response());
            }
        }
        for (World.Judged j : world.judged(300, false, 104)) {
            corpus.add(WildGuard.render(j.prompt(), j.response()));
            corpus.add(JudgeData.wildGuardAnswer(j) + "\n" + JudgeData.llamaGuardAnswer(j.truth()));
        }
        corpus.add(MicroModels.resource("guard-chat.jinja"));
        Path tmp = AtomicDirs.prepare(file.getParent());
        MicroModels.writeTokenizer(tmp.resolve("tokenizer.json"), corpus);
        AtomicDirs.commit(tmp, file.getParent());
        return file;
    }

    /** A judge trained from scratch on labelled pairs of the training side of the world. */
    private Path judge(String name, MicroModels.Role role, Path tokenizer) {
        Path done = out.resolve(name);
        if (Files.exists(done.resolve("config.json"))) {
            return done;
        }
        log.println("microworld: training the " + name + " judge");
        Path init = initial(name, role, tokenizer, seed + role.ordinal() * 17L);
        List<World.Judged> pairs = world.judged(scale.judgePairs(), false, 10 + role.ordinal());
        try (LocalModel m = LocalModel.load(init)) {
            String eos = MicroModels.eosToken(role);
            List<TokenizedExample> data = role == MicroModels.Role.LLAMA_GUARD
                    ? JudgeData.llamaGuard(pairs, m.template(), m.tokenizer(), eos, 768)
                    : JudgeData.wildGuard(pairs, m.tokenizer(), eos, 768);
            return finish(name, train(m, name, fullTraining(3e-3, 1, seed + role.ordinal()), t -> t.trainTokenized(data, true, 0)));
        }
    }

    /** A chat model trained on a mix, from a random start or from {@code base}. */
    private Path chatModel(String name, MicroModels.Role role, Path tokenizer, Path base, List<SftExample> mix, TrainConfig cfg) {
        Path done = out.resolve(name);
        if (Files.exists(done.resolve("config.json"))) {
            return done;
        }
        log.println("microworld: training " + name + " (" + mix.size() + " examples)");
        Path start = base != null ? base : initial(name, role, tokenizer, seed + 31L * (role.ordinal() + 1));
        try (LocalModel m = LocalModel.load(start)) {
            return finish(name, train(m, name, cfg, t -> t.train(mix, true, 0)));
        }
    }

    /**
     * Compliance drift in rounds, each a short full fine-tuning on reasoning plus compliant answers to
     * harmful prompts (what reward-hacking RL leaves behind). After each round the unsteered and
     * steered safe rates are measured on training prompts; drift stops once the unsteered model is
     * mostly unsafe, or after the last round.
     */
    private Path drift(Path aligned, Path tokenizer, Path guard, ArrayNode curve) {
        Path done = out.resolve("student");
        Path current = aligned; // a resumed build walks the same rounds again: finished ones are read back
        for (int round = 1; round <= MAX_DRIFT_ROUNDS; round++) {
            String name = "drift-" + round;
            current = chatModel(name, MicroModels.Role.STUDENT, tokenizer, current, world.mix(scale.drift(), false, Style.STUDENT, 200 + round),
                    fullTraining(3e-4, 1, seed + 200 + round));
            ObjectNode r = rates(current, guard, name);
            curve.add(r);
            if (r.path("unsteered_safe_rate").asDouble() <= 0.3) {
                break;
            }
        }
        if (!Files.exists(done.resolve("config.json"))) {
            try {
                copyTree(current, done);
            } catch (IOException e) {
                throw new ThinkSafeException(done + ": cannot write (" + e.getMessage() + ")");
            }
        }
        return done;
    }

    /** Unsteered and steered safe rates of a model on training-side harmful prompts (Diagnose, the real code). */
    ObjectNode rates(Path model, Path guardDir, String label) {
        List<Prompt> harmful = new ArrayList<>();
        for (ObjectNode o : world.promptSet(4 * scale.probePrompts(), 300)) {
            if (o.path("label").asText().contains("harmful") && harmful.size() < scale.probePrompts()) {
                harmful.add(new Prompt(o.path("id").asText(), o.path("instruction").asText(), o.path("label").asText(),
                        o.path("category").asText()));
            }
        }
        Path dir = out.resolve("work/rates-" + label);
        if (Files.exists(dir.resolve("rates.json"))) {
            return (ObjectNode) Json.read(dir.resolve("rates.json"));
        }
        try (LocalModel m = LocalModel.load(model);
             Guard guard = Guards.open(List.of("llama-guard:" + guardDir), Guards.Format.LLAMA_GUARD, GuardEnsemble.Policy.ALL, null)) {
            LocalGenerator gen = new LocalGenerator(m, new LocalEngine.Options(64, 512, 1L << 30), Map.of(), null);
            Diagnose.Result d = Diagnose.run(gen, guard, harmful, 1, SteeringTemplate.PREFIX, SamplingParams.qwen3(160, seed),
                    seed, dir);
            log.printf(Locale.ROOT, "microworld: %s unsteered safe %.2f, steered safe %.2f%n", label, d.unsteered(), d.steered());
            ObjectNode r = Json.object().put("stage", label).put("unsteered_safe_rate", d.unsteered()).put("steered_safe_rate", d.steered());
            Json.writePretty(dir.resolve("rates.json"), r);
            return r;
        }
    }

    /** Accuracy, precision and recall (unsafe = positive) of both judges on held-out pairs. */
    ObjectNode judgeAccuracy(Path llamaGuard, Path wildGuard) {
        List<World.Judged> pairs = world.judged(400, true, 500);
        List<GuardInput> inputs = pairs.stream().map(j -> new GuardInput(j.prompt(), j.response())).toList();
        ObjectNode o = Json.object();
        for (String spec : List.of("llama-guard:" + llamaGuard, "wildguard:" + wildGuard)) {
            try (Guard g = Guards.open(List.of(spec), Guards.Format.LLAMA_GUARD, GuardEnsemble.Policy.ALL, null)) {
                List<GuardVerdict> v = g.judge(inputs);
                int tp = 0;
                int fp = 0;
                int fn = 0;
                int right = 0;
                int refusalRight = 0;
                for (int i = 0; i < pairs.size(); i++) {
                    boolean unsafe = v.get(i).verdict() != Verdict.SAFE;
                    boolean truth = pairs.get(i).truth().harmful();
                    right += unsafe == truth ? 1 : 0;
                    tp += unsafe && truth ? 1 : 0;
                    fp += unsafe && !truth ? 1 : 0;
                    fn += !unsafe && truth ? 1 : 0;
                    refusalRight += Boolean.valueOf(pairs.get(i).truth().refusal()).equals(v.get(i).refusal()) ? 1 : 0;
                }
                String key = spec.startsWith("wildguard") ? "wildguard" : "llama_guard";
                ObjectNode s = o.putObject(key).put("pairs", pairs.size()).put("accuracy", right / (double) pairs.size())
                        .put("precision", tp / (double) Math.max(1, tp + fp)).put("recall", tp / (double) Math.max(1, tp + fn));
                if (key.equals("wildguard")) {
                    s.put("refusal_accuracy", refusalRight / (double) pairs.size());
                }
                log.printf(Locale.ROOT, "microworld: %s judge accuracy %.3f%n", key, right / (double) pairs.size());
            }
        }
        return o;
    }

    /** Evaluation splits (held-out side of the world) and the prompt set the pipeline aligns with. */
    private void data() {
        Path dir = out.resolve("data");
        if (Files.exists(dir.resolve("prompts.jsonl"))) {
            return;
        }
        Path tmp = AtomicDirs.prepare(dir);
        world.writeEvalSplits(tmp, scale.evalReasoning(), scale.evalConcealed());
        StringBuilder b = new StringBuilder();
        for (ObjectNode o : world.promptSet(scale.prompts(), 400)) {
            b.append(Json.compact(o)).append('\n');
        }
        AtomicFiles.writeString(tmp.resolve("prompts.jsonl"), b.toString());
        AtomicDirs.commit(tmp, dir);
    }

    private Path initial(String name, MicroModels.Role role, Path tokenizer, long initSeed) {
        Path dir = out.resolve("work/" + name + "/init");
        if (!Files.exists(dir.resolve("config.json"))) {
            Path tmp = AtomicDirs.prepare(dir);
            MicroModels.writeInitial(tmp, role, tokenizer, initSeed);
            AtomicDirs.commit(tmp, dir);
        }
        return dir;
    }

    private Path train(LocalModel m, String name, TrainConfig cfg, Function<SftTrainer, SftTrainer.Result> run) {
        SftTrainer trainer = new SftTrainer(m, cfg, out.resolve("work/" + name + "/train"));
        SftTrainer.Result r = run.apply(trainer);
        if (r.output() == null) {
            throw new ThinkSafeException(name + ": training stopped at step " + r.stepsDone() + " of " + r.totalSteps());
        }
        log.printf(Locale.ROOT, "microworld: %s trained, %d steps, last loss %.4f%n", name, r.stepsDone(), r.lastLoss());
        return r.output();
    }

    /** Moves a trained model to its final place under the world's folder. */
    private Path finish(String name, Path trained) {
        Path done = out.resolve(name);
        try {
            copyTree(trained, done);
        } catch (IOException e) {
            throw new ThinkSafeException(done + ": cannot write (" + e.getMessage() + ")");
        }
        return done;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Path tmp = AtomicDirs.prepare(to);
        try (var files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, tmp.resolve(f.getFileName()));
            }
        }
        AtomicDirs.commit(tmp, to);
    }
}
