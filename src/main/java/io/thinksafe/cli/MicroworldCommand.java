package io.thinksafe.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.microworld.MicroworldBuilder;
import io.thinksafe.util.Json;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "microworld", mixinStandardHelpOptions = true,
        description = "The synthetic micro-world the demo runs on.",
        subcommands = {MicroworldCommand.Build.class})
final class MicroworldCommand implements Runnable {
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "name a subcommand: build");
    }

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "Rebuild the micro-world's checkpoints (tokenizer, judges, student aligned then drifted, teacher) and "
                    + "data from its seed. Resumes a killed build in the same --out.")
    static final class Build implements Runnable {
        @Option(names = "--out", required = true, description = "Folder of the world (created; resumed if a build was cut short).")
        Path out;

        @Option(names = "--seed", description = "World seed (default: ${DEFAULT-VALUE}).")
        long seed = MicroworldBuilder.SEED;

        @Override
        public void run() {
            ObjectNode report = new MicroworldBuilder(out, seed, System.err).build();
            System.out.println(Json.pretty(report));
            System.out.printf(Locale.ROOT, "micro-world built in %.0f s -> %s%n", report.path("build_seconds").asDouble(), out);
        }
    }
}
