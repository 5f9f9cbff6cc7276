package io.thinksafe.eval.grade;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.matheclipse.core.basic.Config;
import org.matheclipse.core.eval.ExprEvaluator;
import org.matheclipse.core.expression.F;
import org.matheclipse.core.form.tex.TeXParser;
import org.matheclipse.core.interfaces.IAST;
import org.matheclipse.core.interfaces.IExpr;
import org.matheclipse.core.interfaces.ISymbol;

/**
 * Symbolic equality of two LaTeX answers with Symja: equal when {@code a - b} simplifies to zero or
 * both have the same numeric value (relative tolerance 1e-4), as the reference does with sympy.
 *
 * <p>Symja takes seconds to start, so it is loaded on first use only, which the cheaper checks of
 * {@link MathEquality} avoid for most answers. It runs on one daemon thread with a time limit per
 * comparison: a pathological answer (a huge power, a nested radical) is then "not shown equal"
 * rather than a stalled grading run. Parsed answers may use only arithmetic, elementary functions
 * and one-letter variables: model output is never evaluated as a Symja program.
 */
final class SymjaMath {
    static final long TIME_LIMIT_MS = 5_000;
    // Symja keeps built-in names in lower case internally ("power"), so these are compared in lower case
    private static final Set<String> FUNCTIONS = Set.of("plus", "times", "power", "sqrt", "surd", "rational", "complex",
            "sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "log", "exp",
            "abs", "factorial", "binomial", "floor", "ceiling", "directedinfinity", "list");
    private static final Set<String> CONSTANTS = Set.of("pi", "e", "i", "infinity", "complexinfinity", "degree", "goldenratio");

    private static ExecutorService worker;
    // written by the worker thread, read by the caller after a timeout
    private static volatile ExprEvaluator evaluator;
    private static volatile TeXParser parser;

    private SymjaMath() {}

    /** TRUE when shown equal, FALSE when not, null when an answer cannot be parsed or time ran out. */
    static synchronized Boolean equal(String a, String b) {
        if (worker == null) {
            worker = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "symja");
                t.setDaemon(true);
                return t;
            });
        }
        Future<Boolean> f = worker.submit(() -> compare(a, b));
        try {
            // the first call also pays for Symja's start-up, which is not the answer's fault
            long limit = evaluator == null ? TIME_LIMIT_MS + 60_000 : TIME_LIMIT_MS;
            return f.get(limit, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            if (evaluator != null) {
                evaluator.getEvalEngine().stopRequest();
            }
            f.cancel(true);
            // a stuck evaluation keeps its thread; the next comparison gets a fresh one and engine
            worker.shutdownNow();
            worker = null;
            evaluator = null;
            return null;
        } catch (ExecutionException e) {
            return null; // Symja could not parse or evaluate it: undecided, never a crash of the run
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static Boolean compare(String a, String b) {
        if (evaluator == null) {
            start();
        }
        // locals: an abandoned (timed-out) thread must not pick up the engine of its successor
        ExprEvaluator ev = evaluator;
        TeXParser tex = parser;
        ev.getEvalEngine().setStopRequested(false);
        IExpr x = parse(tex, a);
        IExpr y = parse(tex, b);
        if (x == null || y == null) {
            return null;
        }
        IExpr diff = F.Subtract(x, y);
        if (ev.eval(F.Together(diff)).isZero() || ev.eval(F.Simplify(diff)).isZero()) {
            return true;
        }
        try {
            double vx = ev.evalf(x);
            double vy = ev.evalf(y);
            return MathEquality.close(vx, vy);
        } catch (RuntimeException notNumeric) {
            return false;
        }
    }

    private static IExpr parse(TeXParser tex, String latex) {
        IExpr e;
        try {
            e = tex.parse(latex);
        } catch (RuntimeException unparsable) {
            return null;
        }
        return e != null && allowed(e) ? e : null;
    }

    /** Arithmetic, elementary functions, numbers, constants and one-letter variables only. */
    static boolean allowed(IExpr e) {
        if (e.isNumber()) {
            return true;
        }
        if (e.isSymbol()) {
            String name = ((ISymbol) e).getSymbolName().toLowerCase(Locale.ROOT);
            return name.length() == 1 || CONSTANTS.contains(name);
        }
        if (e.isAST()) {
            IAST ast = (IAST) e;
            IExpr head = ast.head();
            if (!head.isSymbol()) {
                return false;
            }
            String name = ((ISymbol) head).getSymbolName().toLowerCase(Locale.ROOT);
            // a one-letter head is a function the answer names, f(x), unless Symja gives it a meaning (N, D)
            boolean userFunction = name.length() == 1 && !head.isBuiltInSymbol();
            if (!FUNCTIONS.contains(name) && !userFunction) {
                return false;
            }
            for (int i = 1; i < ast.size(); i++) {
                if (!allowed(ast.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    private static void start() {
        // Symja logs through Log4j's API; without a Log4j back end it would print a warning to stderr
        setIfAbsent("log4j2.loggerContextFactory", "org.apache.logging.log4j.simple.SimpleLoggerContextFactory");
        setIfAbsent("org.apache.logging.log4j.simplelog.level", "OFF");
        setIfAbsent("log4j2.simplelogLevel", "OFF");
        Config.FILESYSTEM_ENABLED = false;
        ExprEvaluator ev = new ExprEvaluator();
        PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());
        ev.getEvalEngine().setOutPrintStream(quiet);
        ev.getEvalEngine().setErrorPrintStream(quiet);
        ev.getEvalEngine().setQuietMode(true);
        parser = new TeXParser();
        evaluator = ev;
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
