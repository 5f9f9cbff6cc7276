package io.thinksafe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.model.Adapter;
import io.thinksafe.model.LoraConfig;
import io.thinksafe.model.Merge;
import io.thinksafe.model.Transformer;
import io.thinksafe.util.AtomicDirs;
import io.thinksafe.util.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * The loop that SFT and GRPO both run: for each step, the trainer's batch; for each optimizer
 * update on it, every micro-batch's forward, loss and backward (gradients accumulate), the
 * non-finite check, gradient-norm clipping, AdamW at the cosine schedule's rate; then the step's
 * metrics line, a checkpoint when due, and a stop when asked. A trainer supplies only what differs
 * ({@link Steps}): how a step's batch is made and packed, its loss, and its metrics line.
 *
 * <p>Resume is exact: a run restarts from its newest checkpoint (weights, AdamW's moments and step
 * count), and everything else a step draws — data order, rollout seeds, dropout masks — derives
 * from the seed and the step number.
 *
 * <p>Output folder: {@code adapter/} (PEFT) or {@code model/} (full weights) once every step is done,
 * {@code metrics.jsonl}, {@code checkpoints/}.
 */
final class TrainingLoop {
    /** What a trainer supplies: step {@code step}'s batch, for the adapter being trained (null when every weight is). */
    interface Steps {
        Batch batch(int step, Adapter adapter);

        /**
         * Parameters the loss trains besides the adapter's (SafeKey's safety head), by name: optimised and
         * checkpointed with the rest, never written to the adapter (they exist for training only).
         */
        default Map<String, NDArray> auxiliaryParameters() {
            return Map.of();
        }
    }

    /** One step's work, as its trainer made it. */
    interface Batch {
        /** The step's sequences, packed into micro-batches ({@link TokenizedExample#pack}). */
        List<List<TokenizedExample>> microBatches();

        /**
         * The loss of micro-batch {@code micro} in optimizer update {@code update} (GRPO makes several
         * on one batch of rollouts; SFT one), made just before its forward; its tensors live in {@code m}.
         */
        ForwardBackward.Loss loss(int update, int micro, NDManager m);

        /** The step's metrics line, once its updates are done at {@code doneAt} (nanoTime), {@code elapsed} seconds into this session. */
        Logged log(List<Update> updates, long doneAt, double elapsed);
    }

    /** One optimizer update: the sum of its micro-batches' loss values, the gradient norm before clipping, the learning rate. */
    record Update(double lossSum, double gradNorm, double lr) {}

    /** A step's metrics line, the progress bar's note, and the tokens the bar counts. */
    record Logged(ObjectNode line, String note, long tokens) {}

    /** How a run ended; {@code output} is the adapter or model folder once every step is done. */
    record Outcome(int stepsDone, int totalSteps, boolean interrupted, Path output) {}

    private final LocalModel model;
    private final TrainConfig cfg;
    private final Path out;
    private final String name;
    private volatile boolean stopRequested;
    private IntConsumer afterStep = step -> { };
    private InitAdapter init;
    private java.util.function.Consumer<Adapter> onAdapter = a -> { };

    /** {@code name} labels the progress bar. */
    TrainingLoop(LocalModel model, TrainConfig cfg, Path out, String name) {
        this.model = model;
        this.cfg = cfg;
        this.out = out;
        this.name = name;
    }

    void onStep(IntConsumer listener) {
        this.afterStep = listener;
    }

    /**
     * Start from this adapter's weights instead of a fresh one; {@code ready} sees the adapter as it
     * starts, before a checkpoint is restored over it (a trainer keeps what it needs of the start).
     */
    void startFrom(InitAdapter adapter, java.util.function.Consumer<Adapter> ready) {
        this.init = adapter;
        this.onAdapter = ready;
    }

    void requestStop() {
        stopRequested = true;
    }

