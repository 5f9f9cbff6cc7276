package io.thinksafe.export;

import io.thinksafe.ThinkSafeException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What {@code --dtype} asks for: the type of the weight matrices, and the file type GGUF records ({@code llama_ftype}). */
public enum ExportDtype {
    F32(GgmlType.F32, 0),
    F16(GgmlType.F16, 1),
    BF16(GgmlType.BF16, 32),
    Q8_0(GgmlType.Q8_0, 7);

    final GgmlType weights;
    final int fileType;

    ExportDtype(GgmlType weights, int fileType) {
        this.weights = weights;
        this.fileType = fileType;
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ExportDtype parse(String name) {
        for (ExportDtype d : values()) {
            if (d.cliName().equals(name.toLowerCase(Locale.ROOT))) {
                return d;
            }
        }
        throw new ThinkSafeException("--dtype " + name + ": expected one of "
                + Arrays.stream(values()).map(ExportDtype::cliName).collect(Collectors.joining(", ")));
    }
}
