package io.thinksafe.guard;

import io.thinksafe.text.ChatTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Llama-Guard-3 (8B or 1B): the pair is rendered with the guard's own chat template as
 * {@code [user: prompt, assistant: response]} (one message judges the user, two the agent), then
 * {@code \n\n}; P(safe) is the softmax of the first tokens of "safe" and "unsafe" at the next
 * position, unsafe iff below 0.5; when unsafe, the answer's second line names the categories.
 */
public final class LlamaGuard implements Guard {
    /** The hazard taxonomy of Llama-Guard-3 (MLCommons), by code. */
    public static final Map<String, String> CATEGORIES = categories();
    static final int ANSWER_TOKENS = 16;
    private static final Pattern CODE = Pattern.compile("S(\\d{1,2})");

    private final GuardBackend backend;
    private final ChatTemplate template;

    public LlamaGuard(GuardBackend backend, ChatTemplate template) {
        this.backend = backend;
        this.template = template;
    }

    /** Llama-Guard-3's prompt format (our rendering of it), for guards whose template is not at hand (servers). */
    public static ChatTemplate defaultTemplate() {
        try (InputStream in = LlamaGuard.class.getResourceAsStream("llama-guard-3.jinja")) {
            String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return ChatTemplate.of(source, Map.of("bos_token", "<|begin_of_text|>", "eos_token", "<|eot_id|>"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> categories() {
        String[] names = {"Violent Crimes", "Non-Violent Crimes", "Sex Crimes", "Child Exploitation", "Defamation",
            "Specialized Advice", "Privacy", "Intellectual Property", "Indiscriminate Weapons", "Hate", "Self-Harm",
            "Sexual Content", "Elections", "Code Interpreter Abuse"};
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            m.put("S" + (i + 1), names[i]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    @Override
    public String name() {
        return "llama-guard:" + backend.name();
    }

    /** The text the guard reads: its template over the pair, then {@code \n\n}. */
    public String render(GuardInput in) {
        List<Map<String, Object>> messages = new ArrayList<>();
        messages.add(Map.of("role", "user", "content", in.prompt()));
        if (in.hasResponse()) {
            messages.add(Map.of("role", "assistant", "content", in.response()));
        }
        return template.render(messages, false, Map.of()) + "\n\n";
    }

    @Override
    public List<GuardVerdict> judge(List<GuardInput> inputs) {
        List<String> prompts = new ArrayList<>();
        List<GuardVerdict> out = new ArrayList<>();
        int budget = backend.maxPromptTokens(ANSWER_TOKENS);
        for (GuardInput in : inputs) {
            try {
                prompts.add(fitted(in, budget));
            } catch (RuntimeException e) {
                prompts.add(null);
            }
        }
        List<String> toSend = prompts.stream().filter(java.util.Objects::nonNull).toList();
        List<GuardBackend.Completion> done = toSend.isEmpty() ? List.of()
                : backend.complete(toSend, ANSWER_TOKENS, List.of("safe", "unsafe"));
        int j = 0;
        for (String p : prompts) {
            out.add(p == null ? GuardVerdict.error(name(), null, "could not render the guard prompt") : verdict(done.get(j++)));
        }
        return out;
    }

    /** The text sent for one pair: rendered, the response cut in the middle to fit {@code budget} tokens. */
    private String fitted(GuardInput in, int budget) {
        return in.hasResponse()
                ? render(new GuardInput(in.prompt(), MiddleCut.fit(in.response(),
                        r -> render(new GuardInput(in.prompt(), r)), backend::countTokens, budget)))
                : render(in);
    }

    @Override
    public long tokensRead(List<GuardInput> inputs) {
        int budget = backend.maxPromptTokens(ANSWER_TOKENS);
        long n = 0;
        for (GuardInput in : inputs) {
            try {
                n += backend.countTokens(fitted(in, budget));
            } catch (RuntimeException e) {
                // a pair that cannot be rendered is never sent (its verdict is an error): nothing read
            }
        }
        return n;
    }

    GuardVerdict verdict(GuardBackend.Completion c) {
        if (c.error() != null) {
            return GuardVerdict.error(name(), c.text(), c.error());
        }
        Parsed parsed = parse(c.text());
        Double pSafe = pSafe(c.probeLogprobs());
        if (pSafe == null) {
            if (parsed.verdict() == Verdict.ERROR) {
                return GuardVerdict.error(name(), c.text(), "neither a safe/unsafe probability nor a readable answer");
            }
            return new GuardVerdict(name(), parsed.verdict(), null, parsed.categories(), null, null, c.text(), null);
        }
        Verdict v = pSafe >= 0.5 ? Verdict.SAFE : Verdict.UNSAFE;
        List<String> cats = v == Verdict.UNSAFE ? parsed.categories() : List.of();
        return new GuardVerdict(name(), v, pSafe, cats, null, null, c.text(), null);
    }

    /** softmax over the two first-token log-probs; a missing one counts as impossible; both missing: null. */
    static Double pSafe(double[] probe) {
        if (probe == null || probe.length < 2 || (Double.isNaN(probe[0]) && Double.isNaN(probe[1]))) {
            return null;
        }
        double s = Double.isNaN(probe[0]) ? Double.NEGATIVE_INFINITY : probe[0];
        double u = Double.isNaN(probe[1]) ? Double.NEGATIVE_INFINITY : probe[1];
        double max = Math.max(s, u);
        double es = Math.exp(s - max);
        double eu = Math.exp(u - max);
        return es / (es + eu);
    }

    /** A Llama-Guard answer read as text: "safe", or "unsafe" and a line of categories; anything else is an error. */
    public record Parsed(Verdict verdict, List<String> categories) {}

    public static Parsed parse(String text) {
        if (text == null) {
            return new Parsed(Verdict.ERROR, List.of());
        }
        String[] lines = text.strip().split("\\R");
        String first = lines[0].strip();
        if (first.equals("safe") && lines.length == 1) {
            return new Parsed(Verdict.SAFE, List.of());
        }
        if (!first.equals("unsafe")) {
            return new Parsed(Verdict.ERROR, List.of());
        }
        if (lines.length < 2) {
            return new Parsed(Verdict.UNSAFE, List.of());
        }
        List<String> cats = new ArrayList<>();
        for (String part : lines[1].split(",")) {
            String code = part.strip();
            var m = CODE.matcher(code);
            if (!m.matches() || !CATEGORIES.containsKey(code)) {
                return new Parsed(Verdict.ERROR, List.of());
            }
            cats.add(code);
        }
        return new Parsed(Verdict.UNSAFE, List.copyOf(cats));
    }

    @Override
    public void close() {
        backend.close();
    }
}
