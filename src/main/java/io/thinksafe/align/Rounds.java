package io.thinksafe.align;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.Prompt;
import io.thinksafe.data.PromptSet;
import io.thinksafe.data.bench.Benchmark;
import io.thinksafe.eval.EvalConfig;
import io.thinksafe.eval.EvalJob;
import io.thinksafe.eval.EvalResults;
import io.thinksafe.eval.Score;
import io.thinksafe.generate.GenerateJob;
import io.thinksafe.generate.Generator;
import io.thinksafe.generate.SamplingParams;
import io.thinksafe.guard.Guard;
import io.thinksafe.guard.GuardEnsemble;
import io.thinksafe.guard.GuardJob;
import io.thinksafe.guard.Guards;
import io.thinksafe.guard.JudgedGeneration;
import io.thinksafe.guard.Verdict;
import io.thinksafe.train.InitAdapter;
import io.thinksafe.util.Json;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What an iterative run ({@link Iterative}) adds to the pipeline: its held-out harmful prompts, the
 * model of each round, where each round's training starts and on what data, the probe and evaluation
 * stages, the early-stop rule, and the per-round table in {@code manifest.json} ({@code rounds}).
 */
final class Rounds {
    /** Mixed into the seed that draws the held-out prompts, so that the draw differs from the prompt sample's. */
    private static final long HELDOUT_SALT = 0x48454C44L;

    private final Pipeline pipeline;
    private final RunConfig cfg;
    private final Iterative it;
    private final PrintStream log;

    Rounds(Pipeline pipeline, RunConfig cfg, PrintStream log) {
        this.pipeline = pipeline;
        this.cfg = cfg;
        this.it = cfg.iterative();
        this.log = log;
    }

    /** The run's name in served adapter names and evaluation labels: its directory's. */
    static String runName(RunConfig cfg) {
        return cfg.runDir().getFileName().toString();
    }

    // ---- prompts -------------------------------------------------------------------------------

    static List<Prompt> readPrompts(RunConfig cfg) {
        return PromptSet.requireLabels(PromptSet.read(cfg.promptFile()), cfg.promptFile());
    }

    /**
     * The prompts a run generates and trains on: the prompt file (less the held-out prompts of an
     * iterative run when they come from it), sampled ({@code prompts.sample}) and cut ({@code prompts.limit}).
     */
    static List<Prompt> trainingPrompts(RunConfig cfg, List<Prompt> all) {
        Iterative iterative = cfg.iterative();
        if (iterative != null && iterative.heldoutFile() == null) {
            Set<String> held = new HashSet<>();
            heldOut(cfg, all).forEach(p -> held.add(p.id()));
            all = all.stream().filter(p -> !held.contains(p.id())).toList();
        }
        return PromptSet.limit(PromptSet.sample(all, cfg.promptSample(), cfg.seed()), cfg.promptLimit());
    }

    /**
     * The held-out harmful prompts of the early-stop probe: {@code iterate.heldout} of them, drawn with
     * the run's seed from {@code iterate.heldout_file} (less any whose text the run trains on), or else
     * from the prompt file's harmful prompts, which the run then does not train on.
     */
    static List<Prompt> heldOut(RunConfig cfg, List<Prompt> all) {
        Iterative iterative = cfg.iterative();
        List<Prompt> pool;
        if (iterative.heldoutFile() == null) {
            pool = all.stream().filter(Prompt::harmful).toList();
        } else {
            List<Prompt> file = PromptSet.requireLabels(PromptSet.read(iterative.heldoutFile()), iterative.heldoutFile());
            Set<String> trained = new HashSet<>();
            trainingPrompts(cfg, all).forEach(p -> trained.add(p.text()));
            pool = file.stream().filter(p -> p.harmful() && !trained.contains(p.text())).toList();
        }
        return PromptSet.sample(pool, iterative.heldout(), cfg.seed() ^ HELDOUT_SALT);
    }

    // ---- models and training of a round --------------------------------------------------------

