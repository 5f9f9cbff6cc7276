package io.thinksafe.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.model.LoraConfig;
import io.thinksafe.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A PEFT LoRA adapter that training starts from ({@code train --init-adapter}, {@code grpo
 * --init-adapter}, {@code train.init_adapter} in a run config, a later round of iterative ThinkSafe,
 * GRPO after ThinkSafe): its shape (rank, alpha, target modules) is the run's, its weights the first
 * step's, and its fingerprint part of the run's identity, so a resumed run refuses another start.
 */
public record InitAdapter(Path dir, LoraConfig shape, String fingerprint) {

    /** Reads and checks an adapter directory without loading its tensors. */
    public static InitAdapter read(Path dir) {
        Path cfg = dir.resolve("adapter_config.json");
        if (!Files.isRegularFile(cfg)) {
            throw new ThinkSafeException(dir + ": not a PEFT adapter (no adapter_config.json)");
        }
        Path weights = dir.resolve("adapter_model.safetensors");
        if (!Files.isRegularFile(weights)) {
            throw new ThinkSafeException(dir + ": adapter_model.safetensors is missing");
        }
        JsonNode c = Json.read(cfg);
        if (!c.path("peft_type").asText("").equals("LORA")) {
            throw new ThinkSafeException(cfg + ": peft_type is '" + c.path("peft_type").asText("") + "'; only LORA adapters can be trained on");
        }
        List<String> targets = new ArrayList<>();
        c.path("target_modules").forEach(x -> targets.add(x.asText()));
        LoraConfig shape;
        try {
            shape = new LoraConfig(c.path("r").asInt(0), c.path("lora_alpha").asDouble(0), c.path("lora_dropout").asDouble(0), targets);
        } catch (IllegalArgumentException e) {
            throw new ThinkSafeException(cfg + ": " + e.getMessage());
        }
        return new InitAdapter(dir.toAbsolutePath().normalize(), shape, hash(cfg, weights));
    }

    /**
     * {@code cfg} with this adapter's rank, alpha and target modules (its own dropout stays). When
     * {@code shapeGiven}, the run named a shape itself, and one that differs from the adapter's is refused.
     */
    public TrainConfig applyTo(TrainConfig cfg, boolean shapeGiven, String where) {
        if (cfg.full()) {
            throw new ThinkSafeException(where + ": --init-adapter " + dir + " starts LoRA training from an adapter; full fine-tuning "
                    + "cannot start from one (fold it in first with thinksafe merge)");
        }
        LoraConfig want = cfg.lora();
        boolean same = want.r() == shape.r() && want.alpha() == shape.alpha() && want.targetModules().equals(shape.targetModules());
        if (shapeGiven && !same) {
            throw new ThinkSafeException(where + ": the LoRA shape given (r " + want.r() + ", alpha " + num(want.alpha()) + ", "
                    + String.join(",", want.targetModules()) + ") differs from the adapter's in " + dir + " (r " + shape.r() + ", alpha "
                    + num(shape.alpha()) + ", " + String.join(",", shape.targetModules()) + "); leave the shape out to take the adapter's");
        }
        return cfg.withLora(new LoraConfig(shape.r(), shape.alpha(), want.dropout(), shape.targetModules()));
    }

    private static String num(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** sha256 over the config and the weights. */
    private static String hash(Path... files) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (Path f : files) {
                try (InputStream in = Files.newInputStream(f)) {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        d.update(buf, 0, n);
                    }
                }
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (IOException e) {
            throw new ThinkSafeException("cannot read the adapter (" + e.getMessage() + ")");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
