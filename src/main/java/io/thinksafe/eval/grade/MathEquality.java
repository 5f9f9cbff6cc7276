package io.thinksafe.eval.grade;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Whether a normalised predicted answer equals a normalised reference answer (MATH500, AIME). The
 * checks run in the reference's order and the first that matches wins: case-insensitive string
 * equality; numeric equality with relative tolerance 1e-4 (also against the reference ×100 and /100,
 * for percentages), which decides outright when both are plain numbers; equality after stripping the
 * outer brackets; element by element for tuples, intervals, sets and matrices; equations as
 * {@code lhs - rhs}; then constants by value, and symbolic equality ({@link SymjaMath}) last.
 *
 * <p>Deliberate differences from the reference, each one a false "correct" it gives: it deletes every
 * bracket before comparing strings ({@code \frac{1}{23}} then equals {@code \frac{12}{3}}) and ignores
 * bracket kinds element by element ({@code (1,2)} equals {@code [1,2]}); here only a matching outer
 * pair is stripped and intervals must agree on open and closed ends. Lists without brackets and sets
 * in braces compare in any order ("all solutions" answers), where the reference needs the same order.
 */
public final class MathEquality {
    /** Which check decided, recorded with each grade so that surprising grades can be traced. */
    public enum Rule { STRING, NUMERIC, BRACKETS, ELEMENTWISE, MATRIX, EQUATION, CONSTANT, SYMBOLIC, NONE }

    public record Verdict(boolean equal, Rule rule) {
        static Verdict yes(Rule r) {
            return new Verdict(true, r);
        }

        static Verdict no(Rule r) {
            return new Verdict(false, r);
        }
    }

    private static final Pattern PLAIN_NUMBER = Pattern.compile("[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?");
    private static final Pattern WORD = Pattern.compile("(?<![\\\\a-zA-Z])[a-zA-Z]{4,}");
    private static final Pattern LABEL_TUPLE = Pattern.compile("\\(\\s*[a-zA-Z](?:\\s*,\\s*[a-zA-Z])*\\s*\\)");
    private static final String MATRIX_BEGIN = "\\begin{pmatrix}";
    private static final String MATRIX_END = "\\end{pmatrix}";

    private MathEquality() {}

    public static boolean equal(String prediction, String reference) {
        return compare(prediction, reference).equal();
    }

    public static Verdict compare(String prediction, String reference) {
        if (prediction == null || reference == null) {
            return Verdict.no(Rule.NONE);
        }
        String p = prediction.strip();
        String r = reference.strip();
        if (p.isEmpty() || r.isEmpty()) {
            return Verdict.no(Rule.NONE);
        }
        if (p.toLowerCase(Locale.ROOT).equals(r.toLowerCase(Locale.ROOT))) {
            return Verdict.yes(Rule.STRING);
        }
        Double pn = plainNumber(p);
        Double rn = plainNumber(r);
        if (pn != null && rn != null) {
            for (double candidate : new double[] {rn, rn / 100, rn * 100}) {
                if (close(pn, candidate)) {
                    return Verdict.yes(Rule.NUMERIC);
                }
            }
            return Verdict.no(Rule.NUMERIC);
        }
        String ps = stripOuter(p, r);
        String rs = stripOuter(r, p);
        if (ps.equalsIgnoreCase(rs)) {
            return Verdict.yes(Rule.BRACKETS);
        }
        Verdict structured = structured(p, r);
        if (structured != null) {
            return structured;
        }
        Verdict equation = equation(p, r);
        if (equation != null) {
            return equation;
        }
        Double pv = LatexNumbers.value(p);
        Double rv = LatexNumbers.value(r);
        if (pv != null && rv != null) {
            // two constants: simplify(a - b) == 0 and equal numeric values both come down to this
            return new Verdict(close(pv, rv), Rule.CONSTANT);
        }
        if (WORD.matcher(p).find() || WORD.matcher(r).find()) {
            return Verdict.no(Rule.NONE); // words are text answers, which only string equality can match
        }
        return Boolean.TRUE.equals(SymjaMath.equal(p, r)) ? Verdict.yes(Rule.SYMBOLIC) : Verdict.no(Rule.SYMBOLIC);
    }

    /** {@code math.isclose(a, b, rel_tol=1e-4)}. */
    static boolean close(double a, double b) {
        return a == b || Math.abs(a - b) <= 1e-4 * Math.max(Math.abs(a), Math.abs(b));
    }

    /** A plain decimal number (thousands commas allowed), or null. */
    static Double plainNumber(String s) {
        String t = s.replace(",", "");
        if (!PLAIN_NUMBER.matcher(t).matches()) {
            return null;
        }
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * {@code s} without its outer bracket pair when {@code other} has the same pair or none (so
     * {@code (1,2)} meets {@code 1,2}, but an open interval never meets a closed one).
     */
    static String stripOuter(String s, String other) {
        char[] mine = outer(s);
        char[] theirs = outer(other);
        if (mine == null || theirs != null && (theirs[0] != mine[0] || theirs[1] != mine[1])) {
            return s;
        }
        return s.substring(1, s.length() - 1);
    }

    /** The outer brackets of {@code s} when one pair encloses all of it, else null. */
    static char[] outer(String s) {
        if (s.length() < 2) {
            return null;
        }
        char a = s.charAt(0);
        char z = s.charAt(s.length() - 1);
        if ("([{".indexOf(a) < 0 || ")]}".indexOf(z) < 0) {
            return null;
        }
        // the opening bracket must close at the very end: (1,2)\cup(3,4) is not one bracketed whole
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ("([{".indexOf(c) >= 0) {
                depth++;
            } else if (")]}".indexOf(c) >= 0) {
                depth--;
                if (depth == 0 && i < s.length() - 1) {
                    return null;
                }
            }
        }
        return depth == 0 ? new char[] {a, z} : null;
    }

