package io.thinksafe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.model.Adapter;
import io.thinksafe.model.Merge;
import io.thinksafe.model.Transformer;
import io.thinksafe.util.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Supervised fine-tuning, LoRA or full: epochs of seeded shuffles, steps of {@code effectiveBatch}
 * examples, each step's examples packed into micro-batches by a token budget with gradients
 * accumulated, then clipping, AdamW and the cosine schedule. The loss is the mean over the step's
 * target tokens. Checkpoints every N steps and when the process is asked to stop; {@code resume}
 * continues exactly from the newest.
 *
 * <p>Output folder: {@code adapter/} (PEFT) or {@code model/} (full weights), {@code metrics.jsonl},
 * {@code checkpoints/}.
 */
public final class SftTrainer {
    /** How a run ended. */
    public record Result(int stepsDone, int totalSteps, double lastLoss, boolean interrupted, Path output) {}

    private final LocalModel model;
    private final TrainConfig cfg;
    private final Path out;
    private volatile boolean stopRequested;
    private java.util.function.IntConsumer afterStep = step -> { };

    public SftTrainer(LocalModel model, TrainConfig cfg, Path out) {
        this.model = model;
        this.cfg = cfg;
        this.out = out;
    }

    /** Told the number of each finished optimizer step (after its checkpoint, if one was due). */
    public SftTrainer onStep(java.util.function.IntConsumer listener) {
        this.afterStep = listener;
        return this;
    }

    /** Ask a running {@link #train} to checkpoint and return after the current step. */
    public void requestStop() {
        stopRequested = true;
    }

    public Result train(List<SftExample> examples, boolean resume, int maxSteps) {
        return trainTokenized(SftData.tokenize(model, examples, cfg.completionOnly(), cfg.maxTokens()), resume, maxSteps);
    }

