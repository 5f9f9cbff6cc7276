package io.thinksafe.eval.grade;

import java.util.ArrayList;
import java.util.List;

/** Bracket matching and splitting at the top nesting level of LaTeX answers. */
final class Brackets {
    private Brackets() {}

    /** The index of the bracket closing the one at {@code open} (any of {@code ({[}), or -1. */
    static int matching(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        return -1;
    }

    /**
     * Parts of {@code s} separated by {@code sep} outside any bracket, e.g. the elements of
     * {@code 1,\frac{1}{2},(3,4)}. Unbalanced text splits as if the brackets closed at the end.
     */
    static List<String> splitTopLevel(String s, String sep) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth = Math.max(0, depth - 1);
            } else if (depth == 0 && s.startsWith(sep, i)) {
                out.add(s.substring(start, i));
                start = i + sep.length();
                i = start - 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    /** True when the brackets of {@code s} balance. */
    static boolean balanced(String s) {
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                if (--depth < 0) {
                    return false;
                }
            }
        }
        return depth == 0;
    }
}
