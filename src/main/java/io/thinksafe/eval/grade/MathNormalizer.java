package io.thinksafe.eval.grade;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts a math answer in a canonical textual form, so that most equal answers become equal strings:
 * {@code \dfrac}/{@code \tfrac} → {@code \frac}, {@code \frac12} → {@code \frac{1}{2}}, no
 * {@code \left}/{@code \right}, no trailing {@code \text{…}} units or unit words, no degree signs,
 * dollars, percent signs or spaces, no {@code x=} prefixes, no trailing {@code .0…}, {@code a/b} →
 * {@code \frac{a}{b}}, {@code \sqrt2} → {@code \sqrt{2}}, number words → digits, and plain integer
 * lists sorted. The same function runs on the reference answer, so both sides meet in the middle.
 *
 * <p>Where the reference implementation has a known slip we keep its intent instead: it deletes
 * unit words such as {@code a}, {@code m} or {@code and} anywhere in an expression (so {@code a+b}
 * loses its {@code a}) and strips {@code x=} from inside expressions ({@code 2x=4} → {@code 24});
 * here units go only when they trail a number, and variable prefixes only at the start of an answer
 * or of a list element.
 */
public final class MathNormalizer {
    /** Spacing commands ({@code \,}, {@code \;}, {@code \!}, {@code \quad}, backslash-space), but not a matrix row break. */
    private static final Pattern SPACING = Pattern.compile("(?<!\\\\)\\\\(?:[,;: !]|q?quad)");
    private static final Pattern ARRAY_BEGIN = Pattern.compile("\\\\begin\\{array\\}\\{[^}]*\\}");
    /** A trailing {@code \text{…}} (or {@code \mbox}, {@code \mathrm}) holding a unit, possibly squared. */
    private static final Pattern TRAILING_TEXT = Pattern.compile(
            "\\\\(?:text|mbox|mathrm|textbf|textrm)\\s*\\{[^{}]*\\}(?:\\^\\{?[23]\\}?)?\\s*$");
    private static final Pattern TEXT = Pattern.compile("\\\\(?:text|mbox|mathrm|textbf|textrm|textit|mathbf)\\s*\\{([^{}]*)\\}");
    /** Unit words after a number, a closing bracket or pi ({@code Monday} keeps its {@code day}). */
    private static final Pattern UNIT_WORDS = Pattern.compile(
            "^(.*?(?:[0-9})]|\\\\pi))\\s*(?:(?:square|sq\\.?|cubic|cu\\.?)\\s+)?"
            + "(?:units?|cm|centimeters?|centimetres?|mm|millimeters?|km|kilometers?|kilometres?|meters?|metres?"
            + "|inch(?:es)?|feet|foot|ft|yards?|yd|miles?|mph|km/h|kph|degrees?|deg|radians?|dollars?|cents?"
            + "|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|kg|kilograms?|grams?|pounds?|lbs?"
            + "|ounces?|oz|liters?|litres?|ml|gallons?|quarts?|pints?|cups?|calories|percent|points?)"
            + "(?:\\^\\{?[23]\\}?|²|³)?$", Pattern.CASE_INSENSITIVE);
    /** Single-letter units need a space before them: {@code 5 m} is five metres, {@code 5m} may be an expression. */
    private static final Pattern SHORT_UNITS = Pattern.compile("^(.*?[0-9}])\\s+(?:m|g|s|l)(?:\\^\\{?[23]\\}?|²|³)?$");
    private static final Pattern VARIABLE_PREFIX = Pattern.compile("(^|[,(\\[{])\\s*(?:[a-zA-Z]|\\\\[a-zA-Z]+)\\s*(?:=|\\\\in|\\\\to)");
    private static final Pattern TRAILING_ZEROS_INNER = Pattern.compile("(\\d+)\\.0*([^\\d])");
    private static final Pattern TRAILING_ZEROS_END = Pattern.compile("(\\d+)\\.0*$");
    private static final Pattern SQRT_BARE = Pattern.compile("\\\\sqrt(\\w+)");
    private static final Pattern INT_SLASH = Pattern.compile("^(-?\\d+)/(\\d+)$");
    private static final Pattern THOUSANDS = Pattern.compile("^-?\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?$");
    private static final Pattern INT_LIST = Pattern.compile("^-?\\d+(?:,-?\\d+)+$");
    private static final Pattern INF_WORD = Pattern.compile("\\binf\\b");
    private static final Pattern AND_WORD = Pattern.compile("\\s+and\\s+");

    private MathNormalizer() {}

