package io.thinksafe.cli;

import io.thinksafe.eval.PerplexityJob;
import io.thinksafe.generate.LocalModel;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "perplexity", mixinStandardHelpOptions = true,
        description = "Perplexity of a dataset's responses under a model (instruction/response or prompt/response JSONL), per example and overall.")
final class PerplexityCommand implements Runnable {
    @picocli.CommandLine.Mixin
    SharedOptions.KvBudget kvBudget;

    @Mixin
    SharedOptions.Model model;

    @Mixin
    SharedOptions.AdapterOption adapter;

    @Mixin
    SharedOptions.InOut io;

    @Override
    public void run() {
        try (LocalModel m = LocalModel.load(model.localDir("perplexity"), adapter.adapter)) {
            PerplexityJob.Summary s = PerplexityJob.run(m, io.in, io.out, io.limit);
            System.out.printf(Locale.ROOT, "perplexity %.4f over %d tokens of %d examples -> %s%n", s.perplexity(), s.tokens(),
                    s.examples(), io.out);
        }
    }
}
