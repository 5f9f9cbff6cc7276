package io.thinksafe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinksafe.data.Jsonl;
import io.thinksafe.generate.TinyQwen3;
import io.thinksafe.model.FoldedAdapters;
import io.thinksafe.model.LoraConfig;
import io.thinksafe.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --init-adapter} and {@code grpo --init-adapter}: the adapter's shape is taken, a contradicting one is one clear line. */
class InitAdapterCliTest {
    @TempDir
    static Path tmp;
    static Path base;
    static Path adapter;

    @BeforeAll
    static void models() {
        base = TinyQwen3.write(tmp.resolve("base"), 9);
        adapter = FoldedAdapters.randomAdapter(base, tmp.resolve("adapter"), new LoraConfig(4, 8, 0.05, List.of("q_proj", "k_proj")), 2, 0.1f);
    }

    @Test
    void trainStartsFromTheAdapterWithItsShape() throws Exception {
        Path data = tmp.resolve("train.jsonl");
        Files.writeString(data, "{\"instruction\": \"Hi?\", \"response\": \"<think>\\nhi\\n</think>\\n\\nHello.\", \"prompt_label\": \"vanilla_benign\"}\n");
        CliTest.Run ok = CliTest.run("train", "--model", base.toString(), "--data", data.toString(), "--out", tmp.resolve("run").toString(),
                "--init-adapter", adapter.toString(), "--epochs", "1", "--batch", "1");
        assertThat(ok.code()).as(ok.err()).isZero();
        var cfg = Json.read(tmp.resolve("run/adapter/adapter_config.json"));
        assertThat(cfg.get("r").asInt()).isEqualTo(4);
        assertThat(cfg.get("target_modules").toString()).isEqualTo("[\"q_proj\",\"k_proj\"]");
        assertThat(Jsonl.read(tmp.resolve("run/metrics.jsonl"))).hasSize(1);

        CliTest.Run shape = CliTest.run("train", "--model", base.toString(), "--data", data.toString(), "--out", tmp.resolve("run2").toString(),
                "--init-adapter", adapter.toString(), "--lora-r", "32");
        assertThat(shape.code()).isEqualTo(2);
        assertThat(CliTest.errorLine(shape)).contains("differs from the adapter's", "r 32", "r 4");
        CliTest.Run full = CliTest.run("train", "--model", base.toString(), "--data", data.toString(), "--out", tmp.resolve("run3").toString(),
                "--init-adapter", adapter.toString(), "--full");
        assertThat(full.code()).isEqualTo(2);
        assertThat(CliTest.errorLine(full)).contains("cannot go with --full");
        CliTest.Run missing = CliTest.run("grpo", "--model", base.toString(), "--prompts", data.toString(), "--guard", "x",
                "--out", tmp.resolve("run4").toString(), "--init-adapter", tmp.resolve("nowhere").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(CliTest.errorLine(missing)).contains("nowhere", "not a PEFT adapter");
        CliTest.Run ref = CliTest.run("grpo", "--model", base.toString(), "--prompts", data.toString(), "--guard", "x",
                "--out", tmp.resolve("run5").toString(), "--init-adapter", adapter.toString(), "--reference", "teacher");
        assertThat(CliTest.errorLine(ref)).contains("unknown GRPO reference 'teacher'");
    }
}
