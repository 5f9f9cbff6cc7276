package io.thinksafe.cli;

import io.thinksafe.eval.grade.GradeJob;
import io.thinksafe.eval.grade.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "grade", mixinStandardHelpOptions = true,
        description = "Re-grade saved responses ({\"id\", \"response\", \"gold\"} -> adds \"extracted\" and \"correct\"); "
                + "eval's BENCH/items.jsonl works as input.")
final class GradeCommand implements Runnable {
    @Option(names = "--task", required = true, description = "math, aime, gsm8k or gpqa.")
    String task;

    @Mixin
    SharedOptions.InOut io;

    @Override
    public void run() {
        Task t = Task.parse(task);
        GradeJob.Summary s = GradeJob.run(t, io.in, io.out, io.limit);
        System.out.printf(java.util.Locale.ROOT, "grade %s: %d of %d correct (%.1f%%), %d without an answer -> %s%n",
                t.id(), s.correct(), s.records(), 100 * s.accuracy(), s.noAnswer(), io.out);
    }
}
