package io.thinksafe.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.thinksafe.model.KvCache;
import io.thinksafe.model.Decoder;
import io.thinksafe.model.Kernels;
import io.thinksafe.model.Transformer;
import io.thinksafe.text.Tokenizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Batched generation on the embedded decoder with continuous batching: up to {@code maxBatch}
 * sequences decode together, a finished one leaves at once and a waiting one takes its place. Each
 * step packs, for every active sequence, either its last sampled token or the next chunk of its
 * prompt, so long prompts are prefilled in slices that share steps with decoding.
 *
 * <p>{@link #run} works through a fixed list; {@link #newBatch} gives the step loop itself, for a
 * server whose requests arrive over time ({@code io.thinksafe.generate.serve.EngineLoop}).
 */
public final class LocalEngine {
    /**
     * Limits of one engine: sequences in flight, prompt tokens per step, and KV-cache memory (also
     * bounded by the model's memory plan, {@link Transformer#kvBudget}).
     */
    public record Options(int maxBatch, int prefillChunk, long kvBudgetBytes) {
        public static Options defaults() {
            return new Options(16, 512, 4L << 30);
        }
    }

    /** Progress of a run, reported after every step: sequences, tokens sampled, prompt tokens prefilled. */
    public interface Listener {
        void step(int active, int waiting, int sampledTokens, int promptTokens);
    }

    private final Transformer model;
    private final Tokenizer tokenizer;
    private final Set<Integer> eosIds;
    private final Options options;
    /** Decode steps, as the chosen kernels run them (the Java path, or the reference forward). */
    private final Decoder decoder;

    public LocalEngine(Transformer model, Tokenizer tokenizer, Set<Integer> eosIds, Options options) {
        this.model = model;
        this.decoder = Kernels.current().decoder(model);
        this.tokenizer = tokenizer;
        this.eosIds = Set.copyOf(eosIds);
        this.options = options;
    }

    /**
     * Told about one sequence as it runs: every sampled token (end-of-sequence included) as it is
     * drawn, for streaming, then the result. Called on the engine's thread: keep it short.
     */
    public interface SequenceListener {
        default void token(int token, TokenResult.TokenLogprob logprob) {}

        void done(TokenResult result);
    }

    private final class Sequence {
        final TokenRequest request;
        final SequenceListener listener;
        final Sampler sampler;
        final KvCache cache;
        final long reservedBytes;
        int fed; // prompt tokens already in the cache
        int[] generated = new int[16];
        int count;
        String finishReason;
        String stoppedText;
        final List<TokenResult.TokenLogprob> logprobs;
        float[] probeLogprobs;

        Sequence(TokenRequest request, SequenceListener listener) {
            this.request = request;
            this.listener = listener;
            this.sampler = new Sampler(request.sampling());
            this.logprobs = request.topLogprobs() >= 0 ? new ArrayList<>() : null;
            this.reservedBytes = reservation(request);
            int reserve = request.prompt().length + request.sampling().maxNewTokens();
            this.cache = model.newCache(Math.min(reserve, request.prompt().length + 256));
        }

        boolean prefilling() {
            return fed < request.prompt().length;
        }

        void add(int token) {
            if (count == generated.length) {
                generated = Arrays.copyOf(generated, count * 2);
            }
            generated[count++] = token;
        }
    }

    private long bytesPerToken() {
        var c = model.config();
        return 2L * c.numLayers() * c.numKvHeads() * c.headDim() * 4;
    }

    /** KV-cache bytes a request may grow to: its prompt and every new token it may draw. */
    private long reservation(TokenRequest r) {
        return bytesPerToken() * (r.prompt().length + (long) r.sampling().maxNewTokens());
    }

    /** Generates for every request, handing each result to {@code sink} as soon as it is done. */
    public void run(List<TokenRequest> requests, Consumer<TokenResult> sink, Listener listener) {
        for (TokenRequest r : requests) {
            if (r.prompt().length == 0) {
                throw new IllegalArgumentException("request " + r.index() + " has an empty prompt");
            }
        }
        Deque<TokenRequest> waiting = new ArrayDeque<>(requests);
        SequenceListener toSink = sink::accept;
        try (Batch batch = newBatch()) {
            while (!waiting.isEmpty() || !batch.isEmpty()) {
                while (!waiting.isEmpty() && batch.admits(waiting.peek())) {
                    batch.add(waiting.poll(), toSink);
                }
                Batch.Step step = batch.step();
                if (listener != null) {
                    listener.step(batch.size(), waiting.size(), step.sampled(), step.prefilled());
                }
            }
        }
    }

    /** An empty batch of this engine, for callers that admit requests over time (servers). */
    public Batch newBatch() {
        return new Batch();
    }

    /**
     * The sequences decoding together. Each {@link #step} advances every one of them by one token or
     * one prompt chunk, and hands finished ones to their listeners. Requests may join between steps
     * (continuous batching); a batch belongs to one thread.
     */
    public final class Batch implements AutoCloseable {
        /** What one step did: tokens sampled and prompt tokens prefilled. */
        public record Step(int sampled, int prefilled) {}

        private final List<Sequence> active = new ArrayList<>();
        private long reserved;

        private Batch() {}

        public boolean isEmpty() {
            return active.isEmpty();
        }

        public int size() {
            return active.size();
        }

        /** True when {@code next} may join now: a free slot and KV memory for it (a lone sequence always runs). */
        public boolean admits(TokenRequest next) {
            return active.size() < options.maxBatch()
                    && (active.isEmpty() || reserved + reservation(next) <= Math.min(options.kvBudgetBytes(), model.kvBudget()));
        }

        public void add(TokenRequest request, SequenceListener listener) {
            if (request.prompt().length == 0) {
                throw new IllegalArgumentException("request " + request.index() + " has an empty prompt");
            }
            Sequence s = new Sequence(request, listener);
            active.add(s);
            reserved += s.reservedBytes;
        }

        /** Drops the sequences whose listener {@code drop} names (e.g. a client went away), without results. */
        public void removeIf(Predicate<SequenceListener> drop) {
            for (var it = active.iterator(); it.hasNext(); ) {
                Sequence s = it.next();
                if (drop.test(s.listener)) {
                    it.remove();
                    release(s);
                }
            }
        }

        /** Sequences still running, by listener (e.g. to fail them all after an engine error). */
        public List<SequenceListener> listeners() {
            List<SequenceListener> out = new ArrayList<>();
            active.forEach(s -> out.add(s.listener));
            return out;
        }

        private void release(Sequence s) {
            s.cache.close();
            reserved -= s.reservedBytes;
        }

        public Step step() {
            // Sequences past their prompt take one token each; the others take prompt chunks.
            List<Sequence> decoding = new ArrayList<>();
            List<Sequence> prefilling = new ArrayList<>();
            List<int[]> chunks = new ArrayList<>();
            int budget = options.prefillChunk();
            int prefilled = 0;
            for (Sequence s : active) {
                if (!s.prefilling()) {
                    decoding.add(s);
                } else if (budget > 0) {
                    int take = Math.min(budget, s.request.prompt().length - s.fed);
                    chunks.add(Arrays.copyOfRange(s.request.prompt(), s.fed, s.fed + take));
                    prefilling.add(s);
                    s.fed += take;
                    budget -= take;
                    prefilled += take;
                }
            }
            List<Sequence> sampling = new ArrayList<>(decoding);
            List<float[]> logits = new ArrayList<>(decode(decoding));
            for (Sequence s : prefilling) {
                if (!s.prefilling()) {
                    sampling.add(s);
                }
            }
            logits.addAll(prefill(prefilling, chunks));
            int vocab = model.config().vocabSize();
            for (int i = 0; i < sampling.size(); i++) {
                Sequence s = sampling.get(i);
                int token = s.sampler.sample(logits.get(i), 0, vocab);
                if (s.count == 0 && s.request.probeIds().length > 0) {
                    s.probeLogprobs = probe(logits.get(i), s.request.probeIds());
                }
                TokenResult.TokenLogprob lp = null;
                if (s.logprobs != null) {
                    lp = logprob(logits.get(i), token, s.request.topLogprobs());
                    s.logprobs.add(lp);
                }
                advance(s, token);
                s.listener.token(token, lp);
            }
            for (var it = active.iterator(); it.hasNext(); ) {
                Sequence s = it.next();
                if (s.finishReason != null) {
                    it.remove();
                    release(s);
                    s.listener.done(result(s));
                }
            }
            return new Step(sampling.size(), prefilled);
        }

        /** Drops every sequence without results, freeing its cache (e.g. after a failed step). */
        public void clear() {
            active.forEach(this::release);
            active.clear();
        }

        @Override
        public void close() {
            clear();
        }
    }

    /** One new token for each decoding sequence; returns the next-token logits of each. */
    private List<float[]> decode(List<Sequence> seqs) {
        if (seqs.isEmpty()) {
            return List.of();
        }
        int[] tokens = new int[seqs.size()];
        KvCache[] caches = new KvCache[seqs.size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = seqs.get(i).generated[seqs.get(i).count - 1];
            caches[i] = seqs.get(i).cache;
        }
        return split(decoder.logits(decoder.step(tokens, caches), tokens.length), tokens.length);
    }

    /** Runs prompt chunks; returns the next-token logits of the sequences whose prompt is now complete. */
    private List<float[]> prefill(List<Sequence> seqs, List<int[]> chunks) {
        if (seqs.isEmpty()) {
            return List.of();
        }
        List<Transformer.Segment> segments = new ArrayList<>();
        List<Long> lastRows = new ArrayList<>();
        long row = 0;
        for (int i = 0; i < seqs.size(); i++) {
            segments.add(new Transformer.Segment(chunks.get(i), seqs.get(i).cache));
            row += chunks.get(i).length;
            if (!seqs.get(i).prefilling()) {
                lastRows.add(row - 1);
            }
        }
        try (NDManager step = model.manager().newSubManager()) {
            NDArray hidden = model.hidden(segments, step);
            if (lastRows.isEmpty()) {
                return List.of();
            }
            NDArray picked = hidden.get(step.create(lastRows.stream().mapToLong(Long::longValue).toArray()));
            return split(model.logits(picked).toFloatArray(), lastRows.size());
        }
    }

    private static List<float[]> split(float[] rows, int n) {
        int width = rows.length / n;
        List<float[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(Arrays.copyOfRange(rows, i * width, (i + 1) * width));
        }
        return out;
    }

    private void advance(Sequence s, int token) {
        if (eosIds.contains(token)) {
            s.finishReason = "stop";
            return;
        }
        s.add(token);
        List<String> stops = s.request.sampling().stop();
        if (!stops.isEmpty() && tokenizer != null) {
            // A stop string that just completed lies in the last few tokens (a token carries at
            // least one byte, a character at most four): decode only that tail, then the whole once.
            int longest = stops.stream().mapToInt(String::length).max().orElse(0);
            int from = Math.max(0, s.count - (4 * longest + 8));
            String tail = tokenizer.decode(Arrays.copyOfRange(s.generated, from, s.count), true);
            if (firstStop(tail, stops) >= 0) {
                String text = tokenizer.decode(Arrays.copyOf(s.generated, s.count), true);
                s.finishReason = "stop";
                s.stoppedText = text.substring(0, firstStop(text, stops));
                return;
            }
        }
        if (s.count >= s.request.sampling().maxNewTokens()) {
            s.finishReason = "length";
        }
    }

    /** Raw log-probs of the given ids. */
    static float[] probe(float[] logits, int[] ids) {
        float lse = logSumExp(logits);
        float[] out = new float[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = logits[ids[i]] - lse;
        }
        return out;
    }

    static float logSumExp(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        return (float) (max + Math.log(sum));
    }

    /** log softmax of the raw logits at the sampled token, and the {@code top} best tokens. */
    static TokenResult.TokenLogprob logprob(float[] logits, int token, int top) {
        float lse = logSumExp(logits);
        int[] ids = top > 0 ? Sampler.topK(logits, 0, logits.length, Math.min(top, logits.length)) : new int[0];
        Integer[] order = new Integer[ids.length];
        for (int i = 0; i < ids.length; i++) {
            order[i] = ids[i];
        }
        Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
        int[] topIds = new int[ids.length];
        float[] topLp = new float[ids.length];
        for (int i = 0; i < ids.length; i++) {
            topIds[i] = order[i];
            topLp[i] = logits[order[i]] - lse;
        }
        return new TokenResult.TokenLogprob(token, logits[token] - lse, topIds, topLp);
    }

    /** Start of the earliest stop string in the text, or -1. */
    static int firstStop(String text, List<String> stops) {
        int best = -1;
        for (String stop : stops) {
            int at = text.indexOf(stop);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }

    private TokenResult result(Sequence s) {
        int[] tokens = Arrays.copyOf(s.generated, s.count);
        String text = s.stoppedText != null ? s.stoppedText
                : tokenizer == null ? null : tokenizer.decode(tokens, true);
        return new TokenResult(s.request.index(), tokens, text, s.finishReason, s.request.prompt().length,
                s.logprobs == null ? null : List.copyOf(s.logprobs), s.probeLogprobs);
    }
}
