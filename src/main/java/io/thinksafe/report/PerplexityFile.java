package io.thinksafe.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.Jsonl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A dataset's perplexity under a model, as {@code thinksafe perplexity} writes it (JSONL):
 * <pre>
 * {"id": "a1", "perplexity": 3.21, "n_tokens": 812}       one line per example: exp(mean NLL of its scored tokens)
 * {"overall": {"perplexity": 3.05, "n_tokens": 123456, "n_examples": 1000}, "dataset": "thinksafe", "model": "Qwen3-0.6B"}
 * </pre>
 * The {@code overall} line is optional and may stand anywhere; without it the overall perplexity is
 * computed from the examples, weighted by tokens: {@code exp(sum n_i ln ppl_i / sum n_i)}, which is
 * exp of the mean NLL over all scored tokens. When both are there and disagree (beyond 0.1%), the
 * file's value is used and the report says so.
 */
public record PerplexityFile(String name, Path file, String model, List<Example> examples, double overall, long tokens, String note) {
    public record Example(String id, double perplexity, int tokens) {}

    public static PerplexityFile read(String name, Path file) {
        List<ObjectNode> rows = Jsonl.read(file);
        List<Example> examples = new ArrayList<>();
        JsonNode overallLine = null;
        int line = 0;
        for (ObjectNode r : rows) {
            line++;
            if (r.has("overall")) {
                if (overallLine != null) {
                    throw new ThinkSafeException(file + ": record " + line + ": a second 'overall' line");
                }
                overallLine = r;
                continue;
            }
            JsonNode id = r.get("id");
            JsonNode ppl = r.get("perplexity");
            JsonNode n = r.get("n_tokens");
            if (id == null || ppl == null || n == null) {
                throw new ThinkSafeException(file + ": record " + line + ": expected {\"id\", \"perplexity\", \"n_tokens\"} (or an \"overall\" line)");
            }
            if (!ppl.isNumber() || !Double.isFinite(ppl.asDouble()) || ppl.asDouble() < 1) {
                throw new ThinkSafeException(file + ": record " + line + ": 'perplexity' must be a finite number >= 1, got " + ppl);
            }
            if (!n.canConvertToInt() || n.asInt() < 1) {
                throw new ThinkSafeException(file + ": record " + line + ": 'n_tokens' must be a positive integer, got " + n);
            }
            examples.add(new Example(id.asText(), ppl.asDouble(), n.asInt()));
        }
        double logSum = 0;
        long tokens = 0;
        for (Example e : examples) {
            logSum += e.tokens() * Math.log(e.perplexity());
            tokens += e.tokens();
        }
        double computed = tokens == 0 ? Double.NaN : Math.exp(logSum / tokens);
        String model = null;
        String note = null;
        double overall = computed;
        if (overallLine != null) {
            JsonNode o = overallLine.get("overall");
            if (!o.path("perplexity").isNumber()) {
                throw new ThinkSafeException(file + ": the 'overall' line needs {\"perplexity\": number, ...}");
            }
            overall = o.get("perplexity").asDouble();
            if (o.path("n_tokens").canConvertToLong()) {
                tokens = Math.max(tokens, o.get("n_tokens").asLong());
            }
            model = overallLine.path("model").asText(null);
            if (overallLine.path("dataset").isTextual() && name == null) {
                name = overallLine.get("dataset").asText();
            }
            if (!Double.isNaN(computed) && Math.abs(overall - computed) > 1e-3 * computed) {
                note = String.format(Locale.ROOT, "the file's overall perplexity %.3f differs from its examples' %.3f; the file's is shown",
                        overall, computed);
            }
        }
        if (examples.isEmpty() && overallLine == null) {
            throw new ThinkSafeException(file + ": no perplexity records (the file is empty)");
        }
        String label = name != null ? name : file.getFileName().toString().replaceFirst("\\.jsonl$", "");
        return new PerplexityFile(label, file, model, List.copyOf(examples), overall, tokens, note);
    }

    public Distribution distribution() {
        return Distribution.of(examples.stream().mapToDouble(Example::perplexity).toArray());
    }
}
