package io.thinksafe.eval.grade;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hand-written table {@code grading/cases.tsv}: responses of the kinds MATH, AIME, GSM8K and GPQA
 * produce, each with its gold answer, the expected grade and (where given) the extracted answer.
 */
class GradingCasesTest {
    record Case(int line, Task task, boolean expected, String gold, String response, String extracted) {
        @Override
        public String toString() {
            return "line " + line + " " + task.id() + " gold=" + gold + " response=" + response.replace("\n", "⏎");
        }
    }

    static List<Case> cases() {
        List<Case> out = new ArrayList<>();
        String text;
        try (InputStream in = GradingCasesTest.class.getResourceAsStream("/grading/cases.tsv")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length < 4 || !(f[1].equals("yes") || f[1].equals("no"))) {
                throw new IllegalStateException("cases.tsv:" + n + ": expected task, yes|no, gold, response[, extracted]");
            }
            String extracted = f.length > 4 && !f[4].equals("-") ? f[4] : null;
            out.add(new Case(n, Task.parse(f[0]), f[1].equals("yes"), f[2], f[3].replace("⏎", "\n"), extracted));
        }
        return out;
    }

    static Stream<Case> table() {
        return cases().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void gradesAsExpected(Case c) {
        Grade g = c.task().grade(c.response(), c.gold());
        if (c.extracted() != null) {
            assertThat(g.extracted()).as("extracted answer").isEqualTo(c.extracted());
        }
        assertThat(g.correct()).as("correct (extracted '%s', decided by %s)", g.extracted(), g.rule()).isEqualTo(c.expected());
    }

    @Test
    void theTableIsLargeAndCoversEveryTaskBothWays() {
        List<Case> all = cases();
        assertThat(all).hasSizeGreaterThanOrEqualTo(200);
        Map<Task, int[]> counts = new EnumMap<>(Task.class);
        for (Case c : all) {
            counts.computeIfAbsent(c.task(), t -> new int[2])[c.expected() ? 0 : 1]++;
        }
        for (Task t : Task.values()) {
            assertThat(counts.get(t)).as(t.id()).isNotNull();
            assertThat(counts.get(t)[0]).as(t.id() + " correct cases").isGreaterThanOrEqualTo(5);
            assertThat(counts.get(t)[1]).as(t.id() + " incorrect cases").isGreaterThanOrEqualTo(4);
        }
    }
}
