package io.herald.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** Renders a {@link Report} as JSON with raw (unformatted) numbers, for tooling and diffs. */
public final class JsonWriter {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private JsonWriter() {}

  public static String render(Report report) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("startedAt", report.startedAt().toString());
    root.put("elapsedMillis", report.elapsedMillis());
    root.put("mode", report.mode());
    root.set("machine", map(report.machine()));
    root.set("versions", map(report.versions()));
    root.set("settings", map(report.settings()));
    ArrayNode scenarios = root.putArray("scenarios");
    for (ScenarioResult s : report.scenarios()) {
      ObjectNode n = scenarios.addObject();
      n.put("id", s.id());
      n.put("title", s.title());
      n.put("elapsedMillis", s.elapsedMillis());
      n.set("settings", map(s.settings()));
      ArrayNode rows = n.putArray("rows");
      for (ResultRow r : s.rows()) {
        ObjectNode row = rows.addObject();
        row.put("variant", r.variant());
        row.put("system", r.system());
        row.put("peer", r.peer());
        row.set("metrics", map(r.metrics()));
        if (!r.note().isEmpty()) {
          row.put("note", r.note());
        }
      }
      ArrayNode notes = n.putArray("notes");
      s.notes().forEach(notes::add);
    }
    try {
      return MAPPER.writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("Could not render the results as JSON", e);
    }
  }

  private static ObjectNode map(Map<String, ?> values) {
    ObjectNode node = MAPPER.createObjectNode();
    values.forEach(
        (k, v) -> {
          if (v instanceof Double d && (d.isNaN() || d.isInfinite())) {
            node.putNull(k);
          } else {
            node.set(k, MAPPER.valueToTree(v));
          }
        });
    return node;
  }
}
