package io.thinksafe.microworld;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.align.Diagnose;
import io.thinksafe.align.Pipeline;
import io.thinksafe.align.RunConfig;
import io.thinksafe.align.SteeringTemplate;
import io.thinksafe.data.Prompt;
import io.thinksafe.data.PromptSet;
import io.thinksafe.data.bench.Benchmark;
import io.thinksafe.eval.EvalConfig;
import io.thinksafe.eval.EvalJob;
import io.thinksafe.eval.EvalResults;
import io.thinksafe.eval.PerplexityJob;
import io.thinksafe.eval.Score;
import io.thinksafe.generate.Generator;
import io.thinksafe.generate.Generators;
import io.thinksafe.generate.LocalEngine;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.generate.ModelSpec;
import io.thinksafe.generate.SamplingParams;
import io.thinksafe.guard.Guard;
import io.thinksafe.guard.GuardEnsemble;
import io.thinksafe.guard.Guards;
import io.thinksafe.report.ReportJob;
import io.thinksafe.util.AtomicFiles;
import io.thinksafe.util.Json;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code thinksafe demo}: the whole method on the micro-world, through the same code a user runs on
 * real models. Diagnose the drifted student; build each method's training set and adapter with
 * {@code thinksafe run} configurations (written to {@code OUT/configs/} so they can be rerun by hand);
 * evaluate the initial student and every adapter on the held-out splits with the real suites and
 * judges; measure each training set's perplexity under the student; write the report and
 * {@code summary.json}. Every step resumes, so a killed demo rerun with the same command finishes
 * what is missing.
 */
public final class MicroworldDemo {
    /** The methods compared, in the table's order; {@code initial} is the drifted student itself. */
    public static final List<String> METHODS = List.of("initial", "thinksafe", "rejection_sampling", "without_reasoning",
            "direct_refusal", "teacher", "grpo", "safechain", "star1", "safekey", "safepath", "onpolicy_distill");
    /**
     * What {@code thinksafe demo} runs without {@code --methods}: the methods the claims compare (see {@link Claims}):
     * ThinkSafe, its ablations, the teacher and DirectRefusal baselines and GRPO. The paper's other baselines wait for
     * {@code --methods} or {@code all}.
     */
    public static final List<String> DEFAULT_METHODS = List.of("initial", "thinksafe", "rejection_sampling", "without_reasoning",
            "direct_refusal", "teacher", "grpo");
    /** The concealed split: harmful prompts whose hazard shows only once the request is worked out (HarmBench's schema). */
    static final String CONCEALED_FILE = "data/harmbench_concealed.json";
    /** Where each method's evaluation on the concealed split goes ({@code OUT/eval-concealed/METHOD/harmbench/}). */
    static final String CONCEALED_EVAL = "eval-concealed";

    /** A method's per-item audit lines of one set in the demo's output ({@code OUT/eval/METHOD/BENCH/items.jsonl}). */
    static Path evalItems(Path out, String method, String bench) {
        return out.resolve("eval").resolve(method).resolve(bench).resolve("items.jsonl");
    }

    /** A method's per-item audit lines on the concealed split ({@code OUT/eval-concealed/METHOD/harmbench/items.jsonl}). */
    static Path concealedItems(Path out, String method) {
        return out.resolve(CONCEALED_EVAL).resolve(method).resolve("harmbench").resolve("items.jsonl");
    }
    /** The baselines whose epochs come from the paper's Table 4 (the recipe's default) rather than the demo's. */
    static final List<String> TABLE_4 = List.of("direct_refusal", "safechain", "star1", "safekey", "safepath");
    /**
     * Beyond the paper, on request ({@code --methods}): iterative ThinkSafe ({@code rounds}, a held-out
     * probe, evaluation of every round) and GRPO warm-started from ThinkSafe's adapter.
     */
    public static final List<String> EXTRA_METHODS = List.of("thinksafe_iterative", "thinksafe_grpo");
    static final int DIAGNOSE_PROMPTS = 60;
    /** Held-out harmful prompts of the iterative run's early-stop probe. */
    static final int HELDOUT = 100;

