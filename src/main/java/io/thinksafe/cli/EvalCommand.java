package io.thinksafe.cli;

import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.bench.Benchmark;
import io.thinksafe.eval.EvalConfig;
import io.thinksafe.eval.EvalJob;
import io.thinksafe.eval.Suites;
import io.thinksafe.generate.Generator;
import io.thinksafe.generate.Generators;
import io.thinksafe.generate.LocalEngine;
import io.thinksafe.generate.ModelSpec;
import io.thinksafe.generate.SamplingParams;
import io.thinksafe.guard.Guard;
import io.thinksafe.guard.GuardEnsemble;
import io.thinksafe.guard.Guards;
import io.thinksafe.guard.WildGuard;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a model on the paper's suites: safety (harmful-response ratio on HarmBench, StrongREJECT, "
                + "WildJailbreak), over-refusal (XSTest, WildGuard) and reasoning (AIME 2024, GSM8K, MATH500, GPQA-Diamond; "
                + "average pass@1 and pass@k). Resumable; writes per-item records and OUT/results.json.")
final class EvalCommand implements Runnable {
    @picocli.CommandLine.Mixin
    SharedOptions.KvBudget kvBudget;

    @Mixin
    SharedOptions.Model model;

    @Mixin
    SharedOptions.AdapterOption adapter;

    @Mixin
    SharedOptions.Remote remote;

    @Mixin
    GuardOptions judge;

    @Option(names = "--suites", defaultValue = "safety,overrefusal,reasoning", split = ",",
            description = "Suites to run: safety, overrefusal, reasoning (or all). Default: ${DEFAULT-VALUE}.")
    List<String> suites;

    @Option(names = "--benchmarks", split = ",", paramLabel = "NAME",
            description = "Only these benchmarks of the suites (harmbench, strongreject, wildjailbreak, xstest, aime2024, gsm8k, math500, gpqa).")
    List<String> only;

    @Option(names = "--data", paramLabel = "DIR", description = "Directory holding the benchmark files under their usual names (see README).")
    Path data;

    @Option(names = "--bench", paramLabel = "NAME=FILE", description = "A benchmark's file, overriding --data (repeatable).")
    Map<String, Path> bench = new LinkedHashMap<>();

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (resumed on rerun).")
    Path out;

    @Option(names = "--refusal-guard", paramLabel = "DIR|URL",
            description = "WildGuard for XSTest's refusals (default: the WildGuard among --guard).")
    String refusalGuard;

    @Option(names = "--guard-served-model", description = "Judge model name on its server (default: the one it serves).")
    String guardServedModel;

    @Option(names = "--guard-api-key-env", description = "Environment variable holding the judge server's API key.")
    String guardApiKeyEnv;

    @Option(names = "--samples", defaultValue = "8", description = "Samples per reasoning problem (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--max-new-tokens", defaultValue = "32768", description = "Longest response (default: ${DEFAULT-VALUE}, the paper's).")
    int maxNewTokens;

    @Option(names = "--seed", defaultValue = "0", description = "Run seed; each item's seed derives from it and the item id.")
    long seed;

    @Option(names = "--gpqa-seed", defaultValue = "0", description = "Seed of GPQA's option shuffle (recorded per question).")
    long gpqaSeed;

    @Option(names = "--limit", defaultValue = "0", description = "Only the first N items of each benchmark (0 = all; marks results partial).")
    int limit;

    @Mixin
    SharedOptions.SamplingOverrides sampling;

    @Option(names = "--batch", defaultValue = "16", description = "Sequences decoded together (local models).")
    int batch;

    @Option(names = "--no-thinking", description = "Render the template with enable_thinking=false (Qwen3).")
    boolean noThinking;

    @Option(names = "--retry-failed", description = "Generate again the items an earlier run recorded as failed.")
    boolean retryFailed;

    @Option(names = "--label", description = "The model's name in reports (default: the model's name).")
    String label;

    @Option(names = "--baseline", paramLabel = "LABEL",
            description = "Label of the model this one was aligned from: the report draws an arrow from it (default with --adapter: the base model's name).")
    String baseline;

