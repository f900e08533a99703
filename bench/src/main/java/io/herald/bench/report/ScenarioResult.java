package io.herald.bench.report;

import java.util.List;
import java.util.Map;

/**
 * What one scenario produced: its settings (sizes, threads, intervals: everything a reader needs to
 * reproduce it), its rows, and notes such as "Herald not wired yet".
 */
public record ScenarioResult(
    String id,
    String title,
    Map<String, Object> settings,
    List<ResultRow> rows,
    List<String> notes,
    long elapsedMillis) {

  public ScenarioResult {
    settings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(settings));
    rows = List.copyOf(rows);
    notes = List.copyOf(notes);
  }
}
