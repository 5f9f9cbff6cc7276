package io.thinksafe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.Prompt;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.model.Adapter;
import io.thinksafe.model.Transformer;
import io.thinksafe.util.AtomicDirs;
import io.thinksafe.util.Progress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * GRPO with LoRA on the embedded engine, the paper's online-RL baseline. Each step takes the next
 * {@code effectiveBatch} prompts of its epoch's seeded shuffle, samples G completions of each from
 * the current policy ({@link GrpoRollouts}), scores them ({@link Rewards}), normalises rewards within
 * each group into advantages, and updates the adapter ({@link GrpoUpdate}). Checkpoints every N steps
 * and when asked to stop; {@code resume} continues exactly (rollout seeds, data order and dropout
 * masks all derive from the seed and the step).
 *
 * <p>Output folder: {@code adapter/} (PEFT), {@code metrics.jsonl} (one line per step: rewards per
 * component, KL, clip fraction, lengths, and the time and tokens of rollouts, judging and updates),
 * {@code checkpoints/}.
 */
public final class GrpoTrainer {
    /** How a run ended; {@code output} is the adapter folder once every step is done. */
    public record Result(int stepsDone, int totalSteps, double lastRewardMean, boolean interrupted, Path output) {}

    private final LocalModel model;
    private final GrpoConfig cfg;
    private final Rewards rewards;
    private final Path out;
    private volatile boolean stopRequested;
    private IntConsumer afterStep = step -> { };

    public GrpoTrainer(LocalModel model, GrpoConfig cfg, Rewards rewards, Path out) {
        this.model = model;
        this.cfg = cfg;
        this.rewards = rewards;
        this.out = out;
    }

    /** Told the number of each finished step (after its checkpoint, if one was due). */
    public GrpoTrainer onStep(IntConsumer listener) {
        this.afterStep = listener;
        return this;
    }

    public void requestStop() {
        stopRequested = true;
    }

    /** Runs {@link #train}, checkpointing first if the process is told to stop (Ctrl-C, SIGTERM). */
    public Result trainUntilStopped(List<Prompt> prompts, boolean resume, int maxSteps) {
        return StopOnSignal.run(this::requestStop, () -> train(prompts, resume, maxSteps));
    }

    public Result train(List<Prompt> prompts, boolean resume, int maxSteps) {
        if (prompts.isEmpty()) {
            throw new ThinkSafeException("GRPO needs prompts (the prompt set is empty)");
        }
        Transformer t = model.transformer();
        TrainConfig tc = cfg.train();
        Adapter adapter = Adapter.attach(t, tc.lora(), tc.seed());
        List<NDArray> params = adapter.parameters();
        List<String> names = adapter.parameterNames();
        params.forEach(p -> p.setRequiresGradient(true));
        ObjectNode identity = cfg.identity();
        identity.put("prompts", promptHash(prompts));
        identity.put("rewards", rewards.describe());
        int stepsPerEpoch = cfg.stepsPerEpoch(prompts.size());
        int total = cfg.totalSteps(prompts.size());
        CosineSchedule schedule = CosineSchedule.withWarmupRatio(tc.lr(), tc.warmupRatio(), total * cfg.iterations());
        try (NDManager state = t.manager().newSubManager()) {
            AdamW opt = new AdamW(params, state, tc.beta1(), tc.beta2(), tc.eps(), tc.weightDecay());
            int done = TrainCheckpoint.startOrResume(out, resume, names, params, opt, identity);
            Metrics metrics = new Metrics(out.resolve("metrics.jsonl"), done);
            double lastReward = Double.NaN;
            int end = maxSteps > 0 ? Math.min(total, done + maxSteps) : total;
            long started = System.nanoTime();
            try (Progress progress = new Progress("grpo", total)) {
                progress.advance(done, 0);
                for (int step = done; step < end && !stopRequested; step++) {
                    int epoch = step / stepsPerEpoch;
                    long t0 = System.nanoTime();
                    adapter.setTraining(false); // the policy samples without dropout
                    List<Rollout> rollouts = GrpoRollouts.sample(model, adapter, stepPrompts(prompts, step, stepsPerEpoch), cfg,
                            epoch, null);
                    long t1 = System.nanoTime();
                    Rewards.Scored scored = rewards.score(rollouts);
                    long t2 = System.nanoTime();
                    double[] advantages = GrpoLoss.advantages(scored.total(), cfg.group(), cfg.advantageEps());
                    adapter.setTraining(true);
                    GrpoUpdate.Stats u = GrpoUpdate.run(t, adapter, cfg, rollouts, advantages, opt, schedule, step, out);
                    adapter.setTraining(false);
                    long t3 = System.nanoTime();
                    ObjectNode line = GrpoStepLog.line(step + 1, (double) (step + 1) / stepsPerEpoch, rollouts, scored, cfg.group(), u);
                    GrpoStepLog.times(line, t1 - t0, t2 - t1, t3 - t2, (t3 - started) / 1e9);
                    // the line goes first: a kill before the checkpoint redoes the step, and resuming drops its line
                    metrics.append(line);
                    if ((step + 1) % tc.checkpointEvery() == 0 || step + 1 == end || stopRequested) {
                        TrainCheckpoint.save(out, step + 1, names, params, opt, identity, tc.keepCheckpoints());
                    }
                    lastReward = line.get("reward_mean").asDouble();
                    progress.note(String.format(Locale.ROOT, "reward %.3f kl %.4f", lastReward, u.kl()));
                    progress.advance(1, line.get("completion_tokens").asLong());
                    done = step + 1;
                    afterStep.accept(done);
                }
            }
            Path output = done == total ? writeAdapter(adapter) : null;
            return new Result(done, total, lastReward, stopRequested && done < total, output);
        }
    }

    /** The prompts of a step: the step's slice of its epoch's seeded permutation. */
    List<Prompt> stepPrompts(List<Prompt> prompts, int step, int stepsPerEpoch) {
        return SftTrainer.stepSlice(prompts, step, stepsPerEpoch, cfg.train().effectiveBatch(), cfg.train().seed());
    }

    private Path writeAdapter(Adapter adapter) {
        Path dir = out.resolve("adapter");
        if (!Files.exists(dir.resolve("adapter_model.safetensors"))) {
            Path tmp = AtomicDirs.prepare(dir);
            adapter.save(tmp, model.checkpoint().dir().toAbsolutePath().toString());
            AtomicDirs.commit(tmp, dir);
        }
        return dir;
    }

    /** A fingerprint of the prompts (ids, texts, labels), so a resumed run refuses a changed set. */
    static String promptHash(List<Prompt> prompts) {
        long h = 0xcbf29ce484222325L;
        for (Prompt p : prompts) {
            for (String s : new String[] {p.id(), p.text(), String.valueOf(p.label())}) {
                for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
                    h = (h ^ (b & 0xff)) * 0x100000001b3L;
                }
                h = (h ^ 0x1f) * 0x100000001b3L;
            }
        }
        return Long.toHexString(h) + "/" + prompts.size();
    }
}
