package io.thinksafe.microworld;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * The demo's summary as tables: {@link #text} is what {@code thinksafe demo} prints (with wall-clock times and
 * where the report is); {@link #markdown} is {@code OUT/table.md}, the table the README shows.
 *
 * <p>{@code table.md} is deterministic for one seed on one machine: it holds no path, no timestamp and no
 * wall-clock value, except the GRPO cost claim's seconds ratio, which is written in braces, {@code {4.2×}}. Nothing
 * else in the file contains a brace, so a checker masks wall-clock values by replacing every {@code {…}} (this is
 * what {@code dev/check-demo-table} does) and compares the rest exactly.
 */
public final class DemoTables {
    private DemoTables() {}

    /** The comparison as a plain-text table, with the claims and where the report is. */
    public static String text(JsonNode summary) {
        StringBuilder b = new StringBuilder();
        JsonNode d = summary.path("diagnose");
        b.append(String.format(Locale.ROOT, "%nmicro-world (constructed; not real models) — diagnose: unsteered safe %.0f%%, steered safe %.0f%%; "
                + "guard accuracy %.1f%%%n%n", 100 * d.path("unsteered_safe_rate").asDouble(), 100 * d.path("steered_safe_rate").asDouble(),
                100 * summary.path("guard_accuracy").asDouble()));
        String row = "%-20s %14s %18s %18s %13s %11s %13s %11s %16s%n";
        b.append(String.format(Locale.ROOT, row, "method", "harmful plain", "harmful jailbreak", "harmful concealed", "over-refusal",
                "reasoning", "train ppl", "wall-clock", "judges vs truth"));
        summary.path("methods").fields().forEachRemaining(e -> {
            JsonNode r = e.getValue();
            b.append(String.format(Locale.ROOT, row, e.getKey(), pct(r.path("harmful_plain")), pct(r.path("harmful_jailbreak")),
                    pct(r.path("harmful_concealed")), pct(r.path("over_refusal")), pct(r.path("reasoning_accuracy")),
                    r.path("train_perplexity").isNumber() ? String.format(Locale.ROOT, "%.2f", r.path("train_perplexity").asDouble()) : "-",
                    r.path("cost_seconds").isNumber() ? String.format(Locale.ROOT, "%.0f s", r.path("cost_seconds").asDouble()) : "-",
                    agreement(r.path("judge_agreement"))));
        });
        if (summary.has("rounds")) {
            b.append("\niterative ThinkSafe, per round (probe: held-out harmful prompts, unsteered; the rest: the evaluation above):\n");
            b.append(roundsTable(summary.path("rounds")));
        }
        if (summary.has("warm_start")) {
            b.append("\nThinkSafe as GRPO's warm start vs plain GRPO, at equal GRPO steps:\n").append(warmTable(summary.path("warm_start")));
        }
        if (summary.has("grpo_cost_ratio")) {
            b.append(String.format(Locale.ROOT, "%nGRPO cost / ThinkSafe cost: %.1fx wall-clock, %.1fx tokens (the paper: about 8x)%n",
                    summary.path("grpo_cost_ratio").path("seconds").asDouble(), summary.path("grpo_cost_ratio").path("tokens").asDouble()));
        }
        if (summary.has("onpolicy_distill_cost_ratio")) {
            JsonNode r = summary.path("onpolicy_distill_cost_ratio");
            b.append(String.format(Locale.ROOT, "on-policy distillation cost / ThinkSafe cost: %.1fx wall-clock, %.1fx tokens%n",
                    r.path("seconds").asDouble(), r.path("tokens").asDouble()));
        }
        if (summary.path("methods").has("star1") || summary.path("methods").has("safekey")) {
            b.append("star1, safekey: stand-ins on the micro-world (no micro model reads a policy or grades a trace): the guard's "
                    + "P(safe) and a format check score each trace, and the policies' objectives open the teacher's reasoning\n");
        }
        if (summary.has("claims")) {
            b.append(String.format(Locale.ROOT, "%nclaims (95%% intervals of per-prompt differences; margin %.2f):%n", ClaimVerdict.MARGIN));
            int i = 1;
            for (JsonNode c : summary.path("claims")) {
                b.append(String.format(Locale.ROOT, "%d. %s: %s%n   %s%n", i++, c.path("verdict").asText().toUpperCase(Locale.ROOT),
                        c.path("statement").asText(), evidence(c, false)));
            }
        }
        b.append(String.format(Locale.ROOT, "%nwall time %.0f s; summary: summary.json; table: table.md%n", summary.path("wall_seconds").asDouble()));
        b.append("report: ").append(summary.path("report").asText()).append('\n');
        if (summary.has("plot")) {
            b.append("plot:   ").append(summary.path("plot").asText()).append('\n');
        }
        return b.toString();
    }

    /**
     * {@code OUT/table.md}: the methods (harm on the three harmful splits, over-refusal, reasoning, training-data
     * perplexity, tokens spent) and the claims with their intervals and verdicts. Deterministic but for the values in
     * braces (see the class comment).
     */
    public static String markdown(JsonNode summary) {
        StringBuilder b = new StringBuilder();
        b.append("| method | harmful plain | harmful jailbreak | harmful concealed | over-refusal | reasoning | train-data perplexity "
                + "| cost (tokens) | judges vs truth |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        summary.path("methods").fields().forEachRemaining(e -> {
            JsonNode r = e.getValue();
            b.append("| ").append(label(e.getKey())).append(" | ").append(pct(r.path("harmful_plain"))).append(" | ")
                    .append(pct(r.path("harmful_jailbreak"))).append(" | ").append(pct(r.path("harmful_concealed"))).append(" | ")
                    .append(pct(r.path("over_refusal"))).append(" | ").append(pct(r.path("reasoning_accuracy"))).append(" | ")
                    .append(r.path("train_perplexity").isNumber() ? String.format(Locale.ROOT, "%.2f", r.path("train_perplexity").asDouble()) : "-")
                    .append(" | ").append(r.path("cost_tokens").isNumber() ? String.valueOf(r.path("cost_tokens").asLong()) : "-")
                    .append(" | ").append(agreement(r.path("judge_agreement"))).append(" |\n");
        });
        b.append(String.format(Locale.ROOT, "%n| # | claim | difference: mean [95%% interval], n | verdict |%n|---|---|---|---|%n"));
        int i = 1;
        int masked = 0;
        for (JsonNode c : summary.path("claims")) {
            masked += c.has("seconds_ratio") ? 1 : 0;
            b.append("| ").append(i++).append(" | ").append(c.path("statement").asText()).append(" | ").append(evidence(c, true))
                    .append(" | ").append(c.path("verdict").asText()).append(" |\n");
        }
        b.append(String.format(Locale.ROOT, "%nMargin δ = %.2f. Not worse: does not hold if lo > 0, holds if hi < δ. More: holds if "
                + "lo > 0, does not hold if hi < δ. Otherwise undecided. Values in braces are wall-clock and differ between runs. "
                + "Judges vs truth: how often the harm judge's verdicts and the refusal judge's answers on the method's outputs agree with "
                + "the world's truth.%n",
                ClaimVerdict.MARGIN));
        if (b.chars().filter(ch -> ch == '{').count() != masked) { // the checker's masking relies on it
            throw new IllegalStateException("table.md: a brace outside the masked wall-clock values");
        }
        return b.toString();
    }

    /** A method's name in table.md, with what a reader must know to read its row. */
    private static String label(String method) {
        return switch (method) {
            case "initial" -> "initial (drifted student)";
            case "star1", "safekey" -> method + " (stand-ins)";
            default -> method;
        };
    }

    /** A claim's evidence: the difference and its interval (each part, for a compound claim), the ratios, or why it was not run. */
    static String evidence(JsonNode c, boolean markdown) {
        if (c.has("reason")) {
            return c.path("reason").asText();
        }
        if (c.has("parts")) {
            StringBuilder b = new StringBuilder();
            for (JsonNode p : c.path("parts")) {
                b.append(b.length() > 0 ? "; " : "").append(p.path("name").asText()).append(") ").append(interval(p))
                        .append(" (").append(p.path("verdict").asText()).append(")");
            }
            return b.toString();
        }
        if (c.has("seconds_ratio")) {
            // the only wall-clock value of table.md: in braces, so that a checker can mask it
            String seconds = String.format(Locale.ROOT, "%.1f×", c.path("seconds_ratio").asDouble());
            return String.format(Locale.ROOT, "GRPO / ThinkSafe: seconds %s, tokens %.1f× (each must be ≥ %.0f×)",
                    markdown ? "{" + seconds + "}" : seconds, c.path("tokens_ratio").asDouble(), c.path("threshold").asDouble());
        }
        return interval(c);
    }

    private static String interval(JsonNode c) {
        String ex = c.path("excluded").asInt() > 0 ? String.format(Locale.ROOT, " (%d excluded: no judge answer)", c.path("excluded").asInt()) : "";
        return String.format(Locale.ROOT, "%s: %+.3f [%+.3f, %+.3f], n = %d%s", c.path("difference").asText(), c.path("mean").asDouble(),
                c.path("lo").asDouble(), c.path("hi").asDouble(), c.path("n").asInt(), ex);
    }

    /** The per-round table: probe, harm (plain and jailbreak), over-refusal, reasoning, cost. */
    static String roundsTable(JsonNode rounds) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-6s %-8s %11s %8s %14s %18s %13s %10s %9s %10s %11s%n", "round",
                "status", "probe safe", "gain", "harmful plain", "harmful jailbreak", "over-refusal", "reasoning", "examples", "seconds",
                "cumulative"));
        for (JsonNode r : rounds.path("table")) {
            JsonNode bm = r.path("benchmarks");
            double reasoning = (bm.path("gsm8k").asDouble(Double.NaN) + bm.path("math500").asDouble(Double.NaN)) / 2;
            b.append(String.format(Locale.ROOT, "%-6d %-8s %11s %8s %14s %18s %13s %10s %9s %10.1f %11.1f%n", r.path("round").asInt(),
                    r.path("status").asText(), pct(r.path("probe_safe_rate")),
                    r.path("gain").isNumber() ? String.format(Locale.ROOT, "%+.1f", 100 * r.path("gain").asDouble()) : "-",
                    pct(bm.path("harmbench")), pct(bm.path("wildjailbreak")), pct(bm.path("xstest")),
                    Double.isNaN(reasoning) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * reasoning),
                    r.has("examples") ? String.valueOf(r.path("examples").asInt()) : "-", r.path("cost").path("seconds").asDouble(),
                    r.path("cumulative_seconds").asDouble()));
        }
        if (rounds.path("stopped").isTextual()) {
            b.append(rounds.path("stopped").asText()).append('\n');
        }
        return b.append("kept: round ").append(rounds.path("final_round").asInt()).append(" (mode ").append(rounds.path("mode").asText())
                .append(")\n").toString();
    }

    /** The warm-start comparison: safety during GRPO and cost at checkpoint steps, and when the warm start reached GRPO's safety. */
    static String warmTable(JsonNode w) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-6s %12s %12s %12s %12s %12s %12s%n", "step", "GRPO safety",
                "warm safety", "GRPO s", "warm s", "GRPO tokens", "warm tokens"));
        for (JsonNode r : w.path("at")) {
            b.append(String.format(Locale.ROOT, "%-6d %12s %12s %12.1f %12.1f %12d %12d%n", r.path("step").asInt(), num(r.path("plain_safety")),
                    num(r.path("warm_safety")), r.path("plain_seconds").asDouble(), r.path("warm_seconds").asDouble(),
                    r.path("plain_tokens").asLong(), r.path("warm_tokens").asLong()));
        }
        int k = w.path("warm_reaches_plain_final_at_step").asInt();
        b.append(String.format(Locale.ROOT, "warm start (ThinkSafe part: %.1f s, %d tokens) %s plain GRPO's final safety %s%n",
                w.path("thinksafe_seconds").asDouble(), w.path("thinksafe_tokens").asLong(),
                k > 0 ? String.format(Locale.ROOT, "reached at GRPO step %d of %d (%.1f s, %d tokens; plain GRPO: %.1f s, %d tokens) —",
                        k, w.path("steps").asInt(), w.path("warm_seconds_to_reach").asDouble(), w.path("warm_tokens_to_reach").asLong(),
                        w.path("plain_seconds").asDouble(), w.path("plain_tokens").asLong()) : "did not reach",
                num(w.path("plain_final_safety"))));
        return b.toString();
    }

    private static String num(JsonNode v) {
        return v.isNumber() ? String.format(Locale.ROOT, "%.3f", v.asDouble()) : "-";
    }

    /** The harm judge's and the refusal judge's agreement with the world's truth on this method's outputs ({@link JudgeAudit}). */
    private static String agreement(JsonNode a) {
        return a.isObject() ? String.format(Locale.ROOT, "%.1f%% / %.1f%%", 100 * a.path("harm").asDouble(), 100 * a.path("refusal").asDouble())
                : "-";
    }

    private static String pct(JsonNode v) {
        return v.isNumber() ? String.format(Locale.ROOT, "%.1f%%", 100 * v.asDouble()) : "-";
    }
}
