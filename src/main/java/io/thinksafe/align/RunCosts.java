package io.thinksafe.align;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.data.GenerationRecord;
import io.thinksafe.data.Jsonl;
import io.thinksafe.guard.Guard;
import io.thinksafe.guard.GuardInput;
import io.thinksafe.guard.JudgedGeneration;
import io.thinksafe.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What a run cost, kept per stage in {@code manifest.json} so that methods can be set side by side
 * as in the paper's Figure 3: wall-clock seconds, and tokens of generation (prompt + completion),
 * judging (the prompts the guard read, rendered and cut as it read them) and training (through the
 * trained model's forward and backward passes; GRPO also runs the frozen reference forward, counted
 * apart as {@code reference_tokens}).
 *
 * <p>Seconds accumulate over sessions: a killed and rerun stage adds each session's own time (saved
 * at every unit of progress and when the session ends), never one twice. Tokens are counted from the
 * stage's artefacts when it finishes, so they are those of the work kept: a stage killed and resumed
 * counts exactly what an uninterrupted one does, and the time lost to kills shows in the seconds.
 */
final class RunCosts {
    static final List<String> TOKENS = List.of("generation_prompt_tokens", "generation_completion_tokens", "judge_tokens",
            "train_tokens", "reference_tokens");

    private RunCosts() {}

    /** The wall-clock of one stage in this session, on top of what earlier sessions spent. */
    static final class Clock {
        private final RunManifest manifest;
        private final String stage;
        private final double before;
        private final int sessions;
        private final long started = System.nanoTime();
        private long saved = started;

        Clock(RunManifest manifest, String stage) {
            this.manifest = manifest;
            this.stage = stage;
            this.before = manifest.secondsSpent(stage);
            this.sessions = manifest.sessions(stage) + 1;
            manifest.recordTime(stage, before, sessions);
        }

        double seconds() {
            return before + (System.nanoTime() - started) / 1e9;
        }

        /** Saves the time so far, at most once a second (a kill then loses at most that much). */
        void tick() {
            long now = System.nanoTime();
            if (now - saved >= 1_000_000_000L) {
                save();
            }
        }

        void save() {
            saved = System.nanoTime();
            manifest.recordTime(stage, seconds(), sessions);
        }
    }

    /** Prompt and completion tokens of every generation kept. */
    static ObjectNode generation(Path generations) {
        long prompt = 0;
        long completion = 0;
        for (GenerationRecord g : GenerationRecord.read(generations)) {
            prompt += g.promptTokens();
            completion += g.tokens();
        }
        return Json.object().put("generation_prompt_tokens", prompt).put("generation_completion_tokens", completion);
    }

    /** The tokens the guard read to judge every record that had a response (records without one were never sent). */
    static ObjectNode judging(Guard guard, Path judged) {
        List<GuardInput> inputs = new ArrayList<>();
        for (JudgedGeneration r : JudgedGeneration.read(judged)) {
            if (r.generation().response() != null) {
                inputs.add(new GuardInput(r.generation().prompt(), r.generation().response()));
            }
        }
        return Json.object().put("judge_tokens", inputs.isEmpty() ? 0 : guard.tokensRead(inputs));
    }

    /** A probe: its generations' tokens and what the guard read, with the time of each part in this session. */
    static ObjectNode probe(Guard guard, Path generations, Path judged, double generationSeconds, double judgingSeconds) {
        ObjectNode o = generation(generations);
        o.setAll(judging(guard, judged));
        o.put("train_tokens", 0L);
        o.putObject("phase_seconds").put("generation", generationSeconds).put("judging", judgingSeconds);
        return o;
    }

    /** The cost of the stages of one round ({@code -r} keys; round 1's plain names), evaluation left out. */
    static ObjectNode round(JsonNode stages, int round) {
        double seconds = 0;
        long[] sums = new long[TOKENS.size()];
        for (Iterator<Map.Entry<String, JsonNode>> it = stages.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            StageRun s = StageRun.parse(e.getKey());
            if (s.round() != round || s.stage() == Stage.EVAL) {
                continue;
            }
            JsonNode c = e.getValue().path("cost");
            seconds += c.path("seconds").asDouble(0);
            for (int i = 0; i < TOKENS.size(); i++) {
                sums[i] += c.path(TOKENS.get(i)).asLong(0);
            }
        }
        ObjectNode o = Json.object().put("seconds", seconds);
        long all = 0;
        for (int i = 0; i < TOKENS.size(); i++) {
            o.put(TOKENS.get(i), sums[i]);
            all += sums[i];
        }
        return o.put("tokens", all);
    }

