package io.thinksafe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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
            // float32, or float64 over a float64 base (gradient checks); a bf16 base gets float32 factors, as PEFT's
            DataType type = base.weight().dtype() == DType.F64 ? DataType.FLOAT64 : DataType.FLOAT32;
            NDArray aArr = t.manager().create(a, new Shape(config.r(), in)).toType(type, false);
            NDArray bArr = t.manager().zeros(new Shape(base.outFeatures(), config.r()), type);
            return new NDArray[] {aArr, bArr};
        });
    }

    /** Reads a PEFT adapter directory and installs it on {@code t}. */
    public static Adapter load(Transformer t, Path dir) {
        return load(t, dir, null);
    }

    /**
     * Reads a PEFT adapter directory and installs it on {@code t} with another dropout than the one its
     * config names (null keeps that one): training that starts from an adapter uses its own dropout.
     */
    public static Adapter load(Transformer t, Path dir, Double dropout) {
        LoraConfig read = LoraConfig.read(dir);
        LoraConfig config = dropout == null ? read : new LoraConfig(read.r(), read.alpha(), dropout, read.targetModules());
        Path weights = LoraConfig.weightsFile(dir);
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
        for (int i = 0; i < t.config().numLayers(); i++) {
            Transformer.Layer l = t.layers().get(i);
            for (Projection p : Projection.values()) {
                if (config.targetModules().contains(p.moduleName()) && l.projection(p) instanceof DenseLinear base) {
                    visit.weights(moduleKey(i, p), base);
                }
            }
        }
    }

    /** PEFT's module path, e.g. {@code base_model.model.model.layers.0.self_attn.q_proj}. */
    static String moduleKey(int layer, Projection p) {
        return "base_model.model.model.layers." + layer + "." + p.path;
    }

    private static Adapter install(Transformer t, LoraConfig config, Init init) {
        List<Module> modules = new ArrayList<>();
        for (int i = 0; i < t.config().numLayers(); i++) {
            int layer = i;
            t.setLayer(i, t.layers().get(i).mapProjections((p, linear) -> {
                if (!config.targetModules().contains(p.moduleName())) {
                    return linear;
                }
                if (!(linear instanceof DenseLinear base)) {
                    throw new ThinkSafeException("layer " + layer + " " + p.moduleName() + " already carries an adapter");
                }
                String key = moduleKey(layer, p);
                NDArray[] ab = init.weights(key, base);
                LoraLinear lora = new LoraLinear(base, ab[0], ab[1], config.scale(), (float) config.dropout());
                modules.add(new Module(key, lora));
                return lora;
            }));
        }
        return new Adapter(t, config, modules);
    }

    /**
     * A plain model over the same weights with every adapted projection replaced by a merged float32
     * copy {@code W + scale·B·A}: a frozen snapshot of the current adapter (GRPO samples from one each
     * step). The adapter stays live on the original. Closing the copy frees the merged tensors and
     * nothing else; weights the two share stay with the original.
     */
    public Transformer mergedCopy() {
        NDManager copies = model.manager().newSubManager();
        List<Transformer.Layer> layers = new ArrayList<>();
        for (Transformer.Layer l : model.layers()) {
            layers.add(l.mapProjections((p, linear) -> linear instanceof LoraLinear lora
                    ? new DenseLinear(Weight.of(lora.mergedWeight(copies)), lora.base().bias()) : linear));
        }
        return new Transformer(model.config(), copies, model.embedding(), layers, model.finalNormWeight(), model.lmHead());
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
