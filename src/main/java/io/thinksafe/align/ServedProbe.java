package io.thinksafe.align;

import io.thinksafe.ThinkSafeException;
import io.thinksafe.generate.Generators;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.generate.LogProbScorer;
import io.thinksafe.generate.ModelSpec;
import io.thinksafe.generate.remote.Completion;
import io.thinksafe.generate.remote.OpenAiClient;
import io.thinksafe.generate.remote.Params;
import io.thinksafe.generate.remote.RemoteException;
import io.thinksafe.generate.remote.ServedModels;
import io.thinksafe.generate.remote.TextRequest;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.function.LongSupplier;

/**
 * What a run checks of a served student before it sends any work: which name the servers serve it
 * under, and that they serve the same weights as its directory here — a short probe text, greedily
 * continued by the server with log-probs, is scored by the local model too; the largest difference
 * over the continuation's tokens must stay within {@code probe_tolerance}. For a later round of an
 * iterative run, the round's adapter must be on the servers: the run names it and waits.
 */
final class ServedProbe {
    /** The probe: a chat turn in the model's own template, continued for {@link #PROBE_TOKENS} tokens. */
    static final String PROBE_TEXT = "In one sentence: why is the sky blue?";
    static final int PROBE_TOKENS = 8;

    private ServedProbe() {}

    /** The name the servers serve the student under: {@code served_model}, or the one model they list. */
    static String baseName(ServedStudent s) {
        try (OpenAiClient c = open(s, s.servedModel())) {
            return c.model();
        }
    }

    private static OpenAiClient open(ServedStudent s, String name) {
        Generators.Remote r = s.remote(name);
        return OpenAiClient.open(new OpenAiClient.Config(ModelSpec.parse(s.url()).urls(), r.apiKey(), name, 4, r.retry()));
    }

    /**
     * Scores the probe on the server under {@code name} and on {@code dir} with {@code adapter} (or none);
     * throws when they disagree by more than the tolerance. Servers that return no log-probs or token ids
     * are let through with a line saying the check could not be made.
     */
    static void check(ServedStudent s, String name, Path dir, Path adapter, PrintStream log) {
        String what = dir + (adapter != null ? " with adapter " + adapter : "");
        // a few dozen tokens: a judge's small KV cache is plenty
        try (LocalModel m = LocalModel.load(dir, adapter, io.thinksafe.model.MemoryBudget.Workload.judge()); OpenAiClient c = open(s, name)) {
            int[] prompt = m.template() != null
                    ? m.chatTokens(List.of(Map.of("role", "user", "content", PROBE_TEXT)), true, null)
                    : m.tokenizer().encode(PROBE_TEXT);
            Params p = Params.builder().temperature(0.0).maxTokens(PROBE_TOKENS).logprobs(1).returnTokensAsTokenIds(true).build();
            Completion answer;
            try {
                answer = c.complete(TextRequest.tokens(prompt, p)).join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RemoteException r && r.status() >= 400 && r.status() < 500) {
                    log.println("run: cannot check that " + s.url() + " serves " + what + " (the server refused the probe: " + r.getMessage() + ")");
                    return;
                }
                throw new ThinkSafeException(s.url() + ": the probe request failed (" + (e.getCause() != null ? e.getCause().getMessage() : e) + ")");
            }
            List<Completion.TokenLogprob> lps = answer.choices().isEmpty() ? null : answer.choices().get(0).logprobs();
            if (lps == null || lps.isEmpty()) {
                log.println("run: cannot check that " + s.url() + " serves " + what + ": the server returns no log-probs");
                return;
            }
            if (lps.stream().anyMatch(t -> t.tokenId() == null)) {
                log.println("run: cannot check that " + s.url() + " serves " + what + ": the server does not report token ids "
                        + "(vLLM's return_tokens_as_token_ids)");
                return;
            }
            int[] seq = Arrays.copyOf(prompt, prompt.length + lps.size());
            for (int j = 0; j < lps.size(); j++) {
                seq[prompt.length + j] = lps.get(j).tokenId();
            }
            float[] local = new LogProbScorer(m.transformer(), 4096).score(List.of(seq)).get(0);
            double worst = 0;
            for (int j = 0; j < lps.size(); j++) {
                worst = Math.max(worst, Math.abs(local[prompt.length + j - 1] - lps.get(j).logprob()));
            }
            if (!(worst <= s.probeTolerance())) {
                throw new ThinkSafeException(String.format(Locale.ROOT, "student: the server %s does not serve '%s' as %s: on a probe "
                        + "text their log-probs differ by up to %.3f nats (tolerance %s, student.probe_tolerance); point student.dir "
                        + "at the served weights, or the server at these", s.url(), name, what, worst, s.probeTolerance()));
            }
            log.printf(Locale.ROOT, "run: %s serves '%s' as %s (probe log-probs within %.2g nats)%n", s.url(), name, what, worst);
        }
    }

    /**
     * Waits until every answering server lists the adapter of round {@code round} under its name,
     * saying plainly what to load and polling {@code /v1/models}; returns the name.
     */
    static String awaitAdapter(ServedStudent s, String run, int round, Path adapterDir, PrintStream log, LongSupplier nanoTime) {
        String name = s.adapterName(run, round);
        List<java.net.URI> urls = ModelSpec.parse(s.url()).urls();
        var key = s.remote(name).apiKey();
        long started = nanoTime.getAsLong();
        long lastSaid = Long.MIN_VALUE;
        boolean said = false;
        while (true) {
            List<Set<String>> listed = ServedModels.list(urls, key, s.poll().plusSeconds(10));
            if (!listed.isEmpty() && listed.stream().allMatch(x -> x.contains(name))) {
                if (said) {
                    log.println("run: " + s.url() + " now serves '" + name + "'; going on");
                }
                return name;
            }
            long now = nanoTime.getAsLong();
            double waited = (now - started) / 1e9;
            if (!said) {
                String dir = adapterDir.toAbsolutePath().normalize().toString();
                log.println("run: round " + (round + 1) + " samples the model trained in round " + round + ": the servers at " + s.url()
                        + " must serve its adapter " + dir + " under the name '" + name + "'. With vLLM, start it with --enable-lora "
                        + "--lora-modules " + name + "=" + dir + ", or load it into a running server (VLLM_ALLOW_RUNTIME_LORA_UPDATING=True): "
                        + "curl -X POST " + urls.get(0) + "/load_lora_adapter -H 'Content-Type: application/json' -d '{\"lora_name\": \""
                        + name + "\", \"lora_path\": \"" + dir + "\"}' (the path as the server sees it). Waiting for /v1/models to list it"
                        + (s.adapterWait().isZero() ? "" : " (at most " + s.adapterWait().toSeconds() + " s)") + ".");
                said = true;
                lastSaid = now;
            } else if (now - lastSaid >= 60_000_000_000L) {
                log.printf(Locale.ROOT, "run: still waiting for %s to serve '%s' (%.0f s so far)%n", s.url(), name, waited);
                lastSaid = now;
            }
            if (!s.adapterWait().isZero() && waited >= s.adapterWait().toMillis() / 1e3) {
                throw new ThinkSafeException("run: waited " + Math.round(waited) + " s for " + s.url() + " to serve '" + name + "' (the adapter "
                        + adapterDir + "); load it and rerun the same command to go on");
            }
            try {
                Thread.sleep(s.poll().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ThinkSafeException("run: interrupted while waiting for '" + name + "'");
            }
        }
    }
}
