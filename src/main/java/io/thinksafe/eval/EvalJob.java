package io.thinksafe.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.GenerationRecord;
import io.thinksafe.data.Prompt;
import io.thinksafe.data.bench.BenchItem;
import io.thinksafe.data.bench.Benchmark;
import io.thinksafe.data.bench.BenchmarkLoader;
import io.thinksafe.data.bench.BenchmarkLoader.BenchSet;
import io.thinksafe.generate.GenerateJob;
import io.thinksafe.generate.Generator;
import io.thinksafe.generate.SamplingParams;
import io.thinksafe.guard.Guard;
import io.thinksafe.guard.WildGuard;
import io.thinksafe.util.AtomicFiles;
import io.thinksafe.util.Json;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code thinksafe eval}: for each benchmark, generate (one sample per safety prompt, k per reasoning
 * problem, the family's sampling, one user turn), judge or grade, and write what was measured:
 * <pre>
 * OUT/eval.json                 the configuration this directory belongs to (a rerun must match it)
 * OUT/BENCH/generations.jsonl   the generations (resumable, item by item)
 * OUT/BENCH/judged.jsonl        the judge's verdicts (resumable; safety and over-refusal sets)
 * OUT/BENCH/items.jsonl         per-item audit records: prompt, response, verdict or extracted answer and correctness
 * OUT/results.json              the numbers ({@link EvalResults}), for the report and the pipeline
 * </pre>
 * Killed at any point and rerun with the same flags, it resumes: nothing generated or judged twice.
 */
public final class EvalJob {
    public static final String MANIFEST = "eval.json";

    private EvalJob() {}

    /**
     * Runs the configured benchmarks. {@code safetyGuard} judges the safety sets (any judge or
     * ensemble); {@code refusalGuard} must be WildGuard and judges XSTest. Either may be null when
     * no benchmark needs it.
     */
    public static EvalResults run(EvalConfig cfg, Generator generator, Guard safetyGuard, Guard refusalGuard, PrintStream log) {
        boolean safety = cfg.benchmarks().stream().anyMatch(b -> b.kind() == Benchmark.Kind.SAFETY);
        boolean refusal = cfg.benchmarks().contains(Benchmark.XSTEST);
        if (safety && safetyGuard == null) {
            throw new ThinkSafeException("the safety suite needs a judge: --guard DIR|URL (Llama-Guard-3 or WildGuard)");
        }
        if (refusal && !(refusalGuard instanceof WildGuard)) {
            throw new ThinkSafeException("the over-refusal suite (XSTest) needs WildGuard's 'Response refusal' answer: "
                    + "--refusal-guard wildguard:DIR|URL (or a wildguard: judge among --guard)");
        }
        // read every set before generating anything: a bad file should fail in a second, not after hours
        Map<Benchmark, BenchSet> sets = new EnumMap<>(Benchmark.class);
        for (Benchmark b : cfg.benchmarks()) {
            sets.put(b, limit(BenchmarkLoader.load(b, cfg.files().get(b), cfg.gpqaSeed()), cfg.limit()));
        }
        SamplingParams sampling = cfg.sampling() != null ? cfg.sampling()
                : generator.family().defaultSampling(cfg.maxNewTokens(), cfg.seed());
        Map<String, String> judges = new LinkedHashMap<>();
        if (safety) {
            judges.put("safety", safetyGuard.name());
        }
        if (refusal) {
            judges.put("refusal", refusalGuard.name());
        }
        ObjectNode config = config(cfg, generator, sampling);
        checkManifest(cfg.out(), config, judges, sets);

        Map<Benchmark, Score> scores = new EnumMap<>(Benchmark.class);
        for (BenchSet set : sets.values()) {
            Benchmark b = set.benchmark();
            Path dir = cfg.out().resolve(b.id());
            int samples = b.kind() == Benchmark.Kind.REASONING ? cfg.samples() : 1;
            List<Prompt> prompts = set.items().stream().map(BenchItem::prompt).toList();
            log.printf(Locale.ROOT, "eval: %s: %d items x %d sample(s)%s%n", b.title(), prompts.size(), samples,
                    set.note() != null ? " (" + set.note() + ")" : "");
            Path gens = dir.resolve("generations.jsonl");
            GenerateJob.run(generator, prompts, samples, sampling, cfg.seed(), gens, cfg.retryFailed());
            List<GenerationRecord> records = GenerationRecord.read(gens);
            String itemsPath = b.id() + "/items.jsonl";
            Outcome outcome = switch (b.kind()) {
                case SAFETY -> SafetySuite.score(set, records,
                        JudgeStep.run(safetyGuard, records, dir.resolve("judged.jsonl"), "judge " + b.id()), itemsPath);
                case OVERREFUSAL -> {
                    List<GenerationRecord> scored = OverRefusalSuite.scoredGenerations(set, records);
                    yield OverRefusalSuite.score(set, records,
                            JudgeStep.run(refusalGuard, scored, dir.resolve("judged.jsonl"), "judge " + b.id()), itemsPath);
                }
                case REASONING -> ReasoningSuite.score(set, Suites.task(b), records, itemsPath);
            };
            writeJsonl(cfg.out().resolve(itemsPath), outcome.items());
            Score s = outcome.score();
            scores.put(b, s);
            String value = Double.isNaN(s.value()) ? "n/a (nothing judged)"
                    : String.format(Locale.ROOT, "%.1f%% [%.1f, %.1f]", 100 * s.value(), 100 * s.ci().low(), 100 * s.ci().high());
            log.printf(Locale.ROOT, "eval: %s: %s %s (%s)%n", b.title(), s.metric(), value, countsText(s));
        }
        EvalResults results = new EvalResults(cfg.label() != null ? cfg.label() : generator.modelName(), cfg.baseline(),
                generator.modelName(), cfg.modelSpec(), cfg.adapter() != null ? cfg.adapter().toString() : null,
                generator.family().name().toLowerCase(Locale.ROOT), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                config, judges, merged(cfg.out(), scores));
        results.write(cfg.out().resolve(EvalResults.FILE_NAME));
        log.println("eval: results -> " + cfg.out().resolve(EvalResults.FILE_NAME));
        return results;
    }

    /** The first {@code n} items (all when n <= 0), noted as partial. */
    static BenchSet limit(BenchSet set, int n) {
        if (n <= 0 || n >= set.items().size()) {
            return set;
        }
        String note = "first " + n + " of " + set.items().size() + " items (--limit)";
        return new BenchSet(set.benchmark(), set.file(), set.sha256(), set.rows(), set.items().subList(0, n),
                set.note() == null ? note : set.note() + "; " + note);
    }

    private static ObjectNode config(EvalConfig cfg, Generator generator, SamplingParams sampling) {
        ObjectNode c = Json.object();
        c.put("model", generator.modelName());
        c.put("seed", cfg.seed());
        c.put("gpqa_seed", cfg.gpqaSeed());
        c.put("samples_per_problem", cfg.samples());
        c.put("max_new_tokens", sampling.maxNewTokens());
        c.set("sampling", sampling.toJson());
        c.put("limit", cfg.limit());
        return c;
    }

    /**
     * Refuses to mix runs: an output directory that holds generations made with another model,
     * seed, sampling, data file or judge is reported, and nothing is written to it.
     */
    static void checkManifest(Path out, ObjectNode config, Map<String, String> judges, Map<Benchmark, BenchSet> sets) {
        Path file = out.resolve(MANIFEST);
        ObjectNode manifest;
        if (Files.exists(file)) {
            JsonNode old = Json.read(file);
            config = roundTrip(config); // compare as read back: 0L and 0 are different nodes but the same JSON
            var fields = config.fieldNames();
            while (fields.hasNext()) {
                String f = fields.next();
                if (old.has(f) && !old.get(f).equals(config.get(f))) {
                    throw new ThinkSafeException(file + ": this directory holds an evaluation with " + f + " " + old.get(f)
                            + "; this run has " + config.get(f) + " (use another --out, or remove the directory)");
                }
            }
            judges.forEach((role, name) -> {
                String was = old.path("judges").path(role).asText(null);
                if (was != null && !was.equals(name)) {
                    throw new ThinkSafeException(file + ": the " + role + " judge was " + was + "; this run has " + name
                            + " (use another --out, or remove the directory)");
                }
            });
            sets.forEach((b, set) -> {
                String was = old.path("data").path(b.id()).path("sha256").asText(null);
                if (was != null && !was.equals(set.sha256())) {
                    throw new ThinkSafeException(file + ": " + b.title() + " was evaluated on another file (sha256 " + was.substring(0, 12)
                            + "…, now " + set.file() + " with " + set.sha256().substring(0, 12) + "…); use another --out");
                }
            });
            manifest = (ObjectNode) old.deepCopy();
        } else {
            manifest = Json.object();
        }
        manifest.setAll(config);
        ObjectNode j = manifest.withObjectProperty("judges");
        judges.forEach(j::put);
        ObjectNode data = manifest.withObjectProperty("data");
        sets.forEach((b, set) -> {
            ObjectNode d = data.putObject(b.id());
            d.put("file", set.file().toString());
            d.put("sha256", set.sha256());
            d.put("items", set.items().size());
        });
        Json.writePretty(file, manifest);
    }

    private static ObjectNode roundTrip(ObjectNode o) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(Json.compact(o));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** This run's scores over those of earlier runs in the same directory (e.g. safety first, reasoning later). */
    private static Map<Benchmark, Score> merged(Path out, Map<Benchmark, Score> now) {
        Map<Benchmark, Score> all = new EnumMap<>(Benchmark.class);
        Path file = out.resolve(EvalResults.FILE_NAME);
        if (Files.exists(file)) {
            all.putAll(EvalResults.read(file).scores());
        }
        all.putAll(now);
        return all;
    }

    private static void writeJsonl(Path file, List<EvalItem> items) {
        AtomicFiles.write(file, o -> {
            for (EvalItem r : items) {
                o.write((Json.compact(r.toJson()) + "\n").getBytes(StandardCharsets.UTF_8));
            }
        });
    }

    static String countsText(Score s) {
        List<String> parts = new ArrayList<>();
        s.counts().forEach((k, v) -> parts.add(k.replace('_', ' ') + " " + v));
        return String.join(", ", parts);
    }
}
