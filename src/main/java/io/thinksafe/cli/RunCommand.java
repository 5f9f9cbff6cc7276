package io.thinksafe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinksafe.align.Pipeline;
import io.thinksafe.align.RunConfig;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "The ThinkSafe pipeline from a YAML config: generate, filter, build, train (or, with recipe: grpo, one GRPO "
                + "stage; recipe: thinksafe_grpo adds GRPO from ThinkSafe's adapter; rounds: N repeats ThinkSafe with a held-out "
                + "probe and early stop). Kill it and rerun: it resumes. The manifest records what each stage cost.")
final class RunCommand implements Runnable {
    @picocli.CommandLine.Mixin
    SharedOptions.KvBudget kvBudget;

    @Parameters(index = "0", description = "Run configuration (YAML).")
    Path config;

    @Option(names = "--stage", description = "Run only this stage: generate, filter, build or train (grpo for recipe: grpo; "
            + "probe-0, generate-2, train-2, probe-2, eval-2, … in an iterative run).")
    String stage;

    @Option(names = "--force", description = "Start the run over when its config or inputs changed.")
    boolean force;

    @Override
    public void run() {
        RunConfig cfg = RunConfig.load(config);
        Pipeline p = new Pipeline(cfg, force, Pipeline.Hook.NONE, System.err);
        if (stage != null) {
            p.stage(stage);
        } else {
            p.run();
        }
        JsonNode cost = p.manifest().path("cost");
        if (cost.path("complete").asBoolean(false)) {
            System.err.printf(Locale.ROOT, "run: cost %.1f s, %d tokens (generation %d, judging %d, training %d)%n",
                    cost.path("seconds").asDouble(), cost.path("tokens").asLong(), cost.path("generation_tokens").asLong(),
                    cost.path("judge_tokens").asLong(), cost.path("train_tokens").asLong() + cost.path("reference_tokens").asLong());
        }
        System.err.println("run: " + cfg.runDir() + " (manifest.json)");
    }
}
