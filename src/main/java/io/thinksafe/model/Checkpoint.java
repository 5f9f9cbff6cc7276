package io.thinksafe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A Hugging Face model directory: {@code config.json}, optional {@code generation_config.json}, and
 * weights in {@code model.safetensors} or shards listed by {@code model.safetensors.index.json}.
 * Pickle checkpoints ({@code pytorch_model.bin}) are refused: unpickling can run arbitrary code.
 */
public final class Checkpoint {
    private final Path dir;
    private final ModelConfig config;
    private final GenerationDefaults generation;
    /** Tensor name to the shard that holds it. */
    private final Map<String, SafetensorsFile> tensors;

    private Checkpoint(Path dir, ModelConfig config, GenerationDefaults generation, Map<String, SafetensorsFile> tensors) {
        this.dir = dir;
        this.config = config;
        this.generation = generation;
        this.tensors = tensors;
    }

    public static Checkpoint open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ThinkSafeException(dir + ": not a model directory (expected a folder with config.json and *.safetensors)");
        }
        Path configFile = dir.resolve("config.json");
        if (!Files.exists(configFile)) {
            throw new ThinkSafeException(dir + ": config.json is missing");
        }
        ModelConfig config = ModelConfig.load(configFile);
        return new Checkpoint(dir, config, GenerationDefaults.load(dir), openWeights(dir));
    }

    private static Map<String, SafetensorsFile> openWeights(Path dir) {
        Path index = dir.resolve("model.safetensors.index.json");
        Path single = dir.resolve("model.safetensors");
        Map<String, SafetensorsFile> out = new LinkedHashMap<>();
        if (Files.exists(index)) {
            JsonNode map = Json.read(index).path("weight_map");
            if (!map.isObject() || map.size() == 0) {
                throw new ThinkSafeException(index + ": field 'weight_map' is missing or empty");
            }
            Map<String, SafetensorsFile> shards = new HashMap<>();
            map.fields().forEachRemaining(f -> {
                String shardName = f.getValue().asText();
                SafetensorsFile shard = shards.computeIfAbsent(shardName, n -> SafetensorsFile.open(dir.resolve(n)));
                if (!shard.entries().containsKey(f.getKey())) {
                    throw new ThinkSafeException(shard.path() + ": missing tensor '" + f.getKey()
                            + "' (listed for this shard in " + index.getFileName() + ")");
                }
                out.put(f.getKey(), shard);
            });
            return out;
        }
        if (Files.exists(single)) {
            SafetensorsFile file = SafetensorsFile.open(single);
            file.entries().keySet().forEach(n -> out.put(n, file));
            return out;
        }
        List<String> pickles = listPickles(dir);
        if (!pickles.isEmpty()) {
            throw new ThinkSafeException(dir + ": only pickle weights found (" + String.join(", ", pickles)
                    + "); they are refused because loading a pickle can run arbitrary code. Convert them to"
                    + " model.safetensors (for example with transformers' save_pretrained(safe_serialization=True)).");
        }
        throw new ThinkSafeException(dir + ": no weights found (expected model.safetensors or model.safetensors.index.json)");
    }

    private static List<String> listPickles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".bin") || n.endsWith(".pt") || n.endsWith(".pth") || n.endsWith(".pkl"))
                    .sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    public Path dir() {
        return dir;
    }

    public ModelConfig config() {
        return config;
    }

    public GenerationDefaults generation() {
        return generation;
    }

    public Set<String> tensorNames() {
        return tensors.keySet();
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /** The dtype the checkpoint stores its weights in (of the embedding), e.g. to merge back into. */
    public DType storageDtype() {
        SafetensorsFile f = tensors.get("model.embed_tokens.weight");
        return f == null ? DType.F32 : f.entry("model.embed_tokens.weight").dtype();
    }

    /** The header entry of a tensor (dtype, shape). */
    public SafetensorsFile.Entry entry(String name) {
        SafetensorsFile file = tensors.get(name);
        if (file == null) {
            throw new ThinkSafeException(dir + ": missing tensor '" + name + "'");
        }
        return file.entry(name);
    }

    /** Loads a tensor as float32 whatever its shape. */
    public NDArray loadRaw(String name, NDManager manager) {
        entry(name);
        return tensors.get(name).loadFloat32(name, manager);
    }

    /**
     * Loads a weight matrix in the dtype the file stores it (float32 as a tensor, bf16/f16 mapped as they
     * are), after checking its shape against config.json.
     */
    public Weight loadWeight(String name, NDManager manager, long rows, long cols) {
        SafetensorsFile file = fileOf(name);
        check(file, name, new long[] {rows, cols});
        return file.loadWeight(name, manager);
    }

    private SafetensorsFile fileOf(String name) {
        SafetensorsFile file = tensors.get(name);
        if (file == null) {
            throw new ThinkSafeException(dir + ": missing tensor '" + name + "'");
        }
        return file;
    }

    private static void check(SafetensorsFile file, String name, long[] expectedShape) {
        SafetensorsFile.Entry e = file.entry(name);
        if (!Arrays.equals(e.shape(), expectedShape)) {
            throw new ThinkSafeException(file.path() + ": tensor '" + name + "' has shape "
                    + Arrays.toString(e.shape()) + " but config.json implies " + Arrays.toString(expectedShape));
        }
    }

    /** Bytes of all weights as stored (what holding them in their own dtype costs). */
    public long weightBytes() {
        long total = 0;
        for (Map.Entry<String, SafetensorsFile> t : tensors.entrySet()) {
            SafetensorsFile.Entry e = t.getValue().entry(t.getKey());
            total += e.end() - e.begin();
        }
        return total;
    }

    /** Loads a tensor as float32 after checking that its shape is the one config.json implies. */
    public NDArray load(String name, NDManager manager, long... expectedShape) {
        SafetensorsFile file = fileOf(name);
        check(file, name, expectedShape);
        return file.loadFloat32(name, manager);
    }
}
