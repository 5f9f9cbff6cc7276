package io.thinksafe.model;

import io.thinksafe.ThinkSafeException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the models of this process hold in memory, checked before they are loaded: the weights (in
 * their own dtype), the KV cache budget (float32), activations (training, or a prefill chunk and its
 * logits), the float32 blocks 16-bit weights are widened into for libtorch, and the Java heap. Every
 * model loaded in the process is counted together (eval holds a student and its judges at once); when
 * the sum would exceed the memory available (MemAvailable, or the cgroup's limit if lower) the load
 * is refused with one line naming what would fit, before anything large is allocated.
 */
public final class MemoryBudget {
    /** KV cache a model may use when no budget is given, at most. */
    public static final long DEFAULT_KV = 4L << 30;
    /** Below this much KV cache, a model would decode one short sequence at a time: refused instead. */
    static final long MIN_KV = 256L << 20;
    private static final double GB = 1e9;

    /** A model's plan; {@code kv} is the budget granted (auto: what is left, capped). */
    public record Plan(String name, DType dtype, long weights, long kv, long activations, long widening) {
        long total() {
            return weights + kv + activations + widening;
        }
    }

    /** What a command will do with a model. {@code kvBudget} < 0 means auto. */
    public record Workload(long kvBudget, long kvCap, long activations, String advice) {
        /** Generation or scoring with a KV cache (auto budget unless {@code --kv-budget} was given). */
        public static Workload inference() {
            return new Workload(requestedKv, DEFAULT_KV, -1, null);
        }

        /** A judge: short prompts, one or a few new tokens; its KV cache is capped lower. */
        public static Workload judge() {
            return new Workload(requestedKv, 1L << 30, -1, null);
        }

        /** Training: activations estimated by the trainer, with advice when they do not fit (e.g. --recompute). */
        public static Workload training(long activations, String advice) {
            return new Workload(0, 0, activations, advice);
        }
    }

    private static final List<Plan> LOADED = new ArrayList<>();
    private static long requestedKv = -1;
    private static long available = -1;
    private static String availableSource;
    private static String measuredSource;

    private MemoryBudget() {}

    /** The {@code --kv-budget} of this process, in bytes (negative: auto). */
    public static synchronized void setKvBudget(long bytes) {
        requestedKv = bytes;
    }

    /**
     * Checks that a model of {@code config} with {@code weightBytes} of weights fits beside what this
     * process already holds, prints the plan in one line, and counts it; returns the plan (its KV budget
     * is what the engine may use). Refuses with one line otherwise.
     */
    public static synchronized Plan reserve(String name, ModelConfig config, DType dtype, long weightBytes, Workload w,
                                            PrintStream log) {
        long avail = available();
        long heap = Runtime.getRuntime().maxMemory();
        long held = heap;
        for (Plan p : LOADED) {
            held += p.total();
        }
        long widening = dtype == DType.F32 ? 0 : Weight.BLOCK_BYTES;
        long activations = w.activations() >= 0 ? w.activations() : inferenceActivations(config);
        long fixed = held + weightBytes + activations + widening;
        long kv;
        if (w.kvBudget() >= 0) {
            kv = w.kvBudget();
        } else {
            kv = Math.min(w.kvCap(), avail - fixed);
            if (w.kvCap() > 0 && kv < MIN_KV) {
                throw refusal(name, dtype, weightBytes, MIN_KV, activations, widening, held, avail,
                        "serve the model on a machine with more memory and pass its URL (--model http://HOST:PORT/v1)"
                                + (LOADED.isEmpty() ? "" : ", or judge with a served guard (--guard URL)")
                                + ", or give Java a smaller heap (THINKSAFE_JAVA_OPTS=-Xmx2g)");
            }
        }
        Plan plan = new Plan(name, dtype, weightBytes, kv, activations, widening);
        if (fixed + kv > avail) {
            String fits = w.kvCap() > 0 && avail - fixed >= MIN_KV ? "--kv-budget " + gbFlag(avail - fixed)
                    : w.advice() != null ? w.advice()
                    : "a server URL for this model (--model http://HOST:PORT/v1)";
            throw refusal(name, dtype, weightBytes, kv, activations, widening, held, avail, fits);
        }
        LOADED.add(plan);
        log.println(String.format(Locale.ROOT, "memory: %s weights %s (%s%s) + KV cache %s (float32) + activations %s%s + heap %s"
                        + "%s = %s of %s available (%s)", name, gb(weightBytes), dtype, dtype == DType.F32 ? "" : ", mapped",
                gb(kv), gb(activations), widening > 0 ? " + widening " + gb(widening) : "", gb(heap),
                held > heap ? " + other models " + gb(held - heap) : "", gb(fixed + kv), gb(avail), availableSource));
        return plan;
    }

    /** Forgets a model's plan once it is closed. */
    public static synchronized void release(Plan plan) {
        LOADED.remove(plan);
    }

    private static ThinkSafeException refusal(String name, DType dtype, long weights, long kv, long activations, long widening,
                                              long held, long avail, String fits) {
        return new ThinkSafeException(String.format(Locale.ROOT, "%s does not fit in memory: weights %s (%s) + KV cache %s"
                        + " + activations %s + widening %s + heap and models already loaded %s = %s > %s available (%s); what would fit: %s",
                name, gb(weights), dtype, gb(kv), gb(activations), gb(widening), gb(held),
                gb(weights + kv + activations + widening + held), gb(avail), availableSource, fits));
    }

    /**
     * One layer's temporaries for a prefill chunk of 512 tokens (float32: hidden states, q/k/v, the MLP's
     * three widths, attention scores in blocks of at most 4M floats) and the logits of a scoring chunk.
     */
    static long inferenceActivations(ModelConfig c) {
        long tokens = 512;
        long perToken = 6L * c.hiddenSize() + 3L * c.numHeads() * c.headDim() + 3L * c.intermediateSize();
        return 4 * (tokens * perToken + (4L << 20) + (64L << 20));
    }

    /**
     * Bytes the process may use: MemAvailable, or the cgroup's limit minus its usage when lower, read
     * when the first model is planned ({@code -Dthinksafe.memoryAvailable=BYTES} overrides it).
     */
    static synchronized long available() {
        String forced = System.getProperty("thinksafe.memoryAvailable");
        if (forced != null) {
            availableSource = "-Dthinksafe.memoryAvailable";
            return Long.parseLong(forced);
        }
        if (available < 0) {
            long mem = meminfo("MemAvailable");
            String source = "MemAvailable";
            long cg = cgroupLeft();
            if (cg >= 0 && (mem < 0 || cg < mem)) {
                mem = cg;
                source = "cgroup limit";
            }
            if (mem < 0) {
                mem = Runtime.getRuntime().maxMemory() * 4; // not Linux: trust the JVM's view of the machine
                source = "estimate";
            }
            available = mem;
            measuredSource = source;
        }
        availableSource = measuredSource;
        return available;
    }

    private static long meminfo(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** The cgroup (v2, else v1) limit minus usage of this process's group, or -1 when unlimited/unknown. */
    private static long cgroupLeft() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                String[] p = line.split(":", 3);
                if (p.length < 3) {
                    continue;
                }
                Path dir = null;
                String limitFile = null;
                String usageFile = null;
                if (p[0].equals("0") && p[1].isEmpty()) {
                    dir = Path.of("/sys/fs/cgroup" + p[2]);
                    limitFile = "memory.max";
                    usageFile = "memory.current";
                } else if (p[1].equals("memory")) {
                    dir = Path.of("/sys/fs/cgroup/memory" + p[2]);
                    limitFile = "memory.limit_in_bytes";
                    usageFile = "memory.usage_in_bytes";
                }
                if (dir == null || !Files.exists(dir.resolve(limitFile))) {
                    continue;
                }
                String limit = Files.readString(dir.resolve(limitFile)).trim();
                if (limit.equals("max")) {
                    continue;
                }
                long lim = Long.parseLong(limit);
                if (lim >= (1L << 60)) {
                    continue; // v1's "unlimited"
                }
                long used = Files.exists(dir.resolve(usageFile)) ? Long.parseLong(Files.readString(dir.resolve(usageFile)).trim()) : 0;
                return Math.max(0, lim - used);
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Parses a size such as {@code 2G}, {@code 512M}, {@code 1.5GiB} or a number of bytes. */
    public static long parseSize(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT).replace("IB", "").replace("B", "");
        double mult = 1;
        if (t.endsWith("K")) {
            mult = 1L << 10;
        } else if (t.endsWith("M")) {
            mult = 1L << 20;
        } else if (t.endsWith("G")) {
            mult = 1L << 30;
        } else if (t.endsWith("T")) {
            mult = 1L << 40;
        }
        String num = mult == 1 ? t : t.substring(0, t.length() - 1);
        try {
            double v = Double.parseDouble(num);
            if (v < 0 || Double.isNaN(v)) {
                throw new NumberFormatException();
            }
            return (long) (v * mult);
        } catch (NumberFormatException e) {
            throw new ThinkSafeException("'" + s + "' is not a size (expected e.g. 2G, 512M or a number of bytes)");
        }
    }

    static String gb(long bytes) {
        return String.format(Locale.ROOT, "%.2f GB", bytes / GB);
    }

    /** A size for a flag, rounded down to 0.1 GiB. */
    static String gbFlag(long bytes) {
        return String.format(Locale.ROOT, "%.1fG", Math.floor(bytes / (double) (1L << 30) * 10) / 10);
    }
}
