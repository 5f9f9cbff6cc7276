package io.thinksafe.align;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.train.SafeKeyConfig;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

/**
 * The settings of the paper's other baselines, from a run config: {@code keep} (how many training
 * examples at most: Table 4's sample size by default), {@code star1} (STAR-1 and SafeKey: the policy
 * folder, the judge, where the teacher reads the policy, the score threshold), {@code safepath} (the
 * primer) and {@code safekey} (the auxiliary objectives' weights). A mapping given to a recipe that
 * does not use it is refused, so that a config never says more than the run does.
 *
 * @param keep          training examples kept at most (0: all); for STAR-1 and SafeKey, harmful examples chosen by STAR-1's rule
 * @param keepExplicit  whether the config said {@code keep} (then a keep larger than the prompt set is refused)
 */
public record RecipeOptions(int keep, boolean keepExplicit, Star1 star1, String primer, SafeKeyConfig safeKey) {
    /** SafePath's Safety Primer, as its paper writes it. */
    public static final String SAFEPATH_PRIMER = "Let's think about safety first";
    /** {@code star1.judge: guard}: score with the run's guard instead of an LLM judge (the micro-world's stand-in). */
    public static final String GUARD_JUDGE = "guard";

    /**
     * STAR-1's data settings.
     *
     * @param judge          the LLM-as-judge (directory or URL), or {@link #GUARD_JUDGE} for the stand-in
     * @param policyInPrompt true: the teacher is shown the policies (STAR-1); false: it answers the plain prompt and
     *                       the policies' objectives open its reasoning (the micro-world's stand-in: no micro model reads a policy)
     * @param minScore       a trace is a candidate only if every score reaches this (STAR-1: full marks, 10 of 10)
     */
    public record Star1(Path policies, String judge, boolean policyInPrompt, int minScore, int judgeMaxNewTokens) {
        public boolean standIn() {
            return judge.equals(GUARD_JUDGE);
        }
    }

    private static final Set<String> STAR1_KEYS = Set.of("policies", "judge", "policy_in", "min_score", "judge_max_new_tokens");
    private static final Set<String> SAFEPATH_KEYS = Set.of("primer");
    private static final Set<String> SAFEKEY_KEYS = Set.of("qmm_weight", "head_weight", "head_theta", "last_epochs");

    static RecipeOptions parse(JsonNode root, Recipe recipe, String method, Path base, String where) {
        JsonNode k = root.path("keep");
        boolean explicit = !k.isMissingNode() && !k.isNull();
        if (explicit && (!k.canConvertToInt() || k.asInt() < 0)) {
            throw new ThinkSafeException(where + ": 'keep' must be a number of training examples (0 keeps all), got " + k);
        }
        int keep = explicit ? k.asInt() : recipe == null ? 0 : recipe.defaultKeep;
        Star1 star1 = null;
        if (recipe != null && recipe.policyGrounded()) {
            star1 = star1(root.path("star1"), base, where);
        } else {
            refuseUnused(root, "star1", "star1 or safekey", method, where);
        }
        String primer = null;
        if (recipe == Recipe.SAFEPATH) {
            JsonNode s = settings(root.path("safepath"), SAFEPATH_KEYS, "safepath", where);
            primer = s.path("primer").asText(SAFEPATH_PRIMER);
            if (primer.isBlank()) {
                throw new ThinkSafeException(where + ": safepath: 'primer' must not be empty");
            }
        } else {
            refuseUnused(root, "safepath", "safepath", method, where);
        }
        SafeKeyConfig safeKey = null;
        if (recipe == Recipe.SAFEKEY) {
            JsonNode s = settings(root.path("safekey"), SAFEKEY_KEYS, "safekey", where);
            SafeKeyConfig d = SafeKeyConfig.reference();
            try {
                safeKey = new SafeKeyConfig(s.path("qmm_weight").asDouble(d.qmmWeight()), s.path("head_weight").asDouble(d.headWeight()),
                        s.path("head_theta").asDouble(d.headTheta()), s.path("last_epochs").asInt(d.lastEpochs()));
            } catch (ThinkSafeException e) {
                throw new ThinkSafeException(where + ": safekey: " + e.getMessage());
            }
        } else {
            refuseUnused(root, "safekey", "safekey", method, where);
        }
        return new RecipeOptions(keep, explicit, star1, primer, safeKey);
    }

    private static Star1 star1(JsonNode n, Path base, String where) {
        JsonNode s = settings(n, STAR1_KEYS, "star1", where);
        String judge = s.path("judge").isMissingNode() || s.path("judge").isNull() ? null : s.path("judge").asText();
        if (judge == null || judge.isBlank()) {
            throw new ThinkSafeException(where + ": star1: 'judge' is missing (the LLM-as-judge that scores each trace: a model "
                    + "directory or URL; or 'guard' for the stand-in: the run's guard P(safe) plus a format check)");
        }
        String policyIn = s.path("policy_in").asText("prompt");
        if (!policyIn.equals("prompt") && !policyIn.equals("trace")) {
            throw new ThinkSafeException(where + ": star1: 'policy_in' must be prompt (the teacher reads the policies) or trace "
                    + "(the policies' objectives open the teacher's reasoning), got '" + policyIn + "'");
        }
        int minScore = s.path("min_score").asInt(10);
        int maxTokens = s.path("judge_max_new_tokens").asInt(512);
        if (minScore < 0 || minScore > 10 || maxTokens <= 0) {
            throw new ThinkSafeException(where + ": star1: 'min_score' must be 0..10 and 'judge_max_new_tokens' positive");
        }
        Path policies = s.has("policies") ? base.resolve(s.get("policies").asText()).normalize()
                : Path.of(System.getProperty("thinksafe.home", ".")).resolve("policies/star1").toAbsolutePath().normalize();
        return new Star1(policies, judge.equals(GUARD_JUDGE) ? judge : RunConfig.resolveModel(base, judge),
                policyIn.equals("prompt"), minScore, maxTokens);
    }

    /** A recipe's settings mapping (empty when absent), its keys checked. */
    private static JsonNode settings(JsonNode n, Set<String> known, String name, String where) {
        if (n.isMissingNode() || n.isNull()) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
        if (!n.isObject()) {
            throw new ThinkSafeException(where + ": '" + name + "' must be a mapping of settings");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                throw new ThinkSafeException(where + ": " + name + ": unknown setting '" + key + "' (known: "
                        + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
        return n;
    }

    private static void refuseUnused(JsonNode root, String key, String recipes, String method, String where) {
        if (root.has(key)) {
            throw new ThinkSafeException(where + ": '" + key + "' settings need recipe: " + recipes + " (the recipe is " + method + ")");
        }
    }
}
