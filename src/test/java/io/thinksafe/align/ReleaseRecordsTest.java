package io.thinksafe.align;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinksafe.data.GenerationRecord;
import io.thinksafe.data.Jsonl;
import io.thinksafe.data.Prompt;
import io.thinksafe.data.PromptSet;
import io.thinksafe.data.TrainingExample;
import io.thinksafe.generate.ModelFamily;
import io.thinksafe.guard.Guard;
import io.thinksafe.guard.GuardInput;
import io.thinksafe.guard.GuardJob;
import io.thinksafe.guard.GuardVerdict;
import io.thinksafe.guard.JudgedGeneration;
import io.thinksafe.guard.Verdict;
import io.thinksafe.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The records that pass between stages read and write exactly the lines thinksafe 0.1.0 wrote
 * ({@code src/test/resources/written-by-0.1.0}): generations, judged generations (the judge's own
 * output too), and every recipe's training set and filter report, rebuilt from the same judgements.
 */
class ReleaseRecordsTest {
    static Path fixture(String name) throws Exception {
        return Path.of(ReleaseRecordsTest.class.getResource("/written-by-0.1.0/" + name).toURI());
    }

    static List<String> lines(String name) throws Exception {
        return Files.readAllLines(fixture(name));
    }

    @Test
    void generationRecordsWriteTheLinesTheyWereReadFrom() throws Exception {
        List<String> lines = lines("records/generations.jsonl");
        assertThat(lines).hasSize(8);
        for (String line : lines) {
            assertThat(Json.compact(GenerationRecord.fromJson(Json.MAPPER.readTree(line)).toJson())).isEqualTo(line);
        }
        List<GenerationRecord> read = GenerationRecord.read(fixture("records/generations.jsonl"));
        assertThat(read.get(5).failed()).isTrue();
        assertThat(read.get(5).error()).isEqualTo("HTTP 500: upstream failed");
        assertThat(read.get(6).truncated()).isTrue();
        assertThat(read.get(6).key()).isEqualTo("u1#2");
    }

    @Test
    void judgedGenerationsWriteTheLinesTheyWereReadFromAndTheJudgeWritesThemAsTheReleaseDid() throws Exception {
        List<String> lines = lines("records/judged.jsonl");
        for (String line : lines) {
            assertThat(Json.compact(JudgedGeneration.fromJson(Json.MAPPER.readTree(line)).toJson())).isEqualTo(line);
        }
        // the release's GuardJob.judge with the same scripted judge: an error verdict, a WildGuard-style one, no response
        Guard scripted = new Guard() {
            @Override
            public String name() {
                return "scripted";
            }

            @Override
            public List<GuardVerdict> judge(List<GuardInput> in) {
                List<GuardVerdict> v = new ArrayList<>();
                for (int i = 0; i < in.size(); i++) {
                    v.add(i % 2 == 0 ? GuardVerdict.error("scripted", "garbled \"text\"", "cannot parse the verdict")
                            : new GuardVerdict("scripted", Verdict.UNSAFE, 0.125, List.of("S1", "S9"), true, null, "unsafe\nS1,S9", null));
                }
                return v;
            }

            @Override
            public long tokensRead(List<GuardInput> in) {
                return 0;
            }
        };
        var gens = Jsonl.read(fixture("records/generations.jsonl")).subList(5, 8);
        List<String> judged = GuardJob.judge(scripted, gens, false).stream().map(Json::compact).toList();
        assertThat(judged).containsExactlyElementsOf(lines.subList(lines.size() - 3, lines.size()));
        JudgedGeneration noResponse = JudgedGeneration.fromJson(Json.MAPPER.readTree(lines.get(lines.size() - 3)));
        assertThat(noResponse.verdict().verdict()).isEqualTo(Verdict.ERROR);
        assertThat(noResponse.safe()).isFalse();
    }

    @Test
    void everyRecipeBuildsTheTrainingSetAndFilterReportTheReleaseBuilt() throws Exception {
        List<Prompt> prompts = PromptSet.read(fixture("build/prompts.jsonl"));
        for (Recipe r : List.of(Recipe.THINKSAFE, Recipe.THINKSAFE_KL, Recipe.REJECTION_SAMPLING, Recipe.WITHOUT_REASONING,
                Recipe.TEACHER, Recipe.DIRECT_REFUSAL)) { // the recipes of 0.1.0
            List<JudgedGeneration> judged = JudgedGeneration.read(fixture(r == Recipe.REJECTION_SAMPLING
                    ? "build/judged-5-samples.jsonl" : "build/judged.jsonl"));
            DatasetBuilder.Result res = DatasetBuilder.build(r, judged, prompts,
                    r == Recipe.TEACHER ? ModelFamily.R1_DISTILL : ModelFamily.QWEN3, "prefix", 0);
            List<String> expected = lines("build/train-" + r.key() + ".jsonl");
            assertThat(res.rows().stream().map(e -> Json.compact(e.toJson())).toList()).as(r.key()).containsExactlyElementsOf(expected);
            assertThat(Json.pretty(res.report().toJson()) + "\n").as(r.key())
                    .isEqualTo(Files.readString(fixture("build/filter_report-" + r.key() + ".json")));
            for (String line : expected) {
                assertThat(Json.compact(TrainingExample.fromJson(Json.MAPPER.readTree(line)).toJson())).isEqualTo(line);
            }
        }
        assertThat(lines("build/train-rejection_sampling.jsonl")).isNotEmpty();
        assertThat(lines("build/train-direct_refusal.jsonl")).anyMatch(l -> l.contains("\"generator\":\"fixed\""));
    }
}
