package io.thinksafe.cli;

import io.thinksafe.generate.LocalModel;
import io.thinksafe.generate.LogprobsJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "logprobs", mixinStandardHelpOptions = true,
        description = "Log-probability of every token of given texts, token ids or chats (JSONL records with id and one of text, token_ids, messages).")
final class LogprobsCommand implements Runnable {
    @picocli.CommandLine.Mixin
    SharedOptions.KvBudget kvBudget;

    @Mixin
    SharedOptions.Model model;

    @Mixin
    SharedOptions.AdapterOption adapter;

    @Mixin
    SharedOptions.InOut io;

    @Option(names = "--batch-tokens", defaultValue = "4096", description = "Tokens per forward pass.")
    int batchTokens;

    @Override
    public void run() {
        // servers have no standard way to report the log-probs of given text, so this stays local
        try (LocalModel m = LocalModel.load(model.localDir("logprobs"), adapter.adapter)) {
            int n = LogprobsJob.run(m, io.in, io.out, io.limit, batchTokens);
            System.err.printf("logprobs: %d records -> %s%n", n, io.out);
        }
    }
}
