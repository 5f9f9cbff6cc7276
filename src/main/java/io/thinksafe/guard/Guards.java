package io.thinksafe.guard;

import io.thinksafe.ThinkSafeException;
import io.thinksafe.generate.LocalEngine;
import io.thinksafe.generate.Generators;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.generate.ModelSpec;
import io.thinksafe.generate.remote.OpenAiClient;
import io.thinksafe.text.ChatTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Builds judges from command-line specs: {@code DIR} or {@code URL}, optionally prefixed with the
 * format ({@code llama-guard:DIR}, {@code wildguard:URL}); several specs make an ensemble.
 */
public final class Guards {
    public enum Format { LLAMA_GUARD, WILDGUARD }

    private Guards() {}

    public static Format parseFormat(String s) {
        return switch (s.toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "llama-guard", "llamaguard", "llama-guard-3" -> Format.LLAMA_GUARD;
            case "wildguard", "wild-guard" -> Format.WILDGUARD;
            default -> throw new ThinkSafeException("unknown guard format '" + s + "' (expected llama-guard or wildguard)");
        };
    }

    /**
     * How to reach judges on servers: the served model name (null: ask), the API key, the judge's
     * context length, and the log-prob alternatives asked per Llama-Guard verdict.
     */
    public record Remote(Generators.Remote client, int contextTokens, int topLogprobs) {
        public static Remote defaults() {
            return new Remote(Generators.Remote.defaults(), 8192, 20);
        }
    }

    /** One judge per spec (an ensemble when there are several). */
    public static Guard open(List<String> specs, Format defaultFormat, GuardEnsemble.Policy policy, Remote remote) {
        return open(specs, defaultFormat, policy, remote, null);
    }

    /**
     * One judge per spec, with a PEFT LoRA {@code adapter} on the judge (kept unmerged, as
     * {@code generate --adapter} does). An adapter needs exactly one judge, in a local directory: a
     * server holds its adapters itself.
     */
    public static Guard open(List<String> specs, Format defaultFormat, GuardEnsemble.Policy policy, Remote remote, Path adapter) {
        if (specs.isEmpty()) {
            throw new ThinkSafeException("no guard given (--guard DIR|URL)");
        }
        if (adapter != null && specs.size() != 1) {
            throw new ThinkSafeException("--adapter " + adapter + ": an adapter goes on one judge; " + specs.size()
                    + " judges were given (--guard)");
        }
        List<Guard> guards = new ArrayList<>();
        try {
            for (String spec : specs) {
                guards.add(open(spec, defaultFormat, remote, adapter));
            }
        } catch (RuntimeException e) {
            guards.forEach(Guard::close);
            throw e;
        }
        return guards.size() == 1 ? guards.get(0) : new GuardEnsemble(guards, policy);
    }

    static Guard open(String spec, Format defaultFormat, Remote remote) {
        return open(spec, defaultFormat, remote, null);
    }

    static Guard open(String spec, Format defaultFormat, Remote remote, Path adapter) {
        Format format = defaultFormat;
        String target = spec;
        for (String prefix : new String[] {"llama-guard:", "wildguard:"}) {
            if (spec.startsWith(prefix)) {
                format = parseFormat(prefix.substring(0, prefix.length() - 1));
                target = spec.substring(prefix.length());
            }
        }
        ModelSpec where = ModelSpec.parse(target);
        GuardBackend backend;
        ChatTemplate template = null;
        if (where.isRemote()) {
            if (adapter != null) {
                throw new ThinkSafeException("--adapter " + adapter + ": the judge " + target + " is a server, which holds its adapters "
                        + "itself (vLLM: --enable-lora --lora-modules NAME=DIR); name the adapter with --served-model");
            }
            Remote how = remote != null ? remote : Remote.defaults();
            Generators.Remote r = how.client();
            OpenAiClient client = OpenAiClient.open(new OpenAiClient.Config(where.urls(), r.apiKey(), r.servedModel(),
                    r.maxInFlight(), r.retry()));
            backend = new RemoteGuardBackend(client, how.contextTokens(), how.topLogprobs());
        } else {
            Path dir = where.dir();
            LocalModel model = LocalModel.load(dir, adapter, io.thinksafe.model.MemoryBudget.Workload.judge());
            backend = new LocalGuardBackend(model, LocalEngine.Options.defaults(), true);
            template = Files.exists(dir.resolve("tokenizer_config.json")) ? model.template() : null;
        }
        if (format == Format.LLAMA_GUARD) {
            return new LlamaGuard(backend, template != null ? template : LlamaGuard.defaultTemplate());
        }
        return new WildGuard(backend);
    }
}
