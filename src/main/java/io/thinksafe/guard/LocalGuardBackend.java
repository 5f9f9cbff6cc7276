package io.thinksafe.guard;

import io.thinksafe.generate.LocalEngine;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.generate.SamplingParams;
import io.thinksafe.generate.TokenRequest;
import io.thinksafe.generate.TokenResult;
import java.util.ArrayList;
import java.util.List;

/** A judge model in this process (a Hugging Face directory), run greedily by the embedded engine. */
public final class LocalGuardBackend implements GuardBackend {
    private final LocalModel model;
    private final LocalEngine.Options options;
    private final boolean ownsModel;

    /** @param ownsModel whether closing the backend closes the model */
    public LocalGuardBackend(LocalModel model, LocalEngine.Options options, boolean ownsModel) {
        this.model = model;
        this.options = options;
        this.ownsModel = ownsModel;
    }

    public LocalModel model() {
        return model;
    }

    @Override
    public String name() {
        return model.nameWithAdapter();
    }

    @Override
    public List<Completion> complete(List<String> prompts, int maxTokens, List<String> probeWords) {
        int[] probes = new int[probeWords.size()];
        for (int i = 0; i < probes.length; i++) {
            int[] ids = model.tokenizer().encode(probeWords.get(i));
            probes[i] = ids.length == 0 ? -1 : ids[0];
        }
        List<TokenRequest> requests = new ArrayList<>();
        int[] validProbes = java.util.Arrays.stream(probes).map(p -> Math.max(p, 0)).toArray();
        for (int i = 0; i < prompts.size(); i++) {
            requests.add(new TokenRequest(i, model.tokenizer().encode(prompts.get(i)), SamplingParams.greedy(maxTokens),
                    -1, probeWords.isEmpty() ? new int[0] : validProbes));
        }
        Completion[] out = new Completion[prompts.size()];
        new LocalEngine(model.transformer(), model.tokenizer(), model.eosIds(), options).run(requests, r -> {
            out[r.index()] = new Completion(r.text(), probeValues(r, probes), null);
        }, null);
        return List.of(out);
    }

    private static double[] probeValues(TokenResult r, int[] probes) {
        double[] v = new double[probes.length];
        for (int i = 0; i < probes.length; i++) {
            v[i] = probes[i] < 0 || r.probeLogprobs() == null ? Double.NaN : r.probeLogprobs()[i];
        }
        return v;
    }

    @Override
    public int countTokens(String text) {
        return model.tokenizer().encode(text).length;
    }

    @Override
    public int maxPromptTokens(int answerTokens) {
        return model.transformer().config().maxPositionEmbeddings() - answerTokens;
    }

    @Override
    public void close() {
        if (ownsModel) {
            model.close();
        }
    }
}
