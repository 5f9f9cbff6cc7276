package io.thinksafe.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.model.Checkpoint;
import io.thinksafe.model.SafetensorsFile;
import io.thinksafe.model.Torch;
import io.thinksafe.util.AtomicFiles;
import io.thinksafe.util.Progress;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code thinksafe export --format gguf}: a Hugging Face checkpoint, optionally with a PEFT LoRA adapter
 * folded in at float32, as one GGUF file that llama.cpp (and so Ollama, LM Studio, …) loads: weights
 * in llama.cpp's names and layout, hyper-parameters, tokenizer and chat template. The file appears
 * under its name only when complete.
 */
public final class GgufExport {
    /** Rows converted at once, bounding the heap a large embedding needs. */
    private static final int BLOCK_ELEMENTS = 1 << 22;

    private GgufExport() {}

    /** What was written. */
    public record Result(Path file, String arch, int tensors, long bytes) {}

    public static Result run(Path modelDir, Path adapterDir, ExportDtype dtype, Path out) {
        if (Files.isDirectory(out)) {
            throw new ThinkSafeException(out + ": is a directory; --out names the .gguf file to write");
        }
        Torch.init();
        Checkpoint ckpt = Checkpoint.open(modelDir);
        LlamaCppLayout layout = LlamaCppLayout.of(ckpt.config(), modelDir.resolve("config.json"));
        List<LlamaCppLayout.Entry> entries = layout.entries();
        checkTensors(ckpt, entries);
        GgufVocab vocab = GgufVocab.read(modelDir, ckpt.config().vocabSize());
        LoraFold lora = adapterDir == null ? null : LoraFold.read(adapterDir, ckpt);
        warnAboutWindow(ckpt);

        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", layout.arch);
        w.putString("general.type", "model");
        w.putString("general.name", name(modelDir, adapterDir));
        w.putUint32("general.file_type", dtype.fileType);
        w.putUint32("general.quantization_version", 2);
        layout.addHyperParameters(w);
        vocab.addTo(w);
        for (LlamaCppLayout.Entry e : entries) {
            GgmlType type = LlamaCppLayout.typeOf(e, dtype.weights);
            GgufWriter.TensorData data = e.source() == null
                    ? sink -> writeValues(layout.ropeFrequencyFactors(), type, sink)
                    : sink -> writeCheckpointTensor(ckpt, lora, e, type, sink);
            w.addTensor(new GgufWriter.Tensor(e.name(), e.shape(), type, data));
        }
        try (Progress progress = new Progress("export", entries.size())) {
            AtomicFiles.write(out, stream -> {
                BufferedOutputStream buffered = new BufferedOutputStream(stream, 1 << 20);
                w.write(buffered, () -> progress.advance(1, 0));
                buffered.flush();
            });
        }
        long bytes;
        try {
            // the temporary was private to us (0600); a model file is for sharing (Ollama's service reads it as its own user)
            if (Files.getFileStore(out).supportsFileAttributeView("posix")) {
                Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-r--r--"));
            }
            bytes = Files.size(out);
        } catch (IOException e) {
            throw new ThinkSafeException(out + ": cannot read back (" + e.getMessage() + ")");
        }
        return new Result(out, layout.arch, entries.size(), bytes);
    }

    /** Every tensor the layout needs is in the checkpoint with the shape config.json implies; nothing else is. */
    private static void checkTensors(Checkpoint ckpt, List<LlamaCppLayout.Entry> entries) {
        Set<String> used = new HashSet<>();
        for (LlamaCppLayout.Entry e : entries) {
            if (e.source() == null) {
                continue;
            }
            SafetensorsFile.Entry t = ckpt.entry(e.source());
            if (!Arrays.equals(t.shape(), e.shape())) {
                throw new ThinkSafeException(ckpt.dir() + ": tensor '" + e.source() + "' has shape " + Arrays.toString(t.shape())
                        + " but config.json implies " + Arrays.toString(e.shape()));
            }
            used.add(e.source());
        }
        for (String name : ckpt.tensorNames()) {
            boolean tiedHead = name.equals("lm_head.weight") && ckpt.config().tieWordEmbeddings(); // unused when tied, as in our decoder
            if (!used.contains(name) && !tiedHead && !name.endsWith(".rotary_emb.inv_freq")) {
                throw new ThinkSafeException(ckpt.dir() + ": tensor '" + name + "' has no place in llama.cpp's "
                        + ckpt.config().architecture().className + " layout");
            }
        }
    }

    private static void warnAboutWindow(Checkpoint ckpt) {
        int window = ckpt.config().slidingWindow();
        if (window > 0 && window < ckpt.config().maxPositionEmbeddings()) {
            System.err.println("export: note: config.json sets a sliding attention window of " + window
                    + " tokens; llama.cpp attends to the whole context, so answers differ past " + window + " tokens");
        }
    }

    private static String name(Path modelDir, Path adapterDir) {
        String base = modelDir.toAbsolutePath().normalize().getFileName().toString();
        return adapterDir == null ? base : base + "+" + adapterDir.toAbsolutePath().normalize().getFileName();
    }

    /** Loads a weight as float32, folds the adapter in, reorders heads if needed, and encodes it row block by row block. */
    private static void writeCheckpointTensor(Checkpoint ckpt, LoraFold lora, LlamaCppLayout.Entry e, GgmlType type,
                                              GgufWriter.ByteSink sink) throws IOException {
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            NDArray w = ckpt.loadRaw(e.source(), m);
            if (lora != null) {
                w = lora.apply(e.source(), w, m);
            }
            long rows = e.shape().length == 1 ? 1 : e.shape()[0];
            int cols = (int) (e.shape().length == 1 ? e.shape()[0] : e.shape()[1]);
            int headDim = ckpt.config().headDim();
            int unit = e.interleave() ? headDim : 1;
            long rowsPerBlock = Math.max(unit, BLOCK_ELEMENTS / cols / unit * unit);
            for (long from = 0; from < rows; from += rowsPerBlock) {
                long to = Math.min(rows, from + rowsPerBlock);
                float[] values;
                if (rows == 1) {
                    values = w.toFloatArray();
                } else {
                    try (NDArray block = w.get(new NDIndex("{}:{}", from, to))) { // freed now, not with the whole tensor
                        values = block.toFloatArray();
                    }
                }
                if (e.interleave()) {
                    LlamaCppLayout.interleaveHeads(values, e.shape().length == 1 ? 1 : cols, headDim);
                }
                writeValues(values, type, sink);
            }
        }
    }

    private static void writeValues(float[] values, GgmlType type, GgufWriter.ByteSink sink) throws IOException {
        ByteBuffer out = ByteBuffer.allocate((int) type.bytes(values.length)).order(ByteOrder.LITTLE_ENDIAN);
        TensorEncoding.encode(values, 0, values.length, type, out);
        out.flip();
        sink.write(out);
    }
}
