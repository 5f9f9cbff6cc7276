package io.thinksafe.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.util.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** JSON Lines: one object per line, UTF-8. Errors name the file and the line. */
public final class Jsonl {
    private Jsonl() {}

    /** Every object of the file; blank lines are skipped, anything else that is not an object is an error. */
    public static List<ObjectNode> read(Path file) {
        List<ObjectNode> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                out.add(parseLine(file, n, line));
            }
        } catch (NoSuchFileException e) {
            throw new ThinkSafeException(file + ": file not found");
        } catch (CharacterCodingException e) {
            throw new ThinkSafeException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new ThinkSafeException(file + ": cannot read (" + e.getMessage() + ")");
        }
        return out;
    }

    /**
     * The first {@code limit} objects of a file (all when {@code limit <= 0}); an empty file is an
     * error that says there is {@code nothing} (e.g. "nothing to judge").
     */
    public static List<ObjectNode> readFirst(Path file, int limit, String nothing) {
        List<ObjectNode> rows = read(file);
        if (rows.isEmpty()) {
            throw new ThinkSafeException(file + ": " + nothing + " (the file is empty)");
        }
        return limit > 0 && limit < rows.size() ? rows.subList(0, limit) : rows;
    }

    static ObjectNode parseLine(Path file, int lineNumber, String line) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new ThinkSafeException(file + ":" + lineNumber + ": malformed JSON (" + Json.describe(e) + ")");
        }
        if (node == null || !node.isObject()) {
            throw new ThinkSafeException(file + ":" + lineNumber + ": expected a JSON object");
        }
        return (ObjectNode) node;
    }

    /** A required string field, or an error naming file, line and field. */
    public static String requireText(Path file, int lineNumber, JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            throw new ThinkSafeException(file + ":" + lineNumber + ": missing field '" + field + "'");
        }
        if (!v.isTextual()) {
            throw new ThinkSafeException(file + ":" + lineNumber + ": field '" + field + "' must be a string");
        }
        return v.asText();
    }

    /** A field's text, or null when it is absent or null. */
    public static String textOrNull(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
