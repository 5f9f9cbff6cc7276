package io.thinksafe.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.model.Checkpoint;
import io.thinksafe.model.LoraConfig;
import io.thinksafe.model.SafetensorsFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A PEFT LoRA adapter read from its files ({@code adapter_config.json}, {@code adapter_model.safetensors}),
 * to be folded into the base weights at float32 before any rounding: {@code W + (alpha / r) · B · A},
 * computed by {@link io.thinksafe.model.LoraLinear#fold}, the fold every other command uses.
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
        LoraConfig config = LoraConfig.read(dir);
        Path file = LoraConfig.weightsFile(dir);
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
            throw new ThinkSafeException(file + ": holds " + present + " LoRA tensors but target_modules " + config.targetModules() + " on "
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
        return io.thinksafe.model.LoraLinear.fold(weight, a, b, config.scale());
    }
}
