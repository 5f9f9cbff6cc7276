package io.thinksafe.cli;

import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.Prompt;
import io.thinksafe.data.PromptSet;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.generate.ModelSpec;
import io.thinksafe.guard.Guard;
import io.thinksafe.model.LoraConfig;
import io.thinksafe.train.GrpoConfig;
import io.thinksafe.train.GrpoTrainer;
import io.thinksafe.train.InitAdapter;
import io.thinksafe.train.Rewards;
import io.thinksafe.train.TrainConfig;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "grpo", mixinStandardHelpOptions = true,
        description = "GRPO with LoRA, the paper's online-RL baseline: samples from the current policy, rewards = the guard's "
                + "P(safe) + the format reward, clipped ratio and KL to the frozen base; resumable.")
final class GrpoCommand implements Runnable {
    @picocli.CommandLine.Mixin
    SharedOptions.KvBudget kvBudget;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "The model to align: a local Hugging Face directory (rollouts run in this process).")
    String model;

    @Option(names = "--prompts", required = true, paramLabel = "FILE",
            description = "Training prompts (JSONL/JSON/CSV/TSV: id, prompt, label; SafeChain's instruction/label).")
    Path prompts;

    @Mixin
    GuardOptions judge;

    @Option(names = "--guard-served-model", paramLabel = "NAME", description = "The judge's model name on its server.")
    String guardServedModel;

    @Option(names = "--guard-api-key-env", paramLabel = "VAR", description = "Environment variable holding the judge server's API key.")
    String guardApiKeyEnv;

    @Option(names = "--out", required = true, description = "Run folder: adapter/, metrics.jsonl, checkpoints/.")
    Path out;

    @Option(names = "--init-adapter", paramLabel = "DIR",
            description = "Start from this PEFT LoRA adapter (e.g. ThinkSafe's); its rank, alpha and target modules become the run's.")
    Path initAdapter;

    @Option(names = "--reference", defaultValue = "init", paramLabel = "init|base",
            description = "KL reference with --init-adapter: init (the start adapter, frozen; default) or base (adapters off).")
    String reference;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--resume", description = "Continue from the newest checkpoint in --out.")
    boolean resume;

    @Option(names = "--steps", defaultValue = "0", description = "Stop (resumably) after N steps this run (0 = run to the end).")
    int steps;

    @Option(names = "--limit", defaultValue = "0", description = "Use only the first N prompts (0 = all).")
    int limit;

    @Option(names = "--group", defaultValue = "8", description = "Samples per prompt, G (default: ${DEFAULT-VALUE}).") int group;
    @Option(names = "--temperature", defaultValue = "0.7") double temperature;
    @Option(names = "--max-new-tokens", defaultValue = "4096") int maxNewTokens;
    @Option(names = "--beta", defaultValue = "0.04", description = "KL coefficient to the frozen base (default: ${DEFAULT-VALUE}).") double beta;
    @Option(names = "--epsilon", defaultValue = "0.2", description = "Clipping of the importance ratio (default: ${DEFAULT-VALUE}).") double epsilon;
    @Option(names = "--iterations", defaultValue = "1", description = "Optimiser steps per batch of rollouts (μ).") int iterations;
    @Option(names = "--loss-norm", defaultValue = "sequence", description = "sequence (mean per completion, then over completions) or token.")
    String lossNorm;
    @Option(names = "--rollout-batch", defaultValue = "64", description = "Sequences decoded together while sampling.") int rolloutBatch;
    @Option(names = "--safety-weight", defaultValue = "1") double safetyWeight;
    @Option(names = "--format-weight", defaultValue = "1") double formatWeight;

    @Option(names = "--lora-r", defaultValue = "32") int r;
    @Option(names = "--lora-alpha", defaultValue = "16") double alpha;
    @Option(names = "--lora-dropout", defaultValue = "0.05") double dropout;
    @Option(names = "--lora-targets", defaultValue = "q_proj,v_proj", split = ",") List<String> targets;
    @Option(names = "--lr", defaultValue = "1e-5") double lr;
    @Option(names = "--epochs", defaultValue = "3", description = "Passes over the prompts (default: ${DEFAULT-VALUE}).") int epochs;
    @Option(names = "--batch", defaultValue = "8", description = "Effective batch in prompts per step (×G completions; default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--micro-batch-tokens", defaultValue = "4096", description = "Tokens per forward/backward.") int microTokens;
    @Option(names = "--recompute", description = "Activation checkpointing: recompute each layer in backward (less memory).") boolean recompute;
    @Option(names = "--checkpoint-every", defaultValue = "10") int every;
    @Option(names = "--keep-checkpoints", defaultValue = "2") int keep;
    @Option(names = "--seed", defaultValue = "0") long seed;

    @Override
    public void run() {
        if (ModelSpec.parse(model).isRemote()) {
            throw new ThinkSafeException("--model " + model + ": GRPO samples from the policy it is training, a new adapter every step, "
                    + "so rollouts run in this process; give the model's directory (the --guard may be a server)");
        }
        GrpoConfig cfg = config();
        GrpoTrainer.Reference ref = GrpoTrainer.Reference.parse(reference);
        InitAdapter init = initAdapter == null ? null : InitAdapter.read(initAdapter);
        if (init != null) {
            cfg = cfg.withTrain(init.applyTo(cfg.train(), TrainCommand.loraShapeGiven(spec), "--init-adapter"));
        }
        List<Prompt> all = PromptSet.limit(PromptSet.read(prompts), limit);
        try (Guard guard = judge.open(guardServedModel, guardApiKeyEnv); LocalModel m = io.thinksafe.train.TrainMemory.load(ModelSpec.parse(model).dir(), cfg, 512)) {
            GrpoTrainer trainer = new GrpoTrainer(m, cfg, Rewards.reference(guard, safetyWeight, formatWeight), out);
            if (init != null) {
                trainer.startFrom(init, ref);
            }
            GrpoTrainer.Result res = trainer.trainUntilStopped(all, resume, steps);
            System.err.printf("grpo: %d/%d steps, last mean reward %.4f%s%n", res.stepsDone(), res.totalSteps(), res.lastRewardMean(),
                    res.output() != null ? " -> " + res.output() : " (stopped early; rerun with --resume to continue)");
        }
    }

    GrpoConfig config() {
        TrainConfig t;
        try {
            t = TrainConfig.paperDefaults().withLora(new LoraConfig(r, alpha, dropout, targets)).withSchedule(lr, epochs, batch, seed)
                    .withMemory(microTokens, recompute, TrainConfig.paperDefaults().maxTokens()).withCheckpoints(every, keep);
        } catch (IllegalArgumentException e) {
            throw new ThinkSafeException(e.getMessage());
        }
        return GrpoConfig.paperDefaults().withTrain(t).withSampling(group, temperature, maxNewTokens)
                .withObjective(beta, epsilon, iterations, GrpoConfig.LossNorm.parse(lossNorm)).withRolloutBatch(rolloutBatch);
    }
}
