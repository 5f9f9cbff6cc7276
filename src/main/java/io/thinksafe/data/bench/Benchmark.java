package io.thinksafe.data.bench;

import io.thinksafe.ThinkSafeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The paper's evaluation sets: the Hugging Face id users download, the native columns read, and
 * how many items the full set has (REFERENCE.md). {@code fileNames} are the names looked for in a
 * {@code --data} directory, the set's own file name first where it has a distinctive one.
 */
public enum Benchmark {
    HARMBENCH("harmbench", "HarmBench", Kind.SAFETY, 602, "the HarmBench JSON list shipped with the paper's reference code",
            List.of("harmbench.json", "harmbench.jsonl", "harmbench.csv")),
    STRONGREJECT("strongreject", "StrongREJECT", Kind.SAFETY, 313, "walledai/StrongREJECT (train)",
            List.of("strongreject.jsonl", "strongreject.json", "strongreject.csv", "strongreject_dataset.csv")),
    WILDJAILBREAK("wildjailbreak", "WildJailbreak", Kind.SAFETY, 2000, "allenai/wildjailbreak, config eval (eval/eval.tsv)",
            List.of("wildjailbreak.tsv", "wildjailbreak/eval.tsv", "wildjailbreak/eval/eval.tsv", "wildjailbreak.jsonl",
                    "wildjailbreak.json", "wildjailbreak.csv")),
    XSTEST("xstest", "XSTest", Kind.OVERREFUSAL, 450, "walledai/XSTest (test)",
            List.of("xstest.jsonl", "xstest.json", "xstest.csv", "xstest_prompts.csv")),
    AIME2024("aime2024", "AIME 2024", Kind.REASONING, 30, "AI-MO/aimo-validation-aime (train), rows whose url contains 2024",
            List.of("aime2024.jsonl", "aime2024.json", "aime2024.csv", "aimo-validation-aime.jsonl")),
    GSM8K("gsm8k", "GSM8K", Kind.REASONING, 1319, "openai/gsm8k, config main (test)",
            List.of("gsm8k.jsonl", "gsm8k.json", "gsm8k.csv")),
    MATH500("math500", "MATH500", Kind.REASONING, 500, "qq8933/MATH500 (test)",
            List.of("math500.jsonl", "math500.json", "math500.csv")),
    GPQA_DIAMOND("gpqa", "GPQA-Diamond", Kind.REASONING, 198, "Idavidrein/gpqa, config gpqa_diamond (train)",
            List.of("gpqa_diamond.csv", "gpqa_diamond.jsonl", "gpqa_diamond.json", "gpqa.csv", "gpqa.jsonl"));

    /** What a set measures: harmful responses, refusals of safe prompts, or reasoning accuracy. */
    public enum Kind { SAFETY, OVERREFUSAL, REASONING }

    private final String id;
    private final String title;
    private final Kind kind;
    private final int expectedItems;
    private final String source;
    private final List<String> fileNames;

    Benchmark(String id, String title, Kind kind, int expectedItems, String source, List<String> fileNames) {
        this.id = id;
        this.title = title;
        this.kind = kind;
        this.expectedItems = expectedItems;
        this.source = source;
        this.fileNames = fileNames;
    }

    /** The short name used in flags, directories and results ({@code harmbench}, {@code gpqa}). */
    public String id() {
        return id;
    }

    /** The name in tables ({@code GPQA-Diamond}). */
    public String title() {
        return title;
    }

    public Kind kind() {
        return kind;
    }

    /** Items in the full set (XSTest: prompts generated for, of which the 250 safe ones are scored). */
    public int expectedItems() {
        return expectedItems;
    }

    /** Where users get it. */
    public String source() {
        return source;
    }

    public List<String> fileNames() {
        return fileNames;
    }

    public static Benchmark parse(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "").replace(" ", "");
        for (Benchmark b : values()) {
            if (b.id.replace("_", "").equals(n) || b.name().toLowerCase(Locale.ROOT).replace("_", "").equals(n)) {
                return b;
            }
        }
        if (n.equals("aime")) {
            return AIME2024;
        }
        if (n.equals("math")) {
            return MATH500;
        }
        List<String> known = new ArrayList<>();
        for (Benchmark b : values()) {
            known.add(b.id);
        }
        throw new ThinkSafeException("unknown benchmark '" + name + "' (expected one of " + String.join(", ", known) + ")");
    }

    public static List<Benchmark> ofKind(Kind kind) {
        List<Benchmark> out = new ArrayList<>();
        for (Benchmark b : values()) {
            if (b.kind == kind) {
                out.add(b);
            }
        }
        return out;
    }

    /** This set's file in {@code dir} (the first of {@link #fileNames} that exists), or null. */
    public Path find(Path dir) {
        for (String name : fileNames) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }
}
