package io.thinksafe.eval.grade;

/**
 * The value of a constant LaTeX expression made of numbers, {@code + - * /}, {@code \cdot},
 * {@code \times}, {@code \div}, powers, {@code \frac}, {@code \sqrt} (with an index), {@code \pi},
 * factorials and brackets, with implicit products ({@code 2\sqrt{3}}, {@code 3\pi}). It decides
 * most MATH answers (fractions, radicals, multiples of pi) in microseconds, so that the symbolic
 * engine, which takes seconds to start, is loaded only for answers with variables or functions.
 * Anything else (letters, commas, infinity, relations) is "not a constant": {@code null}.
 */
final class LatexNumbers {
    private final String s;
    private int pos;

    private LatexNumbers(String s) {
        this.s = s;
    }

    /** The value, or null when {@code text} is not a constant this evaluator understands (or is not finite). */
    static Double value(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        LatexNumbers p = new LatexNumbers(text.replace(" ", ""));
        try {
            double v = p.expression();
            if (p.pos != p.s.length() || Double.isNaN(v) || Double.isInfinite(v)) {
                return null;
            }
            return v;
        } catch (NotConstant e) {
            return null;
        }
    }

    /** Thrown (without a stack trace: it is control flow) when the text is not a plain constant. */
    private static final class NotConstant extends RuntimeException {
        NotConstant() {
            super(null, null, false, false);
        }
    }

    private double expression() {
        double v = term();
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == '+') {
                pos++;
                v += term();
            } else if (c == '-') {
                pos++;
                v -= term();
            } else {
                break;
            }
        }
        return v;
    }

    private double term() {
        double v = unary();
        while (pos < s.length()) {
            if (eat("*") || eat("\\cdot") || eat("\\times")) {
                v *= unary();
            } else if (eat("/") || eat("\\div")) {
                v /= unary();
            } else if (startsFactor()) {
                v *= power(); // implicit product: 2\sqrt{3}, 3\pi, 2(3+1)
            } else {
                break;
            }
        }
        return v;
    }

    private double unary() {
        if (eat("-")) {
            return -unary();
        }
        if (eat("+")) {
            return unary();
        }
        return power();
    }

    private double power() {
        double base = postfix();
        if (eat("^")) {
            double exp;
            if (peek() == '{') {
                exp = group();
            } else if (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                exp = s.charAt(pos++) - '0'; // x^23 is x squared times 3 in LaTeX
            } else if (eat("-")) {
                exp = -postfix();
            } else {
                exp = postfix();
            }
            return Math.pow(base, exp);
        }
        return base;
    }

    private double postfix() {
        double v = atom();
        while (eat("!")) {
            if (v < 0 || v > 170 || v != Math.rint(v)) {
                throw new NotConstant();
            }
            double f = 1;
            for (int i = 2; i <= (int) v; i++) {
                f *= i;
            }
            v = f;
        }
        return v;
    }

    private double atom() {
        if (pos >= s.length()) {
            throw new NotConstant();
        }
        char c = s.charAt(pos);
        if (Character.isDigit(c) || c == '.') {
            return number();
        }
        if (c == '(' || c == '{' || c == '[') {
            char close = c == '(' ? ')' : c == '{' ? '}' : ']';
            pos++;
            double v = expression();
            if (!eat(String.valueOf(close))) {
                throw new NotConstant();
            }
            return v;
        }
        if (eat("\\frac")) {
            double num = group();
            double den = group();
            return num / den;
        }
        if (eat("\\sqrt")) {
            double index = 2;
            if (eat("[")) {
                index = expression();
                if (!eat("]")) {
                    throw new NotConstant();
                }
            }
            double radicand = group();
            if (index == 3) {
                return Math.cbrt(radicand);
            }
            return radicand < 0 ? Double.NaN : Math.pow(radicand, 1 / index);
        }
        if (eat("\\pi")) {
            return Math.PI;
        }
        throw new NotConstant();
    }

    private double group() {
        if (!eat("{")) {
            // \frac12-style single characters are normalised to braces before we get here
            throw new NotConstant();
        }
        double v = expression();
        if (!eat("}")) {
            throw new NotConstant();
        }
        return v;
    }

    private double number() {
        int start = pos;
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
            pos++;
        }
        if (pos < s.length() && s.charAt(pos) == '.') {
            pos++;
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                pos++;
            }
        }
        String t = s.substring(start, pos);
        if (t.equals(".")) {
            throw new NotConstant();
        }
        return Double.parseDouble(t);
    }

    private boolean startsFactor() {
        if (pos >= s.length()) {
            return false;
        }
        char c = s.charAt(pos);
        return Character.isDigit(c) || c == '(' || s.startsWith("\\frac", pos) || s.startsWith("\\sqrt", pos)
                || s.startsWith("\\pi", pos);
    }

    private char peek() {
        return pos < s.length() ? s.charAt(pos) : 0;
    }

    private boolean eat(String token) {
        if (s.startsWith(token, pos)) {
            // a command must not run on into a longer one (\pi vs \pin, \frac vs \fracture)
            int end = pos + token.length();
            if (token.startsWith("\\") && end < s.length() && Character.isLetter(s.charAt(end))) {
                return false;
            }
            pos = end;
            return true;
        }
        return false;
    }
}