    /**
     * @param world       a folder written by {@code thinksafe microworld build}
     * @param out         where the runs, evaluations, report and summary go
     * @param methods     which of {@link #METHODS} to run
     * @param lr          the LoRA learning rate (the micro-world's models are tiny: far above the paper's 1e-5)
     * @param samples     samples per reasoning problem
     */
    public record Options(Path world, Path out, List<String> methods, double lr, int epochs, int samples, int maxNewTokens,
                          long seed, int rounds, String roundMode, double minGain, int limit) {
        public Options(Path world, Path out, List<String> methods, double lr, int epochs, int samples, int maxNewTokens, long seed) {
            this(world, out, methods, lr, epochs, samples, maxNewTokens, seed, 3, null, io.thinksafe.align.Iterative.DEFAULT_MIN_GAIN, 0);
        }

        public static Options defaults(Path world, Path out) {
            return new Options(world, out, DEFAULT_METHODS, 2e-3, 3, 4, 256, 0);
        }

        /** The iterative method's rounds, training mode (null: the default) and early-stop gain. */
        public Options withRounds(int n, String mode, double gain) {
            return new Options(world, out, methods, lr, epochs, samples, maxNewTokens, seed, n, mode, gain, limit);
        }

        /** Only the first {@code n} items of every evaluation set (0: all): a quick look, not the demo's numbers. */
        public Options withLimit(int n) {
            if (n < 0) {
                throw new ThinkSafeException("--limit must be 0 (every item) or a positive number of items per set, got " + n);
            }
            return new Options(world, out, methods, lr, epochs, samples, maxNewTokens, seed, rounds, roundMode, minGain, n);
        }
    }

    private final Options o;
    private final PrintStream log;

    /** {@code all} means every method. */
    public static List<String> expand(List<String> methods) {
        return methods.size() == 1 && methods.get(0).equals("all") ? METHODS : methods;
    }

    public MicroworldDemo(Options o, PrintStream log) {
        this.o = o;
        this.log = log;
        for (String m : o.methods()) {
            if (!METHODS.contains(m) && !EXTRA_METHODS.contains(m)) {
                throw new ThinkSafeException("unknown method '" + m + "' (known: " + String.join(", ", METHODS) + "; and "
                        + String.join(", ", EXTRA_METHODS) + ")");
            }
        }
        if (o.methods().contains("thinksafe_grpo") && !o.methods().contains("grpo")) {
            throw new ThinkSafeException("thinksafe_grpo is compared with plain GRPO at equal GRPO steps: add grpo to --methods");
        }
        for (String part : List.of("build.json", "student/config.json", "teacher/config.json", "llama-guard/config.json",
                "wildguard/config.json", "data/prompts.jsonl")) {
            if (!Files.exists(o.world().resolve(part))) {
                throw new ThinkSafeException(o.world() + ": not a micro-world (no " + part + "); build one with "
                        + "`thinksafe microworld build --out DIR`");
            }
        }
        if (!Files.isRegularFile(o.world().resolve(CONCEALED_FILE))) {
            throw new ThinkSafeException(o.world() + ": no " + CONCEALED_FILE + " (the concealed harmful split, which worlds built "
                    + "before it lack); rebuild the world with `thinksafe microworld build --out DIR`");
        }
    }

    Path student() {
        return o.world().resolve("student").toAbsolutePath();
    }

    String llamaGuard() {
        return "llama-guard:" + o.world().resolve("llama-guard").toAbsolutePath();
    }

    String wildGuard() {
        return "wildguard:" + o.world().resolve("wildguard").toAbsolutePath();
    }

    /** Runs everything not yet done and returns the summary (also written to {@code OUT/summary.json}). */
    public ObjectNode run() {
        // the world's models are tiny: one libtorch thread (see Torch.setThreads)
        return io.thinksafe.model.Torch.withThreads(1, this::runAll);
    }

