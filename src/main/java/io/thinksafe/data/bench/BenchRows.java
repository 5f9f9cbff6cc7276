package io.thinksafe.data.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.Jsonl;
import io.thinksafe.util.Json;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The rows of a benchmark's native file, whatever its format: JSON Lines ({@code .jsonl}), a JSON
 * array of objects ({@code .json}), CSV ({@code .csv}) or TSV ({@code .tsv}). Every row remembers
 * where it came from ({@code line 12}, {@code element 3}) so that errors can say.
 */
public final class BenchRows {
    /** One row: where it is in the file, its position among the rows (0-based), and its columns. */
    public record Row(String where, int index, ObjectNode fields) {
        /** A column's text ("" for JSON null), or null when the row lacks the column. */
        public String text(String column) {
            JsonNode v = fields.get(column);
            if (v == null) {
                return null;
            }
            return v.isNull() ? "" : v.isValueNode() ? v.asText() : Json.compact(v);
        }
    }

    /** The rows, and every column name seen (in first-seen order) for error messages. */
    public record Table(Path file, List<Row> rows, Set<String> columns) {}

    private BenchRows() {}

    public static Table read(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        List<Row> rows = new ArrayList<>();
        if (name.endsWith(".csv") || name.endsWith(".tsv")) {
            char delimiter = name.endsWith(".tsv") ? '\t' : ',';
            int i = 0;
            for (DelimitedText.Record r : DelimitedText.parse(file.toString(), text(file), delimiter)) {
                ObjectNode o = Json.object();
                for (Map.Entry<String, String> e : r.fields().entrySet()) {
                    o.put(e.getKey(), e.getValue());
                }
                rows.add(new Row("line " + r.line(), i++, o));
            }
        } else if (name.endsWith(".json")) {
            JsonNode root = Json.read(file);
            if (!root.isArray()) {
                throw new ThinkSafeException(file + ": expected a JSON array of objects (a .json file), or use .jsonl for JSON Lines");
            }
            int i = 0;
            for (JsonNode n : root) {
                if (!n.isObject()) {
                    throw new ThinkSafeException(file + ": element " + (i + 1) + " is not a JSON object");
                }
                rows.add(new Row("element " + (i + 1), i, (ObjectNode) n));
                i++;
            }
        } else if (name.endsWith(".jsonl")) {
            int i = 0;
            for (ObjectNode o : Jsonl.read(file)) {
                rows.add(new Row("record " + (i + 1), i, o));
                i++;
            }
        } else {
            throw new ThinkSafeException(file + ": unknown file type (expected .jsonl, .json, .csv or .tsv; "
                    + "convert Parquet with pandas or datasets first, see the README)");
        }
        Set<String> columns = new LinkedHashSet<>();
        rows.forEach(r -> r.fields().fieldNames().forEachRemaining(columns::add));
        return new Table(file, rows, columns);
    }

    private static String text(Path file) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (NoSuchFileException e) {
            throw new ThinkSafeException(file + ": file not found");
        } catch (CharacterCodingException e) {
            throw new ThinkSafeException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new ThinkSafeException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }
}
