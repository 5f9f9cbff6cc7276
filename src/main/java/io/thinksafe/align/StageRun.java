package io.thinksafe.align;

import io.thinksafe.ThinkSafeException;

/**
 * One stage in a run's plan: the stage and its round (1, then 2, 3, … when a method repeats it; 0 for
 * what an iterative run measures on the student before any training).
 * Its key names its entry in {@code manifest.json} and its folder in the run directory: the stage's
 * own name in the first round ({@code train}, as every run directory has it), {@code train-2} after,
 * {@code probe-0} before.
 */
public record StageRun(Stage stage, int round) {
    public StageRun {
        if (round < 0) {
            throw new IllegalArgumentException("rounds count from 0 (before training) and 1, got " + round);
        }
    }

    public String key() {
        return round == 1 ? stage.key() : stage.key() + "-" + round;
    }

    /** The same round of another stage (a stage reads what the stages before it in its round wrote). */
    public StageRun of(Stage other) {
        return new StageRun(other, round);
    }

    /** The stage run a key names ({@code generate}, {@code generate-2}). */
    public static StageRun parse(String key) {
        int dash = key.lastIndexOf('-');
        String name = key;
        int round = 1;
        if (dash > 0 && key.substring(dash + 1).matches("[0-9]+")) {
            name = key.substring(0, dash);
            round = Integer.parseInt(key.substring(dash + 1));
        }
        for (Stage s : Stage.values()) {
            if (s.key().equals(name) && round >= 0) {
                return new StageRun(s, round);
            }
        }
        throw new ThinkSafeException("unknown stage '" + key + "'");
    }
}
