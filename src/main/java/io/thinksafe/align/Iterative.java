package io.thinksafe.align;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinksafe.ThinkSafeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Iterative ThinkSafe ({@code rounds: N}, recipes thinksafe and thinksafe_kl), the paper's first future
 * direction: round r+1 generates with the model trained in round r (harmful prompts steered, benign
 * plain), judges, builds and trains again, either continuing round r's adapter on round r+1's data
 * ({@link Mode#CONTINUE}) or training a fresh adapter from the base on every round's data so far
 * ({@link Mode#RESTART}).
 *
 * <p>Early stop: before round 1 and after every round, the model draws one unsteered sample of each of
 * a fixed, seeded set of held-out harmful prompts ({@code heldout}, 100 by default; the same seeds every
 * round, so that rounds differ by their model only), and the run's guard judges them ({@link Stage#PROBE});
 * when a round's safe rate gains less than {@code min_gain} over the round before, the remaining rounds
 * are skipped. The run's model is the round with the highest held-out safe rate (the earliest on a tie).
 * With {@code eval}, each round's model (and the student before round 1) also goes through the
 * evaluation suites ({@link Stage#EVAL}; measurement, not part of the method's cost).
 *
 * <p>Plan: {@code probe-0 [eval-0]}, then per round {@code generate filter build train probe [eval]}
 * (round 1's stages keep their plain names; round r's are {@code generate-r}, …).
 */
public record Iterative(Recipe recipe, int rounds, Mode mode, double minGain, int heldout, Path heldoutFile, RoundEval eval)
        implements Method {

    /** How a later round trains. */
    public enum Mode {
        /** Round r+1 trains round r's adapter further on round r+1's data. */
        CONTINUE,
        /** Round r+1 trains a fresh adapter from the base on the data of rounds 1 … r+1. */
        RESTART;

        static Mode parse(String s, String where) {
            try {
                return valueOf(s.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ThinkSafeException(where + ": iterate.mode: unknown '" + s + "' (expected continue or restart)");
            }
        }

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The default of {@code iterate.mode}: measured on the micro-world (README, Iterative ThinkSafe). */
    public static final Mode DEFAULT_MODE = Mode.CONTINUE;
    public static final double DEFAULT_MIN_GAIN = 0.02;
    public static final int DEFAULT_HELDOUT = 100;

    private static final Set<String> KEYS = Set.of("mode", "min_gain", "heldout", "heldout_file");

    /** {@code thinksafe_iterative} (or {@code thinksafe_kl_iterative}) in manifests and reports; the config says {@code recipe: thinksafe}. */
    @Override
    public String key() {
        return recipe.key() + "_iterative";
    }

    @Override
    public List<StageRun> stages() {
        List<StageRun> out = new ArrayList<>();
        out.add(new StageRun(Stage.PROBE, 0));
        if (eval != null) {
            out.add(new StageRun(Stage.EVAL, 0));
        }
        for (int r = 1; r <= rounds; r++) {
            for (StageRun s : Stage.OFFLINE) {
                out.add(new StageRun(s.stage(), r));
            }
            out.add(new StageRun(Stage.PROBE, r));
            if (eval != null) {
                out.add(new StageRun(Stage.EVAL, r));
            }
        }
        return List.copyOf(out);
    }

    /**
     * The method a config's {@code rounds}, {@code iterate} and {@code eval} make of {@code method}: itself
     * when there is one round, else the iterative run.
     */
    static Method parse(JsonNode root, Method method, Path base, Path runDir, List<String> guards, String where) {
        JsonNode r = root.path("rounds");
        int rounds = 1;
        if (!r.isMissingNode() && !r.isNull()) {
            if (!r.canConvertToInt() || !r.isIntegralNumber() || r.asInt() < 1) {
                throw new ThinkSafeException(where + ": rounds must be a whole number of at least 1, got " + r);
            }
            rounds = r.asInt();
        }
        boolean extras = root.has("iterate") || root.has("eval");
        if (rounds == 1) {
            if (extras) {
                throw new ThinkSafeException(where + ": '" + (root.has("iterate") ? "iterate" : "eval") + "' belongs to iterative ThinkSafe: "
                        + "set rounds: N (N > 1), or remove it (evaluate a single run with thinksafe eval)");
            }
            return method;
        }
        if (!(method instanceof Recipe rec) || (rec != Recipe.THINKSAFE && rec != Recipe.THINKSAFE_KL)) {
            throw new ThinkSafeException(where + ": rounds: " + rounds + " works with recipes thinksafe and thinksafe_kl (the recipe is "
                    + method.key() + ")");
        }
        JsonNode it = root.path("iterate");
        if (!it.isMissingNode() && !it.isNull() && !it.isObject()) {
            throw new ThinkSafeException(where + ": 'iterate' must be a mapping of settings (mode, min_gain, heldout, heldout_file)");
        }
        for (Iterator<String> names = it.fieldNames(); names.hasNext(); ) {
            String k = names.next();
            if (!KEYS.contains(k)) {
                throw new ThinkSafeException(where + ": iterate: unknown setting '" + k + "' (known: " + String.join(", ", new TreeSet<>(KEYS)) + ")");
            }
        }
        Mode mode = it.has("mode") ? Mode.parse(it.get("mode").asText(), where) : DEFAULT_MODE;
        double minGain = it.path("min_gain").asDouble(DEFAULT_MIN_GAIN);
        if (it.has("min_gain") && !it.get("min_gain").isNumber()) {
            throw new ThinkSafeException(where + ": iterate.min_gain must be a number (a safe-rate difference, e.g. 0.02)");
        }
        if (!(minGain >= -1 && minGain <= 1)) {
            throw new ThinkSafeException(where + ": iterate.min_gain must lie in [-1, 1] (a difference of safe rates), got " + minGain);
        }
        int heldout = it.path("heldout").asInt(DEFAULT_HELDOUT);
        if (heldout < 1 || (it.has("heldout") && !it.get("heldout").isIntegralNumber())) {
            throw new ThinkSafeException(where + ": iterate.heldout must be a whole number of prompts, at least 1, got " + it.get("heldout"));
        }
        Path heldoutFile = it.hasNonNull("heldout_file") ? base.resolve(it.get("heldout_file").asText()).normalize() : null;
        RoundEval eval = root.has("eval") ? RoundEval.parse(root.get("eval"), base, guards, where) : null;
        return new Iterative(rec, rounds, mode, minGain, heldout, heldoutFile, eval);
    }
}
