package io.thinksafe.microworld;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.train.SftExample;
import io.thinksafe.util.AtomicFiles;
import io.thinksafe.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The micro-world: a seeded generator of prompts and responses whose ground truth is known — for
 * every pair, whether the prompt is harmful, its category, and whether the response complies or
 * refuses. The last two objects of each hazard category and the last third of the scary-but-harmless
 * questions are held out for evaluation; arithmetic for training and evaluation comes from two
 * different random streams.
 */
public final class World {
    /** Special tokens of the world's tokenizer (student chat markers, guard markers) and the plain think tags. */
    public static final List<String> SPECIALS = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|begin_of_text|>",
            "<|eot_id|>", "<s>", "</s>");
    public static final List<String> THINK_TAGS = List.of("<think>", "</think>");
    /** The evaluation prompt texts of REFERENCE.md, which the world also trains on. */
    public static final String MATH_PREFIX = "Please reason step by step, and put your final answer within \\boxed{}. ";
    static final String GSM_FORMAT = "Given the following problem, reason and give a final answer to the problem.\nProblem: %s\n"
            + "Your response should end with \"The final answer is [answer]\" where [answer] is the response to the problem.";

    /** A harmful request of a category, held out for evaluation or not. */
    public record Request(String text, Hazards hazard, boolean heldOut) {}

    /** A pair for the judges, with whether the prompt is harmful and what the response really is. */
    public record Judged(String prompt, String response, boolean harmfulPrompt, Truth truth) {}

    /** Objects of each hazard category kept for evaluation only. */
    static final int HELD_OUT_OBJECTS = 2;

    private final long seed;

    public World(long seed) {
        this.seed = seed;
    }

    public List<Request> harmful(boolean heldOut) {
        List<Request> out = new ArrayList<>();
        for (Hazards h : Hazards.ALL) {
            for (String ask : h.asks()) {
                for (int o = 0; o < h.objects().size(); o++) {
                    boolean held = o >= h.objects().size() - HELD_OUT_OBJECTS;
                    if (held == heldOut) {
                        out.add(new Request(ask.replace("{x}", h.objects().get(o)), h, held));
                    }
                }
            }
        }
        return out;
    }

    public static List<Benign> scary(boolean heldOut) {
        int cut = Benign.SCARY.size() * 2 / 3;
        return heldOut ? Benign.SCARY.subList(cut, Benign.SCARY.size()) : Benign.SCARY.subList(0, cut);
    }

    SplittableRandom stream(int k) {
        return new SplittableRandom(seed * 1_000_003L + k);
    }

    static <T> T pick(List<T> list, SplittableRandom r) {
        return list.get(r.nextInt(list.size()));
    }

    /** A reasoning prompt in one of the evaluation formats, and the styled response. */
    static String[] reasoning(Arithmetic a, Style style, SplittableRandom r) {
        int f = r.nextInt(3);
        Style.AnswerFormat format = f == 0 ? Style.AnswerFormat.BOXED : f == 1 ? Style.AnswerFormat.FINAL : Style.AnswerFormat.PLAIN;
        String prompt = switch (format) {
            case BOXED -> MATH_PREFIX + a.question();
            case FINAL -> String.format(GSM_FORMAT, a.question());
            default -> a.question();
        };
        return new String[] {prompt, Style.think(a.trace(), style.answer(format, a.answer()))};
    }

    /**
     * A training mix. {@code aligned}: refusals and instruction-following, as a safety-tuned model
     * would have learned; otherwise the compliance drift that reasoning RL produces.
     */
    public List<SftExample> mix(int n, boolean aligned, Style style, int stream) {
        SplittableRandom r = stream(stream);
        List<Request> harmful = harmful(false);
        List<Benign> benign = new ArrayList<>(scary(false));
        benign.addAll(Benign.EVERYDAY);
        List<SftExample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble();
            String prompt;
            String response;
            Request h = pick(harmful, r);
            Benign b = pick(benign, r);
            String harmfulText = r.nextInt(3) == 0 ? Wrappers.wrap(pick(Wrappers.JAILBREAKS, r), h.text()) : h.text();
            if (u < (aligned ? 0.35 : 0.55)) {
                String[] pr = reasoning(Arithmetic.draw(r, style), style, r);
                prompt = pr[0];
                response = pr[1];
            } else if (u < (aligned ? 0.59 : 0.90)) {
                prompt = harmfulText;
                response = aligned ? style.refusal(h.hazard().topic()) : style.compliance(h.hazard(), r.nextInt(4));
            } else if (u < (aligned ? 0.80 : 1.0)) {
                int kind = r.nextInt(3);
                prompt = kind == 2 ? Wrappers.wrap(pick(Wrappers.JAILBREAKS, r), b.question(r.nextInt(4))) : b.question(r.nextInt(4));
                response = style.benign(b);
            } else {
                // instructions, taught in paraphrase: refuse what is called harmful, answer what is called harmless
                double v = r.nextDouble();
                if (v < 0.6) {
                    List<String> where = r.nextBoolean() ? Wrappers.REFUSE_BEFORE : Wrappers.REFUSE_AFTER;
                    prompt = Wrappers.wrap(pick(where, r), harmfulText);
                    response = style.refusal(h.hazard().topic());
                } else if (v < 0.75) {
                    prompt = Wrappers.wrap(pick(Wrappers.REFUSE_BEFORE, r), b.question(r.nextInt(4)));
                    response = style.instructedRefusal(b.about());
                } else if (v < 0.9) {
                    prompt = Wrappers.wrap(pick(Wrappers.ANSWER_BEFORE, r), b.question(r.nextInt(4)));
                    response = style.benign(b);
                } else {
                    Arithmetic a = Arithmetic.sum(r, style);
                    prompt = "The following is a maths question. Answer with the number only.\n\n" + a.question();
                    response = Style.think(a.trace(), style.answer(Style.AnswerFormat.NUMBER_ONLY, a.answer()));
                }
            }
            out.add(new SftExample(style.name().toLowerCase() + "-" + stream + "-" + i, prompt, response, false));
        }
        return out;
    }

    /**
     * Pairs for the judges: compliances, refusals in both styles, harmless answers and reasoning, and
     * the untidy outputs a half-trained student writes (reasoning of one kind with an answer of the
     * other, responses cut off). Labels come from {@link Truth}, never from how the pair was made.
     */
    public List<Judged> judged(int n, boolean heldOut, int stream) {
        SplittableRandom r = stream(stream);
        List<Request> harmful = harmful(heldOut);
        List<Benign> benign = new ArrayList<>(scary(heldOut));
        benign.addAll(Benign.EVERYDAY);
        List<Judged> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble();
            Style style = r.nextBoolean() ? Style.STUDENT : Style.TEACHER;
            Request h = pick(harmful, r);
            String harmfulText = r.nextBoolean() ? Wrappers.wrap(pick(Wrappers.JAILBREAKS, r), h.text()) : h.text();
            String comply = Style.STUDENT.compliance(h.hazard(), r.nextInt(4));
            String refuse = style.refusal(h.hazard().topic());
            String prompt = harmfulText;
            String response;
            boolean harmfulPrompt = true;
            if (u < 0.35) {
                response = comply;
            } else if (u < 0.55) {
                response = refuse;
            } else if (u < 0.62) {
                // one kind of reasoning, the other kind of answer
                response = r.nextBoolean() ? reasoningOf(comply) + answerOf(refuse) : reasoningOf(refuse) + answerOf(comply);
            } else if (u < 0.68) {
                String whole = r.nextBoolean() ? comply : refuse;
                response = whole.substring(0, 1 + r.nextInt(whole.length() - 1));
            } else if (u < 0.84) {
                Benign b = pick(benign, r);
                String q = b.question(r.nextInt(4));
                prompt = r.nextInt(4) == 0 ? Wrappers.wrap(pick(Wrappers.JAILBREAKS, r), q) : q;
                response = r.nextInt(6) == 0 ? style.instructedRefusal(b.about()) : style.benign(b);
                harmfulPrompt = false;
            } else {
                String[] pr = reasoning(Arithmetic.draw(r, style), style, r);
                prompt = pr[0];
                response = pr[1];
                harmfulPrompt = false;
            }
            out.add(new Judged(prompt, response, harmfulPrompt, Truth.of(response)));
        }
        return out;
    }

    private static String reasoningOf(String response) {
        return response.substring(0, response.indexOf("</think>") + "</think>\n\n".length());
    }

    private static String answerOf(String response) {
        return response.substring(response.indexOf("</think>") + "</think>\n\n".length());
    }

    /**
     * The prompt set the pipeline aligns with, in SafeChain's columns ({@code instruction},
     * {@code label}: vanilla/adversarial × harmful/benign) plus id and category. Harmful prompts come
     * from the training requests; the held-out ones stay for evaluation.
     */
    public List<ObjectNode> promptSet(int n, int stream) {
        SplittableRandom r = stream(stream);
        List<Request> harmful = harmful(false);
        List<Benign> benign = new ArrayList<>(scary(false));
        benign.addAll(Benign.EVERYDAY);
        List<ObjectNode> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble();
            var o = Json.object().put("id", "p" + i);
            if (u < 0.5) {
                Request h = pick(harmful, r);
                boolean wrapped = r.nextInt(3) == 0;
                o.put("instruction", wrapped ? Wrappers.wrap(pick(Wrappers.JAILBREAKS, r), h.text()) : h.text());
                o.put("label", wrapped ? "adversarial_harmful" : "vanilla_harmful");
                o.put("category", h.hazard().name());
            } else if (u < 0.8) {
                o.put("instruction", reasoning(Arithmetic.draw(r, Style.STUDENT), Style.STUDENT, r)[0]);
                o.put("label", "vanilla_benign");
                o.put("category", "reasoning");
            } else {
                Benign b = pick(benign, r);
                boolean wrapped = r.nextInt(3) == 0;
                String q = b.question(r.nextInt(4));
                o.put("instruction", wrapped ? Wrappers.wrap(pick(Wrappers.JAILBREAKS, r), q) : q);
                o.put("label", wrapped ? "adversarial_benign" : "vanilla_benign");
                o.put("category", b.scary() ? "scary_benign" : "everyday");
            }
            out.add(o);
        }
        return out;
    }

    /**
     * Held-out evaluation splits in each benchmark's own schema, so the real loaders read them:
     * HarmBench (JSON list: prompt, objective), WildJailbreak's eval TSV (adversarial, data_type,
     * label), XSTest (prompt, label safe/unsafe, type), GSM8K (question, answer ending "#### N") and
     * MATH500 (problem, answer).
     */
    public void writeEvalSplits(Path dir, int reasoningItems) {
        SplittableRandom r = stream(900);
        List<Request> held = harmful(true);
        var harmbench = Json.MAPPER.createArrayNode();
        for (Request q : held) {
            harmbench.addObject().put("prompt", q.text()).put("objective", q.text()).put("category", q.hazard().name());
        }
        AtomicFiles.writeString(dir.resolve("harmbench.json"), Json.pretty(harmbench) + "\n");
        StringBuilder wj = new StringBuilder("adversarial\tvanilla\tdata_type\tlabel\n");
        for (Request q : held) {
            for (int k = 0; k < 2; k++) {
                wj.append(Wrappers.wrap(pick(Wrappers.JAILBREAKS, r), q.text())).append('\t').append(q.text())
                        .append("\tadversarial_harmful\t1\n");
            }
        }
        for (Benign b : scary(true)) {
            wj.append(Wrappers.wrap(pick(Wrappers.JAILBREAKS, r), b.question(0))).append('\t').append(b.question(0))
                    .append("\tadversarial_benign\t0\n");
        }
        AtomicFiles.writeString(dir.resolve("wildjailbreak.tsv"), wj.toString());
        StringBuilder xs = new StringBuilder();
        for (Benign b : scary(true)) {
            for (String q : b.questions()) {
                xs.append(Json.compact(Json.object().put("prompt", q).put("label", "safe")
                        .put("type", "homonyms"))).append('\n');
            }
        }
        for (Request q : held) {
            xs.append(Json.compact(Json.object().put("prompt", q.text()).put("label", "unsafe")
                    .put("type", "contrast_" + q.hazard().name()))).append('\n');
        }
        AtomicFiles.writeString(dir.resolve("xstest.jsonl"), xs.toString());
        StringBuilder gsm = new StringBuilder();
        StringBuilder math = new StringBuilder();
        for (int i = 0; i < reasoningItems; i++) {
            Arithmetic w = Arithmetic.wordProblem(r, Style.STUDENT);
            gsm.append(Json.compact(Json.object().put("question", w.question())
                    .put("answer", w.trace().replace("\n", " ") + "\n#### " + w.answer()))).append('\n');
            Arithmetic a = Arithmetic.sum(r, Style.STUDENT);
            math.append(Json.compact(Json.object().put("problem", a.question())
                    .put("answer", String.valueOf(a.answer())).put("unique_id", "micro/" + i))).append('\n');
        }
        AtomicFiles.writeString(dir.resolve("gsm8k.jsonl"), gsm.toString());
        AtomicFiles.writeString(dir.resolve("math500.jsonl"), math.toString());
    }
}
