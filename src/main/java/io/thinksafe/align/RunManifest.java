package io.thinksafe.align;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.util.AtomicDirs;
import io.thinksafe.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * {@code manifest.json} of a run directory: the configuration, the tool version, hashes of the
 * inputs, and each stage's status. A rerun with another configuration or changed inputs is refused
 * (unless forced, which starts the run over) so that one directory never mixes two experiments.
 */
public final class RunManifest {
    public static final String TOOL = "thinksafe 0.1.0";

    private final Path file;
    private final ObjectNode data;

    private RunManifest(Path file, ObjectNode data) {
        this.file = file;
        this.data = data;
    }

    public static RunManifest open(Path runDir, JsonNode config, Map<String, String> inputs, List<String> stages, boolean force) {
        return open(runDir, config, config, inputs, stages, force);
    }

    /**
     * As above, with {@code identity} the part of the configuration that must not change between sessions
     * (where servers are and how long to wait for them may); the manifest keeps the latest full {@code config}.
     */
    public static RunManifest open(Path runDir, JsonNode config, JsonNode identity, Map<String, String> inputs, List<String> stages,
                                   boolean force) {
        Path file = runDir.resolve("manifest.json");
        String configHash = sha256(Json.compact(canonical(identity)));
        ObjectNode fresh = Json.object();
        fresh.put("tool", TOOL);
        fresh.set("config", config);
        fresh.put("config_hash", configHash);
        ObjectNode in = fresh.putObject("inputs");
        inputs.forEach(in::put);
        ObjectNode st = fresh.putObject("stages");
        stages.forEach(s -> st.putObject(s).put("status", "pending"));
        if (Files.exists(file)) {
            ObjectNode old = (ObjectNode) Json.read(file);
            List<String> changes = new ArrayList<>();
            if (!old.path("config_hash").asText().equals(configHash)) {
                changes.add("the configuration");
            }
            inputs.forEach((k, v) -> {
                if (!old.path("inputs").path(k).asText().equals(v)) {
                    changes.add("input " + k);
                }
            });
            if (changes.isEmpty()) {
                old.set("config", config);
                return new RunManifest(file, old);
            }
            if (!force) {
                throw new ThinkSafeException(runDir + ": was started with different " + String.join(" and ", changes)
                        + "; rerun with --force to start it over, or choose another run_dir");
            }
            for (String s : stages) {
                AtomicDirs.deleteTree(runDir.resolve(s));
            }
        }
        RunManifest m = new RunManifest(file, fresh);
        m.save();
        return m;
    }

    public boolean done(String stage) {
        return data.path("stages").path(stage).path("status").asText().equals("done");
    }

    /** Done, or skipped because an iterative run stopped early: nothing more to do for it. */
    public boolean settled(String stage) {
        String status = data.path("stages").path(stage).path("status").asText();
        return status.equals("done") || status.equals("skipped");
    }

    /** Marks a stage that will not run (an iterative run stopped before its round), and updates the run's cost totals. */
    void skip(String stage, String reason, String method) {
        ObjectNode s = (ObjectNode) data.path("stages").path(stage);
        s.put("status", "skipped");
        s.put("reason", reason);
        data.set("cost", RunCosts.totals(data.path("stages"), method));
        save();
    }

    /** Sets a top-level field (e.g. an iterative run's {@code rounds} table) and saves. */
    void put(String field, JsonNode value) {
        data.set(field, value);
        save();
    }

    public void start(String stage) {
        ObjectNode s = (ObjectNode) data.path("stages").path(stage);
        if (!s.has("started_at")) {
            s.put("started_at", Instant.now().toString());
        }
        s.put("status", "running");
        save();
    }

    public void finish(String stage, ObjectNode info) {
        markDone(stage, info);
        save();
    }

    /**
     * Marks a stage done with its result and its token costs (added to the stage's {@code cost},
     * which already holds its seconds), and updates the run's {@code cost} totals for {@code method},
     * in one write.
     */
    void finish(String stage, ObjectNode info, ObjectNode tokens, String method) {
        cost(stage).setAll(tokens);
        markDone(stage, info);
        data.set("cost", RunCosts.totals(data.path("stages"), method));
        save();
    }

    private void markDone(String stage, ObjectNode info) {
        ObjectNode s = (ObjectNode) data.path("stages").path(stage);
        s.put("status", "done");
        s.put("finished_at", Instant.now().toString());
        if (info != null) {
            s.set("result", info);
        }
    }

    /** Wall-clock seconds spent on a stage by every session so far. */
    double secondsSpent(String stage) {
        return data.path("stages").path(stage).path("cost").path("seconds").asDouble(0);
    }

    /** How many sessions have worked on a stage. */
    int sessions(String stage) {
        return data.path("stages").path(stage).path("cost").path("sessions").asInt(0);
    }

    /** Saves the seconds a stage has taken so far (all sessions) and the number of sessions. */
    void recordTime(String stage, double seconds, int sessions) {
        cost(stage).put("seconds", seconds).put("sessions", sessions);
        save();
    }

    private ObjectNode cost(String stage) {
        ObjectNode s = (ObjectNode) data.path("stages").path(stage);
        return s.has("cost") ? (ObjectNode) s.get("cost") : s.putObject("cost");
    }

    public ObjectNode json() {
        return data;
    }

    private void save() {
        Json.writePretty(file, data);
    }

    /** The same JSON with every object's fields sorted, so that key order does not change the hash. */
    static JsonNode canonical(JsonNode n) {
        if (n.isObject()) {
            Map<String, JsonNode> sorted = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                sorted.put(f.getKey(), canonical(f.getValue()));
            }
            ObjectNode o = Json.object();
            sorted.forEach(o::set);
            return o;
        }
        if (n.isArray()) {
            var a = Json.MAPPER.createArrayNode();
            n.forEach(x -> a.add(canonical(x)));
            return a;
        }
        return n;
    }

    public static String sha256(String text) {
        return hex(digest().digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** sha256 of a file's bytes. */
    public static String fileHash(Path file) {
        MessageDigest d = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new ThinkSafeException(file + ": cannot read (" + e.getMessage() + ")");
        }
        return hex(d.digest());
    }

    /**
     * A fingerprint of a model: a URL as itself; a directory by its config, tokenizer files and the
     * names and sizes of its weight files (hashing gigabytes of weights on every run would cost minutes).
     */
    public static String modelFingerprint(String spec) {
        Path dir = Path.of(spec.replaceFirst("^(llama-guard|wildguard):", ""));
        if (spec.contains("://") || !Files.isDirectory(dir)) {
            return spec;
        }
        StringBuilder b = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                String n = f.getFileName().toString();
                if (n.endsWith(".json")) {
                    b.append(n).append('=').append(fileHash(f)).append(';');
                } else if (n.endsWith(".safetensors")) {
                    b.append(n).append(':').append(Files.size(f)).append(';');
                }
            }
        } catch (IOException e) {
            throw new ThinkSafeException(dir + ": cannot read (" + e.getMessage() + ")");
        }
        return sha256(b.toString());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder b = new StringBuilder();
        for (byte x : bytes) {
            b.append(String.format("%02x", x));
        }
        return b.toString();
    }
}
