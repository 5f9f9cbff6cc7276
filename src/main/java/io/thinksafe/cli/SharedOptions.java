package io.thinksafe.cli;

import io.thinksafe.ThinkSafeException;
import io.thinksafe.generate.Generators;
import io.thinksafe.generate.ModelSpec;
import io.thinksafe.generate.SamplingParams;
import io.thinksafe.generate.remote.RetryPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** Flags that mean the same in every command (DESIGN: --model, --in, --out, --limit, --seed). */
final class SharedOptions {
    private SharedOptions() {}

    /** {@code --model DIR|URL}: a Hugging Face model directory, or OpenAI-compatible server URLs. */
    static final class Model {
        @Option(names = "--model", required = true, paramLabel = "DIR|URL",
                description = "Hugging Face model directory, or the base URL of an OpenAI-compatible server "
                        + "(several, comma-separated, for one model on several servers: http://h1:8000/v1,http://h2:8000/v1).")
        String model;

        /** The directory, for commands that need the weights in this process; a URL is one clear error. */
        Path localDir(String command) {
            ModelSpec spec = ModelSpec.parse(model);
            if (spec.isRemote()) {
                throw new ThinkSafeException("--model " + model + ": " + command + " needs a local model directory, not a server URL");
            }
            return spec.dir();
        }
    }

    /** {@code --temperature}, {@code --top-p}, {@code --top-k}: each unset one keeps the model family's default. */
    static final class SamplingOverrides {
        @Option(names = "--temperature", description = "Default: the model family's (0.6).")
        Double temperature;

        @Option(names = "--top-p", description = "Default: the model family's (0.95).")
        Double topP;

        @Option(names = "--top-k", description = "Default: 20 for Qwen3, off for R1-Distill.")
        Integer topK;

        boolean any() {
            return temperature != null || topP != null || topK != null;
        }

        /** The family's defaults {@code d} with what was given on the command line, and {@code minP} and {@code stop}. */
        SamplingParams over(SamplingParams d, double minP, List<String> stop) {
            return new SamplingParams(temperature != null ? temperature : d.temperature(), topP != null ? topP : d.topP(),
                    topK != null ? topK : d.topK(), minP, d.maxNewTokens(), stop, d.seed());
        }
    }

    /** {@code --adapter DIR}: a PEFT LoRA adapter folded into a local model's weights when it loads. */
    static final class AdapterOption {
        @Option(names = "--adapter", paramLabel = "DIR",
                description = "PEFT LoRA adapter (adapter_config.json, adapter_model.safetensors) on top of a local --model.")
        Path adapter;
    }

    /** {@code --kv-budget SIZE}: the KV cache memory of local models in this process. */
    static final class KvBudget {
        @Option(names = "--kv-budget", paramLabel = "SIZE",
                description = "KV cache memory for a local model, e.g. 2G (default: what the weights, activations and heap "
                        + "leave of the available memory, at most 4G; judges at most 1G).")
        void set(String size) {
            io.thinksafe.model.MemoryBudget.setKvBudget(io.thinksafe.model.MemoryBudget.parseSize(size));
        }
    }

    /** How to talk to servers when {@code --model} is a URL. */
    static final class Remote {
        @Option(names = "--served-model", paramLabel = "NAME",
                description = "Model name on the server (default: ask /v1/models, which must list exactly one).")
        String servedModel;

        @Option(names = "--api-key-env", paramLabel = "VAR",
                description = "Environment variable holding the API key (default: OPENAI_API_KEY when set). Never pass keys as flags.")
        String apiKeyEnv;

        @Option(names = "--max-in-flight", defaultValue = "64", description = "Requests in flight per server (default: ${DEFAULT-VALUE}).")
        int maxInFlight;

        @Option(names = "--max-attempts", defaultValue = "6",
                description = "Attempts per request on 429, 5xx, timeouts and dropped connections (default: ${DEFAULT-VALUE}).")
        int maxAttempts;

        @Option(names = "--request-timeout", defaultValue = "1800", paramLabel = "SECONDS",
                description = "Longest wait for one complete answer (default: ${DEFAULT-VALUE}).")
        double requestTimeout;

        @Option(names = "--give-up-after", defaultValue = "600", paramLabel = "SECONDS",
                description = "Stop the run when no server has answered for this long (default: ${DEFAULT-VALUE}); rerun to resume.")
        double giveUpAfter;

        @Option(names = "--metrics-every", defaultValue = "30", paramLabel = "SECONDS",
                description = "Seconds between throughput lines in the log (default: ${DEFAULT-VALUE}).")
        double metricsEvery;

        Generators.Remote toOptions() {
            RetryPolicy retry = RetryPolicy.defaults().withMaxAttempts(maxAttempts)
                    .withRequestTimeout(seconds(requestTimeout)).withGiveUpAfter(seconds(giveUpAfter));
            return new Generators.Remote(servedModel, apiKeyEnv, maxInFlight, retry, seconds(metricsEvery));
        }

        private static Duration seconds(double s) {
            return Duration.ofMillis(Math.max(1, Math.round(s * 1000)));
        }
    }

    /** {@code --in FILE --out FILE [--limit N]}. */
    static final class InOut {
        @Option(names = "--in", required = true, description = "Input file (JSONL).")
        Path in;

        @Option(names = "--out", required = true, description = "Output file (JSONL); written whole or resumed on rerun.")
        Path out;

        @Option(names = "--limit", defaultValue = "0", description = "Use only the first N records (0 = all).")
        int limit;
    }
}