    /** SFT: the tokens of every step's examples (prompt and response, each through forward and backward once). */
    static ObjectNode sft(Path metrics) {
        long tokens = 0;
        for (ObjectNode line : Jsonl.read(metrics)) {
            tokens += line.path("tokens").asLong(0);
        }
        return Json.object().put("train_tokens", tokens);
    }

    /** GRPO: every step's rollouts, judging and updates, from its metrics, with the time of each phase. */
    static ObjectNode grpo(Path metrics) {
        long[] sums = new long[TOKENS.size()];
        String[] fields = {"prompt_tokens", "completion_tokens", "judge_tokens", "train_tokens", "reference_tokens"};
        double[] phases = new double[3];
        for (ObjectNode line : Jsonl.read(metrics)) {
            for (int i = 0; i < fields.length; i++) {
                sums[i] += line.path(fields[i]).asLong(0);
            }
            phases[0] += line.path("rollout_s").asDouble(0);
            phases[1] += line.path("judge_s").asDouble(0);
            phases[2] += line.path("update_s").asDouble(0);
        }
        ObjectNode o = Json.object();
        for (int i = 0; i < TOKENS.size(); i++) {
            o.put(TOKENS.get(i), sums[i]);
        }
        o.putObject("phase_seconds").put("generation", phases[0]).put("judging", phases[1]).put("training", phases[2]);
        return o;
    }

    /**
     * The run's totals over its stages: seconds, each token count, all tokens, seconds per phase
     * (generation, judging, training, other), and whether every stage is done (only then is the
     * cost that of the whole method).
     */
    static ObjectNode totals(JsonNode stages, String method) {
        ObjectNode t = Json.object();
        t.put("method", method);
        double seconds = 0;
        long[] sums = new long[TOKENS.size()];
        ObjectNode phases = Json.object();
        boolean complete = true;
        double evaluation = 0;
        boolean evaluated = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = stages.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode c = e.getValue().path("cost");
            String status = e.getValue().path("status").asText();
            complete &= status.equals("done") || status.equals("skipped");
            if (StageRun.parse(e.getKey()).stage() == Stage.EVAL) {
                // measuring a round's model is not part of making it: apart from the method's cost
                evaluation += c.path("seconds").asDouble(0);
                evaluated = true;
                continue;
            }
            double s = c.path("seconds").asDouble(0);
            seconds += s;
            for (int i = 0; i < TOKENS.size(); i++) {
                sums[i] += c.path(TOKENS.get(i)).asLong(0);
            }
            if (c.has("phase_seconds")) {
                double inPhases = 0;
                for (Iterator<Map.Entry<String, JsonNode>> p = c.get("phase_seconds").fields(); p.hasNext(); ) {
                    Map.Entry<String, JsonNode> ph = p.next();
                    add(phases, ph.getKey(), ph.getValue().asDouble());
                    inPhases += ph.getValue().asDouble();
                }
                add(phases, "other", Math.max(0, s - inPhases)); // loading, checkpoints, steps redone after a kill
            } else {
                add(phases, StageRun.parse(e.getKey()).stage().phase, s);
            }
        }
        t.put("seconds", seconds);
        long all = 0;
        for (int i = 0; i < TOKENS.size(); i++) {
            t.put(TOKENS.get(i), sums[i]);
            all += sums[i];
        }
        t.put("generation_tokens", sums[0] + sums[1]);
        t.put("tokens", all);
        t.set("phase_seconds", phases);
        t.put("complete", complete);
        if (evaluated) {
            t.put("evaluation_seconds", evaluation);
        }
        return t;
    }

    private static void add(ObjectNode o, String key, double v) {
        o.put(key, o.path(key).asDouble(0) + v);
    }
}
