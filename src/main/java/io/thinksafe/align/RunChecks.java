package io.thinksafe.align;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.Prompt;
import io.thinksafe.generate.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a run's stages will need, checked when a run opens ({@link Pipeline}'s constructor) — before the first stage runs, so
 * that a mistake costs a second rather than the hours of the stages before the one that needs it. One
 * line per mistake, naming the config file and the setting.
 */
public final class RunChecks {
    private RunChecks() {}

    public static void check(RunConfig cfg) {
        String where = cfg.file().toString();
        student(cfg, where);
        if (cfg.teacher() != null) {
            model(cfg.teacher(), "teacher", where);
        }
        for (String g : cfg.guards()) {
            model(g, "guard", where);
        }
        sampling(cfg.sampling(), where);
        if (!Files.isRegularFile(cfg.promptFile())) {
            throw new ThinkSafeException(where + ": prompts: " + cfg.promptFile() + ": file not found");
        }
        List<Prompt> all;
        try {
            all = Rounds.readPrompts(cfg);
        } catch (ThinkSafeException e) {
            throw new ThinkSafeException(where + ": prompts: " + e.getMessage());
        }
        Iterative it = cfg.iterative();
        if (it != null) {
            if (it.heldoutFile() != null && !Files.isRegularFile(it.heldoutFile())) {
                throw new ThinkSafeException(where + ": iterate.heldout_file " + it.heldoutFile() + ": file not found");
            }
            try {
                Rounds.check(cfg, all, where);
            } catch (ThinkSafeException e) {
                throw e.getMessage().startsWith(where) ? e : new ThinkSafeException(where + ": iterate: " + e.getMessage());
            }
            if (it.eval() != null) {
                it.eval().check(where);
                for (String g : it.eval().guards()) {
                    model(g, "eval.guard", where);
                }
                if (it.eval().refusalGuard() != null) {
                    model(it.eval().refusalGuard(), "eval.refusal_guard", where);
                }
            }
        }
        List<Prompt> training = Rounds.trainingPrompts(cfg, all);
        if (training.isEmpty()) {
            throw new ThinkSafeException(where + ": prompts: no prompt to train on (" + cfg.promptFile() + " after sample and limit)");
        }
        Recipe recipe = cfg.recipe();
        if (recipe != null && recipe.generatesHarmful() && training.stream().noneMatch(Prompt::harmful)) {
            boolean heldHere = it != null && it.heldoutFile() == null;
            throw new ThinkSafeException(where + ": prompts: recipe " + recipe.key() + " needs harmful prompts to generate from; "
                    + cfg.promptFile() + " (after sample and limit" + (heldHere ? ", less the " + it.heldout() + " held out for the probe" : "")
                    + ") has none labelled harmful" + (heldHere ? "; lower iterate.heldout or give iterate.heldout_file" : ""));
        }
    }

    /**
     * The student: a model directory, or servers — and then, since every method trains it here, its
     * weights here too ({@code student: {url, dir}}).
     */
    private static void student(RunConfig cfg, String where) {
        if (cfg.served() == null && ModelSpec.parse(cfg.student()).isRemote()) {
            String what = cfg.grpo() != null && cfg.recipe() == null ? "GRPO samples from the policy it trains (a new adapter every step) here"
                    : "recipe " + cfg.method().key() + " trains the student here";
            throw new ThinkSafeException(where + ": student " + cfg.student() + " is a server, and " + what + ", which needs its weights: "
                    + "name both, student: {url: " + cfg.student() + ", dir: DIR} (see README, Scale-out runs)");
        }
        if (cfg.served() != null && cfg.served().dir() == null) {
            throw new ThinkSafeException(where + ": student.dir is missing: recipe " + cfg.method().key() + " trains the student here, "
                    + "which needs its weights (the same as the servers at " + cfg.served().url() + " serve)");
        }
        requireDir(cfg.studentDir(), cfg.served() != null ? "student.dir" : "student", where);
    }

    private static void model(String spec, String setting, String where) {
        String target = spec.replaceFirst("^(llama-guard|wildguard):", "");
        ModelSpec s;
        try {
            s = ModelSpec.parse(target);
        } catch (ThinkSafeException e) {
            throw new ThinkSafeException(where + ": " + setting + ": " + e.getMessage());
        }
        if (!s.isRemote()) {
            requireDir(s.dir(), setting, where);
        }
    }

    private static void requireDir(Path dir, String setting, String where) {
        if (!Files.isDirectory(dir)) {
            throw new ThinkSafeException(where + ": " + setting + " " + dir + ": no such model directory");
        }
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw new ThinkSafeException(where + ": " + setting + " " + dir + ": not a Hugging Face model directory (no config.json)");
        }
    }

    private static void sampling(JsonNode s, String where) {
        if (s.isMissingNode() || s.isNull()) {
            return;
        }
        if (!s.isObject()) {
            throw new ThinkSafeException(where + ": 'sampling' must be a mapping (temperature, top_p, top_k, min_p, max_new_tokens, batch)");
        }
        List<String> bad = new ArrayList<>();
        if (s.has("temperature") && !(s.get("temperature").asDouble(-1) >= 0)) {
            bad.add("temperature >= 0");
        }
        if (s.has("top_p") && !(s.get("top_p").asDouble(-1) > 0 && s.get("top_p").asDouble() <= 1)) {
            bad.add("0 < top_p <= 1");
        }
        if (s.has("top_k") && s.get("top_k").asInt(-1) < 0) {
            bad.add("top_k >= 0");
        }
        if (s.has("min_p") && !(s.get("min_p").asDouble(-1) >= 0 && s.get("min_p").asDouble() < 1)) {
            bad.add("0 <= min_p < 1");
        }
        if (s.has("max_new_tokens") && s.get("max_new_tokens").asInt(0) < 1) {
            bad.add("max_new_tokens >= 1");
        }
        if (s.has("batch") && s.get("batch").asInt(0) < 1) {
            bad.add("batch >= 1");
        }
        if (!bad.isEmpty()) {
            throw new ThinkSafeException(where + ": sampling: expected " + String.join(", ", bad) + " (got " + s + ")");
        }
    }
}
