package io.thinksafe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * LoRA adapters installed on a {@link Transformer}, read and written in PEFT's format so that
 * transformers/PEFT and vLLM ({@code --enable-lora}) load them: {@code adapter_config.json} and
 * {@code adapter_model.safetensors} with keys
 * {@code base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight} ([r, in]) and
 * {@code …lora_B.weight} ([out, r]).
 */
public final class Adapter {
    /** One wrapped projection: its PEFT module path (without the lora_A/B suffix) and the layer. */
    public record Module(String key, LoraLinear lora) {}

    private final Transformer model;
    private final LoraConfig config;
    private final List<Module> modules;

    private Adapter(Transformer model, LoraConfig config, List<Module> modules) {
        this.model = model;
        this.config = config;
        this.modules = List.copyOf(modules);
    }

    public LoraConfig config() {
        return config;
    }

    public List<Module> modules() {
        return modules;
    }

    /**
     * Wraps the target projections of every layer with fresh LoRA weights, initialised as PEFT does:
     * A ~ U(-1/√in, 1/√in) (Kaiming-uniform with a = √5), B = 0, so the model is unchanged at first.
     */
    public static Adapter attach(Transformer t, LoraConfig config, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        return install(t, config, (key, base) -> {
            int in = base.inFeatures();
            float bound = (float) (1.0 / Math.sqrt(in));
            float[] a = new float[config.r() * in];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
            }
            // same dtype as the base weight (float32, or float64 in gradient checks)
            NDArray aArr = t.manager().create(a, new Shape(config.r(), in)).toType(base.weight().getDataType(), false);
            NDArray bArr = t.manager().zeros(new Shape(base.outFeatures(), config.r()), base.weight().getDataType());
            return new NDArray[] {aArr, bArr};
        });
    }

    /** Reads a PEFT adapter directory and installs it on {@code t}. */
    public static Adapter load(Transformer t, Path dir) {
        Path cfgFile = dir.resolve("adapter_config.json");
        if (!Files.exists(cfgFile)) {
            throw new ThinkSafeException(dir + ": adapter_config.json is missing (not a PEFT adapter directory)");
        }
        JsonNode c = Json.read(cfgFile);
        String type = c.path("peft_type").asText("");
        if (!type.equals("LORA")) {
            throw new ThinkSafeException(cfgFile + ": peft_type is '" + type + "'; only LORA adapters are supported");
        }
        if (c.path("use_dora").asBoolean(false) || c.path("use_rslora").asBoolean(false)) {
            throw new ThinkSafeException(cfgFile + ": DoRA and rsLoRA adapters are not supported");
        }
        List<String> targets = new ArrayList<>();
        JsonNode tm = c.path("target_modules");
        if (tm.isArray()) {
            tm.forEach(x -> targets.add(x.asText()));
        } else if (tm.isTextual()) {
            throw new ThinkSafeException(cfgFile + ": target_modules given as a pattern ('" + tm.asText()
                    + "'); list the module names instead");
        }
        LoraConfig config;
        try {
            config = new LoraConfig(c.path("r").asInt(0), c.path("lora_alpha").asDouble(0),
                    c.path("lora_dropout").asDouble(0), targets);
        } catch (IllegalArgumentException e) {
            throw new ThinkSafeException(cfgFile + ": " + e.getMessage());
        }
        Path weights = dir.resolve("adapter_model.safetensors");
        if (!Files.exists(weights)) {
            throw new ThinkSafeException(dir + ": adapter_model.safetensors is missing"
                    + (Files.exists(dir.resolve("adapter_model.bin")) ? " (pickle adapter_model.bin is refused: it can run code)" : ""));
        }
        SafetensorsFile file = SafetensorsFile.open(weights);
        // Check every tensor before touching the model, so a bad adapter leaves it as it was.
        forEachTarget(t, config, (key, base) -> {
            check(weights, file, key + ".lora_A.weight", config.r(), base.inFeatures());
            check(weights, file, key + ".lora_B.weight", base.outFeatures(), config.r());
            return null;
        });
        int expected = 2 * config.targetModules().size() * t.config().numLayers();
        long present = file.entries().keySet().stream().filter(k -> k.contains(".lora_")).count();
        if (present != expected) {
            throw new ThinkSafeException(weights + ": holds " + present + " LoRA tensors but the config's target_modules on "
                    + t.config().numLayers() + " layers need " + expected);
        }
        // private copies: the mapped file is read-only and training updates these in place
        return install(t, config, (key, base) -> new NDArray[] {
            file.loadFloat32(key + ".lora_A.weight", t.manager()).duplicate(),
            file.loadFloat32(key + ".lora_B.weight", t.manager()).duplicate()});
    }

    private interface Init {
        NDArray[] weights(String key, DenseLinear base);
    }

    private static void check(Path file, SafetensorsFile st, String key, long rows, long cols) {
        long[] shape = st.entry(key).shape();
        if (shape.length != 2 || shape[0] != rows || shape[1] != cols) {
            throw new ThinkSafeException(file + ": tensor '" + key + "' has shape " + java.util.Arrays.toString(shape)
                    + " but the base model and rank imply [" + rows + ", " + cols + "]");
        }
    }

    private static void forEachTarget(Transformer t, LoraConfig config, Init visit) {
        String[] names = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
        for (int i = 0; i < t.config().numLayers(); i++) {
            Transformer.Layer l = t.layers().get(i);
            Linear[] lin = {l.q(), l.k(), l.v(), l.o(), l.gate(), l.up(), l.down()};
            for (int m = 0; m < lin.length; m++) {
                if (config.targetModules().contains(names[m]) && lin[m] instanceof DenseLinear base) {
                    visit.weights(moduleKey(i, names[m]), base);
                }
            }
        }
    }

    static String moduleKey(int layer, String name) {
        boolean attention = name.equals("q_proj") || name.equals("k_proj") || name.equals("v_proj") || name.equals("o_proj");
        return "base_model.model.model.layers." + layer + (attention ? ".self_attn." : ".mlp.") + name;
    }

    private static Adapter install(Transformer t, LoraConfig config, Init init) {
        List<Module> modules = new ArrayList<>();
        for (int i = 0; i < t.config().numLayers(); i++) {
            Transformer.Layer l = t.layers().get(i);
            Linear[] lin = {l.q(), l.k(), l.v(), l.o(), l.gate(), l.up(), l.down()};
            String[] names = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
            for (int m = 0; m < lin.length; m++) {
                if (!config.targetModules().contains(names[m])) {
                    continue;
                }
                if (!(lin[m] instanceof DenseLinear base)) {
                    throw new ThinkSafeException("layer " + i + " " + names[m] + " already carries an adapter");
                }
                String key = moduleKey(i, names[m]);
                NDArray[] ab = init.weights(key, base);
                LoraLinear lora = new LoraLinear(base, ab[0], ab[1], config.scale(), (float) config.dropout());
                lin[m] = lora;
                modules.add(new Module(key, lora));
            }
            t.setLayer(i, new Transformer.Layer(l.inputNorm(), lin[0], lin[1], lin[2], lin[3], l.qNorm(), l.kNorm(),
                    l.postNorm(), lin[4], lin[5], lin[6]));
        }
        return new Adapter(t, config, modules);
    }

    /**
     * Replaces every adapted projection by a plain one with the merged weight {@code W + scale·B·A}
     * (a copy; the base stays untouched in its file), for fast inference: the Java decode path runs
     * plain matrices only. The adapter can no longer be switched off afterwards.
     */
    public void foldIntoModel() {
        for (int i = 0; i < model.config().numLayers(); i++) {
            Transformer.Layer l = model.layers().get(i);
            model.setLayer(i, new Transformer.Layer(l.inputNorm(), fold(l.q()), fold(l.k()), fold(l.v()), fold(l.o()),
                    l.qNorm(), l.kNorm(), l.postNorm(), fold(l.gate()), fold(l.up()), fold(l.down())));
        }
    }

    /**
     * A plain model over the same weights with every adapted projection replaced by a merged copy
     * {@code W + scale·B·A}, for fast sampling from the current adapter: the Java decode path runs
     * plain matrices only. The adapter stays live on the original. Closing the copy frees the merged
     * tensors and nothing else; weights the two share stay with the original.
     */
    public Transformer mergedCopy() {
        NDManager copies = model.manager().newSubManager();
        List<Transformer.Layer> layers = new ArrayList<>();
        boolean grad = ai.djl.pytorch.jni.JniUtils.isGradMode();
        ai.djl.pytorch.jni.JniUtils.setGradMode(false); // a snapshot, not part of any graph
        try {
            for (Transformer.Layer l : model.layers()) {
                layers.add(new Transformer.Layer(l.inputNorm(), fold(l.q(), copies), fold(l.k(), copies), fold(l.v(), copies),
                        fold(l.o(), copies), l.qNorm(), l.kNorm(), l.postNorm(), fold(l.gate(), copies), fold(l.up(), copies),
                        fold(l.down(), copies)));
            }
        } finally {
            ai.djl.pytorch.jni.JniUtils.setGradMode(grad);
        }
        return new Transformer(model.config(), copies, model.embedding(), layers, model.finalNormWeight(), model.lmHead());
    }

    /** The merged weight owned by {@code owner}; the product's temporaries are freed at once. */
    private static Linear fold(Linear linear, NDManager owner) {
        if (!(linear instanceof LoraLinear lora)) {
            return linear;
        }
        try (NDManager tmp = owner.newSubManager()) {
            NDArray delta = lora.b().matMul(lora.a());
            delta.attach(tmp);
            NDArray merged = lora.base().weight().add(delta.mul(lora.scale()));
            merged.attach(owner);
            return new DenseLinear(merged, lora.base().bias());
        }
    }

    private static Linear fold(Linear linear) {
        if (!(linear instanceof LoraLinear lora)) {
            return linear;
        }
        NDArray merged = lora.base().weight().add(lora.b().matMul(lora.a()).mul(lora.scale()));
        return new DenseLinear(merged, lora.base().bias());
    }

    /** The trainable tensors in a fixed order (A then B of each module). */
    public List<NDArray> parameters() {
        List<NDArray> out = new ArrayList<>();
        for (Module m : modules) {
            out.add(m.lora().a());
            out.add(m.lora().b());
        }
        return out;
    }

    /** Names matching {@link #parameters()}, in PEFT's key format. */
    public List<String> parameterNames() {
        List<String> out = new ArrayList<>();
        for (Module m : modules) {
            out.add(m.key() + ".lora_A.weight");
            out.add(m.key() + ".lora_B.weight");
        }
        return out;
    }

    /** Off: the base model (the KL reference). */
    public void setEnabled(boolean on) {
        modules.forEach(m -> m.lora().setEnabled(on));
    }

    public void setTraining(boolean on) {
        modules.forEach(m -> m.lora().setTraining(on));
    }

    /** Seeds the dropout masks of the next forward; each module draws its own from this seed. */
    public void setMaskSeed(long seed) {
        for (int i = 0; i < modules.size(); i++) {
            modules.get(i).lora().setMaskSeed(seed * 1_000_003L + i);
        }
    }

    /** Writes {@code adapter_config.json} and {@code adapter_model.safetensors} (float32). */
    public void save(Path dir, String baseModelNameOrPath) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ThinkSafeException(dir + ": cannot create (" + e.getMessage() + ")");
        }
        ObjectNode c = Json.object();
        c.put("peft_type", "LORA");
        c.put("task_type", "CAUSAL_LM");
        c.put("r", config.r());
        c.put("lora_alpha", config.alpha());
        c.put("lora_dropout", config.dropout());
        var tm = c.putArray("target_modules");
        config.targetModules().forEach(tm::add);
        c.put("base_model_name_or_path", baseModelNameOrPath);
        c.put("bias", "none");
        c.put("fan_in_fan_out", false);
        c.put("inference_mode", true);
        c.put("init_lora_weights", true);
        c.put("use_rslora", false);
        c.put("use_dora", false);
        c.putNull("modules_to_save");
        c.putNull("layers_to_transform");
        List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
        List<NDArray> params = parameters();
        List<String> names = parameterNames();
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i);
            tensors.add(new SafetensorsWriter.Tensor(names.get(i), DType.F32, p.getShape().getShape(), p::toFloatArray));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        SafetensorsWriter.write(dir.resolve("adapter_model.safetensors"), tensors, meta);
        Json.writePretty(dir.resolve("adapter_config.json"), c);
    }
}
