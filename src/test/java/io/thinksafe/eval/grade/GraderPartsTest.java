package io.thinksafe.eval.grade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.thinksafe.eval.grade.AnswerExtractor.Source;
import org.junit.jupiter.api.Test;

class GraderPartsTest {
    @Test
    void extractionFollowsTheReferenceOrder() {
        assertThat(AnswerExtractor.extract("Final Answer: The final answer is $3$. I hope it is correct. \\boxed{4}").source())
                .isEqualTo(Source.MINERVA);
        assertThat(AnswerExtractor.extract("The answer is 3. Also \\boxed{4}").answer()).isEqualTo("4");
        assertThat(AnswerExtractor.extract("The answer is 3, the final answer is 5").answer()).isEqualTo("3,the final answer is 5".replace(" ", ""));
        assertThat(AnswerExtractor.extract("x = 1, y = 2.5 and z = -7").source()).isEqualTo(Source.LAST_NUMBER);
        assertThat(AnswerExtractor.extract("x = 1, y = 2.5 and z = -7").answer()).isEqualTo("-7");
        assertThat(AnswerExtractor.extract("no digits").answer()).isEmpty();
        assertThat(AnswerExtractor.boxedContent("{a{b}c}d")).isEqualTo("a{b}c");
        assertThat(AnswerExtractor.boxedContent("{unclosed")).isEqualTo("unclosed");
        assertThat(AnswerExtractor.tidy(":5\n  /")).isEqualTo("5");
    }

    @Test
    void normalisation() {
        assertThat(MathNormalizer.normalize("\\dfrac12")).isEqualTo("\\frac{1}{2}");
        assertThat(MathNormalizer.normalize("\\frac{\\sqrt3}2")).isEqualTo("\\frac{\\sqrt{3}}{2}");
        assertThat(MathNormalizer.normalize("x = \\left( 1, 2 \\right)")).isEqualTo("(1,2)");
        assertThat(MathNormalizer.normalize("2x=4")).isEqualTo("4"); // the reference drops any left side of at most two characters
        assertThat(MathNormalizer.normalize("a+b")).isEqualTo("a+b"); // unit words are not deleted inside expressions
        assertThat(MathNormalizer.normalize("Sunday")).isEqualTo("Sunday");
        assertThat(MathNormalizer.normalize("5, 3, 10")).isEqualTo("3,5,10");
        assertThat(MathNormalizer.normalize("12,345")).isEqualTo("12345");
        assertThat(MathNormalizer.normalize("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}")).isEqualTo("\\begin{pmatrix}1\\\\2\\end{pmatrix}");
        assertThat(NumberWords.toDigits("Two Thousand and Twenty-Four")).isEqualTo("2024");
        assertThat(NumberWords.toDigits("minus three")).isEqualTo("-3");
        assertThat(NumberWords.toDigits("one way")).isEqualTo("one way");
        assertThat(NumberWords.toDigits("hundred")).isEqualTo("hundred");
    }

    @Test
    void constantsEvaluateWithoutTheSymbolicEngine() {
        assertThat(LatexNumbers.value("\\frac{\\sqrt{3}}{2}")).isCloseTo(Math.sqrt(3) / 2, within(1e-12));
        assertThat(LatexNumbers.value("2\\sqrt{2}+3")).isCloseTo(2 * Math.sqrt(2) + 3, within(1e-12));
        assertThat(LatexNumbers.value("\\sqrt[3]{-8}")).isCloseTo(-2, within(1e-12));
        assertThat(LatexNumbers.value("-2^{2}")).isCloseTo(-4, within(1e-12));
        assertThat(LatexNumbers.value("3\\pi/4")).isCloseTo(3 * Math.PI / 4, within(1e-12));
        assertThat(LatexNumbers.value("2\\cdot3!")).isCloseTo(12, within(1e-12));
        assertThat(LatexNumbers.value("x+1")).isNull();
        assertThat(LatexNumbers.value("\\sqrt{-1}")).isNull();
        assertThat(LatexNumbers.value("1,2")).isNull();
        assertThat(LatexNumbers.value("\\pin")).isNull();
        assertThat(LatexNumbers.value("\\frac{1}{0}")).isNull();
    }

    @Test
    void theEqualityChainSaysWhichRuleDecided() {
        assertThat(MathEquality.compare("ABC", "abc").rule()).isEqualTo(MathEquality.Rule.STRING);
        assertThat(MathEquality.compare("50", "0.5")).isEqualTo(new MathEquality.Verdict(true, MathEquality.Rule.NUMERIC));
        assertThat(MathEquality.compare("7", "8")).isEqualTo(new MathEquality.Verdict(false, MathEquality.Rule.NUMERIC));
        assertThat(MathEquality.compare("\\frac{1}{2}", "0.5").rule()).isEqualTo(MathEquality.Rule.CONSTANT);
        assertThat(MathEquality.compare("(1,2)", "[1,2]")).isEqualTo(new MathEquality.Verdict(false, MathEquality.Rule.ELEMENTWISE));
        assertThat(MathEquality.compare("Evelyn", "Evelin")).isEqualTo(new MathEquality.Verdict(false, MathEquality.Rule.NONE));
        assertThat(MathEquality.compare("", "")).isEqualTo(new MathEquality.Verdict(false, MathEquality.Rule.NONE));
    }
}
