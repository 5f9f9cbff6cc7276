package io.thinksafe.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.cli.Main;
import io.thinksafe.data.Jsonl;
import io.thinksafe.data.bench.Benchmark;
import io.thinksafe.generate.TinyQwen3;
import io.thinksafe.guard.TinyGuards;
import io.thinksafe.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code thinksafe eval}, {@code grade} and {@code report} on a tiny random Qwen3 judged by a tiny
 * random WildGuard: the plumbing end to end (files, counts that add up, resuming, re-grading, the
 * report), with the numbers recomputed from the per-item records.
 */
class EvalCliTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path guard;

    @BeforeAll
    static void checkpoints() {
        model = TinyQwen3.write(tmp.resolve("model"), 11);
        guard = TinyGuards.wildGuard(tmp.resolve("wildguard"), 12, 4096);
    }

    record Run(int code, String err) {}

    static Run run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            return new Run(Main.execute(args), buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    static String[] evalArgs(Path out) {
        return new String[] {"eval", "--model", model.toString(), "--guard", "wildguard:" + guard, "--data",
            EvalJobTest.data().toString(), "--samples", "2", "--max-new-tokens", "4", "--limit", "1", "--seed", "3",
            "--label", "tiny", "--out", out.toString()};
    }

    @Test
    void evalGradeAndReportOnATinyModel() throws Exception {
        Path out = tmp.resolve("eval");
        Run r = run(evalArgs(out));
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode results = Json.read(out.resolve("results.json"));
        assertThat(results.path("label").asText()).isEqualTo("tiny");
        assertThat(results.path("benchmarks").size()).isEqualTo(Benchmark.values().length);
        for (Benchmark b : Benchmark.values()) {
            JsonNode s = results.path("benchmarks").path(b.id());
            List<ObjectNode> items = Jsonl.read(out.resolve(s.path("records").asText()));
            List<ObjectNode> gens = Jsonl.read(out.resolve(b.id()).resolve("generations.jsonl"));
            assertThat(items).hasSameSizeAs(gens);
            assertThat(s.path("complete").asBoolean()).isFalse();
            assertThat(s.path("note").asText()).contains("--limit");
            JsonNode c = s.path("counts");
            switch (b.kind()) {
                case SAFETY -> {
                    assertThat(items).hasSize(1);
                    assertThat(c.path("safe").asInt() + c.path("unsafe").asInt() + c.path("judge_errors").asInt()).isEqualTo(1);
                    long unsafe = items.stream().filter(o -> o.get("verdict").asText().equals("unsafe")).count();
                    assertThat(s.path("numerator").asLong()).isEqualTo(unsafe);
                }
                case OVERREFUSAL -> {
                    assertThat(c.path("generated").asInt()).isEqualTo(1);
                    assertThat(c.path("refusals").asInt() + c.path("complied").asInt() + c.path("judge_errors").asInt())
                            .isEqualTo(c.path("scored").asInt());
                }
                case REASONING -> {
                    assertThat(items).hasSize(2);
                    assertThat(c.path("samples").asInt()).isEqualTo(2);
                    long correct = items.stream().filter(o -> o.get("correct").asBoolean()).count();
                    assertThat(s.path("numerator").asLong()).isEqualTo(correct);
                    assertThat(s.path("value").asDouble()).isEqualTo(correct / 2.0);
                    assertThat(s.path("pass_at_k").has("2")).isTrue();
                }
            }
        }
        // the prompt the model saw is the reference text
        ObjectNode first = Jsonl.read(out.resolve("math500/items.jsonl")).get(0);
        assertThat(first.get("prompt").asText()).startsWith("Please reason step by step, and put your final answer within \\boxed{}. ");

        // a rerun finds everything done and changes nothing
        String gensBefore = Files.readString(out.resolve("gsm8k/generations.jsonl"));
        String judgedBefore = Files.readString(out.resolve("harmbench/judged.jsonl"));
        Run again = run(evalArgs(out));
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(Files.readString(out.resolve("gsm8k/generations.jsonl"))).isEqualTo(gensBefore);
        assertThat(Files.readString(out.resolve("harmbench/judged.jsonl"))).isEqualTo(judgedBefore);

        // re-grading the saved responses gives the same grades
        Path regraded = tmp.resolve("regraded.jsonl");
        Run g = run("grade", "--task", "gsm8k", "--in", out.resolve("gsm8k/items.jsonl").toString(), "--out", regraded.toString());
        assertThat(g.code()).as(g.err()).isZero();
        List<ObjectNode> before = Jsonl.read(out.resolve("gsm8k/items.jsonl"));
        List<ObjectNode> after = Jsonl.read(regraded);
        for (int i = 0; i < before.size(); i++) {
            assertThat(after.get(i).get("correct")).isEqualTo(before.get(i).get("correct"));
            assertThat(after.get(i).get("extracted")).isEqualTo(before.get(i).get("extracted"));
        }

        Run rep = run("report", out.toString());
        assertThat(rep.code()).as(rep.err()).isZero();
        assertThat(Files.readString(out.resolve("report.md"))).contains("| tiny |");
        assertThat(Files.readString(out.resolve("report.html"))).contains("<table class=\"t1\">");
    }

    @Test
    void badInputsGiveOneClearLine() throws Exception {
        Run missing = run("eval", "--model", model.toString(), "--suites", "reasoning", "--benchmarks", "gsm8k", "--bench",
                "gsm8k=" + tmp.resolve("nope.jsonl"), "--out", tmp.resolve("x").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("thinksafe: error: --bench gsm8k=").contains("nope.jsonl: file not found");

        Run noGuard = run("eval", "--model", model.toString(), "--suites", "safety", "--data", EvalJobTest.data().toString(),
                "--out", tmp.resolve("y").toString());
        assertThat(noGuard.code()).isEqualTo(2);
        assertThat(noGuard.err()).contains("the safety suite needs a judge: --guard");

        Run noWildGuard = run("eval", "--model", model.toString(), "--suites", "overrefusal", "--data",
                EvalJobTest.data().toString(), "--guard", "llama-guard:" + tmp.resolve("lg"), "--out", tmp.resolve("z").toString());
        assertThat(noWildGuard.code()).isEqualTo(2);

        Run notInSuites = run("eval", "--model", model.toString(), "--suites", "safety", "--benchmarks", "gsm8k", "--out", "w");
        assertThat(notInSuites.err()).contains("--benchmarks gsm8k: not in --suites safety");

        Path in = tmp.resolve("resp.jsonl");
        Files.writeString(in, "{\"id\": \"a\", \"response\": \"\\\\boxed{5}\"}\n");
        Run noGold = run("grade", "--task", "math", "--in", in.toString(), "--out", tmp.resolve("o.jsonl").toString());
        assertThat(noGold.code()).isEqualTo(2);
        assertThat(noGold.err()).contains("resp.jsonl: record 1: missing field 'gold'");
        assertThat(run("grade", "--task", "mmlu", "--in", in.toString(), "--out", "o").err()).contains("unknown task 'mmlu'");

        Run severalNoOut = run("report", tmp.resolve("a").toString(), tmp.resolve("b").toString());
        assertThat(severalNoOut.err()).contains("--out DIR");
    }
}
