package io.thinksafe.cli;

import io.thinksafe.data.Prompt;
import io.thinksafe.data.PromptSet;
import io.thinksafe.generate.GenerateJob;
import io.thinksafe.generate.Generator;
import io.thinksafe.generate.Generators;
import io.thinksafe.generate.LocalEngine;
import io.thinksafe.generate.SamplingParams;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Sample responses for a prompt set (JSONL: id and prompt, or SafeChain's instruction) with the model's chat template.")
final class GenerateCommand implements Runnable {
    @picocli.CommandLine.Mixin
    SharedOptions.KvBudget kvBudget;

    @Mixin
    SharedOptions.Model model;

    @Mixin
    SharedOptions.AdapterOption adapter;

    @Mixin
    SharedOptions.Remote remote;

    @Mixin
    SharedOptions.InOut io;

    @Option(names = "--seed", defaultValue = "0", description = "Run seed; each item's seed derives from it and the item id.")
    long seed;

    @Option(names = "--n", defaultValue = "1", description = "Samples per prompt.")
    int samples;

    @Option(names = "--max-new-tokens", defaultValue = "4096")
    int maxNewTokens;

    @Mixin
    SharedOptions.SamplingOverrides sampling;

    @Option(names = "--min-p", defaultValue = "0")
    double minP;

    @Option(names = "--stop", description = "Stop string (repeatable).")
    List<String> stop;

    @Option(names = "--batch", defaultValue = "16", description = "Sequences decoded together (local models).")
    int batch;

    @Option(names = "--no-thinking", description = "Render the template with enable_thinking=false (Qwen3).")
    boolean noThinking;

    @Option(names = "--retry-failed",
            description = "Generate again the items an earlier run recorded as failed (finish_reason error); by default they are kept.")
    boolean retryFailed;

    @Override
    public void run() {
        List<Prompt> prompts = PromptSet.limit(PromptSet.read(io.in), io.limit);
        Map<String, Object> extras = noThinking ? Map.of("enable_thinking", false) : Map.of();
        LocalEngine.Options engine = new LocalEngine.Options(batch, LocalEngine.Options.defaults().prefillChunk(),
                LocalEngine.Options.defaults().kvBudgetBytes());
        Generators.Options options = new Generators.Options(adapter.adapter, engine, extras, remote.toOptions(), null, System.err);
        try (Generator gen = Generators.open(model.model, options)) {
            SamplingParams d = gen.family().defaultSampling(maxNewTokens, seed);
            GenerateJob.Summary s = GenerateJob.run(gen, prompts, samples, sampling.over(d, minP, stop), seed, io.out, retryFailed);
            System.err.printf("generate: %d items (%d already done, %d generated, %d tokens) -> %s%n",
                    s.total(), s.skipped(), s.generated(), s.tokens(), io.out);
            if (s.failed() > 0) {
                System.err.printf("generate: warning: %d items are recorded as failed (finish_reason \"error\"); "
                        + "rerun with --retry-failed to try them again%n", s.failed());
            }
        }
    }
}
