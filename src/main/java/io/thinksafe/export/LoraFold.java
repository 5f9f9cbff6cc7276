package io.thinksafe.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.model.Checkpoint;
import io.thinksafe.model.LoraConfig;
import io.thinksafe.model.SafetensorsFile;
import io.thinksafe.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A PEFT LoRA adapter read from its files ({@code adapter_config.json}, {@code adapter_model.safetensors}),
 * to be folded into the base weights at float32 before any rounding: {@code W + (alpha / r) · B · A},
 * computed by the same libtorch operations our decoder uses when it folds an adapter.
 */
final class LoraFold {
    /** The adapter's A [r, in] and B [out, r] for one base weight. */
    private record Pair(String a, String b) {}

    private static final List<String> ATTENTION = List.of("q_proj", "k_proj", "v_proj", "o_proj");

    private final LoraConfig config;
    private final SafetensorsFile weights;
    /** Base weight name ("model.layers.0.self_attn.q_proj.weight") to its LoRA tensors. */
    private final Map<String, Pair> targets;

    private LoraFold(LoraConfig config, SafetensorsFile weights, Map<String, Pair> targets) {
        this.config = config;
        this.weights = weights;
        this.targets = targets;
    }

    /** Reads and checks the adapter against the base checkpoint: every tensor present with the shape the base implies. */
    static LoraFold read(Path dir, Checkpoint base) {
        Path configFile = dir.resolve("adapter_config.json");
        if (!Files.exists(configFile)) {
            throw new ThinkSafeException(dir + ": adapter_config.json is missing (not a PEFT adapter directory)");
        }
        JsonNode c = Json.read(configFile);
        if (!c.path("peft_type").asText("").equals("LORA")) {
            throw new ThinkSafeException(configFile + ": field 'peft_type' is '" + c.path("peft_type").asText("")
                    + "'; only LORA adapters can be folded in");
        }
        for (String flag : List.of("use_dora", "use_rslora", "fan_in_fan_out")) {
            if (c.path(flag).asBoolean(false)) {
                throw new ThinkSafeException(configFile + ": field '" + flag + "' is true; only plain LoRA (W + alpha/r·B·A) is supported");
            }
        }
        if (!c.path("bias").asText("none").equals("none")) {
            throw new ThinkSafeException(configFile + ": field 'bias' is '" + c.path("bias").asText() + "'; only 'none' is supported");
        }
        JsonNode saved = c.path("modules_to_save");
        if (saved.isArray() && saved.size() > 0) {
            throw new ThinkSafeException(configFile + ": field 'modules_to_save' lists " + saved
                    + "; adapters that replace whole modules are not supported");
        }
        JsonNode tm = c.path("target_modules");
        if (!tm.isArray()) {
            throw new ThinkSafeException(configFile + ": field 'target_modules' must list module names, got " + tm);
        }
        List<String> modules = new ArrayList<>();
        tm.forEach(m -> modules.add(m.asText()));
        LoraConfig config;
        try {
            config = new LoraConfig(c.path("r").asInt(0), c.path("lora_alpha").asDouble(0), c.path("lora_dropout").asDouble(0), modules);
        } catch (IllegalArgumentException e) {
            throw new ThinkSafeException(configFile + ": " + e.getMessage());
        }
        Path file = dir.resolve("adapter_model.safetensors");
        if (!Files.exists(file)) {
            throw new ThinkSafeException(dir + ": adapter_model.safetensors is missing"
                    + (Files.exists(dir.resolve("adapter_model.bin")) ? " (pickle adapter_model.bin is refused: it can run code)" : ""));
        }
        SafetensorsFile weights = SafetensorsFile.open(file);
        Map<String, Pair> targets = new LinkedHashMap<>();
        for (int layer = 0; layer < base.config().numLayers(); layer++) {
            for (String module : config.targetModules()) {
                String path = "model.layers." + layer + (ATTENTION.contains(module) ? ".self_attn." : ".mlp.") + module;
                long[] w = base.entry(path + ".weight").shape();
                String key = "base_model.model." + path;
                Pair p = new Pair(key + ".lora_A.weight", key + ".lora_B.weight");
                checkShape(weights, p.a(), config.r(), w[1]);
                checkShape(weights, p.b(), w[0], config.r());
                targets.put(path + ".weight", p);
            }
        }
        long present = weights.entries().keySet().stream().filter(k -> k.contains(".lora_")).count();
        if (present != 2L * targets.size()) {
            throw new ThinkSafeException(file + ": holds " + present + " LoRA tensors but target_modules " + modules + " on "
                    + base.config().numLayers() + " layers need " + 2 * targets.size());
        }
        return new LoraFold(config, weights, targets);
    }

    private static void checkShape(SafetensorsFile file, String name, long rows, long cols) {
        long[] shape = file.entry(name).shape();
        if (shape.length != 2 || shape[0] != rows || shape[1] != cols) {
            throw new ThinkSafeException(file.path() + ": tensor '" + name + "' has shape " + Arrays.toString(shape)
                    + " but the base model and rank imply [" + rows + ", " + cols + "]");
        }
    }

    /** The base weight with the adapter folded in (float32), or the weight itself when the adapter leaves it alone. */
    NDArray apply(String weightName, NDArray weight, NDManager manager) {
        Pair p = targets.get(weightName);
        if (p == null) {
            return weight;
        }
        NDArray a = weights.loadFloat32(p.a(), manager);
        NDArray b = weights.loadFloat32(p.b(), manager);
        return weight.add(b.matMul(a).mul(config.scale()));
    }
}
