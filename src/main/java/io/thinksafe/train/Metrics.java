package io.thinksafe.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.ThinkSafeException;
import io.thinksafe.data.Jsonl;
import io.thinksafe.util.AtomicFiles;
import io.thinksafe.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * {@code metrics.jsonl}: one line per optimizer step. On resume, lines past the checkpoint being
 * resumed are dropped (they describe steps that will be redone), so each step appears once.
 */
final class Metrics {
    private final Path file;

    Metrics(Path file, int resumedStep) {
        this.file = file;
        if (Files.exists(file)) {
            List<ObjectNode> kept = Jsonl.read(file).stream().filter(o -> o.path("step").asInt() <= resumedStep).toList();
            StringBuilder b = new StringBuilder();
            kept.forEach(o -> b.append(Json.compact(o)).append('\n'));
            AtomicFiles.writeString(file, b.toString());
        }
    }

    /** Appends one step's line. */
    void append(ObjectNode o) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, Json.compact(o) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new ThinkSafeException(file + ": cannot write (" + e.getMessage() + ")");
        }
    }
}
