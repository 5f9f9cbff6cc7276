package io.thinksafe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Test fixtures for adapters: a random PEFT adapter whose update is not zero, and the reference it is
 * compared with — a float32 checkpoint of the base widened at load ({@link TransformerLoader.Storage#FLOAT32})
 * with the adapter folded in by {@link Adapter#mergedCopy()}, written as an ordinary model directory.
 */
public final class FoldedAdapters {
    private FoldedAdapters() {}

    /** A random LoRA adapter for the model in {@code base}, with B drawn too so that the update is not zero. */
    public static Path randomAdapter(Path base, Path out, LoraConfig cfg, long seed, float scale) {
        try (Transformer t = TransformerLoader.load(Checkpoint.open(base))) {
            Adapter a = Adapter.attach(t, cfg, seed);
            ai.djl.engine.Engine.getInstance().setRandomSeed((int) seed);
            for (NDArray p : a.parameters()) {
                p.addi(p.getManager().randomNormal(0, scale, p.getShape(), DataType.FLOAT32));
            }
            a.save(out, base.toString());
        }
        return out;
    }

    /** {@code base} + {@code adapter} folded in float32, written to {@code out} as a float32 checkpoint with the base's other files. */
    public static Path folded(Path base, Path adapter, Path out) {
        try {
            Files.createDirectories(out);
            try (Stream<Path> files = Files.list(base)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String n = f.getFileName().toString();
                    if (Files.isRegularFile(f) && !n.endsWith(".safetensors") && !n.equals("model.safetensors.index.json")) {
                        Files.copy(f, out.resolve(n));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Transformer t = TransformerLoader.load(Checkpoint.open(base), TransformerLoader.Storage.FLOAT32);
             Transformer merged = Adapter.load(t, adapter).mergedCopy()) {
            List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
            for (Map.Entry<String, NDArray> e : merged.namedWeights().entrySet()) {
                NDArray a = e.getValue();
                tensors.add(new SafetensorsWriter.Tensor(e.getKey(), DType.F32, a.getShape().getShape(),
                        () -> a.toType(DataType.FLOAT32, false).toFloatArray()));
            }
            SafetensorsWriter.write(out.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        }
        ObjectNode config = (ObjectNode) Json.read(base.resolve("config.json"));
        config.put("torch_dtype", "float32");
        Json.writePretty(out.resolve("config.json"), config);
        return out;
    }
}
