package io.thinksafe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.TrainingExample;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.model.Adapter;
import io.thinksafe.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * SafeKey's fine-tuning (Zhou et al. 2025) on {@link TrainingLoop}: SFT on the training set plus, in
 * the last {@code lastEpochs} epochs, query-mask modelling and the dual-path safety head
 * ({@link SafeKeyLoss}). Each example's understanding and key sentence are found by
 * {@link SafeKeySpans}; an example without them trains by cross-entropy alone. The head's weights are
 * optimised and checkpointed with the adapter, and the saved adapter is plain PEFT.
 */
public final class SafeKeyTrainer {
    private final LocalModel model;
    private final TrainConfig cfg;
    private final SafeKeyConfig sk;
    private final TrainingLoop loop;
    private InitAdapter init;

    public SafeKeyTrainer(LocalModel model, TrainConfig cfg, SafeKeyConfig sk, Path out) {
        if (cfg.full()) {
            throw new ThinkSafeException("SafeKey here trains LoRA adapters (its heads sit on a frozen output projection); remove train.full");
        }
        this.model = model;
        this.cfg = cfg;
        this.sk = sk;
        this.loop = new TrainingLoop(model, cfg, out, "safekey");
    }

    public SafeKeyTrainer onStep(IntConsumer listener) {
        loop.onStep(listener);
        return this;
    }

    /** Starts from an existing adapter's weights instead of fresh ones (the config's LoRA shape must be the adapter's). */
    public SafeKeyTrainer startFrom(InitAdapter adapter) {
        this.init = adapter;
        loop.startFrom(adapter, a -> { });
        return this;
    }

    public SftTrainer.Result trainUntilStopped(List<TrainingExample> rows, boolean resume, int maxSteps) {
        return loop.untilStopped(() -> train(rows, resume, maxSteps));
    }

    /** One example as SafeKey trains it: the tokens, and its spans (null: no understanding and key sentence found). */
    record Item(TokenizedExample example, SafeKeyLoss.Spans spans) {}

    public SftTrainer.Result train(List<TrainingExample> rows, boolean resume, int maxSteps) {
        List<Item> items = new ArrayList<>();
        for (TrainingExample r : rows) {
            SftExample e = new SftExample(r.id() == null ? String.valueOf(items.size() + 1) : r.id(), r.instruction(), r.response(), false);
            TokenizedExample t = SftData.tokenize(model, e, true, cfg.maxTokens());
            if (t.targets() > 0) {
                items.add(new Item(t, spans(r, t)));
            }
        }
        if (items.isEmpty()) {
            throw new ThinkSafeException("no example has a token to learn after the prompt (prompts longer than max_tokens?)");
        }
        ObjectNode identity = cfg.identity();
        if (init != null) {
            identity.put("init_adapter", init.fingerprint());
        }
        identity.put("method", "safekey").put("qmm_weight", sk.qmmWeight()).put("head_weight", sk.headWeight())
                .put("head_theta", sk.headTheta()).put("last_epochs", sk.lastEpochs());
        identity.put("data", SftTrainer.dataHash(items.stream().map(Item::example).toList()) + labels(items));
        Run run = new Run(items);
        TrainingLoop.Outcome o = loop.run(identity, run.stepsPerEpoch * cfg.epochs(), 1, run, resume, maxSteps);
        return new SftTrainer.Result(o.stepsDone(), o.totalSteps(), run.lastLoss, o.interrupted(), o.output());
    }

    /** The example's spans in tokens: the response's start, the end of U and of K, each a token count of the response's prefix. */
    private SafeKeyLoss.Spans spans(TrainingExample r, TokenizedExample t) {
        String response = SftData.afterPrompt(SftData.prompt(model, r.instruction()), r.response());
        SafeKeySpans s = SafeKeySpans.locate(response);
        if (s == null) {
            return null;
        }
        int start = t.targetStart();
        int uEnd = Math.min(t.tokens().length, start + model.tokenizer().encode(response.substring(0, s.understandingEnd())).length);
        int kEnd = Math.min(t.tokens().length, start + model.tokenizer().encode(response.substring(0, s.keyEnd())).length);
        return uEnd > start && kEnd > uEnd ? new SafeKeyLoss.Spans(start, uEnd, kEnd, r.harmful()) : null;
    }

    private static String labels(List<Item> items) {
        StringBuilder b = new StringBuilder(":");
        items.forEach(i -> b.append(i.spans() == null ? '-' : i.spans().harmful() ? '1' : '0'));
        return Integer.toHexString(b.toString().hashCode());
    }

