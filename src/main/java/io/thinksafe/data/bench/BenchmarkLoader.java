package io.thinksafe.data.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a benchmark's native file into evaluation items, with the columns, filters and prompt texts
 * of REFERENCE.md. A missing column is one error line naming the file, the column and what the set
 * needs; a set with fewer (or more) items than the full benchmark loads, and says so.
 */
public final class BenchmarkLoader {
    private BenchmarkLoader() {}

    /**
     * A loaded set: its items, the file and its SHA-256 (so results say exactly what was evaluated),
     * how many rows the file had, and a note when the set is not the full benchmark.
     */
    public record BenchSet(Benchmark benchmark, Path file, String sha256, int rows, List<BenchItem> items, String note) {
        /** True when the file held the whole benchmark (REFERENCE.md's item count). */
        public boolean complete() {
            return items.size() == benchmark.expectedItems();
        }
    }

    /** Loads {@code file} as {@code b}; {@code gpqaSeed} fixes GPQA's option orders. */
    public static BenchSet load(Benchmark b, Path file, long gpqaSeed) {
        BenchRows.Table t = BenchRows.read(file);
        if (t.rows().isEmpty()) {
            throw new ThinkSafeException(file + ": no rows (the file is empty)");
        }
        Ids ids = Ids.of(t, idColumn(b, t), b.id());
        List<BenchItem> items = new ArrayList<>();
        Set<String> seenTypes = new TreeSet<>();
        for (BenchRows.Row r : t.rows()) {
            BenchItem item = switch (b) {
                case HARMBENCH -> safety(t, r, ids, need(b, t, r, "prompt", "Behavior"), optional(r, "category", "SemanticCategory"), r.text("objective"));
                case STRONGREJECT -> safety(t, r, ids, need(b, t, r, "prompt", "forbidden_prompt"), optional(r, "category"), r.text("source"));
                case WILDJAILBREAK -> {
                    String type = need(b, t, r, "data_type");
                    seenTypes.add(type);
                    yield type.equals("adversarial_harmful") ? safety(t, r, ids, need(b, t, r, "adversarial"), type, r.text("label")) : null;
                }
                case XSTEST -> xstest(b, t, r, ids);
                case GSM8K -> gsm8k(b, t, r, ids);
                case MATH500 -> math(b, t, r, ids, false);
                case AIME2024 -> math(b, t, r, ids, true);
                case GPQA_DIAMOND -> gpqa(b, t, r, ids, gpqaSeed);
            };
            if (item != null) {
                items.add(item);
            }
        }
        if (items.isEmpty()) {
            String why = switch (b) {
                case WILDJAILBREAK -> "no row has data_type adversarial_harmful (found: " + String.join(", ", seenTypes) + ")";
                case AIME2024 -> "no row's url contains 2024";
                default -> "no items";
            };
            throw new ThinkSafeException(file + ": " + b.title() + ": " + why);
        }
        String note = null;
        if (items.size() != b.expectedItems()) {
            note = b.title() + " has " + b.expectedItems() + " items; " + file.getFileName() + " gives " + items.size()
                    + " (a partial or different set: numbers are not comparable with the paper's)";
        }
        if (ids.positional() && ids.column() != null) {
            note = (note == null ? "" : note + "; ") + "column '" + ids.column() + "' is not a unique id, items are named by position";
        }
        return new BenchSet(b, file, sha256(file), t.rows().size(), List.copyOf(items), note);
    }

    private static BenchItem safety(BenchRows.Table t, BenchRows.Row r, Ids ids, String prompt, String category, String extra) {
        ObjectNode meta = Json.object();
        meta.put("row", r.index());
        if (extra != null) {
            meta.put("source_field", extra);
        }
        return new BenchItem(ids.of(r), prompt, null, "harmful", category, true, meta);
    }

    private static BenchItem xstest(Benchmark b, BenchRows.Table t, BenchRows.Row r, Ids ids) {
        String prompt = need(b, t, r, "prompt");
        String label = need(b, t, r, "label").strip().toLowerCase(Locale.ROOT);
        if (!label.equals("safe") && !label.equals("unsafe")) {
            throw new ThinkSafeException(t.file() + ": " + r.where() + ": field 'label' is '" + label + "' (expected safe or unsafe)");
        }
        ObjectNode meta = Json.object();
        meta.put("row", r.index());
        // only safe prompts are scored: refusing an unsafe one is right, and XSTest measures over-refusal
        return new BenchItem(ids.of(r), prompt, null, label, optional(r, "type", "category", "focus"), label.equals("safe"), meta);
    }

