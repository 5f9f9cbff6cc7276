package io.thinksafe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.model.DType;
import io.thinksafe.model.SafetensorsFile;
import io.thinksafe.model.SafetensorsWriter;
import io.thinksafe.util.AtomicDirs;
import io.thinksafe.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A resumable training state in {@code checkpoints/step-NNNNNN/}: the trainable tensors, AdamW's
 * moments and step count, and {@code state.json} (steps done, the run's identity). Written under a
 * temporary name and renamed, so a kill never leaves a torn checkpoint; only the newest few are kept.
 * Nothing else is needed to resume exactly: data order and dropout masks derive from the seed and
 * the step number.
 */
final class TrainCheckpoint {
    private TrainCheckpoint() {}

    static Path dirFor(Path out, int step) {
        return out.resolve("checkpoints").resolve(String.format("step-%06d", step));
    }

    static void save(Path out, int step, List<String> names, List<NDArray> params, AdamW opt, ObjectNode identity, int keep) {
        Path target = dirFor(out, step);
        if (Files.exists(target)) {
            return;
        }
        Path tmp = AtomicDirs.prepare(target);
        List<SafetensorsWriter.Tensor> trainable = new ArrayList<>();
        List<SafetensorsWriter.Tensor> moments = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            trainable.add(tensor(names.get(i), params.get(i)));
            moments.add(tensor("m." + names.get(i), opt.firstMoments().get(i)));
            moments.add(tensor("v." + names.get(i), opt.secondMoments().get(i)));
        }
        SafetensorsWriter.write(tmp.resolve("trainable.safetensors"), trainable, Map.of());
        SafetensorsWriter.write(tmp.resolve("optimizer.safetensors"), moments, Map.of());
        ObjectNode state = Json.object();
        state.put("step", step);
        state.put("optimizer_steps", opt.stepCount());
        state.set("identity", identity);
        Json.writePretty(tmp.resolve("state.json"), state);
        AtomicDirs.commit(tmp, target);
        prune(out, keep);
    }

    private static SafetensorsWriter.Tensor tensor(String name, NDArray a) {
        return new SafetensorsWriter.Tensor(name, DType.F32, a.getShape().getShape(), a::toFloatArray);
    }

    /** Complete checkpoints, oldest first. */
    static List<Path> list(Path out) {
        Path dir = out.resolve("checkpoints");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("step-") && Files.exists(p.resolve("state.json")))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new ThinkSafeException(dir + ": cannot list (" + e.getMessage() + ")");
        }
    }

    private static void prune(Path out, int keep) {
        List<Path> all = list(out);
        for (int i = 0; i < all.size() - keep; i++) {
            AtomicDirs.deleteTree(all.get(i));
        }
    }

    /** Restores tensors and optimizer state from {@code dir}; returns the number of steps done. */
    static int load(Path dir, List<String> names, List<NDArray> params, AdamW opt, ObjectNode identity) {
        JsonNode state = Json.read(dir.resolve("state.json"));
        JsonNode expected;
        try {
            expected = Json.MAPPER.readTree(Json.compact(identity)); // compare as parsed JSON, number types aside
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        if (!state.path("identity").equals(expected)) {
            throw new ThinkSafeException(dir + ": was written by a run with other settings or data ("
                    + state.path("identity") + "); resume with the same settings or train into another --out");
        }
        SafetensorsFile trainable = SafetensorsFile.open(dir.resolve("trainable.safetensors"));
        SafetensorsFile moments = SafetensorsFile.open(dir.resolve("optimizer.safetensors"));
        for (int i = 0; i < params.size(); i++) {
            copyInto(trainable, names.get(i), params.get(i));
            copyInto(moments, "m." + names.get(i), opt.firstMoments().get(i));
            copyInto(moments, "v." + names.get(i), opt.secondMoments().get(i));
        }
        opt.setStepCount(state.path("optimizer_steps").asInt());
        return state.path("step").asInt();
    }

    private static void copyInto(SafetensorsFile file, String name, NDArray target) {
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            NDArray src = file.loadFloat32(name, m);
            if (!src.getShape().equals(target.getShape())) {
                throw new ThinkSafeException(file.path() + ": tensor '" + name + "' has shape " + src.getShape()
                        + " but the model needs " + target.getShape());
            }
            // in place (no autograd is recording): parameters keep their identity
            target.muli(0f).addi(src.toType(target.getDataType(), false));
        }
    }

    /**
     * Where a run in {@code out} starts: step 0 in a fresh folder, the last checkpoint's step (weights,
     * moments and counters restored) when resuming; an earlier run without {@code resume} is refused.
     */
    static int startOrResume(Path out, boolean resume, List<String> names, List<NDArray> params, AdamW opt, ObjectNode identity) {
        List<Path> saved = list(out);
        if (saved.isEmpty()) {
            if (Files.exists(out.resolve("metrics.jsonl")) && !resume) {
                throw new ThinkSafeException(out + ": holds an earlier run; pass --resume or choose another --out");
            }
            return 0;
        }
        if (!resume) {
            throw new ThinkSafeException(out + ": holds checkpoints of an earlier run; pass --resume to continue it or choose another --out");
        }
        return load(saved.get(saved.size() - 1), names, params, opt, identity);
    }
}
