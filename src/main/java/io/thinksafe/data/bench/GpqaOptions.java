package io.thinksafe.data.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * GPQA's four options in an order shuffled once per question: the seed comes from the run's GPQA
 * seed and the question's id, so every model and every rerun sees the same order, and the order
 * does not depend on which other questions are in the file. {@code java.util.Random} and
 * {@code Collections.shuffle} are specified algorithms, so the order is the same on every JVM; the
 * records keep the seed, the order and the gold letter anyway.
 */
public record GpqaOptions(long seed, List<String> options, int goldIndex) {
    public String goldLetter() {
        return String.valueOf((char) ('A' + goldIndex));
    }

    /** {@code correct} and the three incorrect answers, shuffled by the question's seed. */
    public static GpqaOptions shuffle(long runSeed, String questionId, String correct, List<String> incorrect) {
        long seed = seedFor(runSeed, questionId);
        List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3));
        Collections.shuffle(order, new Random(seed));
        List<String> all = new ArrayList<>();
        all.add(correct);
        all.addAll(incorrect);
        List<String> shuffled = new ArrayList<>();
        int gold = -1;
        for (int i = 0; i < order.size(); i++) {
            shuffled.add(all.get(order.get(i)));
            if (order.get(i) == 0) {
                gold = i;
            }
        }
        return new GpqaOptions(seed, List.copyOf(shuffled), gold);
    }

    /** FNV-1a over the id's UTF-8 bytes, mixed with the run seed by SplitMix64's finaliser. */
    static long seedFor(long runSeed, String id) {
        long h = 0xcbf29ce484222325L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        long z = h ^ runSeed * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