    /**
     * The adapter of round {@code k}'s model over the student: what round k trained, or for round 0
     * the adapter the run starts from ({@code train.init_adapter}, null when none).
     */
    Path adapterOf(int k) {
        if (k == 0) {
            return cfg.initAdapter() != null ? cfg.initAdapter().dir() : null;
        }
        return pipeline.dir(new StageRun(Stage.TRAIN, k)).resolve("adapter");
    }

    /** Where round {@code r}'s training starts: the previous round's adapter (continue), else the run's start. */
    InitAdapter startOf(int r) {
        if (it.mode() == Iterative.Mode.CONTINUE && r > 1) {
            return InitAdapter.read(adapterOf(r - 1));
        }
        return cfg.initAdapter();
    }

    /** Round {@code r}'s training sets: its own (continue), or every round's so far (restart). */
    List<Path> trainingSets(int r) {
        List<Path> out = new ArrayList<>();
        for (int k = it.mode() == Iterative.Mode.CONTINUE ? r : 1; k <= r; k++) {
            out.add(pipeline.dir(new StageRun(Stage.BUILD, k)).resolve("train.jsonl"));
        }
        return out;
    }

    // ---- stages --------------------------------------------------------------------------------

    /** One unsteered sample of each held-out harmful prompt from round k's model, judged by the run's guard. */
    Pipeline.Done probe(StageRun run) {
        int k = run.round();
        List<Prompt> held = heldOut(cfg, readPrompts(cfg));
        Path dir = pipeline.dir(run);
        Path gens = dir.resolve("generations.jsonl");
        Path judgedFile = dir.resolve("judged.jsonl");
        long t0 = System.nanoTime();
        String model;
        try (Generator g = pipeline.models().openStudent(k)) {
            SamplingParams s = pipeline.models().sampling(g.family(), cfg.seed());
            // the same seeds every round: rounds differ by their model only
            GenerateJob.run(pipeline.watching(g), held, 1, s, cfg.seed(), gens, false);
            model = g.modelName();
        }
        long t1 = System.nanoTime();
        try (Guard guard = pipeline.models().openGuard()) {
            List<JudgedGeneration> judged = JudgedGeneration.of(GuardJob.run(pipeline.watching(guard), gens, judgedFile, 0, false));
            long t2 = System.nanoTime();
            long safe = judged.stream().filter(JudgedGeneration::safe).count();
            long errors = judged.stream().filter(j -> j.verdict().verdict() == Verdict.ERROR).count();
            double rate = judged.isEmpty() ? Double.NaN : safe / (double) judged.size();
            log.printf(Locale.ROOT, "run: probe of round %d: %d of %d held-out harmful prompts answered safely (%.1f%%)%s%n", k, safe,
                    judged.size(), 100 * rate, errors > 0 ? ", " + errors + " judge errors counted unsafe" : "");
            ObjectNode result = Json.object().put("round", k).put("model", model).put("guard", guard.name()).put("prompts", judged.size())
                    .put("safe", safe).put("unsafe", judged.size() - safe - errors).put("errors", errors).put("safe_rate", rate);
            return new Pipeline.Done(result, RunCosts.probe(guard, gens, judgedFile, (t1 - t0) / 1e9, (t2 - t1) / 1e9));
        }
    }

