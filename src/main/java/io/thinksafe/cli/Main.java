package io.thinksafe.cli;

import io.thinksafe.ThinkSafeException;
import io.thinksafe.util.HttpServers;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code thinksafe <command>}: parses arguments and hands over to one function per command. */
@Command(name = "thinksafe", mixinStandardHelpOptions = true, version = "thinksafe 0.1.0",
        description = "Self-generated safety alignment for reasoning models, on the JVM.",
        subcommands = {
            GenerateCommand.class,
            ServeCommand.class,
            LogprobsCommand.class,
            ChatTemplateCommand.class,
            GuardCommand.class,
            DiagnoseCommand.class,
            RunCommand.class,
            EvalCommand.class,
            GradeCommand.class,
            ReportCommand.class,
            TrainCommand.class,
            GrpoCommand.class,
            PerplexityCommand.class,
            MergeCommand.class,
            ExportCommand.class,
            RandomModelCommand.class,
            MicroworldCommand.class,
            DemoCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.err);
    }

    public static void main(String[] args) {
        HttpServers.ensureAsyncPool(); // before anything uses the common pool
        System.exit(execute(args));
    }

    /** Runs a command line; user errors print one line and give exit code 2. */
    public static int execute(String... args) {
        io.thinksafe.model.MemoryBudget.setKvBudget(-1); // process-wide settings start from their defaults each run
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            Throwable cause = e;
            while (!(cause instanceof ThinkSafeException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof ThinkSafeException) {
                System.err.println("thinksafe: error: " + cause.getMessage());
                return 2;
            }
            System.err.println("thinksafe: internal error: " + e);
            if (Boolean.getBoolean("thinksafe.debug")) {
                e.printStackTrace();
            } else {
                System.err.println("(run with THINKSAFE_JAVA_OPTS=-Dthinksafe.debug=true for the stack trace)");
            }
            return 1;
        });
        return cli.execute(args);
    }
}
