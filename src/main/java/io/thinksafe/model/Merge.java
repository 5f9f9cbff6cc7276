package io.thinksafe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.util.AtomicDirs;
import io.thinksafe.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a model derived from a base checkpoint: every tensor in the base's dtype and shard layout,
 * its values given by a function of the tensor name, with config and tokenizer files copied, so our
 * engine and transformers load the result as an ordinary model. Used to fold a LoRA adapter in
 * ({@code W' = W + (alpha/r)·B·A}) and to save fully fine-tuned weights.
 */
public final class Merge {
    private Merge() {}

    /** The values of a tensor of the new model, as float32. */
    public interface Values {
        float[] of(String name);
    }

    /** Writes the base with the adapter folded in to {@code target}, which appears only once complete. */
    public static void write(Checkpoint base, Adapter adapter, Path target) {
        Map<String, LoraLinear> adapted = new HashMap<>();
        for (Adapter.Module m : adapter.modules()) {
            // "base_model.model.model.layers.0.self_attn.q_proj" -> "model.layers.0.self_attn.q_proj.weight"
            adapted.put(m.key().substring("base_model.model.".length()) + ".weight", m.lora());
        }
        write(base, name -> mergedValues(base, name, adapted.get(name)), target);
    }

    /** Writes a model with the base's layout and the given values to {@code target}, atomically. */
    public static void write(Checkpoint base, Values values, Path target) {
        Path out = AtomicDirs.prepare(target);
        writeInto(base, values, out);
        AtomicDirs.commit(out, target);
    }

    private static void writeInto(Checkpoint base, Values values, Path out) {
        DType dtype = base.storageDtype();
        Map<String, List<String>> shards = shardLayout(base);
        try {
            Files.createDirectories(out);
            try (Stream<Path> files = Files.list(base.dir())) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String n = f.getFileName().toString();
                    boolean weights = n.endsWith(".safetensors") || n.equals("model.safetensors.index.json")
                            || n.endsWith(".bin") || n.endsWith(".pt") || n.endsWith(".pth");
                    if (Files.isRegularFile(f) && !weights) {
                        Files.copy(f, out.resolve(n), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        } catch (IOException e) {
            throw new ThinkSafeException(out + ": cannot write (" + e.getMessage() + ")");
        }
        long total = 0;
        ObjectNode map = Json.object();
        for (Map.Entry<String, List<String>> shard : shards.entrySet()) {
            List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
            for (String name : shard.getValue()) {
                SafetensorsFile.Entry e = base.entry(name);
                tensors.add(new SafetensorsWriter.Tensor(name, e.dtype().isFloat() ? dtype : e.dtype(), e.shape(),
                        () -> values.of(name)));
                map.put(name, shard.getKey());
                total += e.numel() * dtype.bytes;
            }
            SafetensorsWriter.write(out.resolve(shard.getKey()), tensors, Map.of("format", "pt"));
        }
        if (shards.size() > 1) {
            ObjectNode index = Json.object();
            index.putObject("metadata").put("total_size", total);
            index.set("weight_map", map);
            Json.writePretty(out.resolve("model.safetensors.index.json"), index);
        }
        ObjectNode config = (ObjectNode) Json.read(base.dir().resolve("config.json"));
        config.put("torch_dtype", dtype.torchName());
        Json.writePretty(out.resolve("config.json"), config);
    }

    private static float[] mergedValues(Checkpoint base, String name, LoraLinear lora) {
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            // the adapter's own fold (W + scale·B·A, in float32), read from the base file when not adapted
            NDArray w = lora == null ? base.loadRaw(name, m) : lora.mergedWeight(m);
            return w.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        }
    }

    /** Shard file name to tensor names, as the base checkpoint lays them out. */
    private static Map<String, List<String>> shardLayout(Checkpoint base) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        Path index = base.dir().resolve("model.safetensors.index.json");
        if (Files.exists(index)) {
            JsonNode wm = Json.read(index).path("weight_map");
            wm.fields().forEachRemaining(f -> out.computeIfAbsent(f.getValue().asText(), k -> new ArrayList<>()).add(f.getKey()));
        } else {
            out.put("model.safetensors", new ArrayList<>(base.tensorNames()));
        }
        return out;
    }
}
