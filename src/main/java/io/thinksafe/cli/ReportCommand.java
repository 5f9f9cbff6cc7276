package io.thinksafe.cli;

import io.thinksafe.ThinkSafeException;
import io.thinksafe.report.ReportJob;
import io.thinksafe.text.Tokenizer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Table 1 (safety and reasoning, 95%% Wilson intervals) for several evaluations side by side, the harmfulness "
                + "vs. reasoning figure, per-benchmark details, and optionally training-data lengths and dataset perplexities: "
                + "OUT/report.md, OUT/report.html (self-contained) and OUT/plots/*.png.")
final class ReportCommand implements Runnable {
    @Parameters(arity = "1..*", paramLabel = "RUN_DIR",
            description = "Eval output directories (with results.json), results files, or directories holding several evaluations.")
    List<Path> runs;

    @Option(names = "--out", paramLabel = "DIR", description = "Where to write the report (default: the RUN_DIR when there is one).")
    Path out;

    @Option(names = "--training", paramLabel = "[NAME=]FILE",
            description = "A training set (JSONL: instruction, response, prompt_label) for the length statistics (repeatable).")
    List<String> training = List.of();

    @Option(names = "--perplexity", paramLabel = "[NAME=]FILE",
            description = "A perplexity file ({\"id\", \"perplexity\", \"n_tokens\"} lines, optional \"overall\" line) to compare (repeatable).")
    List<String> perplexity = List.of();

    @Option(names = "--tokenizer", paramLabel = "DIR",
            description = "Count training lengths in this tokenizer's tokens (tokenizer.json or its directory); default: words.")
    Path tokenizer;

    @Option(names = "--title", description = "The report's title.")
    String title;

    @Override
    public void run() {
        Path target = out;
        if (target == null) {
            if (runs.size() != 1) {
                throw new ThinkSafeException("with several RUN_DIRs, say where the report goes: --out DIR");
            }
            target = runs.get(0).toFile().isFile() ? runs.get(0).toAbsolutePath().getParent() : runs.get(0);
        }
        Tokenizer tok = tokenizer != null ? Tokenizer.load(tokenizer) : null;
        try {
            ToIntFunction<String> length = tok != null ? s -> tok.encode(s).length : ReportCommand::words;
            ReportJob.Written w = ReportJob.run(new ReportJob.Options(runs, target, named(training, "--training"),
                    named(perplexity, "--perplexity"), length, tok != null ? "tokens" : "words", title));
            System.err.println("report: " + w.markdown() + ", " + w.html() + " (" + w.plots().size() + " plot(s))");
        } finally {
            if (tok != null) {
                tok.close();
            }
        }
    }

    static int words(String s) {
        String t = s.strip();
        return t.isEmpty() ? 0 : t.split("\\s+").length;
    }

    /** {@code NAME=FILE} or {@code FILE} (named by the file), in the order given. */
    static Map<String, Path> named(List<String> specs, String flag) {
        Map<String, Path> out = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            Path file = Path.of(eq > 0 ? spec.substring(eq + 1) : spec);
            String name = eq > 0 ? spec.substring(0, eq) : ReportJob.nameOf(file);
            if (!file.toFile().isFile()) {
                throw new ThinkSafeException(flag + " " + spec + ": file not found");
            }
            if (out.put(name, file) != null) {
                throw new ThinkSafeException(flag + ": the name '" + name + "' is given twice (use NAME=FILE)");
            }
        }
        return out;
    }
}
