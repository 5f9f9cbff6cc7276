package io.thinksafe.cli;

import io.thinksafe.align.Diagnose;
import io.thinksafe.align.SteeringTemplate;
import io.thinksafe.data.Prompt;
import io.thinksafe.data.PromptSet;
import io.thinksafe.generate.Generator;
import io.thinksafe.generate.Generators;
import io.thinksafe.generate.SamplingParams;
import io.thinksafe.guard.Guard;
import io.thinksafe.guard.GuardEnsemble;
import io.thinksafe.guard.Guards;
import io.thinksafe.util.Json;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "diagnose", mixinStandardHelpOptions = true,
        description = "Does steering unlock refusals? k samples per harmful prompt with and without steering, judged.")
final class DiagnoseCommand implements Runnable {
    @picocli.CommandLine.Mixin
    SharedOptions.KvBudget kvBudget;

    @Option(names = "--model", required = true, description = "The student: a model directory or URL.")
    String model;

    @picocli.CommandLine.Mixin
    SharedOptions.AdapterOption adapter;

    @Option(names = "--guard", required = true, description = "Judge(s): DIR or URL, optionally prefixed llama-guard: or wildguard:.")
    List<String> guards;

    @Option(names = "--in", required = true, description = "Prompt set; only prompts labelled harmful are used.")
    Path in;

    @Option(names = "--out", required = true, description = "Folder for the generations, verdicts and diagnosis.json.")
    Path out;

    @Option(names = "--sample", defaultValue = "100", description = "Harmful prompts drawn (seeded).")
    int sample;

    @Option(names = "--k", defaultValue = "4", description = "Samples per prompt and condition.")
    int k;

    @Option(names = "--steering", defaultValue = "prefix", description = "prefix, suffix, risk, intent or a text with {prompt}.")
    String steering;

    @Option(names = "--max-new-tokens", defaultValue = "4096")
    int maxNewTokens;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    private Generators.Options withAdapter(Generators.Options d) {
        return new Generators.Options(adapter.adapter, d.engine(), d.templateExtras(), d.remote(), d.listener(), d.log());
    }

    @Override
    public void run() {
        List<Prompt> harmful = PromptSet.requireLabels(PromptSet.read(in), in).stream().filter(Prompt::harmful).toList();
        if (harmful.isEmpty()) {
            throw new io.thinksafe.ThinkSafeException(in + ": no prompt is labelled harmful");
        }
        harmful = PromptSet.sample(harmful, sample, seed);
        try (Generator g = Generators.open(model, withAdapter(Generators.Options.defaults()));
             Guard guard = Guards.open(guards, Guards.Format.LLAMA_GUARD, GuardEnsemble.Policy.ALL, Guards.Remote.defaults())) {
            SamplingParams s = g.family().defaultSampling(maxNewTokens, seed);
            Diagnose.Result r = Diagnose.run(g, guard, harmful, k, SteeringTemplate.parse(steering), s, seed, out);
            Json.writePretty(out.resolve("diagnosis.json"), r.toJson());
            System.out.print(r.table());
        }
    }
}
