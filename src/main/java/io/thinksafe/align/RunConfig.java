package io.thinksafe.align;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.model.LoraConfig;
import io.thinksafe.generate.ModelSpec;
import io.thinksafe.train.GrpoConfig;
import io.thinksafe.train.GrpoTrainer;
import io.thinksafe.train.InitAdapter;
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
 * grpo: {group: 8, temperature: 0.7, beta: 0.04, epsilon: 0.2}          # recipes grpo and thinksafe_grpo; max_new_tokens as sampling's
 * seed: 0
 * </pre>
 *
 * <p>Beyond the paper (issue 16): {@code student: {url, dir, ...}} names a served student and its
 * weights here ({@link ServedStudent}); {@code train.init_adapter} starts training from an adapter;
 * {@code rounds: N} with {@code iterate} and {@code eval} makes ThinkSafe iterative ({@link Iterative});
 * {@code recipe: thinksafe_grpo} runs GRPO from ThinkSafe's adapter ({@link WarmStart}). Loading checks
 * the settings themselves; what they name (models, files, held-out prompts) is checked when a
 * {@link Pipeline} opens the run, before its first stage ({@link RunChecks}).
 *
 * @param studentDir the student's weights here: its directory, or {@code student.dir} of a served one (null when not given)
 * @param served     a served student's settings, or null when the student is a directory
 * @param initAdapter the adapter training starts from ({@code train.init_adapter}), or null
 */
