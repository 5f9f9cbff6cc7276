package io.thinksafe.cli;

import io.thinksafe.microworld.MicroworldDemo;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "ThinkSafe end to end on the shipped micro-world (a small constructed world, not real models): diagnose, "
                + "ThinkSafe and its baselines through `thinksafe run`, evaluation on held-out splits (the concealed one included), "
                + "the paper's claims decided by paired 95%% intervals, report, summary.json and table.md. "
                + "Rerun the same command to resume.")
final class DemoCommand implements Runnable {
    @Option(names = "--world", paramLabel = "DIR",
            description = "The micro-world (default: microworld/ of this installation, as `thinksafe microworld build` writes it).")
    Path world;

    @Option(names = "--out", defaultValue = "runs/demo", paramLabel = "DIR", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--methods", split = ",", paramLabel = "NAME",
            description = "Methods to compare, or all (default: initial, thinksafe, rejection_sampling, without_reasoning, direct_refusal, "
                    + "teacher, grpo; all adds safechain, star1, safekey, safepath and onpolicy_distill; also thinksafe_iterative (rounds "
                    + "with a held-out probe and per-round evaluation) and thinksafe_grpo (GRPO from ThinkSafe's adapter, compared with "
                    + "grpo at equal GRPO steps)).")
    List<String> methods;

    @Option(names = "--seed", description = "Seed of every run, sample and evaluation (default: ${DEFAULT-VALUE}).")
    long seed = MicroworldDemo.Options.defaults(null, null).seed();

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds of thinksafe_iterative (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--round-mode", paramLabel = "continue|restart",
            description = "How thinksafe_iterative's later rounds train (default: the run config's default).")
    String roundMode;

    @Option(names = "--min-gain", description = "thinksafe_iterative's early stop: the least gain in held-out safe rate to go on "
            + "(default: ${DEFAULT-VALUE}).")
    double minGain = io.thinksafe.align.Iterative.DEFAULT_MIN_GAIN;

    @Option(names = "--lr", description = "LoRA learning rate (default: ${DEFAULT-VALUE}; tiny models need far more than the paper's 1e-5).")
    double lr = MicroworldDemo.Options.defaults(null, null).lr();

    @Option(names = "--samples", description = "Samples per reasoning problem (default: ${DEFAULT-VALUE}).")
    int samples = MicroworldDemo.Options.defaults(null, null).samples();

    @Option(names = "--limit", description = "Evaluate only the first N items of every set (default: every item; a quick look, "
            + "not the demo's numbers).")
    int limit;

    @Override
    public void run() {
        Path w = world != null ? world : Path.of(System.getProperty("thinksafe.home", ".")).resolve("microworld");
        MicroworldDemo.Options d = MicroworldDemo.Options.defaults(w, out);
        MicroworldDemo.Options o = new MicroworldDemo.Options(w, out, methods != null ? MicroworldDemo.expand(methods) : d.methods(), lr, d.epochs(), samples,
                d.maxNewTokens(), seed).withRounds(rounds, roundMode, minGain).withLimit(limit);
        System.out.print(MicroworldDemo.table(new MicroworldDemo(o, System.err).run()));
    }
}