    /**
     * Runs steps until {@code totalSteps} are done, {@code maxSteps} more (if positive) are done, or a
     * stop is requested. {@code identity}: what a checkpoint must match to be resumed.
     */
    Outcome run(ObjectNode identity, int totalSteps, int updatesPerStep, Steps steps, boolean resume, int maxSteps) {
        Transformer t = model.transformer();
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
            if (init == null) {
                adapter = Adapter.attach(t, cfg.lora(), cfg.seed());
            } else {
                adapter = Adapter.load(t, init.dir(), cfg.lora().dropout());
                LoraConfig got = adapter.config();
                if (got.r() != cfg.lora().r() || got.alpha() != cfg.lora().alpha() || !got.targetModules().equals(cfg.lora().targetModules())) {
                    throw new IllegalStateException("the run's LoRA shape differs from the adapter it starts from (InitAdapter.applyTo)");
                }
            }
            onAdapter.accept(adapter);
            params = new ArrayList<>(adapter.parameters());
            names = new ArrayList<>(adapter.parameterNames());
        }
        steps.auxiliaryParameters().forEach((n, p) -> {
            names.add(n);
            params.add(p);
        });
        params.forEach(p -> p.setRequiresGradient(true));
        ForwardBackward passes = adapter == null ? ForwardBackward.full(t, cfg.recompute()) : ForwardBackward.lora(t, adapter, cfg.recompute());
        CosineSchedule schedule = CosineSchedule.withWarmupRatio(cfg.lr(), cfg.warmupRatio(), totalSteps * updatesPerStep);
        try (NDManager state = t.manager().newSubManager()) {
            AdamW opt = new AdamW(params, state, cfg.beta1(), cfg.beta2(), cfg.eps(), cfg.weightDecay());
            int done = TrainCheckpoint.startOrResume(out, resume, names, params, opt, identity);
            Metrics metrics = new Metrics(out.resolve("metrics.jsonl"), done);
            int end = maxSteps > 0 ? Math.min(totalSteps, done + maxSteps) : totalSteps;
            long started = System.nanoTime();
            try (Progress progress = new Progress(name, totalSteps)) {
                progress.advance(done, 0);
                for (int step = done; step < end && !stopRequested; step++) {
                    Batch batch = steps.batch(step, adapter);
                    List<List<TokenizedExample>> micro = batch.microBatches();
                    List<Update> updates = new ArrayList<>();
                    setTraining(adapter, true);
                    for (int k = 0; k < updatesPerStep; k++) {
                        long update = (long) step * updatesPerStep + k;
                        double loss = 0;
                        for (int j = 0; j < micro.size(); j++) {
                            try (NDManager m = t.manager().newSubManager()) {
                                long dropoutSeed = cfg.seed() * 7_919L + update * 1_009L + j;
                                loss += passes.run(micro.get(j), batch.loss(k, j, m), dropoutSeed, m);
                            }
                        }
                        double norm = opt.gradNorm();
                        if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
                            throw nonFinite(loss, norm, step, opt, names);
                        }
                        opt.clip(norm, cfg.maxGradNorm());
                        double lr = schedule.lr((int) update);
                        opt.step(lr);
                        updates.add(new Update(loss, norm, lr));
                    }
                    setTraining(adapter, false);
                    long doneAt = System.nanoTime();
                    Logged logged = batch.log(updates, doneAt, (doneAt - started) / 1e9);
                    // the line goes first: a kill before the checkpoint redoes the step, and resuming drops its line
                    metrics.append(logged.line());
                    if ((step + 1) % cfg.checkpointEvery() == 0 || step + 1 == end || stopRequested) {
                        TrainCheckpoint.save(out, step + 1, names, params, opt, identity, cfg.keepCheckpoints());
                    }
                    progress.note(logged.note());
                    progress.advance(1, logged.tokens());
                    done = step + 1;
                    afterStep.accept(done);
                }
            }
            Path output = done == totalSteps ? writeOutput(adapter) : null;
            return new Outcome(done, totalSteps, stopRequested && done < totalSteps, output);
        }
    }

    /** Dropout applies while the weights learn, not while a trainer samples or scores with them. */
    private static void setTraining(Adapter adapter, boolean on) {
        if (adapter != null) {
            adapter.setTraining(on);
        }
    }

    private ThinkSafeException nonFinite(double loss, double norm, int step, AdamW opt, List<String> names) {
        List<Path> saved = TrainCheckpoint.list(out);
        List<String> bad = opt.nonFiniteGradients().stream().map(names::get).limit(4).toList();
        return new ThinkSafeException("loss became " + loss + " (gradient norm " + norm + ") at step " + (step + 1)
                + (bad.isEmpty() ? "" : ", non-finite gradients in " + String.join(", ", bad))
                + "; last good checkpoint: " + (saved.isEmpty() ? "none" : saved.get(saved.size() - 1)));
    }

    /** The adapter in PEFT's format, or the whole model; written once, under a temporary name. */
    private Path writeOutput(Adapter adapter) {
        String base = model.checkpoint().dir().toAbsolutePath().toString();
        if (adapter != null) {
            Path dir = out.resolve("adapter");
            if (!Files.exists(dir.resolve("adapter_model.safetensors"))) {
                Path tmp = AtomicDirs.prepare(dir);
                adapter.save(tmp, base);
                AtomicDirs.commit(tmp, dir);
            }
            return dir;
        }
        Path dir = out.resolve("model");
        if (!Files.exists(dir.resolve("config.json"))) {
            Map<String, NDArray> weights = model.transformer().namedWeights();
            Merge.write(model.checkpoint(), w -> {
                NDArray a = weights.get(w);
                if (a == null && w.equals("lm_head.weight")) {
                    a = weights.get("model.embed_tokens.weight"); // tied
                }
                if (a == null) {
                    throw new ThinkSafeException("no trained tensor for '" + w + "'");
                }
                return a.toFloatArray();
            }, dir);
        }
        return dir;
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

    /** Runs {@code body}, checkpointing first if the process is told to stop (Ctrl-C, SIGTERM). */
    <T> T untilStopped(java.util.function.Supplier<T> body) {
        return StopOnSignal.run(this::requestStop, body);
    }
}
