package io.thinksafe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinksafe.data.Jsonl;
import io.thinksafe.generate.TinyQwen3;
import io.thinksafe.text.Qwen3Files;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void setUp() {
        model = TinyQwen3.write(tmp.resolve("model"), 5);
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

    static String errorLine(Run r) {
        return r.err().lines().filter(l -> l.startsWith("thinksafe: error:")).findFirst().orElse("");
    }

    @Test
    void badInputsGiveOneClearLineAndExitCode2() throws Exception {
        Path prompts = tmp.resolve("p.jsonl");
        Files.writeString(prompts, "{\"id\": \"a\", \"prompt\": \"hi\"}\n{\"id\": \"b\", \"prompt\": \"x\"\n");
        Run malformed = run("generate", "--model", model.toString(), "--in", prompts.toString(), "--out", tmp.resolve("o.jsonl").toString());
        assertThat(malformed.code()).isEqualTo(2);
        assertThat(errorLine(malformed)).contains("p.jsonl:2", "malformed JSON");

        Path noPrompt = tmp.resolve("np.jsonl");
        Files.writeString(noPrompt, "{\"id\": \"a\", \"text\": \"hi\"}\n");
        Run missing = run("generate", "--model", model.toString(), "--in", noPrompt.toString(), "--out", tmp.resolve("o.jsonl").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(errorLine(missing)).contains("np.jsonl", "record 1", "'prompt'");

        Path empty = tmp.resolve("empty.jsonl");
        Files.writeString(empty, "\n");
        assertThat(errorLine(run("generate", "--model", model.toString(), "--in", empty.toString(), "--out", "x.jsonl")))
                .contains("empty.jsonl", "empty");

        Path good = tmp.resolve("good.jsonl");
        Files.writeString(good, "{\"id\": \"a\", \"prompt\": \"hi\"}\n");
        Run noModel = run("generate", "--model", tmp.resolve("nope").toString(), "--in", good.toString(), "--out", "x");
        assertThat(noModel.code()).isEqualTo(2);
        assertThat(errorLine(noModel)).contains("nope", "not a model directory");

        assertThat(run("generate", "--model").code()).isEqualTo(2); // picocli usage error

        Run noWorld = run("demo", "--world", tmp.resolve("no-world").toString(), "--out", tmp.resolve("demo").toString());
        assertThat(noWorld.code()).isEqualTo(2);
        assertThat(errorLine(noWorld)).contains("no-world", "not a micro-world", "microworld build");
        assertThat(tmp.resolve("demo")).doesNotExist();
    }

    @Test
    void chatTemplateRendersWithTheModelsTemplate() throws Exception {
        Path in = tmp.resolve("chats.jsonl");
        Files.writeString(in, "{\"id\": 1, \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"add_generation_prompt\": true, \"enable_thinking\": false}\n");
        Path out = tmp.resolve("chats.out.jsonl");
        assertThat(run("chat-template", "--model", Qwen3Files.dir().toString(), "--in", in.toString(), "--out", out.toString()).code()).isZero();
        assertThat(Jsonl.read(out).get(0).get("text").asText())
                .isEqualTo("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
        assertThat(Jsonl.read(out).get(0).get("id").asInt()).isEqualTo(1);
    }

    @Test
    void logprobsScoresTextsTokenIdsAndChats() throws Exception {
        Path in = tmp.resolve("lp.jsonl");
        Files.writeString(in, String.join("\n",
                "{\"id\": \"t\", \"text\": \"Hello world, hello.\"}",
                "{\"id\": \"i\", \"token_ids\": [9707, 1879, 11, 23811, 13]}",
                "{\"id\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello\"}]}") + "\n");
        Path out = tmp.resolve("lp.out.jsonl");
        Run r = run("logprobs", "--model", model.toString(), "--in", in.toString(), "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        var recs = Jsonl.read(out);
        assertThat(recs).hasSize(3);
        assertThat(recs.get(1).get("token_ids")).hasSize(5);
        assertThat(recs.get(1).get("logprobs")).hasSize(4);
        // the text record tokenises to the same ids as the token_ids record (our expected ids)
        assertThat(recs.get(0).get("token_ids").toString()).isEqualTo("[9707,1879,11,23811,13]");
        assertThat(recs.get(0).get("logprobs").toString()).isEqualTo(recs.get(1).get("logprobs").toString());
        assertThat(recs.get(2).get("token_ids").get(0).asInt()).isEqualTo(151644);

        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"id\": \"i\", \"token_ids\": [1, 999999]}\n");
        assertThat(errorLine(run("logprobs", "--model", model.toString(), "--in", bad.toString(), "--out", tmp.resolve("b.out").toString())))
                .contains("bad.jsonl", "record 1", "token_ids[1]");
    }

    /** Every command's description is a format string to picocli: a bare '%' (as in "95% intervals") garbles its --help. */
    @Test
    void everyCommandsHelpFormatsItsDescription() {
        java.util.ArrayDeque<picocli.CommandLine> todo = new java.util.ArrayDeque<>(List.of(new picocli.CommandLine(new Main())));
        int seen = 0;
        while (!todo.isEmpty()) {
            picocli.CommandLine c = todo.pop();
            todo.addAll(c.getSubcommands().values());
            for (String line : c.getCommandSpec().usageMessage().description()) {
                assertThat(formats(line)).as(c.getCommandName() + ": " + line).isTrue();
            }
            seen++;
        }
        assertThat(seen).isGreaterThan(15);
    }

    private static boolean formats(String s) {
        try {
            String.format(s);
            return true;
        } catch (java.util.IllegalFormatException e) {
            return false;
        }
    }
}