    private final class Run implements TrainingLoop.Steps {
        final List<Item> items;
        final int stepsPerEpoch;
        final SafeKeyLoss.Head head;
        double lastLoss = Double.NaN;
        long tokensSeen;

        Run(List<Item> items) {
            this.items = items;
            this.stepsPerEpoch = (items.size() + cfg.effectiveBatch() - 1) / cfg.effectiveBatch();
            this.head = SafeKeyLoss.Head.create(model.transformer().manager(), model.transformer().config().hiddenSize(), DataType.FLOAT32, cfg.seed());
        }

        @Override
        public Map<String, NDArray> auxiliaryParameters() {
            return head.named();
        }

        @Override
        public TrainingLoop.Batch batch(int step, Adapter adapter) {
            return new Batch(step, TrainingLoop.stepSlice(items, step, stepsPerEpoch, cfg.effectiveBatch(), cfg.seed()));
        }

        private final class Batch implements TrainingLoop.Batch {
            private final int step;
            private final boolean active;
            private final List<List<TokenizedExample>> micro;
            private final Map<TokenizedExample, SafeKeyLoss.Spans> heads = new IdentityHashMap<>();
            private final Set<TokenizedExample> masked = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
            private final SafeKeyLoss.Scales scales;
            private final int mainTargets;
            private final int keyTargets;
            private final int tokens;
            private double mainSum;
            private double qmmSum;
            private double headSum;

            Batch(int step, List<Item> slice) {
                this.step = step;
                this.active = sk.active(step / stepsPerEpoch, cfg.epochs());
                List<TokenizedExample> sequences = new ArrayList<>();
                int main = 0;
                int keys = 0;
                int tok = 0;
                for (Item i : slice) {
                    sequences.add(i.example());
                    main += i.example().targets();
                    tok += i.example().tokens().length;
                    if (active && i.spans() != null) {
                        if (sk.headWeight() > 0) {
                            heads.put(i.example(), i.spans());
                        }
                        if (sk.qmmWeight() > 0) {
                            TokenizedExample copy = SafeKeyLoss.maskedCopy(i.example(), i.spans());
                            masked.add(copy);
                            sequences.add(copy);
                            keys += copy.targets();
                            tok += copy.tokens().length;
                        }
                    }
                }
                this.mainTargets = main;
                this.keyTargets = keys;
                this.tokens = tok;
                this.micro = TokenizedExample.pack(sequences, cfg.microBatchTokens());
                this.scales = new SafeKeyLoss.Scales(1.0 / main, keys == 0 ? 0 : sk.qmmWeight() / keys,
                        heads.isEmpty() ? 0 : sk.headWeight() / heads.size(), sk.headTheta());
            }

            @Override
            public List<List<TokenizedExample>> microBatches() {
                return micro;
            }

            @Override
            public ForwardBackward.Loss loss(int update, int j, NDManager m) {
                SafeKeyLoss loss = new SafeKeyLoss(model.transformer(), micro.get(j), heads, masked, head, scales);
                return (gc, hidden) -> {
                    double v = loss.backward(gc, hidden);
                    mainSum += loss.mainSum;
                    qmmSum += loss.qmmSum;
                    headSum += loss.headSum;
                    return v;
                };
            }

            @Override
            public TrainingLoop.Logged log(List<TrainingLoop.Update> updates, long doneAt, double elapsed) {
                TrainingLoop.Update u = updates.get(0);
                tokensSeen += tokens;
                lastLoss = u.lossSum();
                ObjectNode o = Json.object();
                o.put("step", step + 1);
                o.put("epoch", (double) (step + 1) / stepsPerEpoch);
                o.put("loss", u.lossSum());
                o.put("ce", mainSum / mainTargets);
                o.put("qmm_ce", keyTargets == 0 ? 0 : qmmSum / keyTargets);
                o.put("head_bce", heads.isEmpty() ? 0 : headSum / heads.size());
                o.put("auxiliary", active);
                o.put("lr", u.lr());
                o.put("grad_norm", u.gradNorm());
                o.put("tokens", tokens);
                o.put("target_tokens", mainTargets + keyTargets);
                o.put("tokens_per_s", tokensSeen / elapsed);
                o.put("elapsed_s", elapsed);
                return new TrainingLoop.Logged(o, String.format(Locale.ROOT, "loss %.4f lr %.2e%s", u.lossSum(), u.lr(),
                        active ? " +safekey" : ""), tokens);
            }
        }
    }
}
