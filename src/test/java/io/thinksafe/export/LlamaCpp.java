package io.thinksafe.export;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * llama.cpp as a third-party client: runs {@code check-gguf.mjs} with node-llama-cpp (installed into
 * target/ by the Maven build from the committed package-lock.json) on a list of GGUF jobs, and hands
 * back its JSON answer. The test fails, not skips, when Node.js or the package is missing.
 */
final class LlamaCpp {
    private LlamaCpp() {}

    /** One GGUF file and what to ask llama.cpp about it. */
    record Job(Path gguf, boolean f32Cache, int[] sequence, int[] greedyPrompt, int greedySteps, List<String> texts) {
        ObjectNode toJson() {
            ObjectNode o = Json.object();
            o.put("gguf", gguf.toString());
            o.put("f32Cache", f32Cache);
            ArrayNode seq = o.putArray("sequences").addArray();
            for (int t : sequence) {
                seq.add(t);
            }
            if (greedySteps > 0) {
                ObjectNode g = o.putObject("greedy");
                ArrayNode prompt = g.putArray("prompt");
                for (int t : greedyPrompt) {
                    prompt.add(t);
                }
                g.put("steps", greedySteps);
            }
            texts.forEach(o.putArray("texts")::add);
            return o;
        }
    }

    static JsonNode run(List<Job> jobs, Path work) throws IOException, InterruptedException {
        Path install = Path.of(System.getProperty("thinksafe.llamacpp.node", "target/node-llama-cpp"));
        if (!Files.isDirectory(install.resolve("node_modules/node-llama-cpp"))) {
            fail("node-llama-cpp is not installed in " + install + ": run the tests through Maven, whose build installs it with npm ci");
        }
        ObjectNode job = Json.object();
        ArrayNode models = job.putArray("models");
        jobs.forEach(j -> models.add(j.toJson()));
        Path jobFile = work.resolve("llama-cpp-job.json");
        Json.writePretty(jobFile, job);
        Path stdout = work.resolve("llama-cpp-out.json");
        Path stderr = work.resolve("llama-cpp-err.txt");
        Process p;
        try {
            p = new ProcessBuilder("node", install.resolve("check-gguf.mjs").toString(), jobFile.toString())
                    .directory(install.toFile()).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        } catch (IOException e) {
            fail("node is not installed (or not on the PATH): the export tests run llama.cpp through node-llama-cpp and need Node.js 20 or newer");
            throw e;
        }
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("llama.cpp (node check-gguf.mjs) did not finish in 10 minutes");
        }
        String err = Files.readString(stderr, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            fail("llama.cpp (node check-gguf.mjs) failed with exit code " + p.exitValue() + ":\n" + err);
        }
        return Json.MAPPER.readTree(stdout.toFile());
    }
}
