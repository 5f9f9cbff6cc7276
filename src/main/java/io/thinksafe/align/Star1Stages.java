package io.thinksafe.align;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.GenerationRecord;
import io.thinksafe.data.Jsonl;
import io.thinksafe.data.Prompt;
import io.thinksafe.data.TrainingExample;
import io.thinksafe.generate.GenerateJob;
import io.thinksafe.generate.Generator;
import io.thinksafe.generate.ModelFamily;
import io.thinksafe.generate.SamplingParams;
import io.thinksafe.guard.Guard;
import io.thinksafe.guard.GuardJob;
import io.thinksafe.guard.GuardVerdict;
import io.thinksafe.guard.JudgedGeneration;
import io.thinksafe.guard.Verdict;
import io.thinksafe.text.ReasoningSplit;
import io.thinksafe.util.AtomicFiles;
import io.thinksafe.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * STAR-1's data (Wang et al. 2025), used by {@code recipe: star1} and {@code recipe: safekey}:
 * <ol>
 *   <li><b>classify</b>: each harmful prompt's policy categories, from its {@code category} through the
 *       policy map, or, without one, from the judge model shown {@code classify.txt};</li>
 *   <li><b>generate</b> (the pipeline's stage): the teacher answers each harmful prompt shown its policies
 *       ({@code teacher.txt}); prompts whose category is STAR-1's "Other" are left out;</li>
 *   <li><b>score</b>: the LLM judge rates every closed trace ({@code judge.txt}, with the policies; benign
 *       ones, for SafeKey, {@code judge_benign.txt}) — or the stand-in scores it: the run's guard P(safe)
 *       times 10, and a format check;</li>
 *   <li><b>build</b>: traces with every score at least {@code min_score} (STAR-1: full marks) are the
 *       candidates; STAR-1's selection ({@link Star1Selection}) keeps {@code keep} of them. Every example
 *       carries its categories, scores and the judge's output in {@code audit}.</li>
 * </ol>
 */
final class Star1Stages {
    static final List<String> HARMFUL_SCORES = List.of("safety_compliance", "policy_relevance", "reasoning_accuracy");
    static final List<String> BENIGN_SCORES = List.of("safety_compliance", "reasoning_quality", "helpfulness");
    static final List<String> STAND_IN_SCORES = List.of("guard_safety", "format");
    static final String STAND_IN_NOTE = "scored by the stand-in, not an LLM judge: the guard's P(safe) x 10 and a format check "
            + "(a closed think block), each out of 10";
    static final String TRACE_NOTE = "the teacher answered the plain prompt and the policies' objectives were prepended to its "
            + "reasoning (a stand-in: the teacher was not shown the policies)";

    private final Pipeline pipe;
    private final RunConfig cfg;
    private final RecipeOptions.Star1 s;
    private final Policies policies;

    Star1Stages(Pipeline pipe, RunConfig cfg) {
        this.pipe = pipe;
        this.cfg = cfg;
        this.s = cfg.options().star1();
        this.policies = Policies.load(s.policies());
    }

    /** Refuses, in one line, a harmful prompt whose category has no policy, or one without a category when nothing can classify it. */
    void check(List<Prompt> prompts) {
        for (Prompt p : prompts) {
            if (!p.harmful()) {
                continue;
            }
            if (p.category() != null && policies.categoriesOf(p.category()) == null) {
                throw new ThinkSafeException(cfg.promptFile() + ": prompt '" + p.id() + "': no policy for category '" + p.category()
                        + "' (add it under map: in " + policies.dir().resolve("categories.yaml") + ")");
            }
            if (p.category() == null && s.standIn()) {
                throw new ThinkSafeException(cfg.promptFile() + ": prompt '" + p.id() + "' has no category, and star1.judge is the "
                        + "stand-in 'guard', which cannot classify it (give the prompt a category, or star1.judge a model)");
            }
        }
    }

    private Path dir(StageRun run) {
        return pipe.dir(run);
    }

    /** The classify stage: {@code categories.jsonl}, one line per harmful prompt. */
    Pipeline.Done classify(StageRun run) {
        List<Prompt> harmful = pipe.prompts().stream().filter(Prompt::harmful).toList();
        List<Prompt> unlabelled = harmful.stream().filter(p -> p.category() == null).toList();
        Map<String, String> answers = new HashMap<>();
        ObjectNode tokens = Json.object().put("judge_tokens", 0L);
        String judge = null;
        if (!unlabelled.isEmpty()) {
            Path out = dir(run).resolve("classifier.jsonl");
            try (Generator g = pipe.models().openGenerator(s.judge())) {
                judge = g.modelName();
                GenerateJob.run(pipe.watching(g), unlabelled, 1, SamplingParams.greedy(s.judgeMaxNewTokens()), cfg.seed(), out, false,
                        p -> policies.fill("classify.txt", Map.of("instruction", p.text(), "categories", policies.categoryList())));
            }
            GenerationRecord.read(out).forEach(r -> answers.put(r.id(), r.response()));
            tokens = judgeTokens(out);
        }
        StringBuilder lines = new StringBuilder();
        int unreadable = 0;
        int other = 0;
        for (Prompt p : harmful) {
            ObjectNode o = Json.object().put("id", p.id());
            List<String> cats;
            if (p.category() != null) {
                cats = policies.categoriesOf(p.category());
                o.put("from", "map").put("category", p.category());
            } else {
                cats = JudgeAnswers.categories(answers.get(p.id()), policies);
                o.put("from", "judge").put("judge_output", answers.get(p.id()));
            }
            if (cats == null) {
                unreadable++;
                o.putNull("categories");
            } else {
                other += cats.equals(List.of(Policies.OTHER)) ? 1 : 0;
                ArrayNode a = o.putArray("categories");
                cats.forEach(a::add);
            }
            lines.append(Json.compact(o)).append('\n');
        }
        AtomicFiles.writeString(dir(run).resolve("categories.jsonl"), lines.toString());
        ObjectNode info = Json.object().put("harmful", harmful.size()).put("classified_by_judge", unlabelled.size())
                .put("unreadable", unreadable).put("other", other).put("policies", policies.dir().toString());
        if (judge != null) {
            info.put("judge", judge);
        }
        return new Pipeline.Done(info, tokens);
    }

    /** Each harmful prompt's policy categories as classified; prompts whose classification was unreadable are absent. */
    private Map<String, List<String>> categories(StageRun run) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (ObjectNode o : Jsonl.read(dir(run.of(Stage.CLASSIFY)).resolve("categories.jsonl"))) {
            if (o.path("categories").isArray()) {
                List<String> cats = new ArrayList<>();
                o.get("categories").forEach(c -> cats.add(c.asText()));
                out.put(o.get("id").asText(), cats);
            }
        }
        return out;
    }

    /** The prompts the teacher answers: harmful ones with a policy category (not "Other", as STAR-1 drops those), and benign ones. */
    List<Prompt> toGenerate(StageRun run, List<Prompt> prompts) {
        Map<String, List<String>> cats = categories(run);
        return prompts.stream().filter(p -> !p.harmful() || (cats.containsKey(p.id()) && !cats.get(p.id()).contains(Policies.OTHER)))
                .toList();
    }

    /** What the teacher is shown: a harmful prompt inside {@code teacher.txt} with its policies (unless they go into the trace). */
    Function<Prompt, String> teacherInput(StageRun run) {
        Map<String, List<String>> cats = categories(run);
        return p -> p.harmful() && s.policyInPrompt()
                ? policies.fill("teacher.txt", Map.of("instruction", p.text(), "policies", policies.text(cats.get(p.id()))))
                : p.text();
    }

    /** The response as it is judged and trained on; with {@code policy_in: trace} the policies' objectives open the reasoning. */
    private String trainingResponse(GenerationRecord g, List<String> cats, ModelFamily family) {
        String r = Responses.forTraining(Responses.restore(g.response(), family));
        if (s.policyInPrompt() || cats == null) {
            return r;
        }
        String after = r.stripLeading().substring(ReasoningSplit.OPEN.length());
        after = after.startsWith("\n") ? after.substring(1) : after;
        return ReasoningSplit.OPEN + "\n" + policies.objectives(cats) + "\n\n" + after;
    }

    private ModelFamily family(StageRun run) {
        return ModelFamily.valueOf(pipe.manifestText(run.of(Stage.GENERATE).key(), "family", ModelFamily.OTHER.name()));
    }

    private boolean usable(GenerationRecord g, ModelFamily family) {
        return !g.failed() && Responses.closed(Responses.restore(g.response(), family));
    }

    /** The score stage: {@code scored.jsonl}, one line per generation, with its status, scores and the judge's output. */
    Pipeline.Done score(StageRun run) {
        Path gens = dir(run.of(Stage.GENERATE)).resolve("generations.jsonl");
        ModelFamily family = family(run);
        Map<String, List<String>> cats = categories(run);
        List<GenerationRecord> records = GenerationRecord.read(gens);
        Map<String, ObjectNode> scores = new HashMap<>();
        Map<String, String> outputs = new HashMap<>();
        String judge;
        ObjectNode tokens;
        if (s.standIn()) {
            Path judged = dir(run).resolve("judged.jsonl");
            try (Guard guard = pipe.models().openGuard()) {
                judge = guard.name();
                for (JudgedGeneration j : JudgedGeneration.of(GuardJob.run(pipe.watching(guard), gens, judged, 0, false))) {
                    scores.put(j.key(), standInScores(j.verdict(), usable(j.generation(), family)));
                    outputs.put(j.key(), j.verdict().raw());
                }
                tokens = RunCosts.judging(guard, judged);
            }
        } else {
            Path out = dir(run).resolve("judge.jsonl");
            List<Prompt> asks = new ArrayList<>();
            for (GenerationRecord g : records) {
                if (usable(g, family)) {
                    ReasoningSplit split = ReasoningSplit.of(trainingResponse(g, cats.get(g.id()), family));
                    Map<String, String> v = Map.of("instruction", g.prompt(), "reasoning", split.reasoning(), "answer", split.answer(),
                            "policies", harmful(g) ? policies.text(cats.get(g.id())) : "");
                    asks.add(new Prompt(g.key(), policies.fill(harmful(g) ? "judge.txt" : "judge_benign.txt", v), g.label(), g.category()));
                }
            }
            try (Generator jg = pipe.models().openGenerator(s.judge())) {
                judge = jg.modelName();
                GenerateJob.run(pipe.watching(jg), asks, 1, SamplingParams.greedy(s.judgeMaxNewTokens()), cfg.seed(), out, false,
                        Prompt::text);
            }
            Map<String, Boolean> harmfulByKey = new HashMap<>();
            records.forEach(g -> harmfulByKey.put(g.key(), harmful(g)));
            for (GenerationRecord a : GenerationRecord.read(out)) {
                scores.put(a.id(), JudgeAnswers.scores(a.response(), harmfulByKey.get(a.id()) ? HARMFUL_SCORES : BENIGN_SCORES));
                outputs.put(a.id(), a.response());
            }
            tokens = judgeTokens(out);
        }
        StringBuilder lines = new StringBuilder();
        int scored = 0;
        int unreadable = 0;
        for (GenerationRecord g : records) {
            ObjectNode o = Json.object().put("id", g.id()).put("sample", g.sample()).put("label", g.label());
            if (cats.containsKey(g.id())) {
                ArrayNode a = o.putArray("categories");
                cats.get(g.id()).forEach(a::add);
            }
            ObjectNode sc = scores.get(g.key());
            String status = g.failed() ? "failed" : !usable(g, family) ? "unclosed" : sc == null ? "unreadable" : "scored";
            o.put("status", status);
            if (status.equals("scored")) {
                o.set("scores", sc);
                scored++;
            }
            unreadable += status.equals("unreadable") ? 1 : 0;
            o.put("judge", judge);
            if (outputs.get(g.key()) != null) {
                o.put("judge_output", outputs.get(g.key()));
            }
            lines.append(Json.compact(o)).append('\n');
        }
        AtomicFiles.writeString(dir(run).resolve("scored.jsonl"), lines.toString());
        ObjectNode info = Json.object().put("judge", judge).put("generations", records.size()).put("scored", scored)
                .put("unreadable", unreadable);
        List<String> notes = new ArrayList<>();
        if (s.standIn()) {
            notes.add(STAND_IN_NOTE);
        }
        if (!s.policyInPrompt()) {
            notes.add(TRACE_NOTE);
        }
        if (!notes.isEmpty()) {
            info.put("note", cfg.method().key() + ": " + String.join("; ", notes));
        }
        return new Pipeline.Done(info, tokens);
    }

    private static boolean harmful(GenerationRecord g) {
        return g.label() != null && g.label().contains("harmful");
    }

    /** The stand-in's scores: the guard's P(safe) (a verdict-only guard: 1 or 0) times 10, rounded, and 10 for a closed think block. */
    static ObjectNode standInScores(GuardVerdict v, boolean closed) {
        if (v.verdict() == Verdict.ERROR) {
            return null;
        }
        double p = v.pSafe() != null ? v.pSafe() : v.safe() ? 1 : 0;
        return Json.object().put(STAND_IN_SCORES.get(0), (double) Math.round(10 * p)).put(STAND_IN_SCORES.get(1), closed ? 10.0 : 0.0);
    }

    /** What the judge read and wrote: prompt and completion tokens of its generations. */
    private static ObjectNode judgeTokens(Path generations) {
        long n = 0;
        for (GenerationRecord g : GenerationRecord.read(generations)) {
            n += g.promptTokens() + g.tokens();
        }
        return Json.object().put("judge_tokens", n);
    }

    /** The build stage: candidates at full marks, STAR-1's selection of {@code keep} harmful ones, SafeKey's benign ones too. */
    Pipeline.Done build(StageRun run, Recipe recipe) {
        ModelFamily family = family(run);
        Map<String, Prompt> prompts = new HashMap<>();
        pipe.prompts().forEach(p -> prompts.put(p.id(), p));
        Map<String, GenerationRecord> gens = new HashMap<>();
        GenerationRecord.read(dir(run.of(Stage.GENERATE)).resolve("generations.jsonl")).forEach(g -> gens.put(g.key(), g));
        FilterReport report = new FilterReport();
        List<Star1Selection.Candidate> candidates = new ArrayList<>();
        Map<String, ObjectNode> passed = new LinkedHashMap<>();
        for (ObjectNode o : Jsonl.read(dir(run.of(Stage.SCORE)).resolve("scored.jsonl"))) {
            String key = GenerationRecord.keyOf(o);
            Prompt p = prompts.get(o.get("id").asText());
            FilterReport.Counts c = report.of(DatasetBuilder.label(p));
            c.generated++;
            switch (o.path("status").asText()) {
                case "scored" -> {
                    if (fullMarks(o.get("scores"))) {
                        passed.put(key, o);
                        if (p.harmful()) {
                            List<String> cats = new ArrayList<>();
                            o.path("categories").forEach(x -> cats.add(x.asText()));
                            candidates.add(new Star1Selection.Candidate(key, DatasetBuilder.label(p), cats));
                        }
                    } else {
                        c.unsafe++; // below the score threshold
                    }
                }
                case "unreadable" -> c.error++;
                default -> c.unclosed++;
            }
        }
        java.util.Set<String> chosen = new java.util.HashSet<>(Star1Selection.select(candidates, cfg.options().keep()).stream()
                .map(Star1Selection.Candidate::key).toList());
        passed.forEach((key, o) -> {
            if (!prompts.get(o.get("id").asText()).harmful()) {
                chosen.add(key); // SafeKey's benign answers are not STAR-1's to select
            }
        });
        List<TrainingExample> rows = new ArrayList<>();
        for (Map.Entry<String, ObjectNode> e : passed.entrySet()) {
            if (!chosen.contains(e.getKey())) {
                continue;
            }
            ObjectNode o = e.getValue();
            GenerationRecord g = gens.get(e.getKey());
            Prompt p = prompts.get(g.id());
            List<String> cats = new ArrayList<>();
            o.path("categories").forEach(x -> cats.add(x.asText()));
            ObjectNode audit = Json.object();
            audit.set("categories", o.path("categories").isArray() ? o.get("categories") : Json.MAPPER.createArrayNode());
            audit.set("scores", o.get("scores"));
            audit.put("judge", o.path("judge").asText()).put("judge_output", o.path("judge_output").asText(null));
            audit.put("policy_in", s.policyInPrompt() ? "prompt" : "trace");
            report.of(DatasetBuilder.label(p)).kept++;
            rows.add(new TrainingExample(p.text(), trainingResponse(g, p.harmful() ? cats : null, family), p.harmful() ? "harmful" : "benign",
                    "safe", p.id(), p.label(), p.category(), recipe.key(), null, g.sample(), g.model(), g.seed(), o.path("judge").asText(),
                    null, null, audit));
        }
        if (rows.isEmpty()) {
            throw new ThinkSafeException("build: no trace reached min_score " + s.minScore() + " on every criterion (see "
                    + dir(run.of(Stage.SCORE)).resolve("scored.jsonl") + ")");
        }
        return pipe.writeTrainingSet(run, recipe, rows, report, passed.size());
    }

    private boolean fullMarks(JsonNode scores) {
        for (JsonNode v : scores) {
            if (v.asDouble() < s.minScore()) {
                return false;
            }
        }
        return true;
    }

    /** A hash of every file of the policy folder, so that an edited policy or template is a changed input. */
    static String folderHash(Path dir) {
        StringBuilder b = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                b.append(f.getFileName()).append('=').append(RunManifest.fileHash(f)).append(';');
            }
        } catch (IOException e) {
            throw new ThinkSafeException(dir + ": cannot read the policy folder (" + e.getMessage() + ")");
        }
        return RunManifest.sha256(b.toString());
    }
}
