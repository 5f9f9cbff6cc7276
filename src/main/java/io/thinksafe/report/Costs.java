package io.thinksafe.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinksafe.eval.EvalResults;
import io.thinksafe.util.Json;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What it cost to make each evaluated model, read from the {@code thinksafe run} manifest that made
 * it: the run directory holding the adapter the model was evaluated with ({@code RUN/train/adapter},
 * {@code RUN/grpo/adapter}), or else a directory above the evaluation (an evaluation kept inside its
 * run directory). Only finished runs count: a run stopped half-way did not cost what the method costs.
 */
final class Costs {
    /** How many directories above an evaluation are searched for the manifest. */
    private static final int LEVELS_UP = 3;
    private static final Map<String, String> NAMES = Map.ofEntries(Map.entry("thinksafe", "ThinkSafe"),
            Map.entry("thinksafe_kl", "ThinkSafe+KL"), Map.entry("grpo", "GRPO"), Map.entry("rejection_sampling", "Rejection sampling"),
            Map.entry("without_reasoning", "Without safety reasoning"), Map.entry("teacher", "Teacher"),
            Map.entry("direct_refusal", "DirectRefusal"), Map.entry("safechain", "SafeChain"), Map.entry("star1", "STAR-1"),
            Map.entry("safekey", "SafeKey"), Map.entry("safepath", "SafePath"), Map.entry("onpolicy_distill", "On-policy distillation"),
            Map.entry("thinksafe_grpo", "ThinkSafe\u2192GRPO"), Map.entry("thinksafe_iterative", "Iterative ThinkSafe"),
            Map.entry("thinksafe_kl_iterative", "Iterative ThinkSafe+KL"));

    /**
     * One model's cost (seconds; token counts) and where it was read; {@code notes}: what its stages said a
     * reader must know about how it was made (e.g. a stand-in judge).
     */
    record Cost(Runs.Run run, Path manifest, String method, double seconds, long tokens, long generation, long judging,
                long training, List<String> notes) {
        String methodName() {
            return NAMES.getOrDefault(method, method);
        }

        boolean grpo() {
            return method.equals("grpo");
        }
    }

    private Costs() {}

    /** The costs of the runs that have a finished run manifest, in the runs' order. */
    static List<Cost> of(List<Runs.Run> runs) {
        List<Cost> out = new ArrayList<>();
        for (Runs.Run r : runs) {
            Path m = manifestOf(r);
            if (m == null) {
                continue;
            }
            JsonNode manifest = Json.read(m);
            JsonNode c = manifest.path("cost");
            List<String> notes = new ArrayList<>();
            manifest.path("stages").forEach(s -> {
                if (s.path("result").hasNonNull("note")) {
                    notes.add(s.path("result").path("note").asText());
                }
            });
            JsonNode upTo = roundCost(manifest, m, r);
            if (upTo != null) {
                // a round's evaluation inside an iterative run: what the run had cost by the end of that round
                out.add(new Cost(r, m, c.path("method").asText("?"), upTo.path("seconds").asDouble(), upTo.path("tokens").asLong(),
                        upTo.path("generation_tokens").asLong(), upTo.path("judge_tokens").asLong(), upTo.path("training_tokens").asLong(), notes));
                continue;
            }
            out.add(new Cost(r, m, c.path("method").asText("?"), c.path("seconds").asDouble(), c.path("tokens").asLong(),
                    c.path("generation_tokens").asLong(), c.path("judge_tokens").asLong(),
                    c.path("train_tokens").asLong() + c.path("reference_tokens").asLong(), notes));
        }
        return out;
    }

