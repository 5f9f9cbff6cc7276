package io.thinksafe.microworld;

import java.util.SplittableRandom;

/**
 * Reasoning tasks with checkable answers: multi-digit additions (with carries) and subtractions,
 * and two-step word problems. {@link #trace} writes the reasoning in a style: the student reasons
 * digit by digit, the teacher in another wording.
 */
record Arithmetic(String question, int answer, String trace, String problem) {
    private static final String[] NAMES = {"Tom", "Ana", "Li", "Sam", "Mia", "Omar", "Eva", "Ben"};
    private static final String[] THINGS = {"apples", "books", "coins", "stamps", "marbles", "cards", "shells", "pens"};

    static Arithmetic draw(SplittableRandom r, Style style) {
        return r.nextInt(3) == 0 ? wordProblem(r, style) : sum(r, style);
    }

    static Arithmetic sum(SplittableRandom r, Style style) {
        int digits = 2 + r.nextInt(2);
        int lo = digits == 2 ? 10 : 100;
        int a = lo + r.nextInt(9 * lo);
        int b = lo + r.nextInt(9 * lo);
        boolean subtract = r.nextInt(3) == 0;
        if (subtract && b > a) {
            int t = a;
            a = b;
            b = t;
        }
        int answer = subtract ? a - b : a + b;
        String q = "What is " + a + (subtract ? " - " : " + ") + b + "?";
        String problem = a + (subtract ? " - " : " + ") + b;
        return new Arithmetic(q, answer, subtract ? style.subtraction(a, b) : style.addition(a, b), problem);
    }

    static Arithmetic wordProblem(SplittableRandom r, Style style) {
        String name = NAMES[r.nextInt(NAMES.length)];
        String thing = THINGS[r.nextInt(THINGS.length)];
        int a = 10 + r.nextInt(60);
        int b = 5 + r.nextInt(40);
        int c = 1 + r.nextInt(a + b - 1);
        int answer = a + b - c;
        String q = name + " has " + a + " " + thing + ". " + name + " gets " + b + " more and then gives away " + c
                + ". How many " + thing + " does " + name + " have now?";
        return new Arithmetic(q, answer, style.twoSteps(a, b, c), q);
    }
}