    private ObjectNode runAll() {
        long started = System.nanoTime();
        ObjectNode summary = Json.object();
        Diagnose.Result d = diagnose();
        Map<String, Path> adapters = new LinkedHashMap<>();
        Map<String, Path> trainingSets = new LinkedHashMap<>();
        for (String m : o.methods()) {
            if (!m.equals("initial")) {
                log.println("demo: " + m);
                Path runDir = align(m);
                if (m.equals("grpo") || m.equals("onpolicy_distill")) {
                    // online: no training set to measure
                    adapters.put(m, runDir.resolve(m.equals("grpo") ? "grpo/adapter" : "distill/adapter"));
                } else if (m.equals("thinksafe_grpo")) {
                    adapters.put(m, runDir.resolve("grpo/adapter"));
                    trainingSets.put(m, runDir.resolve("build/train.jsonl")); // the ThinkSafe data it warms up on
                } else if (m.equals("thinksafe_iterative")) {
                    // the round the run kept, and the data that round trained on
                    JsonNode rounds = Json.read(runDir.resolve("manifest.json")).path("rounds");
                    int k = rounds.path("final_round").asInt();
                    adapters.put(m, Path.of(rounds.path("final_adapter").asText()));
                    trainingSets.put(m, runDir.resolve(k == 1 ? "build" : "build-" + k).resolve("train.jsonl"));
                } else {
                    adapters.put(m, runDir.resolve("train/adapter"));
                    trainingSets.put(m, runDir.resolve("build/train.jsonl"));
                }
            }
        }
        Map<String, EvalResults> results = new LinkedHashMap<>();
        Map<String, EvalResults> concealed = new LinkedHashMap<>();
        // the judges load once for every evaluation
        try (Guard harm = Guards.open(List.of(llamaGuard()), Guards.Format.LLAMA_GUARD, GuardEnsemble.Policy.ALL, null);
             Guard refusal = Guards.open(List.of(wildGuard()), Guards.Format.WILDGUARD, GuardEnsemble.Policy.ALL, null)) {
            for (String m : o.methods()) {
                Evaluated r = evaluate(m, adapters.get(m), harm, refusal);
                results.put(m, r.main());
                concealed.put(m, r.concealed());
            }
        }
        Map<String, Double> perplexity = new LinkedHashMap<>();
        Map<String, Path> perplexityFiles = new LinkedHashMap<>();
        try (LocalModel student = LocalModel.load(student())) {
            trainingSets.forEach((m, file) -> {
                Path ppl = o.out().resolve("perplexity").resolve(m + ".jsonl");
                perplexity.put(m, PerplexityJob.run(student, file, ppl, 0).perplexity());
                perplexityFiles.put(m, ppl);
            });
        }
        ReportJob.Written report = ReportJob.run(new ReportJob.Options(
                o.methods().stream().map(m -> o.out().resolve("eval").resolve(m)).toList(), o.out().resolve("report"),
                trainingSets, perplexityFiles, s -> s.split("\\s+").length, "words",
                "ThinkSafe on the micro-world (a constructed world, not real models)"));
        summary.put("wall_seconds", (System.nanoTime() - started) / 1e9);
        summary.put("world", o.world().toAbsolutePath().toString());
        summary.putObject("diagnose").put("unsteered_safe_rate", d.unsteered()).put("steered_safe_rate", d.steered())
                .put("samples", d.samples());
        JsonNode build = Json.read(o.world().resolve("build.json"));
        summary.put("guard_accuracy", build.path("judges").path("llama_guard").path("accuracy").asDouble(Double.NaN));
        ObjectNode methods = summary.putObject("methods");
        results.forEach((m, r) -> {
            ObjectNode row = methods.putObject(m);
            put(row, "harmful_plain", value(r, Benchmark.HARMBENCH));
            put(row, "harmful_jailbreak", value(r, Benchmark.WILDJAILBREAK));
            put(row, "harmful_concealed", value(concealed.get(m), Benchmark.HARMBENCH));
            put(row, "over_refusal", value(r, Benchmark.XSTEST));
            put(row, "reasoning_accuracy", r.average(List.of(Benchmark.GSM8K, Benchmark.MATH500)).value());
            row.set("judge_agreement", JudgeAudit.of(o.out(), m).toJson()); // the judges against the world's truth
            JsonNode cost = m.equals("initial") ? null
                    : Json.read(o.out().resolve("runs").resolve(m).resolve("manifest.json")).path("cost");
            if (cost != null && cost.path("complete").asBoolean(false)) {
                row.put("cost_seconds", cost.path("seconds").asDouble()).put("cost_tokens", cost.path("tokens").asLong());
            }
            if (perplexity.containsKey(m)) {
                put(row, "train_perplexity", perplexity.get(m));
            } else {
                row.putNull("train_perplexity");
            }
        });
        if (o.methods().contains("thinksafe_iterative")) {
            summary.set("rounds", Json.read(o.out().resolve("runs/thinksafe_iterative/manifest.json")).path("rounds"));
        }
        if (o.methods().contains("thinksafe_grpo")) {
            summary.set("warm_start", io.thinksafe.report.WarmStartSection.compare(o.out().resolve("runs/thinksafe_grpo"),
                    o.out().resolve("runs/grpo")));
        }
        JsonNode ts = methods.path("thinksafe");
        for (String online : List.of("grpo", "onpolicy_distill")) {
            JsonNode rl = methods.path(online);
            if (ts.has("cost_seconds") && rl.has("cost_seconds")) {
                summary.putObject(online + "_cost_ratio").put("seconds", rl.path("cost_seconds").asDouble() / ts.path("cost_seconds").asDouble())
                        .put("tokens", rl.path("cost_tokens").asDouble() / ts.path("cost_tokens").asDouble());
            }
        }
        summary.set("claims", new Claims(o.out(), o.methods(), methods).decide());
        AtomicFiles.writeString(o.out().resolve("table.md"), DemoTables.markdown(summary));
        summary.put("report", report.html().toAbsolutePath().toString());
        summary.put("report_markdown", report.markdown().toAbsolutePath().toString());
        report.plots().stream().filter(p -> p.getFileName().toString().startsWith("tradeoff"))
                .forEach(p -> summary.put("plot", p.toAbsolutePath().toString()));
        Json.writePretty(o.out().resolve("summary.json"), summary);
        return summary;
    }

