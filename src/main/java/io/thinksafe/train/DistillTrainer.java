package io.thinksafe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.Prompt;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.model.Adapter;
import io.thinksafe.model.Transformer;
import io.thinksafe.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * On-policy distillation with LoRA on the embedded engine (Agarwal et al. 2024, the paper's reference
 * for on-policy learning), on {@link TrainingLoop} and GRPO's rollout machinery: each step takes the
 * next {@code effectiveBatch} prompts of its epoch's seeded shuffle, samples {@code samples}
 * completions of each from the current student ({@link GrpoRollouts}), has the teacher read every
 * prompt+completion (one forward, no gradient), and lowers the mean over all completion tokens of the
 * per-token reverse KL from student to teacher ({@link ReverseKlLoss}). The teacher must share the
 * student's tokenizer, so that it scores the very tokens the student sampled.
 *
 * <p>Output folder: {@code adapter/} (PEFT), {@code metrics.jsonl} (per step: {@code kl}, completion
 * lengths, tokens as GRPO counts them, the teacher's forward as {@code reference_tokens}, times),
 * {@code checkpoints/}.
 */
public final class DistillTrainer {
    /** How a run ended; {@code output} is the adapter folder once every step is done. */
    public record Result(int stepsDone, int totalSteps, double lastKl, boolean interrupted, Path output) {}

    private final LocalModel model;
    private final LocalModel teacher;
    private final DistillConfig cfg;
    private final TrainingLoop loop;
    private InitAdapter init;

    public DistillTrainer(LocalModel model, LocalModel teacher, DistillConfig cfg, Path out) {
        if (model.transformer().config().vocabSize() != teacher.transformer().config().vocabSize()) {
            throw new ThinkSafeException("the teacher's vocabulary (" + teacher.transformer().config().vocabSize() + ") is not the student's ("
                    + model.transformer().config().vocabSize() + ")");
        }
        this.model = model;
        this.teacher = teacher;
        this.cfg = cfg;
        this.loop = new TrainingLoop(model, cfg.train(), out, "distill");
    }

    public DistillTrainer onStep(IntConsumer listener) {
        loop.onStep(listener);
        return this;
    }

    /** Starts from an existing adapter's weights instead of fresh ones (the config's LoRA shape must be the adapter's). */
    public DistillTrainer startFrom(InitAdapter adapter) {
        this.init = adapter;
        loop.startFrom(adapter, a -> { });
        return this;
    }

    public Result trainUntilStopped(List<Prompt> prompts, boolean resume, int maxSteps) {
        return loop.untilStopped(() -> train(prompts, resume, maxSteps));
    }

    public Result train(List<Prompt> prompts, boolean resume, int maxSteps) {
        if (prompts.isEmpty()) {
            throw new ThinkSafeException("on-policy distillation needs prompts (the prompt set is empty)");
        }
        ObjectNode identity = cfg.identity();
        if (init != null) {
            identity.put("init_adapter", init.fingerprint());
        }
        identity.put("prompts", GrpoTrainer.promptHash(prompts));
        identity.put("teacher", teacher.name() + ":" + teacher.transformer().config().hiddenSize() + "x" + teacher.transformer().config().numLayers());
        Run run = new Run(prompts);
        TrainingLoop.Outcome o = loop.run(identity, cfg.totalSteps(prompts.size()), 1, run, resume, maxSteps);
        return new Result(o.stepsDone(), o.totalSteps(), run.lastKl, o.interrupted(), o.output());
    }

    private final class Run implements TrainingLoop.Steps {
        final List<Prompt> prompts;
        final int stepsPerEpoch;
        double lastKl = Double.NaN;

        Run(List<Prompt> prompts) {
            this.prompts = prompts;
            this.stepsPerEpoch = cfg.stepsPerEpoch(prompts.size());
        }

        @Override
        public TrainingLoop.Batch batch(int step, Adapter adapter) {
            return new Batch(step, adapter);
        }

        /** A step: the student's rollouts as prompt+completion sequences, each completion token weighted 1 / (completion tokens of the step). */
        private final class Batch implements TrainingLoop.Batch {
            private final int step;
            private final long rolloutNanos;
            private final long sampledAt;
            private final List<Rollout> rollouts;
            private final List<List<TokenizedExample>> micro;
            private final int completionTokens;
            private final long sequenceTokens;
            private double klSum;

            Batch(int step, Adapter adapter) {
                this.step = step;
                long started = System.nanoTime();
                adapter.setTraining(false); // the student samples without dropout
                List<Prompt> stepPrompts = TrainingLoop.stepSlice(prompts, step, stepsPerEpoch, cfg.train().effectiveBatch(),
                        cfg.train().seed());
                rollouts = GrpoRollouts.sample(model, adapter, stepPrompts, new GrpoRollouts.Draw(cfg.samples(), cfg.temperature(),
                        cfg.maxNewTokens(), cfg.rolloutBatch(), cfg.train().seed()), step / stepsPerEpoch, null);
                sampledAt = System.nanoTime();
                rolloutNanos = sampledAt - started;
                List<TokenizedExample> sequences = new ArrayList<>();
                int completion = 0;
                long tokens = 0;
                for (Rollout r : rollouts) {
                    TokenizedExample seq = GrpoTrainer.sequence(r);
                    sequences.add(seq);
                    completion += seq.targets();
                    tokens += seq.tokens().length;
                }
                this.completionTokens = completion;
                this.sequenceTokens = tokens;
                this.micro = TokenizedExample.pack(sequences, cfg.train().microBatchTokens());
            }

            @Override
            public List<List<TokenizedExample>> microBatches() {
                return micro;
            }

            @Override
            public ForwardBackward.Loss loss(int update, int j, NDManager m) {
                List<TokenizedExample> mb = micro.get(j);
                TokenLoss.Targets rows = TokenLoss.Targets.of(mb); // every completion token, in order
                double[] weight = new double[rows.size()];
                java.util.Arrays.fill(weight, completionTokens == 0 ? 0 : 1.0 / completionTokens);
                NDArray teacherHidden = teacherHidden(mb, m);
                Transformer student = model.transformer();
                return (gc, hidden) -> {
                    ReverseKlLoss.Stats s = ReverseKlLoss.backward(student, teacher.transformer(), gc, hidden.last(), teacherHidden,
                            rows.rows(), weight);
                    for (double k : s.kl()) {
                        klSum += k;
                    }
                    return s.loss();
                };
            }

            @Override
            public TrainingLoop.Logged log(List<TrainingLoop.Update> updates, long doneAt, double elapsed) {
                TrainingLoop.Update u = updates.get(0);
                ObjectNode o = Json.object();
                o.put("step", step + 1);
                o.put("epoch", (double) (step + 1) / stepsPerEpoch);
                o.put("loss", u.lossSum());
                o.put("kl", completionTokens == 0 ? 0 : klSum / completionTokens);
                o.put("grad_norm", u.gradNorm());
                o.put("lr", u.lr());
                int longest = 0;
                int truncated = 0;
                long promptTokens = 0;
                for (Rollout r : rollouts) {
                    longest = Math.max(longest, r.completion().length);
                    truncated += "length".equals(r.finishReason()) ? 1 : 0;
                    promptTokens += r.promptTokens().length;
                }
                o.put("completion_length_mean", (double) completionTokens / rollouts.size());
                o.put("completion_length_max", longest);
                o.put("truncated", truncated);
                o.put("prompt_tokens", promptTokens);
                o.put("completion_tokens", completionTokens);
                o.put("judge_tokens", 0);
                o.put("train_tokens", sequenceTokens);
                o.put("reference_tokens", sequenceTokens); // the teacher's forward over the same sequences
                GrpoStepLog.times(o, rolloutNanos, 0, doneAt - sampledAt, elapsed);
                lastKl = o.get("kl").asDouble();
                return new TrainingLoop.Logged(o, String.format(Locale.ROOT, "kl %.4f", lastKl), completionTokens);
            }
        }
    }

    /** The teacher's final hidden states of a micro-batch's sequences, without a graph. */
    private NDArray teacherHidden(List<TokenizedExample> mb, NDManager m) {
        List<Transformer.Segment> segments = new ArrayList<>();
        mb.forEach(e -> segments.add(new Transformer.Segment(e.tokens(), null)));
        return FrozenHead.withoutGraph(() -> teacher.transformer().hidden(segments, m));
    }
}