    public static String normalize(String answer) {
        if (answer == null) {
            return "";
        }
        String s = answer.strip().replace("\n", "");
        while (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        s = ARRAY_BEGIN.matcher(s).replaceAll("\\\\begin{pmatrix}").replace("\\end{array}", "\\end{pmatrix}")
                .replace("bmatrix", "pmatrix");
        s = s.replace("\\tfrac", "\\frac").replace("\\dfrac", "\\frac");
        s = s.replace("\\neq", "\\ne").replace("\\leq", "\\le").replace("\\geq", "\\ge");
        s = s.replace("\\left", "").replace("\\right", "");
        s = s.replace("\\{", "{").replace("\\}", "}");
        // LaTeX spacing commands carry no meaning in an answer; {,} is a thousands separator (1{,}000)
        s = SPACING.matcher(s.replace("{,}", ",").replace("~", " ")).replaceAll(" ");
        s = dropUnits(s);
        s = s.replace("^{\\circ}", "").replace("^\\circ", "").replace("\\circ", "").replace("°", "");
        s = s.replace("\\$", "").replace("$", "");
        s = s.replace("\\(", "").replace("\\)", "");
        s = TEXT.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1)));
        s = NumberWords.toDigits(s); // after \text{} is unwrapped, so \text{five} becomes 5 too
        s = dropVariablePrefixes(s);
        s = s.replace("\\emptyset", "{}").replace("\\varnothing", "{}");
        s = s.replace("(-\\infty,\\infty)", "\\mathbb{R}");
        s = s.replace("\\%", "").replace("%", "");
        s = s.replace(" .", " 0.").replace("{.", "{0.");
        s = s.replace("infinity", "\\infty");
        if (!s.contains("\\infty")) {
            s = INF_WORD.matcher(s).replaceAll("\\\\infty");
        }
        s = AND_WORD.matcher(s).replaceAll(",");
        s = s.replace("'", "").replace("\"", "");
        s = TRAILING_ZEROS_INNER.matcher(s).replaceAll("$1$2");
        s = TRAILING_ZEROS_END.matcher(s).replaceAll("$1");
        if (s.startsWith(".")) {
            s = "0" + s;
        }
        s = dropShortLhs(s);
        s = SQRT_BARE.matcher(s).replaceAll("\\\\sqrt{$1}");
        s = s.replace(" ", "");
        s = SQRT_BARE.matcher(s).replaceAll("\\\\sqrt{$1}");
        s = fixFracs(s);
        Matcher slash = INT_SLASH.matcher(s);
        if (slash.matches()) {
            s = "\\frac{" + slash.group(1) + "}{" + slash.group(2) + "}";
        }
        if (THOUSANDS.matcher(s).matches()) {
            s = s.replace(",", "");
        }
        s = sortIntegerList(s);
        s = unwrapAtom(s);
        return s;
    }

    /** Units after a number: a trailing {@code \text{cm}}, or a unit word such as {@code 12 inches}. */
    static String dropUnits(String s) {
        for (int pass = 0; pass < 2; pass++) {
            String cut = TRAILING_TEXT.matcher(s).replaceAll("").strip();
            if (!cut.isEmpty() && !cut.equals(s.strip())) {
                s = cut;
            }
            Matcher m = UNIT_WORDS.matcher(s.strip());
            if (m.matches() && !m.group(1).isBlank()) {
                s = m.group(1).strip();
            }
            Matcher shortUnit = SHORT_UNITS.matcher(s.strip());
            if (shortUnit.matches()) {
                s = shortUnit.group(1).strip();
            }
        }
        return s;
    }

    /** {@code x=5} → {@code 5}; {@code (x=1,y=2)} → {@code (1,2)}; {@code x\in[0,1]} → {@code [0,1]}. */
    static String dropVariablePrefixes(String s) {
        // an equation such as y=2x+1 between two expressions keeps its sides; only bare variable labels go
        if (s.indexOf('=') < 0 && !s.contains("\\in") && !s.contains("\\to")) {
            return s;
        }
        long equals = s.chars().filter(c -> c == '=').count();
        if (equals == 1 && !VARIABLE_PREFIX.matcher(s).lookingAt()) {
            return s;
        }
        return VARIABLE_PREFIX.matcher(s).replaceAll("$1");
    }

    /** {@code k=5} → {@code 5}: one {@code =} whose left side is at most two characters (a label). */
    static String dropShortLhs(String s) {
        int eq = s.indexOf('=');
        if (eq >= 0 && s.indexOf('=', eq + 1) < 0 && s.substring(0, eq).strip().length() <= 2) {
            return s.substring(eq + 1).strip();
        }
        return s;
    }

    /** {@code \frac12} → {@code \frac{1}{2}}, {@code \frac1{72}} → {@code \frac{1}{72}}, {@code \frac{a}b} → {@code \frac{a}{b}}. */
    static String fixFracs(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (true) {
            int f = s.indexOf("\\frac", i);
            if (f < 0) {
                out.append(s, i, s.length());
                return out.toString();
            }
            out.append(s, i, f).append("\\frac");
            int p = f + 5;
            for (int arg = 0; arg < 2 && p < s.length(); arg++) {
                char c = s.charAt(p);
                if (c == '{') {
                    int end = Brackets.matching(s, p);
                    if (end < 0) {
                        break;
                    }
                    out.append(s, p, end + 1);
                    p = end + 1;
                } else if (c == '\\') {
                    break; // \frac\pi2 and the like: leave for the parsers to judge
                } else {
                    out.append('{').append(c).append('}');
                    p++;
                }
            }
            i = p;
        }
    }

    /** {@code 3,1,2} → {@code 1,2,3}: an unordered answer such as "all solutions" compares as a set. */
    static String sortIntegerList(String s) {
        if (!INT_LIST.matcher(s).matches()) {
            return s;
        }
        List<Long> values = new ArrayList<>();
        for (String part : s.split(",")) {
            try {
                values.add(Long.parseLong(part));
            } catch (NumberFormatException e) {
                return s; // too long for a long: leave as written
            }
        }
        values.sort(null);
        return String.join(",", values.stream().map(String::valueOf).toList());
    }

    /** {@code {5}} → {@code 5}, {@code (C)} → {@code C}: brackets around a lone word or number. */
    static String unwrapAtom(String s) {
        if (s.length() >= 3) {
            char a = s.charAt(0);
            char z = s.charAt(s.length() - 1);
            boolean pair = a == '{' && z == '}' || a == '(' && z == ')' || a == '[' && z == ']';
            String inner = s.substring(1, s.length() - 1);
            if (pair && inner.chars().allMatch(Character::isLetterOrDigit)) {
                return inner;
            }
        }
        return s;
    }
}
