package io.thinksafe.eval.grade;

import io.thinksafe.ThinkSafeException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The answer-checking rules of the reasoning benchmarks. MATH500 and AIME share the MATH chain
 * ({@link MathEquality}); GSM8K compares the last number of the extracted answer as a string with
 * the number after {@code ####}; GPQA takes the last standalone letter A-D of the upper-cased
 * response. Every task grades the whole response, reasoning included, as the reference does.
 */
public enum Task {
    MATH, AIME, GSM8K, GPQA;

    private static final Pattern GSM8K_NUMBER = Pattern.compile("(-?[$0-9.,]{2,})|(-?[0-9]+)");
    // Python's \b is Unicode-aware; UNICODE_CHARACTER_CLASS gives Java the same word boundaries
    private static final Pattern GPQA_LETTER = Pattern.compile("\\b(A|B|C|D)\\b", Pattern.UNICODE_CHARACTER_CLASS);

    public static Task parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "")) {
            case "math", "math500" -> MATH;
            case "aime", "aime2024" -> AIME;
            case "gsm8k" -> GSM8K;
            case "gpqa", "gpqadiamond" -> GPQA;
            default -> throw new ThinkSafeException("unknown task '" + name + "' (expected math, aime, gsm8k or gpqa)");
        };
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Grades {@code response} against the gold answer as stored in the benchmark (MATH/AIME answer, GSM8K number, GPQA letter). */
    public Grade grade(String response, String gold) {
        return switch (this) {
            case MATH, AIME -> math(response, gold);
            case GSM8K -> gsm8k(response, gold);
            case GPQA -> gpqa(response, gold);
        };
    }

    private static Grade math(String response, String gold) {
        AnswerExtractor.Extraction e = AnswerExtractor.extract(response);
        if (e.answer().isEmpty()) {
            return new Grade("", false, e.source().name().toLowerCase(Locale.ROOT), "none");
        }
        String ref = MathNormalizer.normalize(AnswerExtractor.tidy(gold));
        MathEquality.Verdict v = MathEquality.compare(e.answer(), ref);
        return new Grade(e.answer(), v.equal(), e.source().name().toLowerCase(Locale.ROOT), v.rule().name().toLowerCase(Locale.ROOT));
    }

    private static Grade gsm8k(String response, String gold) {
        AnswerExtractor.Extraction e = AnswerExtractor.extract(response);
        String cleaned = e.answer().replace(",", "").replace("$", "");
        Matcher m = GSM8K_NUMBER.matcher(cleaned);
        String last = null;
        while (m.find()) {
            last = m.group();
        }
        String source = e.source().name().toLowerCase(Locale.ROOT);
        if (last == null) {
            return new Grade("", false, source, "none");
        }
        return new Grade(last, last.equals(gsm8kGold(gold)), source, "string");
    }

    /** The gold number of a GSM8K answer: what follows {@code ####} (or the whole text), without commas. */
    public static String gsm8kGold(String answer) {
        int mark = answer.lastIndexOf("####");
        String g = mark >= 0 ? answer.substring(mark + 4) : answer;
        return g.replace(",", "").strip();
    }

    private static Grade gpqa(String response, String gold) {
        String text = response == null ? "" : response.toUpperCase(Locale.ROOT);
        Matcher m = GPQA_LETTER.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        if (last == null) {
            return new Grade("", false, "none", "none");
        }
        return new Grade(last, last.equals(gold.strip().toUpperCase(Locale.ROOT)), "last_letter", "string");
    }
}
