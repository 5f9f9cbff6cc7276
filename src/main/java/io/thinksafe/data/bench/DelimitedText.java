package io.thinksafe.data.bench;

import io.thinksafe.ThinkSafeException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CSV and TSV with a header row, as pandas and Hugging Face {@code datasets} write them: fields that
 * hold the delimiter, a quote or a line break are quoted with {@code "} (a quote inside doubled);
 * other fields are taken as they are. Prompts with line breaks (WildJailbreak's adversarial prompts,
 * GPQA's questions) therefore survive. Errors name the line where the bad record starts.
 */
final class DelimitedText {
    /** One record: the line it starts on and its fields by column name, in header order. */
    record Record(int line, Map<String, String> fields) {}

    private final String file;
    private final String text;
    private final char delimiter;
    private int pos;
    private int line = 1;

    private DelimitedText(String file, String text, char delimiter) {
        this.file = file;
        this.text = text.startsWith("\uFEFF") ? text.substring(1) : text;
        this.delimiter = delimiter;
    }

    static List<Record> parse(String file, String text, char delimiter) {
        return new DelimitedText(file, text, delimiter).records();
    }

    private List<Record> records() {
        List<Record> out = new ArrayList<>();
        if (text.isBlank()) {
            return out;
        }
        List<String> header = row();
        for (int i = 0; i < header.size(); i++) {
            if (header.subList(0, i).contains(header.get(i))) {
                throw new ThinkSafeException(file + ":1: column '" + header.get(i) + "' appears twice in the header");
            }
        }
        while (pos < text.length()) {
            int start = line;
            List<String> fields = row();
            if (fields.size() == 1 && fields.get(0).isEmpty()) {
                continue; // a blank line (typically the last)
            }
            if (fields.size() != header.size()) {
                throw new ThinkSafeException(file + ":" + start + ": " + fields.size() + " fields, but the header has "
                        + header.size() + " (" + String.join(", ", header) + ")");
            }
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                m.put(header.get(i), fields.get(i));
            }
            out.add(new Record(start, m));
        }
        return out;
    }

    /** The fields of one record, consuming its line break. */
    private List<String> row() {
        List<String> fields = new ArrayList<>();
        while (true) {
            fields.add(field());
            if (pos >= text.length()) {
                return fields;
            }
            char c = text.charAt(pos);
            if (c == delimiter) {
                pos++;
                continue;
            }
            // a line break ends the record
            if (c == '\r' && pos + 1 < text.length() && text.charAt(pos + 1) == '\n') {
                pos++;
            }
            pos++;
            line++;
            return fields;
        }
    }

    private String field() {
        if (pos < text.length() && text.charAt(pos) == '"') {
            int opened = line;
            pos++;
            StringBuilder b = new StringBuilder();
            while (true) {
                if (pos >= text.length()) {
                    throw new ThinkSafeException(file + ":" + opened + ": a quoted field is never closed");
                }
                char c = text.charAt(pos++);
                if (c == '"') {
                    if (pos < text.length() && text.charAt(pos) == '"') {
                        b.append('"');
                        pos++;
                        continue;
                    }
                    if (pos < text.length() && text.charAt(pos) != delimiter && text.charAt(pos) != '\n' && text.charAt(pos) != '\r') {
                        throw new ThinkSafeException(file + ":" + line + ": unexpected text after a closing quote");
                    }
                    return b.toString();
                }
                if (c == '\n') {
                    line++;
                }
                b.append(c);
            }
        }
        int start = pos;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == delimiter || c == '\n' || c == '\r') {
                break;
            }
            pos++;
        }
        return text.substring(start, pos);
    }
}
