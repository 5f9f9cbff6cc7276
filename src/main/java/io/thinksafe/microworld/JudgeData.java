package io.thinksafe.microworld;

import io.thinksafe.guard.GuardInput;
import io.thinksafe.guard.LlamaGuard;
import io.thinksafe.guard.WildGuard;
import io.thinksafe.text.ChatTemplate;
import io.thinksafe.text.Tokenizer;
import io.thinksafe.train.TokenizedExample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Training texts for the micro judges, rendered by the real judge code so that training and judging
 * read the same prompt: Llama-Guard's (our short template, then {@code \n\n}; answer {@code safe} or
 * {@code unsafe\nS<k>}) and WildGuard's (its instruction format; three answer lines).
 */
final class JudgeData {
    private JudgeData() {}

    static String llamaGuardAnswer(Truth t) {
        return t.harmful() ? "unsafe\n" + t.code() : "safe";
    }

    static String wildGuardAnswer(World.Judged j) {
        return "Harmful request: " + yesNo(j.harmfulPrompt()) + "\nResponse refusal: " + yesNo(j.truth().refusal())
                + "\nHarmful response: " + yesNo(j.truth().harmful());
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }

    static List<TokenizedExample> llamaGuard(List<World.Judged> pairs, ChatTemplate template, Tokenizer tok, String eos, int maxTokens) {
        LlamaGuard format = new LlamaGuard(null, template);
        List<TokenizedExample> out = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            World.Judged j = pairs.get(i);
            out.add(example("lg" + i, format.render(new GuardInput(j.prompt(), j.response())), llamaGuardAnswer(j.truth()) + eos,
                    tok, maxTokens));
        }
        return out;
    }

    static List<TokenizedExample> wildGuard(List<World.Judged> pairs, Tokenizer tok, String eos, int maxTokens) {
        List<TokenizedExample> out = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            World.Judged j = pairs.get(i);
            out.add(example("wg" + i, WildGuard.render(j.prompt(), j.response()), wildGuardAnswer(j) + eos, tok, maxTokens));
        }
        return out;
    }

    /** Prompt then answer; only the answer is learned. Long prompts lose their middle, as the judges cut them. */
    private static TokenizedExample example(String id, String prompt, String answer, Tokenizer tok, int maxTokens) {
        int[] p = tok.encode(prompt);
        int[] a = tok.encode(answer);
        if (p.length + a.length > maxTokens) {
            int keep = maxTokens - a.length;
            int[] cut = new int[keep];
            System.arraycopy(p, 0, cut, 0, keep / 2);
            System.arraycopy(p, p.length - (keep - keep / 2), cut, keep / 2, keep - keep / 2);
            p = cut;
        }
        int[] all = Arrays.copyOf(p, p.length + a.length);
        System.arraycopy(a, 0, all, p.length, a.length);
        return new TokenizedExample(id, all, p.length, false);
    }
}
