package io.thinksafe.microworld;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.generate.LocalModel;
import io.thinksafe.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A whole build at a small scale: every artefact in its place, loadable, and a rerun does nothing again. */
class MicroworldBuilderTest {
    @TempDir
    Path tmp;

    static final MicroworldBuilder.Scale SMALL = new MicroworldBuilder.Scale(96, 96, 1, 64, 6, 8, 12, 40);

    @Test
    void buildsEveryPartAndResumesWithoutRedoingAnything() throws Exception {
        Path out = tmp.resolve("world");
        ObjectNode report = new MicroworldBuilder(out, 5, SMALL, new PrintStream(new ByteArrayOutputStream())).build();
        for (String part : List.of("tokenizer/tokenizer.json", "llama-guard/model.safetensors", "wildguard/model.safetensors",
                "student/model.safetensors", "student-aligned/model.safetensors", "teacher/model.safetensors", "data/prompts.jsonl",
                "data/harmbench.json", "data/harmbench_concealed.json", "data/xstest.jsonl", "data/gsm8k.jsonl", "build.json")) {
            assertThat(out.resolve(part)).exists();
        }
        JsonNode judges = report.path("judges");
        for (String j : List.of("llama_guard", "wildguard")) {
            assertThat(judges.path(j).path("accuracy").asDouble(-1)).isBetween(0.0, 1.0);
            assertThat(judges.path(j).path("pairs").asInt()).isEqualTo(400);
        }
        for (String m : List.of("aligned", "student", "teacher")) {
            assertThat(report.path("reasoning_pass_at_1").path(m).asDouble(-1)).as(m).isBetween(0.0, 1.0);
        }
        assertThat(out.resolve("work/reasoning-student/gsm8k/items.jsonl")).exists();
        JsonNode curve = report.path("drift");
        assertThat(curve.size()).isBetween(2, 1 + MicroworldBuilder.MAX_DRIFT_ROUNDS);
        assertThat(curve.get(0).path("stage").asText()).isEqualTo("aligned");
        assertThat(curve.get(1).path("stage").asText()).isEqualTo("drift-1");
        assertThat(Json.read(out.resolve("build.json")).path("student").asText()).isEqualTo("student");
        assertThat(Files.readAllLines(out.resolve("data/prompts.jsonl"))).hasSize(40);
        try (LocalModel student = LocalModel.load(out.resolve("student"))) {
            String text = student.chatText(List.of(Map.of("role", "user", "content", "What is 2 + 3?")), true, null);
            assertThat(text).startsWith("<|im_start|>user\nWhat is 2 + 3?<|im_end|>\n<|im_start|>assistant\n");
            assertThat(student.tokenizer().encode("<think>")).hasSize(1);
        }
        try (LocalModel guard = LocalModel.load(out.resolve("wildguard"))) {
            assertThat(guard.template()).isNull(); // WildGuard formats its own prompt
        }
        FileTime before = Files.getLastModifiedTime(out.resolve("student/model.safetensors"));
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        new MicroworldBuilder(out, 5, SMALL, new PrintStream(second)).build();
        assertThat(second.toString()).doesNotContain("training");
        assertThat(Files.getLastModifiedTime(out.resolve("student/model.safetensors"))).isEqualTo(before);
    }
}