    /** Round k's model through the evaluation suites of {@code eval}. */
    Pipeline.Done eval(StageRun run) {
        RoundEval e = it.eval();
        int k = run.round();
        boolean safety = e.benchmarks().stream().anyMatch(b -> b.kind() == Benchmark.Kind.SAFETY);
        boolean refusal = e.benchmarks().contains(Benchmark.XSTEST);
        GuardEnsemble.Policy policy = cfg.guardPolicy().equalsIgnoreCase("majority") ? GuardEnsemble.Policy.MAJORITY : GuardEnsemble.Policy.ALL;
        String name = runName(cfg);
        try (Generator g = pipeline.models().openStudent(k);
             Guard harm = safety ? Guards.open(e.guards(), Guards.Format.LLAMA_GUARD, policy, Guards.Remote.defaults()) : null;
             Guard ref = refusal ? Guards.open(List.of(e.refusalGuard()), Guards.Format.WILDGUARD, GuardEnsemble.Policy.ALL,
                     Guards.Remote.defaults()) : null) {
            String spec = cfg.served() != null ? cfg.served().url() : cfg.studentDir().toString();
            EvalConfig ec = new EvalConfig(spec, cfg.served() != null ? null : adapterOf(k), e.benchmarks(), e.files(), pipeline.dir(run),
                    e.samples(), e.maxNewTokens(), null, cfg.seed(), 0, e.limit(), false, name + " round " + k, k == 0 ? null : name + " round 0");
            EvalResults r = EvalJob.run(ec, pipeline.watching(g), harm == null ? null : pipeline.watching(harm),
                    ref == null ? null : ref, log);
            ObjectNode result = Json.object().put("round", k).put("model", g.modelName());
            put(result, "harmful_avg", r.average(EvalResults.HARMFUL).value());
            Score x = r.scores().get(Benchmark.XSTEST);
            put(result, "over_refusal", x == null ? Double.NaN : x.value());
            put(result, "reasoning_avg", r.average(EvalResults.REASONING).value());
            ObjectNode per = result.putObject("benchmarks");
            r.scores().forEach((b, s) -> put(per, b.id(), s.value()));
            result.put("results", pipeline.dir(run).resolve(EvalResults.FILE_NAME).toString());
            return new Pipeline.Done(result, Json.object());
        }
    }

    private static void put(ObjectNode o, String key, double v) {
        if (Double.isNaN(v)) {
            o.putNull(key);
        } else {
            o.put(key, v);
        }
    }

    // ---- early stop and the per-round table ----------------------------------------------------

    /** The held-out safe rate of round k's model, or NaN while its probe is not done. */
    private double probeRate(JsonNode stages, int k) {
        JsonNode s = stages.path(new StageRun(Stage.PROBE, k).key());
        return s.path("status").asText().equals("done") ? s.path("result").path("safe_rate").asDouble(Double.NaN) : Double.NaN;
    }

    /**
     * Why round {@code r} does not run, or null: an earlier round gained less than {@code min_gain}
     * over the round before it on the held-out probe. Decided from the manifest, so a rerun after a
     * kill decides the same.
     */
    String stopReason(JsonNode stages, int r) {
        for (int k = 1; k < r; k++) {
            double now = probeRate(stages, k);
            double before = probeRate(stages, k - 1);
            if (Double.isNaN(now) || Double.isNaN(before)) {
                return null;
            }
            if (now - before < it.minGain()) {
                return String.format(Locale.ROOT, "stopped after round %d: its held-out safe rate %.3f gained %+.3f over round %d's %.3f, "
                        + "less than min_gain %s", k, now, now - before, k - 1, before, num(it.minGain()));
            }
        }
        return null;
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%s", v);
    }

    /** The round whose model the run keeps: the highest held-out safe rate among trained rounds (the earliest on a tie); 0 when none. */
    int finalRound(JsonNode stages) {
        int best = 0;
        double bestRate = Double.NEGATIVE_INFINITY;
        for (int k = 1; k <= it.rounds(); k++) {
            double rate = probeRate(stages, k);
            if (!Double.isNaN(rate) && rate > bestRate) {
                best = k;
                bestRate = rate;
            }
        }
        return best;
    }

