package io.thinksafe.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** A benchmark's per-item audit records and its score. */
record Outcome(List<ObjectNode> items, Score score) {}
