package io.thinksafe.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.Prompt;
import io.thinksafe.data.PromptSet;
import io.thinksafe.train.SafeKeySpans;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** STAR-1's pieces without models: the shipped policy folder and its map, the judge's answers, the selection rule; SafeKey's spans. */
class Star1DataTest {
    @TempDir
    Path tmp;

    static final Path SHIPPED = Path.of("policies/star1");

    /** STAR-1's loop as its scorer script runs it: recount, remove the first item of largest value, until keep remain. */
    static List<Star1Selection.Candidate> itemByItem(List<Star1Selection.Candidate> in, int keep) {
        List<Star1Selection.Candidate> data = new ArrayList<>(in);
        while (data.size() > keep) {
            Map<String, Integer> catCount = new java.util.HashMap<>();
            Map<String, Integer> srcCount = new java.util.HashMap<>();
            for (Star1Selection.Candidate c : data) {
                c.categories().forEach(x -> catCount.merge(x, 1, Integer::sum));
                srcCount.merge(c.source(), 1, Integer::sum);
            }
            int sum = catCount.values().stream().mapToInt(Integer::intValue).sum();
            int best = 0;
            double bestValue = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < data.size(); i++) {
                Star1Selection.Candidate c = data.get(i);
                double share = 0;
                for (String x : c.categories()) {
                    share += (double) catCount.get(x) / sum;
                }
                double v = (double) srcCount.get(c.source()) / data.size() * share;
                if (v > bestValue) {
                    bestValue = v;
                    best = i;
                }
            }
            data.remove(best);
        }
        return data;
    }

    @Test
    void theSelectionRemovesTheMostCrowdedFirstExactlyAsStar1sLoop() {
        List<String> cats = List.of("Violence / Physical Harm", "Illicit / Criminal Behavior", "Privacy / Personal Data", "Self-Harm");
        SplittableRandom r = new SplittableRandom(7);
        for (int trial = 0; trial < 20; trial++) {
            List<Star1Selection.Candidate> in = new ArrayList<>();
            int n = 20 + r.nextInt(60);
            for (int i = 0; i < n; i++) {
                List<String> c = new ArrayList<>(List.of(cats.get(r.nextInt(r.nextInt(4) + 1))));
                if (r.nextInt(4) == 0 && !c.contains(cats.get(2))) {
                    c.add(cats.get(2));
                }
                in.add(new Star1Selection.Candidate("k" + i, r.nextInt(3) == 0 ? "adversarial_harmful" : "vanilla_harmful", c));
            }
            int keep = 1 + r.nextInt(n);
            assertThat(Star1Selection.select(in, keep)).as("trial %d", trial).containsExactlyElementsOf(itemByItem(in, keep));
        }
        // rare sources and categories survive; on equal values the first goes
        List<Star1Selection.Candidate> small = List.of(
                new Star1Selection.Candidate("a", "vanilla_harmful", List.of(cats.get(0))),
                new Star1Selection.Candidate("b", "vanilla_harmful", List.of(cats.get(0))),
                new Star1Selection.Candidate("c", "vanilla_harmful", List.of(cats.get(0))),
                new Star1Selection.Candidate("d", "adversarial_harmful", List.of(cats.get(3))));
        assertThat(Star1Selection.select(small, 2)).extracting(Star1Selection.Candidate::key).containsExactly("c", "d");
        assertThat(Star1Selection.select(small, 0)).isEqualTo(small);
    }

    @Test
    void theShippedPoliciesCoverStar1sCategoriesAndMapEveryMicroWorldHazard() throws Exception {
        Policies p = Policies.load(SHIPPED);
        assertThat(p.categories()).containsExactly("Harassment / Hate / Discrimination", "Sexual / Adult", "Violence / Physical Harm",
                "Self-Harm", "Illicit / Criminal Behavior", "Misinformation / Disinformation", "Privacy / Personal Data",
                "Intellectual Property");
        for (Prompt h : PromptSet.read(Path.of("microworld/data/prompts.jsonl"))) {
            if (h.harmful()) {
                assertThat(p.categoriesOf(h.category())).as(h.category()).isNotNull().isNotEmpty().doesNotContain(Policies.OTHER);
            }
        }
        assertThat(p.categoriesOf("Self-harm")).containsExactly("Self-Harm");
        assertThat(p.categoriesOf("S9")).containsExactly("Violence / Physical Harm");
        assertThat(p.categoriesOf("Privacy / Personal Data")).containsExactly("Privacy / Personal Data");
        assertThat(p.categoriesOf("astrology")).isNull();
        String teacher = p.fill("teacher.txt", Map.of("instruction", "How do I build a silencer?", "policies",
                p.text(List.of("Violence / Physical Harm", "Illicit / Criminal Behavior"))));
        assertThat(teacher).contains("How do I build a silencer?").contains("# Violence / Physical Harm").contains("\n---\n")
                .doesNotContain("{instruction}").doesNotContain("{policies}");
        assertThat(p.fill("judge.txt", Map.of("instruction", "x", "reasoning", "r", "answer", "a", "policies", "P")))
                .contains("{\"safety_compliance\": 0, \"policy_relevance\": 0, \"reasoning_accuracy\": 0}"); // the JSON example stays
        assertThat(p.objectives(List.of("Self-Harm"))).startsWith("Policy on Self-Harm: the assistant supports people");
    }

    @Test
    void aBrokenPolicyFolderIsOneClearError() throws Exception {
        Path d = tmp.resolve("p");
        Files.createDirectories(d);
        for (String f : Policies.TEMPLATES) {
            Files.writeString(d.resolve(f), "{instruction}");
        }
        Files.writeString(d.resolve("a.md"), "# A\n\nObjective: be careful.");
        Files.writeString(d.resolve("categories.yaml"), "categories: {A: a.md}\nmap: {weapons: [B]}\n");
        assertThatThrownBy(() -> Policies.load(d)).isInstanceOf(ThinkSafeException.class).hasMessageContaining("unknown category 'B'");
        Files.writeString(d.resolve("categories.yaml"), "categories: {A: a.md, C: missing.md}\n");
        assertThatThrownBy(() -> Policies.load(d)).hasMessageContaining("cannot read").hasMessageContaining("missing.md");
        Files.writeString(d.resolve("categories.yaml"), "categories: {A: a.md}\nmap: {Self-Harm: [A], self_harm: [A]}\n");
        assertThatThrownBy(() -> Policies.load(d)).hasMessageContaining("listed twice");
        assertThatThrownBy(() -> Policies.load(tmp)).hasMessageContaining("no categories.yaml");
    }

    @Test
    void theJudgesAnswersAreReadStrictly() {
        Policies p = Policies.load(SHIPPED);
        List<String> keys = Star1Stages.HARMFUL_SCORES;
        ObjectNode s = JudgeAnswers.scores("<think>hmm {\"a\": 1}</think>Scores:\n```json\n{\"safety_compliance\": 10, "
                + "\"policy_relevance\": 9, \"reasoning_accuracy\": 10,}\n```", keys);
        assertThat(s.get("policy_relevance").asDouble()).isEqualTo(9);
        assertThat(JudgeAnswers.scores("{\"safety_compliance\": 10, \"policy_relevance\": 11, \"reasoning_accuracy\": 10}", keys)).isNull();
        assertThat(JudgeAnswers.scores("{\"safety_compliance\": 10}", keys)).isNull();
        assertThat(JudgeAnswers.scores("ten out of ten", keys)).isNull();
        assertThat(JudgeAnswers.scores(null, keys)).isNull();
        assertThat(JudgeAnswers.categories("[\"Self-Harm\", \"Violence / Physical Harm\"]", p)).containsExactly("Self-Harm",
                "Violence / Physical Harm");
        assertThat(JudgeAnswers.categories("It is [\"Other\"]", p)).containsExactly(Policies.OTHER);
        assertThat(JudgeAnswers.categories("[\"Cooking\"]", p)).isNull();
        assertThat(JudgeAnswers.categories("[]", p)).isNull();
    }

    @Test
    void safeKeysUnderstandingIsTheFirstParagraphOrSentenceAndTheKeySentenceFollowsIt() {
        String r1 = "<think>\nOkay, the user asks how to poison a neighbour. They want it undetected.\n\nHmm, this is concerning. "
                + "I must refuse.\n</think>\n\nI can't help with that.";
        SafeKeySpans a = SafeKeySpans.locate(r1);
        assertThat(r1.substring(0, a.understandingEnd())).endsWith("They want it undetected.");
        assertThat(r1.substring(a.understandingEnd(), a.keyEnd()).strip()).isEqualTo("Hmm, this is concerning.");
        String micro = "<think>\nSafety check: this request involves fraud. That is dangerous. Decision: decline.\n</think>\n\nNo.";
        SafeKeySpans b = SafeKeySpans.locate(micro);
        assertThat(micro.substring(0, b.understandingEnd())).endsWith("involves fraud.");
        assertThat(micro.substring(b.understandingEnd(), b.keyEnd()).strip()).isEqualTo("That is dangerous.");
        assertThat(SafeKeySpans.locate("<think>\nOne sentence only.\n</think>\n\nAnswer.")).isNull();
        assertThat(SafeKeySpans.locate("<think>\n\n</think>\n\nAnswer.")).isNull();
    }
}
