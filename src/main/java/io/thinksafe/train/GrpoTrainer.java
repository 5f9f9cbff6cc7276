package io.thinksafe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.Prompt;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.model.Adapter;
import io.thinksafe.model.Transformer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * GRPO with LoRA on the embedded engine, the paper's online-RL baseline, on {@link TrainingLoop}.
 * Each step takes the next {@code effectiveBatch} prompts of its epoch's seeded shuffle, samples G
 * completions of each from the current policy ({@link GrpoRollouts}), scores them ({@link Rewards}),
 * normalises rewards within each group into advantages, and takes the frozen reference's log-probs
 * of every completion token (adapters off); the loop then makes {@code iterations} optimizer updates
 * on these rollouts with the clipped objective ({@link GrpoLoss}). The behaviour policy's log-probs
 * are those the first update computes (it runs the weights that sampled), so later updates see a
 * ratio that moves and clipping that acts. Rollout seeds derive from the seed, the prompt and the
 * epoch, so a resumed run redraws exactly what the interrupted one drew.
 *
 * <p>Output folder: {@code adapter/} (PEFT), {@code metrics.jsonl} (one line per step, {@link GrpoStepLog}),
 * {@code checkpoints/}.
 */
public final class GrpoTrainer {
    /** How a run ended; {@code output} is the adapter folder once every step is done. */
    public record Result(int stepsDone, int totalSteps, double lastRewardMean, boolean interrupted, Path output) {}

    private final LocalModel model;
    private final GrpoConfig cfg;
    private final Rewards rewards;
    private final TrainingLoop loop;
    private InitAdapter init;
    private Reference referenceKind = Reference.BASE;
    private List<NDArray> startWeights; // the start adapter's A and B, kept apart: the KL reference when it is INIT

    /**
     * What the KL term pulls the policy towards: {@code BASE}, the model with adapters off (the
     * reference's GRPO); {@code INIT}, the adapter training started from, frozen (the usual choice
     * after a supervised warm start). Without a start adapter the two are the same model.
     */
    public enum Reference {
        INIT, BASE;

