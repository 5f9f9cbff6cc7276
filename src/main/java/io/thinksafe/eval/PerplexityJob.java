package io.thinksafe.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.data.Jsonl;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.generate.LogProbScorer;
import io.thinksafe.train.SftData;
import io.thinksafe.train.SftExample;
import io.thinksafe.train.TokenizedExample;
import io.thinksafe.util.AtomicFiles;
import io.thinksafe.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code thinksafe perplexity}: how likely a model finds a dataset's responses — the paper's measure
 * of distribution shift (a teacher's data is foreign to the student, its own is not). Each example is
 * rendered as in training (the prompt through the chat template, then the response and end-of-turn);
 * perplexity is exp(mean negative log-likelihood) over the response tokens, per example and over
 * all tokens of the set.
 *
 * <p>Output: one line per example {@code {"id", "perplexity", "nll", "n_tokens"}}, and a summary
 * {@code {"dataset", "model", "perplexity", "nll", "n_tokens", "examples"}} next to it ({@code OUT.summary.json}).
 */
public final class PerplexityJob {
    private PerplexityJob() {}

    /** Dataset-level result. */
    public record Summary(double perplexity, double nll, long tokens, int examples) {}

    public static Summary run(LocalModel model, Path in, Path out, int limit) {
        List<ObjectNode> rows = Jsonl.readFirst(in, limit, "no examples");
        List<TokenizedExample> examples = new ArrayList<>();
        int line = 0;
        for (ObjectNode r : rows) {
            line++;
            String prompt = r.hasNonNull("instruction") ? Jsonl.requireText(in, line, r, "instruction") : Jsonl.requireText(in, line, r, "prompt");
            String response = Jsonl.requireText(in, line, r, "response");
            String id = r.hasNonNull("id") ? r.get("id").asText() : String.valueOf(line);
            examples.add(SftData.tokenize(model, new SftExample(id, prompt, response, false), true, Integer.MAX_VALUE));
        }
        List<int[]> seqs = examples.stream().map(TokenizedExample::tokens).toList();
        List<float[]> lps = new LogProbScorer(model.transformer(), 8192).score(seqs);
        StringBuilder lines = new StringBuilder();
        double totalNll = 0;
        long totalTokens = 0;
        for (int i = 0; i < examples.size(); i++) {
            TokenizedExample e = examples.get(i);
            double nll = 0;
            for (int t = e.targetStart(); t < e.tokens().length; t++) {
                nll -= lps.get(i)[t - 1]; // log p(token t | before) sits at index t - 1
            }
            int n = e.targets();
            totalNll += nll;
            totalTokens += n;
            ObjectNode o = Json.object().put("id", e.id()).put("perplexity", Math.exp(nll / Math.max(1, n))).put("nll", nll).put("n_tokens", n);
            lines.append(Json.compact(o)).append('\n');
        }
        AtomicFiles.writeString(out, lines.toString());
        Summary s = new Summary(Math.exp(totalNll / Math.max(1, totalTokens)), totalNll, totalTokens, examples.size());
        ObjectNode summary = Json.object().put("dataset", in.toString()).put("model", model.nameWithAdapter())
                .put("perplexity", s.perplexity()).put("nll", s.nll()).put("n_tokens", s.tokens()).put("examples", s.examples());
        Json.writePretty(out.resolveSibling(out.getFileName() + ".summary.json"), summary);
        return s;
    }
}
