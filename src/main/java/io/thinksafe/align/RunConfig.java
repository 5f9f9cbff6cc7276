package io.thinksafe.align;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.model.LoraConfig;
import io.thinksafe.train.GrpoConfig;
import io.thinksafe.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A {@code thinksafe run} configuration, read from YAML. Paths are relative to the config file.
 *
 * <pre>
 * run_dir: runs/qwen3-thinksafe      # where everything goes (manifest.json, one folder per stage)
 * student: models/Qwen3-0.6B         # a model directory or an OpenAI-compatible URL
 * teacher: http://gpu:8000/v1        # recipes teacher, safechain, star1, safekey, onpolicy_distill
 * guard: [models/Llama-Guard-3-1B]   # one or more judges; prefix wildguard: for WildGuard (onpolicy_distill needs none)
 * guard_policy: all                  # all | majority (ensembles)
 * prompts: {file: safechain.jsonl, sample: 1000, limit: 0}
 * recipe: thinksafe                  # thinksafe | thinksafe_kl | rejection_sampling | without_reasoning | teacher | direct_refusal
 *                                    # | safechain | star1 | safekey | safepath | grpo | onpolicy_distill
 * keep: 1000                         # training examples at most (default: the paper's Table 4 sample size for the baselines)
 * star1: {judge: models/judge, policies: policies/star1, policy_in: prompt, min_score: 10}   # star1, safekey
 * safepath: {primer: "Let's think about safety first"}
 * safekey: {qmm_weight: 0.2, head_weight: 0.2, head_theta: 0.5, last_epochs: 2}
 * distill: {samples: 1, temperature: 1.0, rollout_batch: 64}         # onpolicy_distill
 * steering: prefix                   # prefix | suffix | risk | intent | a custom text with {prompt}
 * sampling: {max_new_tokens: 4096}   # temperature, top_p, top_k, min_p default to the family's; batch: sequences decoded together
 * train: {lora_r: 32, lora_alpha: 16, lr: 1e-5, epochs: 3, batch: 8}   # for grpo, batch counts prompts per step
 * grpo: {group: 8, temperature: 0.7, beta: 0.04, epsilon: 0.2}          # recipe grpo only; max_new_tokens as sampling's
 * seed: 0
 * </pre>
 */
