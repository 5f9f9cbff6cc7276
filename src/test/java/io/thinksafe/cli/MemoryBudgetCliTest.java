package io.thinksafe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.model.DType;
import io.thinksafe.model.ModelConfig;
import io.thinksafe.model.ModelShapes;
import io.thinksafe.model.RandomCheckpoint;
import io.thinksafe.model.SafetensorsWriter;
import io.thinksafe.text.Qwen3Files;
import io.thinksafe.util.Json;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The memory plan refuses a model that does not fit, in one line, before reading any weight. */
class MemoryBudgetCliTest {
    @TempDir
    Path tmp;

    @AfterEach
    void clear() {
        System.clearProperty("thinksafe.memoryAvailable");
    }

    /**
     * A Llama-3.1-8B-shaped bf16 checkpoint whose data is a sparse file (a real header, 16 GB of holes):
     * opening it reads only the header, so a refusal that came after loading would show as time and memory.
     */
    static Path sparse8b(Path dir) throws Exception {
        ModelConfig c = ModelShapes.named("llama3.1-8b").dtype(DType.BF16).eos(151645).bos(151643).build();
        Files.createDirectories(dir);
        ObjectNode config = c.toJson();
        Json.writePretty(dir.resolve("config.json"), config);
        ObjectNode header = Json.object();
        long offset = 0;
        for (SafetensorsWriter.Tensor t : RandomCheckpoint.tensors(c, DType.BF16, 0)) {
            long bytes = 2;
            for (long d : t.shape()) {
                bytes *= d;
            }
            ObjectNode e = header.putObject(t.name());
            e.put("dtype", "BF16");
            var shape = e.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            e.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = Json.compact(header).getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("model.safetensors").toFile(), "rw")) {
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, json.length).array());
            f.write(json);
            f.setLength(8 + json.length + offset);
        }
        for (String name : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
            Files.copy(Qwen3Files.dir().resolve(name), dir.resolve(name));
        }
        return dir;
    }

    static long rssBytes() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    @Test
    void an8bModelOnASmallMachineIsRefusedInOneLineBeforeAnythingLoads() throws Exception {
        Path model = sparse8b(tmp.resolve("llama8b"));
        Path in = tmp.resolve("in.jsonl");
        Files.writeString(in, "{\"id\": \"a\", \"text\": \"hello\"}\n");
        System.setProperty("thinksafe.memoryAvailable", String.valueOf(12_000_000_000L));
        io.thinksafe.model.Torch.init(); // libtorch's and the tokenizer's own code, loaded once per process
        io.thinksafe.text.Tokenizer.load(model).close();
        long rss = rssBytes();
        long t0 = System.nanoTime();
        CliTest.Run r = CliTest.run("logprobs", "--model", model.toString(), "--in", in.toString(), "--out",
                tmp.resolve("out.jsonl").toString());
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(r.code()).isEqualTo(2);
        String line = CliTest.errorLine(r);
        assertThat(line).contains("does not fit in memory", "weights 16.06 GB (BF16)", "12.00 GB available",
                "-Dthinksafe.memoryAvailable", "--model http://");
        assertThat(r.err().lines().filter(l -> l.startsWith("thinksafe:")).count()).isEqualTo(1);
        assertThat(tmp.resolve("out.jsonl")).doesNotExist();
        // nothing was read: no 16 GB of weights, not even one layer of them
        assertThat(rssBytes() - rss).isLessThan(400L << 20);
        assertThat(seconds).isLessThan(20);
    }

    @Test
    void aKvBudgetTooLargeForTheMachineNamesOneThatFits() {
        Path model = io.thinksafe.generate.TinyQwen3.write(tmp.resolve("tiny"), 3);
        System.setProperty("thinksafe.memoryAvailable", String.valueOf(Runtime.getRuntime().maxMemory() + (3L << 30)));
        // heap + 3 GiB: after activations and the widening block, about 2.6 GiB are left for the KV cache
        CliTest.Run r = CliTest.run("logprobs", "--model", model.toString(), "--in", "x.jsonl", "--out",
                tmp.resolve("o.jsonl").toString(), "--kv-budget", "64G");
        assertThat(r.code()).isEqualTo(2);
        assertThat(CliTest.errorLine(r)).contains("KV cache 68.72 GB", "what would fit: --kv-budget 2.");
    }

    @Test
    void trainingThatOnlyFitsWithRecomputeIsRefusedNamingIt() throws Exception {
        Path model = sparse8b(tmp.resolve("llama8b-train"));
        Path data = tmp.resolve("train.jsonl");
        Files.writeString(data, "{\"instruction\": \"hi\", \"response\": \"<think>\\nok\\n</think>\\n\\nhello\", \"prompt_label\": \"benign\"}\n");
        System.setProperty("thinksafe.memoryAvailable", String.valueOf(48_000_000_000L));
        CliTest.Run r = CliTest.run("train", "--model", model.toString(), "--data", data.toString(), "--out", tmp.resolve("run").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(CliTest.errorLine(r)).contains("does not fit in memory", "what would fit: --recompute (activations");
        assertThat(tmp.resolve("run")).doesNotExist();
    }
}