public record RunConfig(Path file, Path runDir, String student, String teacher, List<String> guards, String guardPolicy,
                        Path promptFile, int promptSample, int promptLimit, Method method, SteeringTemplate steering,
                        JsonNode sampling, TrainConfig train, long seed, ObjectNode normalized, RecipeOptions options,
                        Path studentDir, ServedStudent served, InitAdapter initAdapter) {

    /**
     * {@code recipe: grpo}: GRPO's settings and reward weights, and its KL reference when it starts from
     * an adapter ({@code grpo.reference: init|base}; {@code init} by default).
     */
    public record Grpo(GrpoConfig config, double safetyWeight, double formatWeight, GrpoTrainer.Reference reference) implements Method {
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
            "loss_norm", "rollout_batch", "safety_weight", "format_weight", "reference", "lr", "epochs", "batch");

    private static final Set<String> DISTILL_KEYS = Set.of("samples", "temperature", "max_new_tokens", "rollout_batch");

    private static final Set<String> KEYS = Set.of("run_dir", "student", "teacher", "guard", "guard_policy", "prompts",
            "recipe", "steering", "sampling", "train", "seed", "eval", "grpo", "keep", "star1", "safepath", "safekey", "distill",
            "rounds", "iterate");

    private static final Set<String> TRAIN_KEYS = Set.of("lora_r", "lora_alpha", "lora_dropout", "lora_targets", "lr", "epochs", "batch",
            "micro_batch_tokens", "recompute", "max_tokens", "checkpoint_every", "full", "init_adapter");

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
        boolean warm = WarmStart.matches(recipeKey);
        Recipe recipe = online || distill ? null : warm ? WarmStart.RECIPE : Recipe.parse(recipeKey);
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
        JsonNode st = root.path("student");
        if (st.isMissingNode() || st.isNull()) {
            throw new ThinkSafeException(where + ": 'student' is missing (the model to align: a directory, a URL, or "
                    + "{url: URL, dir: DIR} for a served student whose weights are also here)");
        }
        String student;
        Path studentDir;
        ServedStudent served = null;
        if (st.isObject()) {
            served = ServedStudent.parse(st, base, where);
            student = served != null ? served.url() : resolveModel(base, text(st, "dir"));
            studentDir = served != null ? served.dir() : Path.of(student);
        } else {
            student = resolveModel(base, st.asText());
            studentDir = ModelSpec.parse(student).isRemote() ? null : Path.of(student);
        }
        JsonNode t = root.path("train");
        for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!TRAIN_KEYS.contains(k)) {
                throw new ThinkSafeException(where + ": train: unknown setting '" + k + "' (known: "
                        + String.join(", ", new java.util.TreeSet<>(TRAIN_KEYS)) + ")");
            }
        }
        boolean full = t.path("full").asBoolean(false);
        TrainConfig train = trainConfig(t, full, root.path("seed").asLong(0), recipe == null ? TrainConfig.paperDefaults().epochs()
                : recipe.defaultEpochs, where);
        InitAdapter init = null;
        if (t.hasNonNull("init_adapter")) {
            try {
                init = InitAdapter.read(base.resolve(t.get("init_adapter").asText()).normalize());
            } catch (ThinkSafeException e) {
                throw new ThinkSafeException(where + ": train.init_adapter: " + e.getMessage());
            }
            train = init.applyTo(train, t.has("lora_r") || t.has("lora_alpha") || t.has("lora_targets"), where + ": train.init_adapter");
        }
        Method method = recipe;
        if (online || warm) {
            if (full) {
                throw new ThinkSafeException(where + ": recipe " + (warm ? WarmStart.KEY : Grpo.KEY) + " trains LoRA adapters "
                        + "(GRPO's KL reference is the base with adapters off, or the start adapter); remove train.full");
            }
            Grpo settings = grpo(root.path("grpo"), root.path("sampling"), train, where);
            method = warm ? new WarmStart(recipe, settings) : settings;
        } else if (root.has("grpo")) {
            throw new ThinkSafeException(where + ": 'grpo' settings need recipe: grpo or thinksafe_grpo (the recipe is " + recipeKey.strip() + ")");
        }
        if (distill) {
            if (full) {
                throw new ThinkSafeException(where + ": recipe onpolicy_distill trains LoRA adapters; remove train.full");
            }
            method = distill(root.path("distill"), root.path("sampling"), train, where);
        } else if (root.has("distill")) {
            throw new ThinkSafeException(where + ": 'distill' settings need recipe: onpolicy_distill (the recipe is " + recipeKey.strip() + ")");
        }
        RecipeOptions options = RecipeOptions.parse(root, recipe, method.key(), base, where);
        // the guard filters or scores; on-policy distillation and STAR-1 with an LLM judge have no use for one
        boolean needsGuard = !distill && !(options.star1() != null && !options.star1().standIn());
        if (guards.isEmpty() && needsGuard) {
            throw new ThinkSafeException(where + ": 'guard' is missing (" + (options.star1() != null
                    ? "star1.judge: guard scores traces with it" : "the judge that filters self-generated data") + ")");
        }
        Path runDir = base.resolve(root.path("run_dir").asText("runs/" + method.key()));
        method = Iterative.parse(root, method, base, runDir, guards, where);
        RunConfig cfg = new RunConfig(file, runDir, student, teacher == null ? null : resolveModel(base, teacher),
                guards, root.path("guard_policy").asText("all"), base.resolve(promptFile),
                prompts.path("sample").asInt(0), prompts.path("limit").asInt(0), method,
                SteeringTemplate.parse(root.path("steering").asText("prefix")), root.path("sampling"), train,
                root.path("seed").asLong(0), (ObjectNode) root, options, studentDir, served, init);
        return cfg;
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

    /** The data recipe whose stages make a training set: the method itself, or the one it repeats or warms up with; null for GRPO. */
    public Recipe recipe() {
        if (method instanceof Recipe r) {
            return r;
        }
        if (method instanceof Iterative i) {
            return i.recipe();
        }
        return method instanceof WarmStart w ? w.recipe() : null;
    }

    /** Iterative ThinkSafe's settings, or null for a run of one round. */
    public Iterative iterative() {
        return method instanceof Iterative i ? i : null;
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
            TrainConfig own = train.withSchedule(g.path("lr").asDouble(train.lr()), g.path("epochs").asInt(train.epochs()),
                    g.path("batch").asInt(train.effectiveBatch()), train.seed());
            GrpoConfig c = d.withTrain(own)
                    .withSampling(g.path("group").asInt(d.group()), g.path("temperature").asDouble(d.temperature()),
                            g.path("max_new_tokens").asInt(sampling.path("max_new_tokens").asInt(d.maxNewTokens())))
                    .withObjective(g.path("beta").asDouble(d.beta()), g.path("epsilon").asDouble(d.clip()),
                            g.path("iterations").asInt(d.iterations()), GrpoConfig.LossNorm.parse(g.path("loss_norm").asText("sequence")))
                    .withRolloutBatch(g.path("rollout_batch").asInt(d.rolloutBatch()));
            return new Grpo(c, g.path("safety_weight").asDouble(1), g.path("format_weight").asDouble(1),
                    GrpoTrainer.Reference.parse(g.path("reference").asText("init")));
        } catch (ThinkSafeException e) {
            throw new ThinkSafeException(where + ": grpo: " + e.getMessage());
        }
    }

    /** GRPO's settings when the run has a GRPO stage (recipes grpo and thinksafe_grpo), else null. */
    public Grpo grpo() {
        return method instanceof Grpo g ? g : method instanceof WarmStart w ? w.grpo() : null;
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
        if (spec == null) {
            throw new ThinkSafeException("a model is missing (a directory or URL)");
        }
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