    /** Trains on examples already tokenized, for texts that are not a chat turn (a judge's prompt and verdict). */
    public Result trainTokenized(List<TokenizedExample> data, boolean resume, int maxSteps) {
        Transformer t = model.transformer();
        if (data.stream().anyMatch(TokenizedExample::kl) && cfg.full()) {
            throw new ThinkSafeException("the KL loss needs LoRA (its reference is the base with adapters off)");
        }
        Adapter adapter = null;
        List<NDArray> params;
        List<String> names;
        if (cfg.full()) {
            // private, writable copies: float32 weights may be read-only views of the model file
            t.mapWeights(NDArray::duplicate);
            Map<String, NDArray> named = t.namedWeights();
            names = new ArrayList<>(named.keySet());
            params = new ArrayList<>(named.values());
        } else {
            adapter = Adapter.attach(t, cfg.lora(), cfg.seed());
            params = adapter.parameters();
            names = adapter.parameterNames();
        }
        params.forEach(p -> p.setRequiresGradient(true));
        ObjectNode identity = cfg.identity();
        identity.put("data", dataHash(data));
        int stepsPerEpoch = (data.size() + cfg.effectiveBatch() - 1) / cfg.effectiveBatch();
        int total = stepsPerEpoch * cfg.epochs();
        CosineSchedule schedule = CosineSchedule.withWarmupRatio(cfg.lr(), cfg.warmupRatio(), total);
        try (NDManager state = t.manager().newSubManager()) {
            AdamW opt = new AdamW(params, state, cfg.beta1(), cfg.beta2(), cfg.eps(), cfg.weightDecay());
            int done = TrainCheckpoint.startOrResume(out, resume, names, params, opt, identity);
            Metrics metrics = new Metrics(out.resolve("metrics.jsonl"), done);
            if (adapter != null) {
                adapter.setTraining(true);
            }
            double lastLoss = Double.NaN;
            int end = maxSteps > 0 ? Math.min(total, done + maxSteps) : total;
            long started = System.nanoTime();
            long tokensSeen = 0;
            try (Progress progress = new Progress("train", total)) {
                progress.advance(done, 0);
                for (int step = done; step < end && !stopRequested; step++) {
                    List<TokenizedExample> batch = stepExamples(data, step, stepsPerEpoch);
                    int targets = batch.stream().mapToInt(TokenizedExample::targets).sum();
                    int tokens = batch.stream().mapToInt(e -> e.tokens().length).sum();
                    double lossSum = 0;
                    int micro = 0;
                    for (List<TokenizedExample> mb : pack(batch, cfg.microBatchTokens())) {
                        long dropoutSeed = cfg.seed() * 7_919L + step * 1_009L + micro++;
                        lossSum += MicroBatch.run(t, adapter, mb, 1f / targets, cfg.recompute(), cfg.full(), dropoutSeed).lossSum();
                    }
                    double loss = lossSum / targets;
                    double norm = opt.gradNorm();
                    if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
                        List<Path> saved = TrainCheckpoint.list(out);
                        List<String> bad = opt.nonFiniteGradients().stream().map(names::get).limit(4).toList();
                        throw new ThinkSafeException("loss became " + loss + " (gradient norm " + norm + ") at step " + (step + 1)
                                + (bad.isEmpty() ? "" : ", non-finite gradients in " + String.join(", ", bad))
                                + "; last good checkpoint: " + (saved.isEmpty() ? "none" : saved.get(saved.size() - 1)));
                    }
                    opt.clip(norm, cfg.maxGradNorm());
                    double lr = schedule.lr(step);
                    opt.step(lr);
                    tokensSeen += tokens;
                    lastLoss = loss;
                    double elapsed = (System.nanoTime() - started) / 1e9;
                    metrics.append(step + 1, (double) (step + 1) / stepsPerEpoch, loss, lr, norm, tokens, targets, tokensSeen / elapsed, elapsed);
                    progress.note(String.format(java.util.Locale.ROOT, "loss %.4f lr %.2e", loss, lr));
                    progress.advance(1, tokens);
                    if ((step + 1) % cfg.checkpointEvery() == 0 || step + 1 == end || stopRequested) {
                        TrainCheckpoint.save(out, step + 1, names, params, opt, identity, cfg.keepCheckpoints());
                    }
                    done = step + 1;
                    afterStep.accept(done);
                }
            }
            if (adapter != null) {
                adapter.setTraining(false);
            }
            Path output = null;
            if (done == total) {
                output = writeOutput(adapter);
            }
            return new Result(done, total, lastLoss, stopRequested && done < total, output);
        }
    }

    /** Runs {@link #train}, checkpointing first if the process is told to stop (Ctrl-C, SIGTERM). */
    public Result trainUntilStopped(List<SftExample> examples, boolean resume, int maxSteps) {
        return StopOnSignal.run(this::requestStop, () -> train(examples, resume, maxSteps));
    }

    /** The examples of a step: the step's slice of its epoch's seeded permutation. */
    List<TokenizedExample> stepExamples(List<TokenizedExample> data, int step, int stepsPerEpoch) {
        return stepSlice(data, step, stepsPerEpoch, cfg.effectiveBatch(), cfg.seed());
    }

    /** Step {@code step}'s {@code batch} items: its slice of its epoch's permutation, seeded by {@code seed} and the epoch. */
    static <T> List<T> stepSlice(List<T> items, int step, int stepsPerEpoch, int batch, long seed) {
        int epoch = step / stepsPerEpoch;
        int k = step % stepsPerEpoch;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed * 1_000_003L + epoch)); // java.util.Random is specified bit for bit
        List<T> out = new ArrayList<>();
        for (int i = k * batch; i < Math.min(items.size(), (k + 1) * batch); i++) {
            out.add(items.get(order.get(i)));
        }
        return out;
    }

    /** Consecutive examples packed while their tokens fit the budget (at least one each). */
    static List<List<TokenizedExample>> pack(List<TokenizedExample> batch, int budget) {
        List<List<TokenizedExample>> out = new ArrayList<>();
        List<TokenizedExample> cur = new ArrayList<>();
        int used = 0;
        for (TokenizedExample e : batch) {
            if (!cur.isEmpty() && used + e.tokens().length > budget) {
                out.add(cur);
                cur = new ArrayList<>();
                used = 0;
            }
            cur.add(e);
            used += e.tokens().length;
        }
        if (!cur.isEmpty()) {
            out.add(cur);
        }
        return out;
    }

    private Path writeOutput(Adapter adapter) {
        String base = model.checkpoint().dir().toAbsolutePath().toString();
        if (adapter != null) {
            Path dir = out.resolve("adapter");
            if (!Files.exists(dir.resolve("adapter_model.safetensors"))) {
                Path tmp = io.thinksafe.util.AtomicDirs.prepare(dir);
                adapter.save(tmp, base);
                io.thinksafe.util.AtomicDirs.commit(tmp, dir);
            }
            return dir;
        }
        Path dir = out.resolve("model");
        if (!Files.exists(dir.resolve("config.json"))) {
            Map<String, NDArray> weights = model.transformer().namedWeights();
            Merge.write(model.checkpoint(), name -> {
                NDArray w = weights.get(name);
                if (w == null && name.equals("lm_head.weight")) {
                    w = weights.get("model.embed_tokens.weight"); // tied
                }
                if (w == null) {
                    throw new ThinkSafeException("no trained tensor for '" + name + "'");
                }
                return w.toFloatArray();
            }, dir);
        }
        return dir;
    }

    /** A fingerprint of the tokenised data, so a resumed run refuses changed data. */
    static String dataHash(List<TokenizedExample> data) {
        long h = 0xcbf29ce484222325L;
        for (TokenizedExample e : data) {
            for (int t : e.tokens()) {
                h = (h ^ t) * 0x100000001b3L;
            }
            h = (h ^ e.targetStart() ^ (e.kl() ? 0x55 : 0)) * 0x100000001b3L;
        }
        return Long.toHexString(h) + "/" + data.size();
    }
}
