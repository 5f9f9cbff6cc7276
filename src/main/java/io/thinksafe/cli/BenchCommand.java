package io.thinksafe.cli;

import io.thinksafe.bench.ClientBenchmark;
import io.thinksafe.bench.EngineBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Benchmarks that print numbers next to this machine's measured limits (not tests). */
@Command(name = "bench", description = "Benchmarks against this machine's measured limits.",
        subcommands = {BenchCommand.Engine.class, BenchCommand.Trainer.class, BenchCommand.Client.class})
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.err);
    }

    @Command(name = "engine", mixinStandardHelpOptions = true,
            description = "Prefill and decode tokens/s of a random model of a real shape vs bandwidth and matmul limits.")
    static final class Engine implements Runnable {
        @Option(names = "--shape", description = "Model dimensions: 0.6b, 1.7b, 8b (Qwen3), llama3.1-8b, mistral-7b (default: ${DEFAULT-VALUE}).",
                defaultValue = "0.6b")
        String shape;

        @Option(names = "--model", paramLabel = "DIR", description = "A checkpoint to measure instead of random weights (its own dtype and shape).")
        java.nio.file.Path model;

        @Option(names = "--dtype", description = "Weight dtype: BF16, F16 or F32 (default: ${DEFAULT-VALUE}).", defaultValue = "BF16")
        io.thinksafe.model.DType dtype;

        @Option(names = "--layers", description = "Decoder layers (default: the real model's).", defaultValue = "0")
        int layers;

        @Option(names = "--batches", split = ",", description = "Decode batch sizes.", defaultValue = "1,16,64")
        int[] batches;

        @Option(names = "--prompt", description = "Prefill length in tokens.", defaultValue = "512")
        int prompt;

        @Option(names = "--steps", description = "Decode steps timed per batch size.", defaultValue = "8")
        int steps;

        @Override
        public void run() {
            EngineBenchmark.run(System.out, model, shape, dtype, layers, batches, prompt, steps);
        }
    }

    @Command(name = "trainer", mixinStandardHelpOptions = true,
            description = "LoRA forward+backward GFLOP/s vs the matmul peak (a tiny and the Qwen3-0.6B shape, or --shape), "
                    + "with and without recompute; prints the peak RSS.")
    static final class Trainer implements Runnable {
        @Option(names = "--shape", description = "Only this model shape: 0.6b, 1.7b, 8b, llama3.1-8b, mistral-7b (default: tiny and 0.6b).")
        String shape;

        @Option(names = "--dtype", description = "Base weight dtype: F32, BF16 or F16 (default: ${DEFAULT-VALUE}).", defaultValue = "F32")
        io.thinksafe.model.DType dtype;

        @Option(names = "--recompute", description = "Time only the recompute setting (activation checkpointing).")
        boolean recompute;

        @Option(names = "--layers", description = "Decoder layers (default: the real model's).", defaultValue = "0")
        int layers;

        @Option(names = "--tokens", description = "Sequence length.", defaultValue = "1024")
        int tokens;

        @Option(names = "--reps", description = "Timed steps per setting.", defaultValue = "2")
        int reps;

        @Override
        public void run() {
            io.thinksafe.bench.TrainerBenchmark.run(System.out, shape, dtype, layers, tokens, reps,
                    recompute ? new boolean[] {true} : new boolean[] {false, true});
        }
    }

    @Command(name = "client", mixinStandardHelpOptions = true,
            description = "Requests/s of the OpenAI-compatible client against a local server that answers at once.")
    static final class Client implements Runnable {
        @Option(names = "--in-flight", split = ",", description = "Requests in flight (default: ${DEFAULT-VALUE}).", defaultValue = "1,8,64")
        int[] inFlight;

        @Option(names = "--seconds", description = "Measured seconds per row (default: ${DEFAULT-VALUE}).", defaultValue = "3")
        double seconds;

        @Option(names = "--server-threads", description = "Threads of the local server (default: ${DEFAULT-VALUE}).", defaultValue = "4")
        int serverThreads;

        @Override
        public void run() {
            ClientBenchmark.run(System.out, inFlight, seconds, serverThreads);
        }
    }
}
