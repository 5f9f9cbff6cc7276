package io.thinksafe.cli;

import io.thinksafe.generate.Generators;
import io.thinksafe.guard.Guard;
import io.thinksafe.guard.GuardEnsemble;
import io.thinksafe.guard.Guards;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The judge flags shared by {@code guard} and {@code eval}: which judges ({@code --guard}, repeatable
 * for an ensemble), their default format, the ensemble policy, and a remote judge's context and
 * log-prob settings. The judge's server name and key flags differ per command (in {@code eval} the
 * plain names belong to the evaluated model), so commands pass them in.
 */
final class GuardOptions {
    @Option(names = "--guard",
            description = "Judge model: DIR or URL, optionally prefixed llama-guard: or wildguard:. Repeat for an ensemble.")
    List<String> guards = List.of();

    @Option(names = "--format", defaultValue = "llama-guard", description = "llama-guard or wildguard (for specs without a prefix).")
    String format;

    @Option(names = "--policy", defaultValue = "all", description = "Ensemble policy: all or majority.")
    String policy;

    @Option(names = "--guard-context", defaultValue = "8192",
            description = "Context length of a remote judge, in tokens (longer responses are cut in the middle).")
    int guardContext;

    @Option(names = "--guard-logprobs", defaultValue = "20", description = "Log-prob alternatives asked of a remote Llama-Guard per verdict.")
    int guardLogprobs;

    GuardEnsemble.Policy policy() {
        return policy.equalsIgnoreCase("majority") ? GuardEnsemble.Policy.MAJORITY : GuardEnsemble.Policy.ALL;
    }

    Guards.Remote remote(String servedModel, String apiKeyEnv) {
        Generators.Remote d = Generators.Remote.defaults();
        Generators.Remote client = new Generators.Remote(servedModel, apiKeyEnv, d.maxInFlight(), d.retry(), d.metricsEvery());
        return new Guards.Remote(client, guardContext, guardLogprobs);
    }

    /** The judge (an ensemble when several are given). */
    Guard open(String servedModel, String apiKeyEnv) {
        return open(servedModel, apiKeyEnv, null);
    }

    /** The judge with a PEFT adapter on it (one local judge only), or without when {@code adapter} is null. */
    Guard open(String servedModel, String apiKeyEnv, java.nio.file.Path adapter) {
        return Guards.open(guards, Guards.parseFormat(format), policy(), remote(servedModel, apiKeyEnv), adapter);
    }
}