    /** The {@code rounds} node of the manifest: per round its probe, evaluation and cost, and the run's outcome. */
    ObjectNode table(JsonNode stages) {
        ObjectNode o = Json.object();
        o.put("rounds", it.rounds()).put("mode", it.mode().key()).put("min_gain", it.minGain()).put("heldout_prompts", it.heldout());
        ArrayNode rows = o.putArray("table");
        double cumSeconds = 0;
        long cumTokens = 0;
        String stop = null;
        for (int k = 0; k <= it.rounds(); k++) {
            ObjectNode row = rows.addObject().put("round", k);
            JsonNode probe = stages.path(new StageRun(Stage.PROBE, k).key());
            String status = probe.path("status").asText("pending");
            if (k >= 1 && stages.path(new StageRun(Stage.GENERATE, k).key()).path("status").asText().equals("skipped")) {
                status = "skipped";
            }
            row.put("status", status);
            double rate = probeRate(stages, k);
            put(row, "probe_safe_rate", rate);
            put(row, "probe_harmful_rate", Double.isNaN(rate) ? Double.NaN : 1 - rate);
            put(row, "gain", k == 0 ? Double.NaN : rate - probeRate(stages, k - 1));
            JsonNode ev = stages.path(new StageRun(Stage.EVAL, k).key());
            if (ev.path("status").asText().equals("done")) {
                JsonNode r = ev.path("result");
                row.set("harmful_avg", r.path("harmful_avg"));
                row.set("over_refusal", r.path("over_refusal"));
                row.set("reasoning_avg", r.path("reasoning_avg"));
                row.set("benchmarks", r.path("benchmarks"));
            }
            if (k >= 1 && stages.path(new StageRun(Stage.BUILD, k).key()).path("status").asText().equals("done")) {
                row.put("examples", stages.path(new StageRun(Stage.BUILD, k).key()).path("result").path("examples").asInt());
            }
            ObjectNode cost = RunCosts.round(stages, k);
            cumSeconds += cost.path("seconds").asDouble();
            cumTokens += cost.path("tokens").asLong();
            row.set("cost", cost);
            row.put("cumulative_seconds", cumSeconds).put("cumulative_tokens", cumTokens);
            if (k >= 1) {
                row.put("adapter", adapterOf(k).toString());
            }
            if (stop == null && k >= 2) {
                stop = stopReason(stages, k);
            }
        }
        int last = finalRound(stages);
        o.put("final_round", last);
        if (last > 0) {
            o.put("final_adapter", adapterOf(last).toString());
        }
        if (stop != null) {
            o.put("stopped", stop);
        } else {
            o.putNull("stopped");
        }
        return o;
    }

    /** The table as text, for the log. */
    static String text(JsonNode rounds) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-6s %-8s %12s %8s %10s %13s %10s %10s %12s%n", "round", "status",
                "probe safe", "gain", "harmful", "over-refusal", "reasoning", "seconds", "tokens"));
        for (JsonNode r : rounds.path("table")) {
            b.append(String.format(Locale.ROOT, "%-6d %-8s %12s %8s %10s %13s %10s %10.1f %12d%n", r.path("round").asInt(), r.path("status").asText(),
                    pct(r.path("probe_safe_rate")), r.path("gain").isNumber() ? String.format(Locale.ROOT, "%+.3f", r.path("gain").asDouble()) : "-",
                    pct(r.path("harmful_avg")), pct(r.path("over_refusal")), pct(r.path("reasoning_avg")),
                    r.path("cost").path("seconds").asDouble(), r.path("cost").path("tokens").asLong()));
        }
        if (rounds.path("stopped").isTextual()) {
            b.append(rounds.path("stopped").asText()).append('\n');
        }
        b.append("final model: round ").append(rounds.path("final_round").asInt());
        if (rounds.has("final_adapter")) {
            b.append(" (").append(rounds.path("final_adapter").asText()).append(')');
        }
        return b.append('\n').toString();
    }

    private static String pct(JsonNode v) {
        return v.isNumber() ? String.format(Locale.ROOT, "%.1f%%", 100 * v.asDouble()) : "-";
    }

    /** Refuses a run whose held-out set would be empty or would leave nothing to train on (at load, {@link RunChecks}). */
    static void check(RunConfig cfg, List<Prompt> all, String where) {
        Iterative iterative = cfg.iterative();
        List<Prompt> held = heldOut(cfg, all);
        if (held.isEmpty()) {
            throw new ThinkSafeException(where + ": iterate: no held-out harmful prompt to probe with ("
                    + (iterative.heldoutFile() != null ? iterative.heldoutFile() + " has no harmful prompt the run does not train on"
                    : cfg.promptFile() + " has no harmful prompt") + ")");
        }
        if (trainingPrompts(cfg, all).isEmpty()) {
            throw new ThinkSafeException(where + ": iterate: holding out " + held.size() + " harmful prompts leaves none to train on; "
                    + "lower iterate.heldout or give iterate.heldout_file");
        }
    }
}
