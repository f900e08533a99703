package io.herald.bench.report;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A whole run: when, where (machine), with what (versions, run-wide settings) and the scenario
 * results. Rendered by {@link MarkdownWriter} and {@link JsonWriter}.
 *
 * @param mode {@code smoke} or {@code full}
 */
public record Report(
    Instant startedAt,
    long elapsedMillis,
    String mode,
    Map<String, Object> machine,
    Map<String, String> versions,
    Map<String, Object> settings,
    List<ScenarioResult> scenarios) {

  public Report {
    machine = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(machine));
    versions = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(versions));
    settings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(settings));
    scenarios = List.copyOf(scenarios);
  }
}