        public static Reference parse(String s) {
            try {
                return valueOf(s.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ThinkSafeException("unknown GRPO reference '" + s + "' (expected init or base)");
            }
        }

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public GrpoTrainer(LocalModel model, GrpoConfig cfg, Rewards rewards, Path out) {
        this.model = model;
        this.cfg = cfg;
        this.rewards = rewards;
        this.loop = new TrainingLoop(model, cfg.train(), out, "grpo");
    }

    /** Told the number of each finished step (after its checkpoint, if one was due). */
    public GrpoTrainer onStep(IntConsumer listener) {
        loop.onStep(listener);
        return this;
    }


    /**
     * Starts from an existing adapter's weights (the config's LoRA shape must be the adapter's:
     * {@link InitAdapter#applyTo}), with the KL reference {@code reference}.
     */
    public GrpoTrainer startFrom(InitAdapter adapter, Reference reference) {
        this.init = adapter;
        this.referenceKind = reference;
        loop.startFrom(adapter, a -> {
            if (reference == Reference.INIT) {
                // the start's weights, copied before a checkpoint is restored over them: the adapter's size, not the model's
                closeStart();
                startWeights = new ArrayList<>();
                a.parameters().forEach(x -> startWeights.add(x.duplicate()));
            }
        });
        return this;
    }

    private void closeStart() {
        if (startWeights != null) {
            startWeights.forEach(NDArray::close);
            startWeights = null;
        }
    }

    /** Runs {@link #train}, checkpointing first if the process is told to stop (Ctrl-C, SIGTERM). */
    public Result trainUntilStopped(List<Prompt> prompts, boolean resume, int maxSteps) {
        return loop.untilStopped(() -> train(prompts, resume, maxSteps));
    }

    public Result train(List<Prompt> prompts, boolean resume, int maxSteps) {
        if (prompts.isEmpty()) {
            throw new ThinkSafeException("GRPO needs prompts (the prompt set is empty)");
        }
        ObjectNode identity = cfg.identity();
        identity.put("prompts", promptHash(prompts));
        identity.put("rewards", rewards.describe());
        if (init != null) {
            identity.put("init_adapter", init.fingerprint()).put("reference", referenceKind.key());
        }
        Run run = new Run(prompts);
        TrainingLoop.Outcome o;
        try {
            o = loop.run(identity, cfg.totalSteps(prompts.size()), cfg.iterations(), run, resume, maxSteps);
        } finally {
            closeStart();
        }
        return new Result(o.stepsDone(), o.totalSteps(), run.lastReward, o.interrupted(), o.output());
    }

    /** One call of {@link #train}: its prompts, and the last step's mean reward. */
    private final class Run implements TrainingLoop.Steps {
        final List<Prompt> prompts;
        final int stepsPerEpoch;
        double lastReward = Double.NaN;

        Run(List<Prompt> prompts) {
            this.prompts = prompts;
            this.stepsPerEpoch = cfg.stepsPerEpoch(prompts.size());
        }

        @Override
        public TrainingLoop.Batch batch(int step, Adapter adapter) {
            return new Batch(step, adapter);
        }

        /**
         * A step: its prompts' rollouts and rewards, and the rollouts as prompt+completion sequences,
         * packed in order while they fit the token budget, with every completion token's advantage,
         * weight (1 / (completions · its completion's length) for the sequence mean, 1 / (completion
         * tokens of the step) for the token mean) and reference log-prob.
         */
        private final class Batch implements TrainingLoop.Batch {
            private final int step;
            private final long rolloutNanos;
            private final long judgeNanos;
            private final long judgedAt;
            private final List<Rollout> rollouts;
            private final Rewards.Scored scored;
            private final List<List<TokenizedExample>> micro;
            private final List<GrpoLoss.Targets> targets = new ArrayList<>(); // the behaviour log-probs left out
            private final List<double[]> behaviour = new ArrayList<>();     // filled by the first update
            private final int completionTokens;
            private final long sequenceTokens;
            private double firstKl;
            private long clipped;

            Batch(int step, Adapter adapter) {
                this.step = step;
                long started = System.nanoTime();
                adapter.setTraining(false); // the policy samples without dropout
                List<Prompt> stepPrompts = TrainingLoop.stepSlice(prompts, step, stepsPerEpoch, cfg.train().effectiveBatch(),
                        cfg.train().seed());
                rollouts = GrpoRollouts.sample(model, adapter, stepPrompts, cfg, step / stepsPerEpoch, null);
                long sampled = System.nanoTime();
                scored = rewards.score(rollouts);
                judgedAt = System.nanoTime();
                rolloutNanos = sampled - started;
                judgeNanos = judgedAt - sampled;
                double[] advantages = GrpoLoss.advantages(scored.total(), cfg.group(), cfg.advantageEps());
                List<TokenizedExample> sequences = new ArrayList<>();
                double[] weights = new double[rollouts.size()];
                int allTokens = 0;
                long tokens = 0;
                for (Rollout r : rollouts) {
                    allTokens += r.completion().length;
                }
                for (int i = 0; i < rollouts.size(); i++) {
                    TokenizedExample seq = sequence(rollouts.get(i));
                    sequences.add(seq);
                    tokens += seq.tokens().length;
                    weights[i] = cfg.lossNorm() == GrpoConfig.LossNorm.SEQUENCE
                            ? 1.0 / ((double) rollouts.size() * seq.targets()) : 1.0 / allTokens;
                }
                this.completionTokens = allTokens;
                this.sequenceTokens = tokens;
                this.micro = TokenizedExample.pack(sequences, cfg.train().microBatchTokens());
                Transformer t = model.transformer();
                int seq = 0;
                for (List<TokenizedExample> mb : micro) {
                    TokenLoss.Targets rows = TokenLoss.Targets.of(mb); // the completion tokens, in order
                    double[] adv = new double[rows.size()];
                    double[] weight = new double[rows.size()];
                    int at = 0;
                    for (TokenizedExample e : mb) {
                        for (int j = 0; j < e.targets(); j++, at++) {
                            adv[at] = advantages[seq];
                            weight[at] = weights[seq];
                        }
                        seq++;
                    }
                    targets.add(new GrpoLoss.Targets(rows.rows(), rows.ids(), adv, weight, reference(t, adapter, mb, rows), null));
                }
            }

            @Override
            public List<List<TokenizedExample>> microBatches() {
                return micro;
            }

            @Override
            public ForwardBackward.Loss loss(int update, int j, NDManager m) {
                GrpoLoss.Targets all = targets.get(j);
                GrpoLoss.Targets t = update == 0 ? all : new GrpoLoss.Targets(all.rows(), all.ids(), all.advantage(), all.weight(),
                        all.refLogp(), behaviour.get(j));
                return (gc, hidden) -> {
                    GrpoLoss.Stats s = GrpoLoss.backward(model.transformer(), gc, hidden.last(), t, cfg.temperature(), cfg.clip(), cfg.beta());
                    if (update == 0) {
                        behaviour.add(s.logp());
                        firstKl += s.klSum();
                    }
                    clipped += s.clipped();
                    return s.loss();
                };
            }

            @Override
            public TrainingLoop.Logged log(List<TrainingLoop.Update> updates, long doneAt, double elapsed) {
                TrainingLoop.Update last = updates.get(updates.size() - 1);
                int mu = updates.size();
                GrpoStepLog.Update u = new GrpoStepLog.Update(updates.get(0).lossSum(), last.gradNorm(), last.lr(),
                        firstKl / completionTokens, (double) clipped / ((long) completionTokens * mu), sequenceTokens * mu, sequenceTokens);
                ObjectNode line = GrpoStepLog.line(step + 1, (double) (step + 1) / stepsPerEpoch, rollouts, scored, cfg.group(), u);
                GrpoStepLog.times(line, rolloutNanos, judgeNanos, doneAt - judgedAt, elapsed);
                lastReward = line.get("reward_mean").asDouble();
                return new TrainingLoop.Logged(line, String.format(Locale.ROOT, "reward %.3f kl %.4f", lastReward, u.kl()),
                        line.get("completion_tokens").asLong());
            }
        }
    }

    /** A rollout as one sequence, its completion (the end-of-sequence token included) the part learned. */
    static TokenizedExample sequence(Rollout r) {
        int[] tokens = new int[r.promptTokens().length + r.completion().length];
        System.arraycopy(r.promptTokens(), 0, tokens, 0, r.promptTokens().length);
        System.arraycopy(r.completion(), 0, tokens, r.promptTokens().length, r.completion().length);
        return new TokenizedExample(r.promptId() + "#" + r.sample(), tokens, r.promptTokens().length, false);
    }

    /**
     * The frozen reference's log-probs of a micro-batch's completion tokens: the base (adapters off), or the
     * start adapter — its weights put in place of the current ones for this forward, then restored (no
     * gradient is recorded here, and dropout is off while a batch is made).
     */
    private double[] reference(Transformer t, Adapter adapter, List<TokenizedExample> mb, TokenLoss.Targets rows) {
        List<Transformer.Segment> segments = new ArrayList<>();
        mb.forEach(e -> segments.add(new Transformer.Segment(e.tokens(), null)));
        if (startWeights != null) {
            List<NDArray> params = adapter.parameters();
            List<NDArray> current = new ArrayList<>();
            try (NDManager m = t.manager().newSubManager()) {
                for (int i = 0; i < params.size(); i++) {
                    NDArray now = params.get(i).duplicate();
                    now.attach(m);
                    current.add(now);
                    params.get(i).muli(0f).addi(startWeights.get(i)); // in place: the parameters keep their identity
                }
                try {
                    NDArray hidden = t.hidden(segments, m);
                    return GrpoLoss.logprobs(t, hidden, rows.rows(), rows.ids(), cfg.temperature());
                } finally {
                    for (int i = 0; i < params.size(); i++) {
                        params.get(i).muli(0f).addi(current.get(i));
                    }
                }
            }
        }
        adapter.setEnabled(false);
        try (NDManager m = t.manager().newSubManager()) {
            NDArray hidden = t.hidden(segments, m);
            return GrpoLoss.logprobs(t, hidden, rows.rows(), rows.ids(), cfg.temperature());
        } finally {
            adapter.setEnabled(true);
        }
    }

    /** A fingerprint of the prompts (ids, texts, labels), so a resumed run refuses a changed set. */
    static String promptHash(List<Prompt> prompts) {
        Fingerprint f = new Fingerprint();
        for (Prompt p : prompts) {
            f.add(p.id()).add(p.text()).add(String.valueOf(p.label()));
        }
        return f.of(prompts.size());
    }
}
