package io.thinksafe.eval;

import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.bench.Benchmark;
import io.thinksafe.generate.SamplingParams;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What to evaluate and how. {@code samples}: samples per reasoning problem (the paper's 8; safety
 * sets take one). {@code sampling}: null for the model family's settings with {@code maxNewTokens}.
 * {@code limit}: the first N items of each set (0 = all), for quick looks; such results are marked
 * partial. {@code modelSpec}/{@code adapter}: what {@code --model}/{@code --adapter} said, for the record.
 * {@code label}/{@code baseline}: see {@link EvalResults}.
 */
public record EvalConfig(String modelSpec, Path adapter, List<Benchmark> benchmarks, Map<Benchmark, Path> files, Path out, int samples, int maxNewTokens,
                         SamplingParams sampling, long seed, long gpqaSeed, int limit, boolean retryFailed, String label,
                         String baseline) {
    public static final int DEFAULT_SAMPLES = 8;
    /** The paper's limit for reasoning evaluation. */
    public static final int DEFAULT_MAX_NEW_TOKENS = 32_768;

    public EvalConfig {
        if (benchmarks.isEmpty()) {
            throw new ThinkSafeException("nothing to evaluate (no suites or benchmarks selected)");
        }
        if (samples < 1) {
            throw new ThinkSafeException("--samples must be at least 1, got " + samples);
        }
        if (maxNewTokens < 1) {
            throw new ThinkSafeException("--max-new-tokens must be positive, got " + maxNewTokens);
        }
        for (Benchmark b : benchmarks) {
            if (!files.containsKey(b)) {
                throw new IllegalArgumentException("no file for " + b);
            }
        }
        benchmarks = List.copyOf(benchmarks);
        files = Map.copyOf(files);
    }

    /**
     * Each benchmark's file: {@code overrides} first ({@code --bench NAME=FILE}), else the set's
     * usual name in {@code dataDir}. A missing file is one line saying where it was looked for and
     * where the set comes from.
     */
    public static Map<Benchmark, Path> resolveFiles(List<Benchmark> benchmarks, Path dataDir, Map<Benchmark, Path> overrides) {
        Map<Benchmark, Path> out = new EnumMap<>(Benchmark.class);
        List<String> missing = new ArrayList<>();
        for (Benchmark b : benchmarks) {
            Path p = overrides.get(b);
            if (p != null) {
                if (!Files.isRegularFile(p)) {
                    throw new ThinkSafeException("--bench " + b.id() + "=" + p + ": file not found");
                }
            } else if (dataDir != null) {
                if (!Files.isDirectory(dataDir)) {
                    throw new ThinkSafeException("--data " + dataDir + ": not a directory");
                }
                p = b.find(dataDir);
            }
            if (p == null) {
                missing.add(b.title() + " (" + String.join(" or ", b.fileNames()) + "; from " + b.source() + ")");
            } else {
                out.put(b, p);
            }
        }
        if (!missing.isEmpty()) {
            throw new ThinkSafeException("no file for " + String.join("; ", missing)
                    + (dataDir != null ? " in " + dataDir : "") + ": pass --data DIR or --bench NAME=FILE (see README, Evaluation data)");
        }
        return out;
    }
}
