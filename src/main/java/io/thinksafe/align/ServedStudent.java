package io.thinksafe.align;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.generate.Generators;
import io.thinksafe.generate.ModelSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

/**
 * A student served by OpenAI-compatible servers whose weights are also here: {@code thinksafe run}
 * generates (and probes, and evaluates) on the servers and trains here.
 *
 * <pre>
 * student:
 *   url: http://gpu1:8000/v1,http://gpu2:8000/v1   # one model on several servers
 *   dir: ../models/Qwen3-0.6B                       # the same weights here, for training
 *   served_model: Qwen/Qwen3-0.6B                   # its name on the servers (default: the one /v1/models lists)
 *   api_key_env: VLLM_API_KEY                       # (default: OPENAI_API_KEY when set)
 *   adapter_name: "{run}-round{round}"              # the name a round's adapter is served under (iterative runs)
 *   adapter_wait: 0                                 # seconds to wait for it (0: as long as it takes)
 *   poll: 10                                        # seconds between looks at /v1/models while waiting
 *   probe_tolerance: 0.5                            # nats: largest log-prob difference on the probe text
 * </pre>
 *
 * Before any work, a short probe text is scored by the server and by {@code dir} (where the server
 * returns log-probs): a server that serves other weights stops the run at once ({@link ServedProbe}).
 */
public record ServedStudent(String url, Path dir, String servedModel, String apiKeyEnv, String adapterName, Duration adapterWait,
                            Duration poll, double probeTolerance) {
    private static final Set<String> KEYS = Set.of("url", "dir", "served_model", "api_key_env", "adapter_name", "adapter_wait", "poll",
            "probe_tolerance");

    /** The mapping form of {@code student}; null when it names only a directory ({@code {dir: DIR}}). */
    static ServedStudent parse(JsonNode s, Path base, String where) {
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                throw new ThinkSafeException(where + ": student: unknown setting '" + k + "' (known: " + String.join(", ", new TreeSet<>(KEYS)) + ")");
            }
        }
        Path dir = s.hasNonNull("dir") ? base.resolve(s.get("dir").asText()).normalize() : null;
        if (!s.hasNonNull("url")) {
            if (dir == null) {
                throw new ThinkSafeException(where + ": student: give 'url' (the servers) and 'dir' (the same weights here), or a directory");
            }
            return null;
        }
        String url = s.get("url").asText();
        ModelSpec spec;
        try {
            spec = ModelSpec.parse(url);
        } catch (ThinkSafeException e) {
            throw new ThinkSafeException(where + ": student.url: " + e.getMessage());
        }
        if (!spec.isRemote()) {
            throw new ThinkSafeException(where + ": student.url: expected an http(s):// URL of an OpenAI-compatible server, got '" + url + "'");
        }
        String pattern = s.path("adapter_name").asText("{run}-round{round}");
        if (!pattern.contains("{round}")) {
            throw new ThinkSafeException(where + ": student.adapter_name must contain {round} (each round's adapter needs its own name), got '"
                    + pattern + "'");
        }
        double wait = s.path("adapter_wait").asDouble(0);
        double poll = s.path("poll").asDouble(10);
        double tol = s.path("probe_tolerance").asDouble(0.5);
        if (wait < 0 || !(poll > 0) || !(tol > 0)) {
            throw new ThinkSafeException(where + ": student: adapter_wait must be >= 0, poll and probe_tolerance > 0");
        }
        return new ServedStudent(spec.toString(), dir, s.hasNonNull("served_model") ? s.get("served_model").asText() : null,
                s.hasNonNull("api_key_env") ? s.get("api_key_env").asText() : null, pattern, seconds(wait), seconds(poll), tol);
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }

    /** Settings of the student mapping that may change between sessions of one run: where the servers are and how to wait for them. */
    static final Set<String> OPERATIONAL = Set.of("url", "api_key_env", "adapter_wait", "poll", "probe_tolerance");

    /**
     * The run's configuration without {@link #OPERATIONAL} settings: what identifies the run (the weights are
     * fingerprinted apart, and the probe checks that the servers serve them), so that moving the servers or
     * waiting longer does not start a run over.
     */
    static JsonNode identity(com.fasterxml.jackson.databind.node.ObjectNode config) {
        if (!config.path("student").isObject()) {
            return config;
        }
        com.fasterxml.jackson.databind.node.ObjectNode copy = config.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) copy.get("student")).remove(OPERATIONAL);
        return copy;
    }

    /** The name the adapter trained in round {@code round} is served under. */
    public String adapterName(String run, int round) {
        return adapterName.replace("{run}", run).replace("{round}", String.valueOf(round));
    }

    /** How to reach the servers for the model named {@code name} (null: the one they serve). */
    Generators.Remote remote(String name) {
        Generators.Remote d = Generators.Remote.defaults();
        return new Generators.Remote(name, apiKeyEnv, d.maxInFlight(), d.retry(), d.metricsEvery());
    }
}