    /**
     * Unions, matrices, tuples/intervals/sets and bare lists, compared part by part. Two structured
     * answers are decided here (a symbolic engine would read {@code [1,2]} and {@code (1,2)} as the
     * same list); null when neither answer is structured.
     */
    private static Verdict structured(String p, String r) {
        if (p.indexOf('=') >= 0 || r.indexOf('=') >= 0) {
            return null; // (x,y)=(1,2) is an equation first; its sides come back here
        }
        if (p.contains("\\cup") || r.contains("\\cup")) {
            List<String> pp = Brackets.splitTopLevel(p, "\\cup");
            List<String> rr = Brackets.splitTopLevel(r, "\\cup");
            return verdict(pp.size() == rr.size() && allEqual(pp, rr));
        }
        if (isMatrix(p) || isMatrix(r)) {
            return verdict(isMatrix(p) && isMatrix(r) && matrixEqual(p, r));
        }
        char[] po = outer(p);
        char[] ro = outer(r);
        List<String> pp = parts(p, po);
        List<String> rr = parts(r, ro);
        if (pp.size() < 2 && rr.size() < 2) {
            return null;
        }
        if (pp.size() != rr.size()) {
            return Verdict.no(Rule.ELEMENTWISE);
        }
        if (po != null && ro != null) {
            if (po[0] != ro[0] || po[1] != ro[1]) {
                return Verdict.no(Rule.ELEMENTWISE); // [1,2) is not (1,2)
            }
            return verdict(po[0] == '{' ? sameMembers(pp, rr) : allEqual(pp, rr));
        }
        if (po == null && ro == null) {
            return verdict(sameMembers(pp, rr)); // "all solutions" lists: any order
        }
        return verdict(allEqual(pp, rr)); // (3,4) against 3,4: the same tuple written without brackets
    }

    private static Verdict verdict(boolean equal) {
        return new Verdict(equal, Rule.ELEMENTWISE);
    }

    /** The comma-separated parts inside the outer brackets (or of the whole answer when it has none). */
    private static List<String> parts(String s, char[] outer) {
        return Brackets.splitTopLevel(outer != null ? s.substring(1, s.length() - 1) : s, ",");
    }

    private static boolean allEqual(List<String> pp, List<String> rr) {
        for (int i = 0; i < pp.size(); i++) {
            if (!equal(pp.get(i).strip(), rr.get(i).strip())) {
                return false;
            }
        }
        return true;
    }

    /** Equal as multisets: every predicted part matches a distinct reference part. */
    private static boolean sameMembers(List<String> pp, List<String> rr) {
        List<String> left = new ArrayList<>(rr);
        for (String part : pp) {
            int hit = -1;
            for (int j = 0; j < left.size() && hit < 0; j++) {
                if (equal(part.strip(), left.get(j).strip())) {
                    hit = j;
                }
            }
            if (hit < 0) {
                return false;
            }
            left.remove(hit);
        }
        return true;
    }

    private static boolean isMatrix(String s) {
        return s.startsWith(MATRIX_BEGIN) && s.endsWith(MATRIX_END);
    }

    private static boolean matrixEqual(String p, String r) {
        List<String> prow = rows(p);
        List<String> rrow = rows(r);
        if (prow.size() != rrow.size()) {
            return false;
        }
        for (int i = 0; i < prow.size(); i++) {
            List<String> pc = List.of(prow.get(i).split("&", -1));
            List<String> rc = List.of(rrow.get(i).split("&", -1));
            if (pc.size() != rc.size() || !allEqual(pc, rc)) {
                return false;
            }
        }
        return true;
    }

    private static List<String> rows(String m) {
        String body = m.substring(MATRIX_BEGIN.length(), m.length() - MATRIX_END.length());
        List<String> out = new ArrayList<>();
        for (String row : body.split("\\\\\\\\")) {
            if (!row.isBlank()) {
                out.add(row.strip());
            }
        }
        return out;
    }

    /** Equations as {@code lhs - rhs} (either sign); a short label such as {@code y=} is dropped. Null when no equation. */
    private static Verdict equation(String p, String r) {
        int pe = count(p, '=');
        int re = count(r, '=');
        if (pe == 1 && re == 1) {
            String pd = difference(p);
            String rd = difference(r);
            boolean eq = Boolean.TRUE.equals(SymjaMath.equal(pd, rd)) || Boolean.TRUE.equals(SymjaMath.equal("-(" + pd + ")", rd));
            return eq ? Verdict.yes(Rule.EQUATION) : Verdict.no(Rule.EQUATION);
        }
        if (pe == 1 && re == 0 && isLabel(p.substring(0, p.indexOf('=')))) {
            return compare(p.substring(p.indexOf('=') + 1), r);
        }
        if (re == 1 && pe == 0 && isLabel(r.substring(0, r.indexOf('=')))) {
            return compare(p, r.substring(r.indexOf('=') + 1));
        }
        return null;
    }

    /** The left side of an answer that merely names it: {@code k}, {@code x_1}, {@code (x,y)}. */
    private static boolean isLabel(String lhs) {
        String t = lhs.strip();
        return t.length() <= 2 || LABEL_TUPLE.matcher(t).matches();
    }

    private static String difference(String equation) {
        int eq = equation.indexOf('=');
        return equation.substring(0, eq).strip() + "-(" + equation.substring(eq + 1).strip() + ")";
    }

    private static int count(String s, char c) {
        return (int) s.chars().filter(x -> x == c).count();
    }
}
