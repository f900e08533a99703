package io.herald.bench.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One measured line of a scenario: which system ran which variant, and its metrics in the order
 * they were added. Metric names carry their unit ({@code "rate /s"}, {@code "p99 ms"}); a value is
 * a {@link Number}, or a {@link String} for what a number cannot say ({@code "> 120000"}).
 *
 * @param system {@code herald}, {@code db-scheduler}, {@code quartz}, {@code kafka-raw}, ...
 * @param peer true for a system Herald is compared with (db-scheduler, Quartz)
 */
public record ResultRow(
    String scenario,
    String variant,
    String system,
    boolean peer,
    Map<String, Object> metrics,
    String note) {

  public ResultRow {
    Objects.requireNonNull(scenario, "scenario");
    Objects.requireNonNull(variant, "variant");
    Objects.requireNonNull(system, "system");
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    note = note == null ? "" : note;
  }

  public static Builder of(String scenario, String variant, String system, boolean peer) {
    return new Builder(scenario, variant, system, peer);
  }

  /** A numeric metric, or empty when absent or not a number. */
  public java.util.OptionalDouble number(String metric) {
    return metrics.get(metric) instanceof Number n
        ? java.util.OptionalDouble.of(n.doubleValue())
        : java.util.OptionalDouble.empty();
  }

  /** A copy with one more metric (or a replaced one). */
  public ResultRow withMetric(String name, Object value) {
    Map<String, Object> m = new LinkedHashMap<>(metrics);
    m.put(name, value);
    return new ResultRow(scenario, variant, system, peer, m, note);
  }

  public static final class Builder {
    private final String scenario;
    private final String variant;
    private final String system;
    private final boolean peer;
    private final Map<String, Object> metrics = new LinkedHashMap<>();
    private String note = "";

    private Builder(String scenario, String variant, String system, boolean peer) {
      this.scenario = scenario;
      this.variant = variant;
      this.system = system;
      this.peer = peer;
    }

    public Builder metric(String name, Object value) {
      metrics.put(name, value);
      return this;
    }

    public Builder note(String note) {
      this.note = note;
      return this;
    }

    public ResultRow build() {
      return new ResultRow(scenario, variant, system, peer, metrics, note);
    }
  }
}
