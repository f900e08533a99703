package io.herald.bench.scenario;

import io.herald.bench.infra.ExecutionLog;
import io.herald.bench.report.ResultRow;
import java.util.OptionalLong;

/** Shared metric names and formatting of lateness percentiles. */
final class Metrics {

  static final String EXECUTED = "executed";
  static final String RATE = "rate /s";
  static final String P50 = "lateness p50 ms";
  static final String P99 = "lateness p99 ms";
  static final String MAX = "lateness max ms";
  static final String DUPLICATES = "duplicates";
  static final String MISSES = "misses";
  static final String LOAD = "load s";

  private Metrics() {}

  /** Adds p50, p99 and max; values among never-run occurrences read "> budget". */
  static void lateness(ResultRow.Builder row, ExecutionLog log, long budgetMillis) {
    ExecutionLog.Percentiles p = log.latenessPercentiles();
    row.metric(P50, value(p.at(0.50), budgetMillis));
    row.metric(P99, value(p.at(0.99), budgetMillis));
    row.metric(MAX, value(p.max(), budgetMillis));
  }

  private static Object value(OptionalLong v, long budgetMillis) {
    return v.isPresent() ? (Object) v.getAsLong() : "> " + budgetMillis;
  }

  /** A note built of "clause; " parts, without the separator after the last one. */
  static String clauses(String note) {
    String n = note.strip();
    return n.endsWith(";") ? n.substring(0, n.length() - 1) : n;
  }

  static double round(double v, int decimals) {
    double f = Math.pow(10, decimals);
    return Math.round(v * f) / f;
  }
}
