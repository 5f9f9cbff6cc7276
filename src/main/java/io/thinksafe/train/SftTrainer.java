package io.thinksafe.train;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.model.Adapter;
import io.thinksafe.util.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * Supervised fine-tuning, LoRA or full, on {@link TrainingLoop}: epochs of seeded shuffles, steps of
 * {@code effectiveBatch} examples packed into micro-batches by a token budget; the loss is the mean
 * over the step's target tokens of cross-entropy (or forward KL to the frozen base, for examples so
 * marked: {@link TokenLoss}).
 *
 * <p>Output folder: {@code adapter/} (PEFT) or {@code model/} (full weights), {@code metrics.jsonl}
 * (per step: loss, lr, grad_norm, tokens, target_tokens, tokens_per_s, elapsed_s), {@code checkpoints/}.
 */
public final class SftTrainer {
    /** How a run ended. */
    public record Result(int stepsDone, int totalSteps, double lastLoss, boolean interrupted, Path output) {}

    private final LocalModel model;
    private final TrainConfig cfg;
    private final TrainingLoop loop;
    private InitAdapter init;

    public SftTrainer(LocalModel model, TrainConfig cfg, Path out) {
        this.model = model;
        this.cfg = cfg;
        this.loop = new TrainingLoop(model, cfg, out, "train");
    }

    /** Told the number of each finished optimizer step (after its checkpoint, if one was due). */
    public SftTrainer onStep(IntConsumer listener) {
        loop.onStep(listener);
        return this;
    }


    /**
     * Starts from an existing adapter's weights instead of fresh ones (the config's LoRA shape must be
     * the adapter's: {@link InitAdapter#applyTo}). The KL loss's reference stays the base with adapters off.
     */
    public SftTrainer startFrom(InitAdapter adapter) {
        this.init = adapter;
        loop.startFrom(adapter, a -> { });
        return this;
    }

    /** Runs {@link #train}, checkpointing first if the process is told to stop (Ctrl-C, SIGTERM). */
    public Result trainUntilStopped(List<SftExample> examples, boolean resume, int maxSteps) {
        return loop.untilStopped(() -> train(examples, resume, maxSteps));
    }

    public Result train(List<SftExample> examples, boolean resume, int maxSteps) {
        return trainTokenized(SftData.tokenize(model, examples, cfg.completionOnly(), cfg.maxTokens()), resume, maxSteps);
    }

    /** Trains on examples already tokenized, for texts that are not a chat turn (a judge's prompt and verdict). */
    public Result trainTokenized(List<TokenizedExample> data, boolean resume, int maxSteps) {
        if (data.stream().anyMatch(TokenizedExample::kl) && cfg.full()) {
            throw new ThinkSafeException("the KL loss needs LoRA (its reference is the base with adapters off)");
        }
        ObjectNode identity = cfg.identity();
        identity.put("data", dataHash(data));
        if (init != null) {
            identity.put("init_adapter", init.fingerprint());
        }
        Run run = new Run(data);
        TrainingLoop.Outcome o = loop.run(identity, run.stepsPerEpoch * cfg.epochs(), 1, run, resume, maxSteps);
        return new Result(o.stepsDone(), o.totalSteps(), run.lastLoss, o.interrupted(), o.output());
    }

    /** One call of {@link #trainTokenized}: its data, and the running values of this session. */
    private final class Run implements TrainingLoop.Steps {
        final List<TokenizedExample> data;
        final int stepsPerEpoch;
        double lastLoss = Double.NaN;
        long tokensSeen;

        Run(List<TokenizedExample> data) {
            this.data = data;
            this.stepsPerEpoch = (data.size() + cfg.effectiveBatch() - 1) / cfg.effectiveBatch();
        }

        @Override
        public TrainingLoop.Batch batch(int step, Adapter adapter) {
            return new Batch(step, TrainingLoop.stepSlice(data, step, stepsPerEpoch, cfg.effectiveBatch(), cfg.seed()), adapter);
        }

        /** A step's examples, packed. */
        private final class Batch implements TrainingLoop.Batch {
            private final int step;
            private final Adapter adapter;
            private final List<List<TokenizedExample>> micro;
            private final int targets;
            private final int tokens;

            Batch(int step, List<TokenizedExample> examples, Adapter adapter) {
                this.step = step;
                this.adapter = adapter;
                this.micro = TokenizedExample.pack(examples, cfg.microBatchTokens());
                this.targets = examples.stream().mapToInt(TokenizedExample::targets).sum();
                this.tokens = examples.stream().mapToInt(e -> e.tokens().length).sum();
            }

            @Override
            public List<List<TokenizedExample>> microBatches() {
                return micro;
            }

            @Override
            public ForwardBackward.Loss loss(int update, int j, NDManager m) {
                return TokenLoss.forExamples(model.transformer(), adapter, micro.get(j), 1f / targets, m);
            }

            @Override
            public TrainingLoop.Logged log(List<TrainingLoop.Update> updates, long doneAt, double elapsed) {
                TrainingLoop.Update u = updates.get(0);
                double loss = u.lossSum() / targets;
                tokensSeen += tokens;
                lastLoss = loss;
                ObjectNode o = Json.object();
                o.put("step", step + 1);
                o.put("epoch", (double) (step + 1) / stepsPerEpoch);
                o.put("loss", loss);
                o.put("lr", u.lr());
                o.put("grad_norm", u.gradNorm());
                o.put("tokens", tokens);
                o.put("target_tokens", targets);
                o.put("tokens_per_s", tokensSeen / elapsed);
                o.put("elapsed_s", elapsed);
                return new TrainingLoop.Logged(o, String.format(Locale.ROOT, "loss %.4f lr %.2e", loss, u.lr()), tokens);
            }
        }
    }

    /** A fingerprint of the tokenised data, so a resumed run refuses changed data. */
    static String dataHash(List<TokenizedExample> data) {
        Fingerprint f = new Fingerprint();
        for (TokenizedExample e : data) {
            for (int t : e.tokens()) {
                f.add(t);
            }
            f.add(e.targetStart() ^ (e.kl() ? 0x55 : 0));
        }
        return f.of(data.size());
    }
}
