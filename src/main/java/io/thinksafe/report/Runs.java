package io.thinksafe.report;

import io.thinksafe.ThinkSafeException;
import io.thinksafe.eval.EvalResults;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The evaluations a report compares. Each argument is an eval output directory, a
 * {@code results.json}, or a directory holding several evaluations (a {@code thinksafe run}
 * directory): its {@code results.json} files are found up to three levels down.
 */
public final class Runs {
    /** One evaluated model: its results, where they are, and its (unique) name in this report. */
    public record Run(Path dir, EvalResults results, String label, int index) {}

    private Runs() {}

    public static List<Run> load(List<Path> args) {
        List<Path> files = new ArrayList<>();
        for (Path a : args) {
            files.addAll(find(a));
        }
        List<Run> runs = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Path f : files.stream().map(p -> p.toAbsolutePath().normalize()).distinct().toList()) {
            EvalResults r = EvalResults.read(f);
            String label = r.label();
            int n = seen.merge(label, 1, Integer::sum);
            if (n > 1) {
                // two runs with one name would make the table ambiguous and the arrows wrong
                label = label + " (" + f.getParent().getFileName() + ")";
            }
            runs.add(new Run(f.getParent(), r, label, runs.size()));
        }
        return baselinesFirst(runs);
    }

    /**
     * Each initial model followed by the models aligned from it (table rows and colours then read
     * pairwise); otherwise the order given.
     */
    static List<Run> baselinesFirst(List<Run> runs) {
        List<Run> ordered = new ArrayList<>();
        for (Run r : runs) {
            Run base = r.results().baseline() == null ? null : byLabel(runs, r.results().baseline());
            if (base == null || base == r) {
                place(r, runs, ordered);
            }
        }
        for (Run r : runs) {
            if (!ordered.contains(r)) {
                ordered.add(r); // a cycle of baselines: keep the given order
            }
        }
        List<Run> out = new ArrayList<>();
        for (Run r : ordered) {
            out.add(new Run(r.dir(), r.results(), r.label(), out.size()));
        }
        return out;
    }

    private static void place(Run r, List<Run> all, List<Run> ordered) {
        if (ordered.contains(r)) {
            return;
        }
        ordered.add(r);
        for (Run other : all) {
            String b = other.results().baseline();
            if (b != null && other != r && (b.equals(r.label()) || b.equals(r.results().label()))) {
                place(other, all, ordered);
            }
        }
    }

    static List<Path> find(Path arg) {
        if (Files.isRegularFile(arg)) {
            return List.of(arg);
        }
        if (!Files.isDirectory(arg)) {
            throw new ThinkSafeException(arg + ": no such directory or file");
        }
        Path direct = arg.resolve(EvalResults.FILE_NAME);
        if (Files.isRegularFile(direct)) {
            return List.of(direct);
        }
        try (Stream<Path> walk = Files.walk(arg, 3)) {
            List<Path> found = walk.filter(p -> p.getFileName().toString().equals(EvalResults.FILE_NAME) && Files.isRegularFile(p))
                    .sorted().toList();
            if (found.isEmpty()) {
                throw new ThinkSafeException(arg + ": no " + EvalResults.FILE_NAME + " here or below (run thinksafe eval --out DIR first)");
            }
            return found;
        } catch (IOException e) {
            throw new ThinkSafeException(arg + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** The run labelled {@code label}, or null. */
    static Run byLabel(List<Run> runs, String label) {
        for (Run r : runs) {
            if (r.label().equals(label) || r.results().label().equals(label)) {
                return r;
            }
        }
        return null;
    }
}