    /** Does steering unlock refusals in the drifted student? The real {@code diagnose}, on the training prompts. */
    private Diagnose.Result diagnose() {
        List<Prompt> harmful = PromptSet.read(o.world().resolve("data/prompts.jsonl")).stream().filter(Prompt::harmful).toList();
        harmful = PromptSet.sample(harmful, DIAGNOSE_PROMPTS, o.seed());
        Path dir = o.out().resolve("diagnose");
        try (Generator g = Generators.open(ModelSpec.parse(student().toString()), engineOptions(null));
             Guard guard = Guards.open(List.of(llamaGuard()), Guards.Format.LLAMA_GUARD, GuardEnsemble.Policy.ALL, null)) {
            SamplingParams s = g.family().defaultSampling(o.maxNewTokens(), o.seed());
            Diagnose.Result r = Diagnose.run(g, guard, harmful, 1, SteeringTemplate.PREFIX, s, o.seed(), dir);
            Json.writePretty(dir.resolve("diagnosis.json"), r.toJson());
            log.print(r.table());
            return r;
        }
    }

    /** One method through {@code thinksafe run}: its configuration file, then every stage not yet done. */
    private Path align(String method) {
        Path runDir = o.out().resolve("runs").resolve(method).toAbsolutePath();
        Path config = o.out().resolve("configs").resolve(method + ".yaml");
        AtomicFiles.writeString(config, runConfig(method, runDir));
        new Pipeline(RunConfig.load(config), false, io.thinksafe.align.Pipeline.Hook.NONE, log).run();
        return runDir;
    }

