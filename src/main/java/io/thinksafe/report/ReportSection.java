package io.thinksafe.report;

import java.util.Map;
import java.util.function.Function;

/**
 * A part of the report that a kind of run adds when it is among the evaluated models (an iterative
 * run's rounds, a warm-started GRPO run next to plain GRPO): its Markdown, its HTML, and its figures.
 */
interface ReportSection {
    /** The section in Markdown; {@code image} gives a figure's path from its file name. */
    String markdown(Function<String, String> image);

    /** The section in HTML; {@code images} gives a figure's data URI by its file name. */
    String html(Map<String, String> images);

    /** Its figures by file name (PNG). */
    Map<String, byte[]> plots();
}
