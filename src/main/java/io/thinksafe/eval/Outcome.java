package io.thinksafe.eval;

import java.util.List;

/** A benchmark's per-item audit records and its score. */
record Outcome(List<EvalItem> items, Score score) {}