    String runConfig(String method, Path runDir) {
        StringBuilder y = new StringBuilder();
        y.append("# ").append(method).append(" on the micro-world, written by `thinksafe demo`\n");
        y.append("run_dir: ").append(runDir).append('\n');
        y.append("student: ").append(student()).append('\n');
        if (List.of("teacher", "safechain", "star1", "safekey", "onpolicy_distill").contains(method)) {
            y.append("teacher: ").append(o.world().resolve("teacher").toAbsolutePath()).append('\n');
        }
        if (method.equals("star1") || method.equals("safekey")) {
            // stand-ins (no micro model reads a policy or grades a trace): the guard's P(safe) and a format check score each
            // trace, and the teacher answers the plain prompt with the policies' objectives prepended to its reasoning
            y.append("star1: {judge: guard, policy_in: trace, policies: ").append(policies()).append("}\n");
        }
        y.append("guard: [").append(llamaGuard()).append("]\n");
        y.append("prompts: {file: ").append(o.world().resolve("data/prompts.jsonl").toAbsolutePath()).append("}\n");
        y.append("recipe: ").append(method.equals("thinksafe_iterative") ? "thinksafe" : method).append('\n');
        y.append("steering: prefix\n");
        y.append("sampling: {max_new_tokens: ").append(o.maxNewTokens()).append(", batch: 64}\n");
        if (method.equals("thinksafe_iterative")) {
            // held-out harmful prompts drawn from the world's training side, none of them a training prompt; every round evaluated
            y.append("rounds: ").append(o.rounds()).append('\n');
            y.append("iterate: {").append(o.roundMode() != null ? "mode: " + o.roundMode() + ", " : "")
                    .append(String.format(Locale.ROOT, "min_gain: %s, heldout: %d, heldout_file: %s}%n", o.minGain(), HELDOUT, heldOutFile()));
            y.append("eval: {data: ").append(o.world().resolve("data").toAbsolutePath())
                    .append(", benchmarks: [harmbench, wildjailbreak, xstest, gsm8k, math500], refusal_guard: ").append(wildGuard())
                    .append(", samples: ").append(o.samples()).append(", max_new_tokens: ").append(o.maxNewTokens())
                    .append(o.limit() > 0 ? ", limit: " + o.limit() : "").append("}\n");
        }
        if (method.equals("thinksafe_grpo")) {
            // ThinkSafe as thinksafe's, then GRPO as grpo's (one pass, 8 prompts x 8 samples a step): equal GRPO steps
            y.append(String.format(Locale.ROOT, "train: {lr: %s, epochs: %d, batch: 8, lora_r: 32, lora_alpha: 16}%n", o.lr(), o.epochs()));
            y.append(String.format(Locale.ROOT, "grpo: {group: 8, temperature: 0.7, beta: 0.04, epsilon: 0.2, rollout_batch: 64, lr: %s, "
                    + "epochs: 1, batch: 8, reference: init}%n", o.lr()));
        } else if (method.equals("grpo")) {
            // one pass over the prompts, 8 prompts x 8 samples a step: the reference's GRPO, sized to the world
            y.append(String.format(Locale.ROOT, "train: {lr: %s, epochs: 1, batch: 8, lora_r: 32, lora_alpha: 16}%n", o.lr()));
            y.append("grpo: {group: 8, temperature: 0.7, beta: 0.04, epsilon: 0.2, rollout_batch: 64}\n");
        } else if (method.equals("onpolicy_distill")) {
            // one pass over the prompts as GRPO's, 8 prompts a step, one sample each (Agarwal et al.'s on-policy GKD)
            y.append(String.format(Locale.ROOT, "train: {lr: %s, epochs: 1, batch: 8, lora_r: 32, lora_alpha: 16}%n", o.lr()));
            y.append("distill: {samples: 1, temperature: 1.0, rollout_batch: 64}\n");
        } else if (TABLE_4.contains(method)) {
            y.append(String.format(Locale.ROOT, "train: {lr: %s, batch: 8, lora_r: 32, lora_alpha: 16}   # epochs: the paper's Table 4%n",
                    o.lr()));
        } else {
            y.append(String.format(Locale.ROOT, "train: {lr: %s, epochs: %d, batch: 8, lora_r: 32, lora_alpha: 16}%n", o.lr(), o.epochs()));
        }
        y.append("seed: ").append(o.seed()).append('\n');
        return y.toString();
    }

    /** The shipped STAR-1 policy folder of this installation. */
    private static Path policies() {
        return Path.of(System.getProperty("thinksafe.home", ".")).resolve("policies/star1").toAbsolutePath().normalize();
    }

