package io.thinksafe.cli;

import io.thinksafe.ThinkSafeException;
import io.thinksafe.export.ExportDtype;
import io.thinksafe.export.GgufExport;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a model (with a PEFT LoRA adapter folded in at float32) as one GGUF file for llama.cpp and Ollama:"
                + " weights in llama.cpp's layout, tokenizer and chat template.")
final class ExportCommand implements Runnable {
    @Mixin
    SharedOptions.Model model;

    @Mixin
    SharedOptions.AdapterOption adapter;

    @Option(names = "--format", defaultValue = "gguf", description = "Output format: gguf (default).")
    String format;

    @Option(names = "--dtype", defaultValue = "f16", paramLabel = "f32|f16|bf16|q8_0",
            description = "Type of the weight matrices (norms and biases stay f32; q8_0 rows that are not whole blocks of 32 are f16). Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(names = "--out", required = true, paramLabel = "FILE.gguf", description = "The file to write (appears only when complete).")
    Path out;

    @Override
    public void run() {
        if (!format.equals("gguf")) {
            throw new ThinkSafeException("--format " + format + ": only gguf is supported");
        }
        ExportDtype d = ExportDtype.parse(dtype);
        GgufExport.Result r = GgufExport.run(model.localDir("export"), adapter.adapter, d, out);
        System.err.printf("export: %s%s -> %s (%s, %s, %d tensors, %.1f MB)%n", model.model,
                adapter.adapter == null ? "" : " + " + adapter.adapter, r.file(), r.arch(), d.cliName(), r.tensors(),
                r.bytes() / 1e6);
    }
}
