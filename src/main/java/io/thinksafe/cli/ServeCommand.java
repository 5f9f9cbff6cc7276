package io.thinksafe.cli;

import io.thinksafe.ThinkSafeException;
import io.thinksafe.generate.Generators;
import io.thinksafe.generate.LocalEngine;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.generate.ModelSpec;
import io.thinksafe.generate.remote.ApiKey;
import io.thinksafe.generate.serve.OpenAiServer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a model over the OpenAI-compatible HTTP API (/v1/chat/completions, /v1/completions, /v1/models).")
final class ServeCommand implements Runnable {
    @picocli.CommandLine.Mixin
    SharedOptions.KvBudget kvBudget;

    @Option(names = "--model", required = true, description = "Hugging Face model directory.")
    String model;

    @Mixin
    SharedOptions.AdapterOption adapter;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: loopback only; 0.0.0.0 for every interface).")
    String host;

    @Option(names = "--port", defaultValue = "8000", description = "Port (0: any free port, printed at start).")
    int port;

    @Option(names = "--served-model", description = "Model name clients must send (default: the directory's name, +ADAPTER with --adapter).")
    String servedModel;

    @Option(names = "--api-key-env", description = "Require clients to send the API key held in this environment variable.")
    String apiKeyEnv;

    @Option(names = "--batch", defaultValue = "16", description = "Sequences decoded together.")
    int batch;

    @Option(names = "--max-requests", defaultValue = "1024", description = "Requests in progress beyond which new ones get 503.")
    int maxRequests;

    @Option(names = "--max-body-mb", defaultValue = "16", description = "Largest request body, in MiB (larger: 413).")
    int maxBodyMb;

    @Option(names = "--stats-every", defaultValue = "10", description = "Seconds between throughput log lines while busy (0: off).")
    int statsEvery;

    @Option(names = "--max-logprobs", defaultValue = "20", description = "Most log-prob alternatives a request may ask per token.")
    int maxLogprobs;

    @Override
    public void run() {
        ModelSpec spec = ModelSpec.parse(model);
        if (spec.isRemote()) {
            throw new ThinkSafeException("--model " + model + ": serve needs a local model directory, not a URL");
        }
        String key = apiKeyEnv == null ? null : ApiKey.fromEnv(apiKeyEnv).value();
        Path dir = spec.dir();
        try (LocalModel m = LocalModel.load(dir, adapter.adapter)) {
            String name = servedModel != null ? servedModel : Generators.nameWithAdapter(m.name(), adapter.adapter);
            LocalEngine.Options engine = new LocalEngine.Options(batch, LocalEngine.Options.defaults().prefillChunk(),
                    LocalEngine.Options.defaults().kvBudgetBytes());
            OpenAiServer.Options opts = new OpenAiServer.Options(host, port, name, key, (long) maxBodyMb << 20,
                    maxRequests, statsEvery, maxLogprobs);
            CountDownLatch stopped = new CountDownLatch(1);
            OpenAiServer server = OpenAiServer.start(m, engine, opts, System.err);
            // Ctrl-C or SIGTERM: stop listening, fail what runs, then let main close the model
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "serve-shutdown"));
            System.err.println("serve: " + name + " on " + server.baseUrl() + " (Ctrl-C to stop)");
            if (key == null && !isLoopback(host)) {
                System.err.println("serve: warning: listening on " + host + " without an API key (--api-key-env)");
            }
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                server.close();
            }
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new ThinkSafeException("--host " + host + ": unknown host");
        }
    }
}
