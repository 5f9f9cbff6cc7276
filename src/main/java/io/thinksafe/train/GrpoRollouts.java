package io.thinksafe.train;

import io.thinksafe.data.Prompt;
import io.thinksafe.generate.LocalEngine;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.generate.SamplingParams;
import io.thinksafe.generate.Seeds;
import io.thinksafe.generate.TokenRequest;
import io.thinksafe.generate.TokenResult;
import io.thinksafe.model.Adapter;
import io.thinksafe.model.Transformer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Draws GRPO's groups from the current policy on the embedded engine: G samples per prompt, plain
 * temperature sampling (no top-k/top-p, so the sampling distribution is exactly softmax(logits / T),
 * the one the loss's ratio and KL are computed under), one user turn rendered with the model's own
 * template. Each draw's seed derives from the run seed, the prompt, the epoch and the sample, so a
 * resumed run redraws exactly what the interrupted one drew.
 *
 * <p>Sampling runs on a merged copy of the weights ({@link Adapter#mergedCopy}), so the fast Java
 * decode path serves rollouts as it serves ThinkSafe's generation; the copy is rebuilt every step
 * because the policy changes every step. (A remote server would have to load each step's adapter:
 * vLLM can, with runtime LoRA updating; this trainer samples in process.)
 */
final class GrpoRollouts {
    private GrpoRollouts() {}

    /** A prompt rendered for sampling, and whether its template opened the think block. */
    record Rendered(int[] tokens, boolean opensThink) {}

    static Rendered render(LocalModel model, String prompt) {
        String text = model.chatText(List.of(Map.of("role", "user", "content", prompt)), true, Map.of());
        boolean opens = text.endsWith("<think>\n") || text.endsWith("<think>");
        return new Rendered(model.tokenizer().encode(text), opens);
    }

    /**
     * {@code cfg.group()} rollouts per prompt, grouped: prompt 0's samples first, then prompt 1's, …
     * Dropout must be off ({@code adapter.setTraining(false)}): the policy samples without it.
     */
    static List<Rollout> sample(LocalModel model, Adapter adapter, List<Prompt> prompts, GrpoConfig cfg, int epoch,
                                LocalEngine.Listener listener) {
        return sample(model, adapter, prompts, new Draw(cfg.group(), cfg.temperature(), cfg.maxNewTokens(), cfg.rolloutBatch(),
                cfg.train().seed()), epoch, listener);
    }

    /** What to draw: {@code group} samples a prompt at {@code temperature}, {@code batch} sequences decoded together; seeds from {@code seed}. */
    record Draw(int group, double temperature, int maxNewTokens, int batch, long seed) {}

    /** As above for any online trainer (GRPO, on-policy distillation). */
    static List<Rollout> sample(LocalModel model, Adapter adapter, List<Prompt> prompts, Draw cfg, int epoch,
                                LocalEngine.Listener listener) {
        List<Rendered> rendered = new ArrayList<>();
        List<TokenRequest> requests = new ArrayList<>();
        // with several end-of-sequence ids, the sampled one is read from the draw's log-prob record
        int logprobs = model.eosIds().size() > 1 ? 0 : -1;
        for (Prompt p : prompts) {
            Rendered r = render(model, p.text());
            rendered.add(r);
            for (int s = 0; s < cfg.group(); s++) {
                long seed = Seeds.forItem(cfg.seed(), p.id() + "@epoch" + epoch, s);
                SamplingParams sampling = new SamplingParams(cfg.temperature(), 1.0, 0, 0, cfg.maxNewTokens(), List.of(), seed);
                requests.add(new TokenRequest(requests.size(), r.tokens(), sampling, logprobs));
            }
        }
        TokenResult[] results = new TokenResult[requests.size()];
        LocalEngine.Options d = LocalEngine.Options.defaults();
        try (Transformer policy = adapter.mergedCopy()) {
            new LocalEngine(policy, model.tokenizer(), model.eosIds(), new LocalEngine.Options(cfg.batch(), d.prefillChunk(),
                    d.kvBudgetBytes())).run(requests, r -> results[r.index()] = r, listener);
        }
        List<Rollout> out = new ArrayList<>(results.length);
        for (int i = 0; i < results.length; i++) {
            TokenResult r = results[i];
            Prompt p = prompts.get(i / cfg.group());
            out.add(new Rollout(p.id(), p.text(), p.label(), i % cfg.group(), rendered.get(i / cfg.group()).tokens(),
                    completion(model, r), r.text(), r.finishReason(), rendered.get(i / cfg.group()).opensThink()));
        }
        return out;
    }

    /** The sampled tokens, and the end-of-sequence token when the model stopped by choice. */
    private static int[] completion(LocalModel model, TokenResult r) {
        if (!"stop".equals(r.finishReason())) {
            return r.tokens();
        }
        int eos = r.logprobs() != null ? r.logprobs().get(r.logprobs().size() - 1).token() : model.eosIds().iterator().next();
        int[] out = Arrays.copyOf(r.tokens(), r.tokens().length + 1);
        out[r.tokens().length] = eos;
        return out;
    }
}
