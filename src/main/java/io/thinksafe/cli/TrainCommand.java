package io.thinksafe.cli;

import io.thinksafe.ThinkSafeException;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.model.LoraConfig;
import io.thinksafe.train.InitAdapter;
import io.thinksafe.train.SftData;
import io.thinksafe.train.SftExample;
import io.thinksafe.train.SftTrainer;
import io.thinksafe.train.TrainConfig;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Supervised fine-tuning (LoRA by default, or full) on instruction/response pairs; resumable.")
final class TrainCommand implements Runnable {
    @Mixin
    SharedOptions.Model model;

    @Option(names = "--data", required = true, description = "Training set (JSONL: instruction, response, prompt_label).")
    Path data;

    @Option(names = "--out", required = true, description = "Run folder: adapter/ or model/, metrics.jsonl, checkpoints/.")
    Path out;

    @Option(names = "--resume", description = "Continue from the newest checkpoint in --out.")
    boolean resume;

    @Option(names = "--init-adapter", paramLabel = "DIR",
            description = "Start from this PEFT LoRA adapter's weights instead of fresh ones; its rank, alpha and target modules "
                    + "become the run's (the --lora-* flags may be left out; given, they must match).")
    Path initAdapter;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--full", description = "Train every weight instead of LoRA adapters.")
    boolean full;

    @Option(names = "--kl", description = "ThinkSafe+KL: benign pairs learn by forward KL to the frozen base (LoRA only).")
    boolean kl;

    @Option(names = "--lora-r", defaultValue = "32") int r;
    @Option(names = "--lora-alpha", defaultValue = "16") double alpha;
    @Option(names = "--lora-dropout", defaultValue = "0.05") double dropout;
    @Option(names = "--lora-targets", defaultValue = "q_proj,v_proj", split = ",") List<String> targets;
    @Option(names = "--lr", defaultValue = "1e-5") double lr;
    @Option(names = "--epochs", defaultValue = "3") int epochs;
    @Option(names = "--batch", defaultValue = "8", description = "Effective batch (examples per optimizer step).") int batch;
    @Option(names = "--micro-batch-tokens", defaultValue = "4096", description = "Tokens per forward/backward.") int microTokens;
    @Option(names = "--max-tokens", defaultValue = "16384", description = "Cut longer examples.") int maxTokens;
    @Option(names = "--recompute", description = "Activation checkpointing: recompute each layer in backward (less memory).") boolean recompute;
    @Option(names = "--all-tokens", description = "Learn the prompt tokens too (default: assistant tokens only).") boolean allTokens;
    @Option(names = "--checkpoint-every", defaultValue = "50") int every;
    @Option(names = "--keep-checkpoints", defaultValue = "2") int keep;
    @Option(names = "--max-steps", defaultValue = "0", description = "Stop (resumably) after N steps this run (0 = run to the end).") int maxSteps;
    @Option(names = "--seed", defaultValue = "0") long seed;

    /** Whether the command line named a LoRA shape itself (rank, alpha or targets). */
    static boolean loraShapeGiven(picocli.CommandLine.Model.CommandSpec spec) {
        var parsed = spec.commandLine().getParseResult();
        return parsed.hasMatchedOption("--lora-r") || parsed.hasMatchedOption("--lora-alpha") || parsed.hasMatchedOption("--lora-targets");
    }

    @Override
    public void run() {
        LoraConfig lora = null;
        if (!full) {
            try {
                lora = new LoraConfig(r, alpha, dropout, targets);
            } catch (IllegalArgumentException e) {
                throw new ThinkSafeException(e.getMessage());
            }
        }
        if (full && initAdapter != null) {
            throw new ThinkSafeException("--init-adapter " + initAdapter + " starts LoRA training from an adapter; it cannot go with --full");
        }
        TrainConfig cfg = TrainConfig.paperDefaults().withLora(lora).withSchedule(lr, epochs, batch, seed)
                .withMemory(microTokens, recompute, maxTokens).withCheckpoints(every, keep).withCompletionOnly(!allTokens);
        InitAdapter init = initAdapter == null ? null : InitAdapter.read(initAdapter);
        if (init != null) {
            cfg = init.applyTo(cfg, loraShapeGiven(spec), "--init-adapter");
        }
        List<SftExample> examples = SftData.read(data, kl);
        try (LocalModel m = io.thinksafe.train.TrainMemory.load(model.localDir("train"), cfg)) {
            SftTrainer trainer = new SftTrainer(m, cfg, out);
            if (init != null) {
                trainer.startFrom(init);
            }
            SftTrainer.Result res = trainer.trainUntilStopped(examples, resume, maxSteps);
            System.err.printf("train: %d/%d steps, last loss %.4f%s%n", res.stepsDone(), res.totalSteps(), res.lastLoss(),
                    res.output() != null ? " -> " + res.output()
                            : " (stopped early; rerun with --resume to continue)");
        }
    }
}