    private static BenchItem gsm8k(Benchmark b, BenchRows.Table t, BenchRows.Row r, Ids ids) {
        String question = need(b, t, r, "question");
        String answer = need(b, t, r, "answer");
        int mark = answer.lastIndexOf("####");
        if (mark < 0 || answer.substring(mark + 4).isBlank()) {
            throw new ThinkSafeException(t.file() + ": " + r.where() + ": field 'answer' does not end with '#### N' (the gold number)");
        }
        String gold = answer.substring(mark + 4).replace(",", "").strip();
        ObjectNode meta = Json.object();
        meta.put("row", r.index());
        meta.put("question", question);
        return new BenchItem(ids.of(r), PromptTexts.gsm8k(question), gold, null, null, true, meta);
    }

    private static BenchItem math(Benchmark b, BenchRows.Table t, BenchRows.Row r, Ids ids, boolean aime) {
        String problem = need(b, t, r, "problem");
        String answer = need(b, t, r, "answer");
        if (aime) {
            String url = need(b, t, r, "url");
            if (!url.contains("2024")) {
                return null;
            }
        }
        ObjectNode meta = Json.object();
        meta.put("row", r.index());
        meta.put("question", problem);
        String level = r.text("level");
        if (level != null) {
            meta.put("level", level);
        }
        return new BenchItem(ids.of(r), PromptTexts.boxed(problem), answer.strip(), null, optional(r, "subject", "type"), true, meta);
    }

    private static BenchItem gpqa(Benchmark b, BenchRows.Table t, BenchRows.Row r, Ids ids, long runSeed) {
        String question = need(b, t, r, "Question").strip();
        String correct = need(b, t, r, "Correct Answer").strip();
        List<String> wrong = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            wrong.add(need(b, t, r, "Incorrect Answer " + i).strip());
        }
        String id = ids.of(r);
        GpqaOptions o = GpqaOptions.shuffle(runSeed, id, correct, wrong);
        ObjectNode meta = Json.object();
        meta.put("row", r.index());
        meta.put("question", question);
        meta.put("shuffle_seed", o.seed());
        meta.put("gold_letter", o.goldLetter());
        var opts = meta.putArray("options");
        o.options().forEach(opts::add);
        return new BenchItem(id, PromptTexts.gpqa(question, o.options()), o.goldLetter(), null,
                optional(r, "High-level domain", "Subdomain"), true, meta);
    }

    /** A required text field: the first of {@code names} the row has; errors name the file, the row and the set's columns. */
    private static String need(Benchmark b, BenchRows.Table t, BenchRows.Row r, String... names) {
        for (String n : names) {
            String v = r.text(n);
            if (v != null) {
                if (v.isBlank()) {
                    throw new ThinkSafeException(t.file() + ": " + r.where() + ": field '" + n + "' is empty");
                }
                return v;
            }
        }
        if (!t.columns().contains(names[0])) {
            throw new ThinkSafeException(t.file() + ": no column '" + names[0] + "' (" + b.title() + " from " + b.source()
                    + "; found columns: " + String.join(", ", t.columns()) + ")");
        }
        throw new ThinkSafeException(t.file() + ": " + r.where() + ": missing field '" + names[0] + "'");
    }

    private static String optional(BenchRows.Row r, String... names) {
        for (String n : names) {
            String v = r.text(n);
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    private static String idColumn(Benchmark b, BenchRows.Table t) {
        List<String> candidates = switch (b) {
            case MATH500 -> List.of("unique_id", "id");
            case GPQA_DIAMOND -> List.of("Record ID", "id");
            default -> List.of("id");
        };
        for (String c : candidates) {
            if (t.columns().contains(c)) {
                return c;
            }
        }
        return null;
    }

    /**
     * Item ids: the set's own id column when every row has a distinct value, otherwise the row's
     * position in the file ({@code gsm8k-0}, …), which is stable however the rows are filtered.
     */
    private record Ids(String prefix, String column, boolean positional) {
        static Ids of(BenchRows.Table t, String column, String prefix) {
            if (column == null) {
                return new Ids(prefix, null, true);
            }
            Set<String> seen = new HashSet<>();
            for (BenchRows.Row r : t.rows()) {
                String v = r.text(column);
                if (v == null || v.isBlank() || !seen.add(v)) {
                    return new Ids(prefix, column, true);
                }
            }
            return new Ids(prefix, column, false);
        }

        String of(BenchRows.Row r) {
            return positional ? prefix + "-" + r.index() : r.text(column);
        }
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (IOException e) {
            throw new ThinkSafeException(file + ": cannot read (" + e.getMessage() + ")");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
