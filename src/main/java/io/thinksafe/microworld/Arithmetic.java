package io.thinksafe.microworld;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Reasoning tasks with checkable answers: a running total changed in two to four steps, asked as a
 * sum ("What is 23 + 7 - 5 + 8?") or as a word problem ("Mia has 23 coins. She finds 7 more. ...").
 * Each step is one small operation on the last result, so a chain of thought that writes every
 * intermediate total makes the problem easy, and answering at once (the sum of all steps in one go)
 * is hard for a model of the world's size: reasoning that can be lost.
 *
 * @param start   the first number
 * @param steps   the signed changes, in order
 * @param word    whether it is asked as a word problem
 * @param name    the word problem's person (null for a sum)
 * @param thing   what the word problem counts (null for a sum)
 */
record Arithmetic(int start, List<Integer> steps, boolean word, String name, String thing) {
    static final String[] NAMES = {"Tom", "Ana", "Li", "Sam", "Mia", "Omar", "Eva", "Ben", "Zoe", "Raj", "Ida", "Leo"};
    static final String[] THINGS = {"apples", "books", "coins", "stamps", "marbles", "cards", "shells", "pens", "eggs", "beads"};
    private static final String[] GAINS = {"gets %d more", "finds %d more", "buys %d more", "is given %d more"};
    private static final String[] LOSSES = {"gives away %d", "loses %d", "sells %d", "eats %d"};
    /** Totals stay in 1..MAX so every intermediate result has one or two digits. */
    static final int MAX = 99;

    /** A chain of two to four steps; a word problem one time in two. */
    static Arithmetic draw(SplittableRandom r) {
        return draw(r, r.nextBoolean());
    }

    static Arithmetic draw(SplittableRandom r, boolean word) {
        return chain(r, 2 + r.nextInt(3), word);
    }

    /** A chain of {@code n} steps from a start in 10..59, each a change of 2..9 that keeps the total in 1..99. */
    static Arithmetic chain(SplittableRandom r, int n, boolean word) {
        int start = 10 + r.nextInt(50);
        List<Integer> steps = new ArrayList<>();
        int total = start;
        for (int i = 0; i < n; i++) {
            int d = 2 + r.nextInt(8);
            boolean up = total + d <= MAX && (total - d < 1 || r.nextBoolean());
            steps.add(up ? d : -d);
            total += up ? d : -d;
        }
        return word ? new Arithmetic(start, List.copyOf(steps), true, NAMES[r.nextInt(NAMES.length)], THINGS[r.nextInt(THINGS.length)])
                : new Arithmetic(start, List.copyOf(steps), false, null, null);
    }

    int answer() {
        return totals().get(steps.size());
    }

    /** The start and every running total after it. */
    List<Integer> totals() {
        List<Integer> t = new ArrayList<>(List.of(start));
        for (int d : steps) {
            t.add(t.get(t.size() - 1) + d);
        }
        return t;
    }

    /**
     * Whether the sum is kept for evaluation: one sum in four, by a hash of its expression, so that no
     * held-out sum is met in training in any form (as a sum, a word problem or a concealed request).
     */
    boolean heldOut() {
        int h = expression().hashCode();
        return Math.floorMod(h ^ (h >>> 16), 4) == 0;
    }

    /** A chain on one side of the split. */
    static Arithmetic draw(SplittableRandom r, boolean word, boolean heldOut) {
        while (true) {
            Arithmetic a = draw(r, word);
            if (a.heldOut() == heldOut) {
                return a;
            }
        }
    }

    /** The expression, as a sum asks it: {@code 23 + 7 - 5 + 8}. */
    String expression() {
        StringBuilder b = new StringBuilder().append(start);
        for (int d : steps) {
            b.append(d >= 0 ? " + " : " - ").append(Math.abs(d));
        }
        return b.toString();
    }

    /** The question as the user asks it. The verbs of a word problem come from the step's position, so a problem reads the same each time. */
    String question() {
        if (!word) {
            return "What is " + expression() + "?";
        }
        StringBuilder b = new StringBuilder(name + " has " + start + " " + thing + ".");
        for (int i = 0; i < steps.size(); i++) {
            int d = steps.get(i);
            String verb = (d >= 0 ? GAINS : LOSSES)[(start + i) % GAINS.length];
            b.append(i == 0 ? " " + name + " " : " Then " + name + " ").append(String.format(verb, Math.abs(d))).append('.');
        }
        return b.append(" How many ").append(thing).append(" does ").append(name).append(" have now?").toString();
    }
}