    /**
     * The iterative run's held-out harmful prompts ({@code OUT/heldout/harmful.jsonl}): drawn by the world's
     * own generator from its training side (the evaluation splits stay unseen), on another random stream
     * than the training prompts', leaving out any text that is a training prompt.
     */
    private Path heldOutFile() {
        Path file = o.out().resolve("heldout/harmful.jsonl").toAbsolutePath();
        if (Files.exists(file)) {
            return file;
        }
        java.util.Set<String> training = new java.util.HashSet<>();
        PromptSet.read(o.world().resolve("data/prompts.jsonl")).forEach(p -> training.add(p.text()));
        java.util.Set<String> seen = new java.util.HashSet<>();
        long seed = Json.read(o.world().resolve("build.json")).path("seed").asLong(MicroworldBuilder.SEED);
        StringBuilder b = new StringBuilder();
        int n = 0;
        for (ObjectNode p : new World(seed).promptSet(2000, 401)) {
            String text = p.path("instruction").asText();
            if (p.path("label").asText().contains("harmful") && !training.contains(text) && seen.add(text) && n < 4 * HELDOUT) {
                p.put("id", "held" + n++);
                b.append(Json.compact(p)).append('\n');
            }
        }
        AtomicFiles.writeString(file, b.toString());
        return file;
    }

    /** A method's results on the usual held-out splits and on the concealed split. */
    private record Evaluated(EvalResults main, EvalResults concealed) {}

    /**
     * The real evaluation on the held-out splits: harm judged by the micro Llama-Guard, XSTest refusals by the micro WildGuard;
     * then the concealed split, as HarmBench from its own file, into {@code OUT/eval-concealed/METHOD}. Returns both results.
     */
    private Evaluated evaluate(String method, Path adapter, Guard harm, Guard refusal) {
        Path data = o.world().resolve("data");
        List<Benchmark> benchmarks = List.of(Benchmark.HARMBENCH, Benchmark.WILDJAILBREAK, Benchmark.XSTEST, Benchmark.GSM8K,
                Benchmark.MATH500);
        Map<Benchmark, Path> files = EvalConfig.resolveFiles(benchmarks, data, new EnumMap<>(Benchmark.class));
        Path dir = o.out().resolve("eval").resolve(method);
        log.println("demo: evaluating " + method);
        try (Generator g = Generators.open(ModelSpec.parse(student().toString()), engineOptions(adapter))) {
            EvalConfig cfg = new EvalConfig(student().toString(), adapter, benchmarks, files, dir, o.samples(), o.maxNewTokens(),
                    null, o.seed(), 0, o.limit(), false, method, method.equals("initial") ? null : "initial");
            EvalResults main = EvalJob.run(cfg, g, harm, refusal, log);
            Map<Benchmark, Path> concealedFile = EvalConfig.resolveFiles(List.of(Benchmark.HARMBENCH), null,
                    Map.of(Benchmark.HARMBENCH, o.world().resolve(CONCEALED_FILE)));
            EvalConfig concealed = new EvalConfig(student().toString(), adapter, List.of(Benchmark.HARMBENCH), concealedFile,
                    o.out().resolve(CONCEALED_EVAL).resolve(method), o.samples(), o.maxNewTokens(), null, o.seed(), 0, o.limit(), false,
                    method, method.equals("initial") ? null : "initial");
            return new Evaluated(main, EvalJob.run(concealed, g, harm, refusal, log));
        }
    }

    private static Generators.Options engineOptions(Path adapter) {
        LocalEngine.Options d = LocalEngine.Options.defaults();
        return new Generators.Options(adapter, new LocalEngine.Options(64, d.prefillChunk(), d.kvBudgetBytes()), Map.of(),
                Generators.Remote.defaults(), null, System.err);
    }

    private static double value(EvalResults r, Benchmark b) {
        Score s = r.scores().get(b);
        return s == null ? Double.NaN : s.value();
    }

    private static void put(ObjectNode row, String key, double v) {
        if (Double.isNaN(v)) {
            row.putNull(key);
        } else {
            row.put(key, v);
        }
    }

    /** The comparison as a plain-text table, with the claims and where the report is (see {@link DemoTables#text}). */
    public static String table(ObjectNode summary) {
        return DemoTables.text(summary);
    }
}