    @Override
    public void run() {
        List<Benchmark> benchmarks = selected();
        Map<Benchmark, Path> overrides = new EnumMap<>(Benchmark.class);
        bench.forEach((name, file) -> overrides.put(Benchmark.parse(name), file));
        Map<Benchmark, Path> files = EvalConfig.resolveFiles(benchmarks, data, overrides);
        boolean needsSafety = benchmarks.stream().anyMatch(b -> b.kind() == Benchmark.Kind.SAFETY);
        boolean needsRefusal = benchmarks.contains(Benchmark.XSTEST);
        if (needsSafety && judge.guards.isEmpty()) {
            throw new ThinkSafeException("the safety suite needs a judge: --guard DIR|URL (Llama-Guard-3 or WildGuard)");
        }
        LocalEngine.Options engine = new LocalEngine.Options(batch, LocalEngine.Options.defaults().prefillChunk(),
                LocalEngine.Options.defaults().kvBudgetBytes());
        Map<String, Object> extras = noThinking ? Map.of("enable_thinking", false) : Map.of();
        Generators.Options options = new Generators.Options(adapter.adapter, engine, extras, remote.toOptions(), null, System.err);
        Guard safetyGuard = null;
        Guard ownRefusalGuard = null;
        try {
            if (needsSafety || needsRefusal && refusalGuard == null && !judge.guards.isEmpty()) {
                safetyGuard = judge.open(guardServedModel, guardApiKeyEnv);
            }
            Guard refusal = null;
            if (needsRefusal) {
                if (refusalGuard != null) {
                    ownRefusalGuard = Guards.open(List.of(refusalGuard), Guards.Format.WILDGUARD, judge.policy(),
                            judge.remote(guardServedModel, guardApiKeyEnv));
                    refusal = ownRefusalGuard;
                } else {
                    refusal = wildGuardAmong(safetyGuard);
                }
            }
            try (Generator gen = Generators.open(model.model, options)) {
                SamplingParams d = gen.family().defaultSampling(maxNewTokens, seed);
                SamplingParams chosen = sampling.any() ? sampling.over(d, d.minP(), List.of()) : null;
                String base = baseline;
                if (base == null && adapter.adapter != null) {
                    base = baseName(gen.modelName());
                }
                EvalConfig cfg = new EvalConfig(ModelSpec.parse(model.model).toString(), adapter.adapter, benchmarks, files, out,
                        samples, maxNewTokens, chosen, seed, gpqaSeed, limit, retryFailed, label, base);
                EvalJob.run(cfg, gen, safetyGuard, refusal, System.err);
            }
        } finally {
            if (safetyGuard != null) {
                safetyGuard.close();
            }
            if (ownRefusalGuard != null) {
                ownRefusalGuard.close();
            }
        }
    }

    private List<Benchmark> selected() {
        List<Benchmark> fromSuites = Suites.benchmarks(suites);
        if (only == null || only.isEmpty()) {
            return fromSuites;
        }
        List<Benchmark> wanted = only.stream().map(Benchmark::parse).toList();
        for (Benchmark b : wanted) {
            if (!fromSuites.contains(b)) {
                throw new ThinkSafeException("--benchmarks " + b.id() + ": not in --suites " + String.join(",", suites));
            }
        }
        return fromSuites.stream().filter(wanted::contains).toList();
    }

    /** The WildGuard judge itself, or the WildGuard member of an ensemble; null when there is none. */
    static Guard wildGuardAmong(Guard g) {
        if (g instanceof WildGuard) {
            return g;
        }
        if (g instanceof GuardEnsemble e) {
            return e.members().stream().filter(m -> m instanceof WildGuard).findFirst().orElse(null);
        }
        return null;
    }

    /** {@code base+adapter} names a model with an adapter on top (see Generators.nameWithAdapter). */
    static String baseName(String modelName) {
        int plus = modelName.lastIndexOf('+');
        return plus > 0 ? modelName.substring(0, plus) : modelName;
    }
}
