package io.thinksafe.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * LoRA hyper-parameters, as PEFT names them. The paper's defaults: rank 32, alpha 16, dropout 0.05
 * on {@code q_proj} and {@code v_proj}. The update is {@code W + (alpha / r) · B · A}.
 */
public record LoraConfig(int r, double alpha, double dropout, List<String> targetModules) {
    public static final List<String> ALL_MODULES = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    public LoraConfig {
        if (r <= 0) {
            throw new IllegalArgumentException("LoRA rank must be positive, got " + r);
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
        }
        for (String m : targetModules) {
            if (!ALL_MODULES.contains(m)) {
                throw new IllegalArgumentException("unknown LoRA target module '" + m + "'; known: " + ALL_MODULES);
            }
        }
        targetModules = List.copyOf(targetModules);
    }

    /**
     * Reads and checks a PEFT adapter directory's {@code adapter_config.json}: plain LoRA only (no DoRA,
     * rsLoRA, fan-in-fan-out weights, trained biases or whole replaced modules), target modules as a list.
     */
    public static LoraConfig read(Path dir) {
        Path file = dir.resolve("adapter_config.json");
        if (!Files.exists(file)) {
            throw new ThinkSafeException(dir + ": adapter_config.json is missing (not a PEFT adapter directory)");
        }
        JsonNode c = Json.read(file);
        if (!c.path("peft_type").asText("").equals("LORA")) {
            throw new ThinkSafeException(file + ": field 'peft_type' is '" + c.path("peft_type").asText("")
                    + "'; only LORA adapters are supported");
        }
        for (String flag : List.of("use_dora", "use_rslora", "fan_in_fan_out")) {
            if (c.path(flag).asBoolean(false)) {
                throw new ThinkSafeException(file + ": field '" + flag + "' is true; only plain LoRA (W + alpha/r·B·A) is supported");
            }
        }
        if (!c.path("bias").asText("none").equals("none")) {
            throw new ThinkSafeException(file + ": field 'bias' is '" + c.path("bias").asText() + "'; only 'none' is supported");
        }
        JsonNode saved = c.path("modules_to_save");
        if (saved.isArray() && saved.size() > 0) {
            throw new ThinkSafeException(file + ": field 'modules_to_save' lists " + saved
                    + "; adapters that replace whole modules are not supported");
        }
        JsonNode tm = c.path("target_modules");
        if (!tm.isArray()) {
            throw new ThinkSafeException(file + ": field 'target_modules' must list module names, got " + tm);
        }
        List<String> modules = new ArrayList<>();
        tm.forEach(m -> modules.add(m.asText()));
        try {
            return new LoraConfig(c.path("r").asInt(0), c.path("lora_alpha").asDouble(0), c.path("lora_dropout").asDouble(0), modules);
        } catch (IllegalArgumentException e) {
            throw new ThinkSafeException(file + ": " + e.getMessage());
        }
    }

    /** The adapter's weights file, which must exist (a pickle {@code adapter_model.bin} is refused: it can run code). */
    public static Path weightsFile(Path dir) {
        Path file = dir.resolve("adapter_model.safetensors");
        if (!Files.exists(file)) {
            throw new ThinkSafeException(dir + ": adapter_model.safetensors is missing"
                    + (Files.exists(dir.resolve("adapter_model.bin")) ? " (pickle adapter_model.bin is refused: it can run code)" : ""));
        }
        return file;
    }

    public static LoraConfig paperDefaults() {
        return new LoraConfig(32, 16, 0.05, List.of("q_proj", "v_proj"));
    }

    public float scale() {
        return (float) (alpha / r);
    }
}