public record RunConfig(Path file, Path runDir, String student, String teacher, List<String> guards, String guardPolicy,
                        Path promptFile, int promptSample, int promptLimit, Method method, SteeringTemplate steering,
                        JsonNode sampling, TrainConfig train, long seed, ObjectNode normalized, RecipeOptions options) {

    /** {@code recipe: grpo}: GRPO's settings and reward weights. */
    public record Grpo(GrpoConfig config, double safetyWeight, double formatWeight) implements Method {
        public static final String KEY = "grpo";

        @Override
        public String key() {
            return KEY;
        }

        @Override
        public List<StageRun> stages() {
            return List.of(new StageRun(Stage.GRPO, 1));
        }
    }

    private static final Set<String> GRPO_KEYS = Set.of("group", "temperature", "max_new_tokens", "beta", "epsilon", "iterations",
            "loss_norm", "rollout_batch", "safety_weight", "format_weight");

    private static final Set<String> DISTILL_KEYS = Set.of("samples", "temperature", "max_new_tokens", "rollout_batch");

    private static final Set<String> KEYS = Set.of("run_dir", "student", "teacher", "guard", "guard_policy", "prompts",
            "recipe", "steering", "sampling", "train", "seed", "eval", "grpo", "keep", "star1", "safepath", "safekey", "distill");

    public static RunConfig load(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ThinkSafeException(file + ": file not found");
        } catch (IOException e) {
            throw new ThinkSafeException(file + ": not valid YAML (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (root == null || !root.isObject()) {
            throw new ThinkSafeException(file + ": expected a YAML mapping of settings");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                throw new ThinkSafeException(file + ": unknown setting '" + k + "' (known: " + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
            }
        }
        Path base = file.toAbsolutePath().getParent();
        String where = file.toString();
        String recipeKey = root.path("recipe").asText("thinksafe");
        boolean online = recipeKey.strip().equalsIgnoreCase(Grpo.KEY);
        boolean distill = recipeKey.strip().equalsIgnoreCase(OnPolicyDistill.KEY);
        Recipe recipe = online || distill ? null : Recipe.parse(recipeKey);
        String teacher = text(root, "teacher");
        if ((distill || recipe != null && recipe.teacher) && teacher == null) {
            throw new ThinkSafeException(where + ": recipe " + (distill ? OnPolicyDistill.KEY : recipe.key())
                    + " needs a 'teacher' model (" + (distill ? "a directory sharing the student's tokenizer" : "directory or URL") + ")");
        }
        JsonNode prompts = root.path("prompts");
        String promptFile = prompts.isTextual() ? prompts.asText() : text(prompts, "file");
        if (promptFile == null) {
            throw new ThinkSafeException(where + ": 'prompts' needs a file (prompts: {file: ...})");
        }
        List<String> guards = new ArrayList<>();
        JsonNode g = root.path("guard");
        if (g.isTextual()) {
            guards.add(resolveModel(base, g.asText()));
        } else if (g.isArray()) {
            g.forEach(x -> guards.add(resolveModel(base, x.asText())));
        }

        String student = text(root, "student");
        if (student == null) {
            throw new ThinkSafeException(where + ": 'student' is missing (the model to align: a directory or URL)");
        }
        JsonNode t = root.path("train");
        boolean full = t.path("full").asBoolean(false);
        TrainConfig train = trainConfig(t, full, root.path("seed").asLong(0), recipe == null ? TrainConfig.paperDefaults().epochs()
                : recipe.defaultEpochs, where);
        Method method = recipe;
        if (distill) {
            if (full) {
                throw new ThinkSafeException(where + ": recipe onpolicy_distill trains LoRA adapters; remove train.full");
            }
            method = distill(root.path("distill"), root.path("sampling"), train, where);
        } else if (root.has("distill")) {
            throw new ThinkSafeException(where + ": 'distill' settings need recipe: onpolicy_distill (the recipe is " + recipeKey.strip() + ")");
        }
        if (online) {
            if (full) {
                throw new ThinkSafeException(where + ": recipe grpo trains LoRA adapters (its KL reference is the base with adapters off); "
                        + "remove train.full");
            }
            method = grpo(root.path("grpo"), root.path("sampling"), train, where);
        } else if (root.has("grpo")) {
            throw new ThinkSafeException(where + ": 'grpo' settings need recipe: grpo (the recipe is " + recipeKey.strip() + ")");
        }
        RecipeOptions options = RecipeOptions.parse(root, recipe, method.key(), base, where);
        // the guard filters or scores; on-policy distillation and STAR-1 with an LLM judge have no use for one
        boolean needsGuard = !distill && !(options.star1() != null && !options.star1().standIn());
        if (guards.isEmpty() && needsGuard) {
            throw new ThinkSafeException(where + ": 'guard' is missing (" + (options.star1() != null
                    ? "star1.judge: guard scores traces with it" : "the judge that filters self-generated data") + ")");
        }
        Path runDir = base.resolve(root.path("run_dir").asText("runs/" + method.key()));
        return new RunConfig(file, runDir, resolveModel(base, student), teacher == null ? null : resolveModel(base, teacher),
                guards, root.path("guard_policy").asText("all"), base.resolve(promptFile),
                prompts.path("sample").asInt(0), prompts.path("limit").asInt(0), method,
                SteeringTemplate.parse(root.path("steering").asText("prefix")), root.path("sampling"), train,
                root.path("seed").asLong(0), (ObjectNode) root, options);
    }

    /** On-policy distillation's settings over the defaults (one sample a prompt at temperature 1). */
    private static OnPolicyDistill distill(JsonNode g, JsonNode sampling, TrainConfig train, String where) {
        if (!g.isMissingNode() && !g.isNull() && !g.isObject()) {
            throw new ThinkSafeException(where + ": 'distill' must be a mapping of settings");
        }
        for (Iterator<String> it = g.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!DISTILL_KEYS.contains(k)) {
                throw new ThinkSafeException(where + ": distill: unknown setting '" + k + "' (known: "
                        + String.join(", ", new java.util.TreeSet<>(DISTILL_KEYS)) + ")");
            }
        }
        io.thinksafe.train.DistillConfig d = io.thinksafe.train.DistillConfig.defaults();
        try {
            return new OnPolicyDistill(new io.thinksafe.train.DistillConfig(train, g.path("samples").asInt(d.samples()),
                    g.path("temperature").asDouble(d.temperature()),
                    g.path("max_new_tokens").asInt(sampling.path("max_new_tokens").asInt(d.maxNewTokens())),
                    g.path("rollout_batch").asInt(d.rolloutBatch())));
        } catch (ThinkSafeException e) {
            throw new ThinkSafeException(where + ": " + e.getMessage());
        }
    }

    /** On-policy distillation's settings when the run is one, else null. */
    public OnPolicyDistill distill() {
        return method instanceof OnPolicyDistill d ? d : null;
    }

    /** The reference's GRPO settings, with what the config's {@code grpo} mapping changes. */
    private static Grpo grpo(JsonNode g, JsonNode sampling, TrainConfig train, String where) {
        if (!g.isMissingNode() && !g.isNull() && !g.isObject()) {
            throw new ThinkSafeException(where + ": 'grpo' must be a mapping of settings");
        }
        for (Iterator<String> it = g.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!GRPO_KEYS.contains(k)) {
                throw new ThinkSafeException(where + ": grpo: unknown setting '" + k + "' (known: "
                        + String.join(", ", new java.util.TreeSet<>(GRPO_KEYS)) + ")");
            }
        }
        GrpoConfig d = GrpoConfig.paperDefaults();
        try {
            GrpoConfig c = d.withTrain(train)
                    .withSampling(g.path("group").asInt(d.group()), g.path("temperature").asDouble(d.temperature()),
                            g.path("max_new_tokens").asInt(sampling.path("max_new_tokens").asInt(d.maxNewTokens())))
                    .withObjective(g.path("beta").asDouble(d.beta()), g.path("epsilon").asDouble(d.clip()),
                            g.path("iterations").asInt(d.iterations()), GrpoConfig.LossNorm.parse(g.path("loss_norm").asText("sequence")))
                    .withRolloutBatch(g.path("rollout_batch").asInt(d.rolloutBatch()));
            return new Grpo(c, g.path("safety_weight").asDouble(1), g.path("format_weight").asDouble(1));
        } catch (ThinkSafeException e) {
            throw new ThinkSafeException(where + ": grpo: " + e.getMessage());
        }
    }

    /** GRPO's settings when the run is GRPO's, else null. */
    public Grpo grpo() {
        return method instanceof Grpo g ? g : null;
    }

    /** {@code epochs}: the method's default when the config gives none (the paper's Table 4 for the baselines). */
    private static TrainConfig trainConfig(JsonNode t, boolean full, long seed, int epochs, String where) {
        TrainConfig d = TrainConfig.paperDefaults();
        try {
            LoraConfig lora = full ? null : new LoraConfig(t.path("lora_r").asInt(32), t.path("lora_alpha").asDouble(16),
                    t.path("lora_dropout").asDouble(0.05), targets(t.path("lora_targets")));
            return d.withLora(lora).withSchedule(t.path("lr").asDouble(d.lr()), t.path("epochs").asInt(epochs),
                            t.path("batch").asInt(d.effectiveBatch()), seed)
                    .withMemory(t.path("micro_batch_tokens").asInt(d.microBatchTokens()), t.path("recompute").asBoolean(false),
                            t.path("max_tokens").asInt(d.maxTokens()))
                    .withCheckpoints(t.path("checkpoint_every").asInt(d.checkpointEvery()), d.keepCheckpoints());
        } catch (IllegalArgumentException e) {
            throw new ThinkSafeException(where + ": train: " + e.getMessage());
        }
    }

    private static List<String> targets(JsonNode n) {
        if (n.isMissingNode() || n.isNull()) {
            return List.of("q_proj", "v_proj");
        }
        List<String> out = new ArrayList<>();
        if (n.isTextual()) {
            for (String s : n.asText().split(",")) {
                out.add(s.strip());
            }
        } else {
            n.forEach(x -> out.add(x.asText()));
        }
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** URLs and format prefixes stay as they are; directories are made absolute against the config's folder. */
    static String resolveModel(Path base, String spec) {
        String prefix = "";
        String rest = spec;
        for (String p : new String[] {"llama-guard:", "wildguard:"}) {
            if (spec.startsWith(p)) {
                prefix = p;
                rest = spec.substring(p.length());
            }
        }
        if (rest.startsWith("http://") || rest.startsWith("https://")) {
            return spec;
        }
        return prefix + base.resolve(rest).normalize();
    }
}
