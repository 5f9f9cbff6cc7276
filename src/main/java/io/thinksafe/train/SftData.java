package io.thinksafe.train;

import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.TrainingExample;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.text.ReasoningSplit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Training pairs in the released ThinkSafe datasets' columns ({@code instruction}, {@code response},
 * {@code prompt_label}, {@code response_label}) and how they become tokens.
 */
public final class SftData {
    private SftData() {}

    /**
     * Reads a training set. With {@code klForBenign}, pairs whose prompt label is not harmful are
     * marked for the forward-KL loss (ThinkSafe+KL).
     */
    public static List<SftExample> read(Path file, boolean klForBenign) {
        List<SftExample> out = new ArrayList<>();
        int line = 0;
        for (TrainingExample e : TrainingExample.read(file)) {
            line++;
            out.add(new SftExample(e.id() == null ? String.valueOf(line) : e.id(), e.instruction(), e.response(),
                    klForBenign && !e.harmful(), TrainingExample.PRIMER.equals(e.target())));
        }
        return out;
    }

    /**
     * The prompt rendered by the model's own template with the generation prompt, then the response
     * and the end-of-turn token. Rendering the prompt rather than the whole chat keeps the reasoning
     * that some templates (R1-Distill's) delete from assistant turns, and makes the training text
     * exactly what the model writes at inference. If the generation prompt already opens the think
     * block (R1), the response's own opening is not repeated.
     */
    public static TokenizedExample tokenize(LocalModel model, SftExample e, boolean completionOnly, int maxTokens) {
        String prompt = prompt(model, e.instruction());
        if (e.primer()) {
            return primer(model, e, prompt, maxTokens);
        }
        String response = afterPrompt(prompt, e.response());
        Object eos = model.template().specialTokens().get("eos_token");
        if (!(eos instanceof String endOfTurn)) {
            throw new ThinkSafeException(model.checkpoint().dir() + ": tokenizer_config.json names no eos_token to end the assistant turn");
        }
        int[] p = model.tokenizer().encode(prompt);
        int[] r = model.tokenizer().encode(response + endOfTurn);
        int[] all = Arrays.copyOf(p, p.length + r.length);
        System.arraycopy(r, 0, all, p.length, r.length);
        if (all.length > maxTokens) {
            all = Arrays.copyOf(all, maxTokens);
        }
        int start = completionOnly ? Math.min(p.length, all.length) : 1;
        return new TokenizedExample(e.id(), all, Math.max(1, start), e.kl());
    }

    /** The response as it follows the rendered prompt: without its opening think tag when the prompt already opened the block (R1). */
    static String afterPrompt(String prompt, String response) {
        for (String open : new String[] {"<think>\n", "<think>"}) {
            if (prompt.endsWith(open) && response.startsWith(open)) {
                return response.substring(open.length());
            }
        }
        return response;
    }

    /** The rendered generation prompt of an instruction, as training sees it. */
    static String prompt(LocalModel model, String instruction) {
        return model.chatText(List.of(Map.of("role", "user", "content", instruction)), true, Map.of());
    }

    /**
     * A primer example (SafePath): the prompt, the opening think tag (unless the generation prompt already
     * opened the block), then the primer; only the primer's tokens are learned, and no end of turn is added.
     */
    private static TokenizedExample primer(LocalModel model, SftExample e, String prompt, int maxTokens) {
        String response = e.response().stripLeading();
        if (!response.startsWith(ReasoningSplit.OPEN)) {
            throw new ThinkSafeException("example " + e.id() + ": a primer response must open with " + ReasoningSplit.OPEN);
        }
        String rest = response.substring(ReasoningSplit.OPEN.length());
        String opening = ReasoningSplit.OPEN + (rest.startsWith("\n") ? "\n" : "");
        String primer = rest.substring(opening.length() - ReasoningSplit.OPEN.length());
        boolean opened = prompt.endsWith(ReasoningSplit.OPEN + "\n") || prompt.endsWith(ReasoningSplit.OPEN);
        int[] p = model.tokenizer().encode(opened ? prompt : prompt + opening);
        int[] r = model.tokenizer().encode(primer);
        int[] all = Arrays.copyOf(p, p.length + r.length);
        System.arraycopy(r, 0, all, p.length, r.length);
        if (all.length > maxTokens) {
            all = Arrays.copyOf(all, maxTokens);
        }
        return new TokenizedExample(e.id(), all, Math.max(1, Math.min(p.length, all.length)), false);
    }

    public static List<TokenizedExample> tokenize(LocalModel model, List<SftExample> examples, boolean completionOnly, int maxTokens) {
        List<TokenizedExample> out = new ArrayList<>(examples.size());
        for (SftExample e : examples) {
            TokenizedExample t = tokenize(model, e, completionOnly, maxTokens);
            if (t.targets() > 0) {
                out.add(t);
            }
        }
        if (out.isEmpty()) {
            throw new ThinkSafeException("no example has a token to learn after the prompt (prompts longer than --max-tokens?)");
        }
        return out;
    }
}