    /**
     * For an evaluation an iterative run made of one of its rounds ({@code RUN/eval-K}), the run's cost
     * through round K (every stage of rounds 0..K, evaluation left out); null for any other evaluation,
     * which the run's whole cost belongs to (the run made the rounds it did to choose its model).
     */
    static JsonNode roundCost(JsonNode manifest, Path manifestFile, Runs.Run r) {
        JsonNode table = manifest.path("rounds").path("table");
        Path dir = r.dir().toAbsolutePath().normalize();
        if (!table.isArray() || !manifestFile.toAbsolutePath().normalize().getParent().equals(dir.getParent())) {
            return null;
        }
        String name = dir.getFileName().toString();
        if (!name.matches("eval(-[0-9]+)?")) {
            return null;
        }
        int k = name.equals("eval") ? 1 : Integer.parseInt(name.substring(5));
        long gen = 0;
        long judge = 0;
        long train = 0;
        JsonNode last = null;
        for (JsonNode row : table) {
            if (row.path("round").asInt() > k) {
                break;
            }
            JsonNode c = row.path("cost");
            gen += c.path("generation_prompt_tokens").asLong() + c.path("generation_completion_tokens").asLong();
            judge += c.path("judge_tokens").asLong();
            train += c.path("train_tokens").asLong() + c.path("reference_tokens").asLong();
            last = row;
        }
        if (last == null) {
            return null;
        }
        return Json.object().put("seconds", last.path("cumulative_seconds").asDouble()).put("tokens", last.path("cumulative_tokens").asLong())
                .put("generation_tokens", gen).put("judge_tokens", judge).put("training_tokens", train);
    }

    /** The first GRPO run, which the others are compared with; null when there is none. */
    static Cost reference(List<Cost> costs) {
        return costs.stream().filter(Cost::grpo).findFirst().orElse(null);
    }

    /** The manifest of the run that made this model, if that run finished and recorded its cost. */
    static Path manifestOf(Runs.Run r) {
        List<Path> candidates = new ArrayList<>();
        String adapter = r.results().adapter();
        if (adapter != null) {
            try {
                Path a = Path.of(adapter).toAbsolutePath().normalize();
                if (a.getParent() != null && a.getParent().getParent() != null) {
                    candidates.add(a.getParent().getParent().resolve("manifest.json"));
                }
            } catch (InvalidPathException e) {
                // an adapter named in a form this system cannot read: look beside the evaluation instead
            }
        }
        Path d = r.dir().toAbsolutePath().normalize();
        for (int i = 0; i <= LEVELS_UP && d != null; i++, d = d.getParent()) {
            candidates.add(d.resolve("manifest.json"));
        }
        for (Path p : candidates) {
            if (Files.isRegularFile(p) && Json.read(p).path("cost").path("complete").asBoolean(false)) {
                return p;
            }
        }
        return null;
    }

    /** 42 s, 12.5 min, 3.2 h. */
    static String duration(double seconds) {
        if (seconds < 120) {
            return String.format(Locale.ROOT, "%.1f s", seconds);
        }
        if (seconds < 7200) {
            return String.format(Locale.ROOT, "%.1f min", seconds / 60);
        }
        return String.format(Locale.ROOT, "%.2f h", seconds / 3600);
    }

    /** 950, 12.3k, 4.56M, 1.20B. */
    static String count(long n) {
        if (n < 10_000) {
            return Long.toString(n);
        }
        if (n < 10_000_000) {
            return String.format(Locale.ROOT, "%.1fk", n / 1e3);
        }
        if (n < 10_000_000_000L) {
            return String.format(Locale.ROOT, "%.2fM", n / 1e6);
        }
        return String.format(Locale.ROOT, "%.2fB", n / 1e9);
    }

    /** A ratio as 0.13× or 7.9×. */
    static String ratio(double r) {
        return Double.isFinite(r) ? String.format(Locale.ROOT, r < 1 ? "%.2f\u00d7" : "%.1f\u00d7", r) : "\u2013";
    }

    /** The model's harmful-response and reasoning averages in percent (NaN when it lacks those sets). */
    static double[] quality(Runs.Run r) {
        return new double[] {100 * r.results().average(EvalResults.HARMFUL).value(), 100 * r.results().average(EvalResults.REASONING).value()};
    }
}
