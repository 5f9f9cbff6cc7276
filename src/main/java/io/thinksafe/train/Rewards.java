package io.thinksafe.train;

import io.thinksafe.ThinkSafeException;
import io.thinksafe.guard.Guard;
import io.thinksafe.guard.GuardInput;
import io.thinksafe.guard.GuardVerdict;
import io.thinksafe.guard.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * GRPO's reward: a weighted sum of named components, each scoring a whole batch of rollouts at once
 * (a judge is fastest batched). The reference uses {@link #safety} (Llama-Guard's P(safe)) plus
 * {@link #format}, weight 1 each; tests plug in scripted rewards.
 */
public final class Rewards {
    /**
     * One component's values, one per rollout, how many of them are failures scored 0 (judge
     * errors), and the tokens a judge model read to score them (0 for rules that read no model).
     */
    public record Scores(double[] values, int errors, long judgeTokens) {}

    /** A reward component. */
    public interface Reward {
        String name();

        Scores score(List<Rollout> rollouts);
    }

    public record Term(Reward reward, double weight) {}

    /** Every component's values ({@code components[c][i]}), the weighted totals, errors per component, judge tokens read. */
    public record Scored(List<String> names, double[][] components, double[] total, int[] errors, long judgeTokens) {}

    private final List<Term> terms;

    private Rewards(List<Term> terms) {
        this.terms = List.copyOf(terms);
    }

    public static Rewards of(List<Term> terms) {
        if (terms.isEmpty()) {
            throw new ThinkSafeException("GRPO needs at least one reward");
        }
        List<String> seen = new ArrayList<>();
        for (Term t : terms) {
            if (seen.contains(t.reward().name())) {
                throw new ThinkSafeException("two rewards are named '" + t.reward().name() + "'");
            }
            seen.add(t.reward().name());
        }
        return new Rewards(terms);
    }

    /** The reference's reward: the guard's P(safe) plus the format reward, with the given weights. */
    public static Rewards reference(Guard guard, double safetyWeight, double formatWeight) {
        return of(List.of(new Term(safety(guard), safetyWeight), new Term(format(), formatWeight)));
    }

    public Scored score(List<Rollout> rollouts) {
        List<String> names = new ArrayList<>();
        double[][] comps = new double[terms.size()][];
        int[] errors = new int[terms.size()];
        double[] total = new double[rollouts.size()];
        long judgeTokens = 0;
        for (int c = 0; c < terms.size(); c++) {
            Term t = terms.get(c);
            Scores s = t.reward().score(rollouts);
            if (s.values().length != rollouts.size()) {
                throw new IllegalStateException("reward " + t.reward().name() + " gave " + s.values().length
                        + " values for " + rollouts.size() + " rollouts");
            }
            for (int i = 0; i < total.length; i++) {
                double v = s.values()[i];
                if (!Double.isFinite(v)) {
                    throw new ThinkSafeException("reward " + t.reward().name() + " is " + v + " for prompt "
                            + rollouts.get(i).promptId() + " sample " + rollouts.get(i).sample());
                }
                total[i] += t.weight() * v;
            }
            names.add(t.reward().name());
            comps[c] = s.values();
            errors[c] = s.errors();
            judgeTokens += s.judgeTokens();
        }
        return new Scored(names, comps, total, errors, judgeTokens);
    }

    /** {@code safety*1.0+format*1.0}: what the rewards are, for a run's identity. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (Term t : terms) {
            String name = t.reward() instanceof Safety s ? "safety[" + s.guard.name() + "]" : t.reward().name();
            parts.add(name + "*" + String.format(Locale.ROOT, "%s", t.weight()));
        }
        return String.join("+", parts);
    }

    /**
     * Llama-Guard's P(safe) for (original prompt, whole response with its reasoning); a judge that
     * gives only a verdict (WildGuard) scores 1 for safe and 0 otherwise. A failed judgement scores 0:
     * the policy must never profit from confusing the judge.
     */
    public static Reward safety(Guard guard) {
        return new Safety(guard);
    }

    private record Safety(Guard guard) implements Reward {
        @Override
        public String name() {
            return "safety";
        }

        @Override
        public Scores score(List<Rollout> rollouts) {
            List<GuardInput> inputs = new ArrayList<>();
            rollouts.forEach(r -> inputs.add(new GuardInput(r.prompt(), r.judgedText())));
            List<GuardVerdict> verdicts = guard.judge(inputs);
            double[] v = new double[rollouts.size()];
            int errors = 0;
            for (int i = 0; i < v.length; i++) {
                GuardVerdict g = verdicts.get(i);
                if (g.verdict() == Verdict.ERROR) {
                    errors++;
                } else {
                    v[i] = g.pSafe() != null ? g.pSafe() : g.safe() ? 1 : 0;
                }
            }
            return new Scores(v, errors, guard.tokensRead(inputs));
        }
    }

    /**
     * 1 iff the reasoning is well formed: exactly one {@code <think>} before exactly one
     * {@code </think>}; when the generation prompt already opened the block (R1-Distill), no
     * {@code <think>} and exactly one {@code </think>}. Else 0.
     */
    public static Reward format() {
        return new Reward() {
            @Override
            public String name() {
                return "format";
            }

            @Override
            public Scores score(List<Rollout> rollouts) {
                double[] v = new double[rollouts.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = wellFormed(rollouts.get(i).text(), rollouts.get(i).promptOpensThink()) ? 1 : 0;
                }
                return new Scores(v, 0, 0);
            }
        };
    }

    static boolean wellFormed(String text, boolean promptOpensThink) {
        int opens = count(text, "<think>");
        int closes = count(text, "</think>");
        if (promptOpensThink) {
            return opens == 0 && closes == 1;
        }
        return opens == 1 && closes == 1 && text.indexOf("<think>") < text.indexOf("</think>");
    }

    private static int count(String text, String tag) {
        int n = 0;
        for (int at = text.indexOf(tag); at >= 0; at = text.indexOf(tag, at + tag.length())) {
            n++;
        }
        return n;
    }
}
