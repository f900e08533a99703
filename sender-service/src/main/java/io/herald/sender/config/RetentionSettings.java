package io.herald.sender.config;

import io.herald.runtime.config.EnvReader;
import java.time.Duration;
import java.util.Locale;

/**
 * When the sender purges finished deliveries and closed history rows (ADR 0019).
 *
 * @param interval HERALD_SENDER_RETENTION_INTERVAL between two purge passes (default PT10M); the
 *     first pass runs shortly after start
 * @param deliveries HERALD_SENDER_RETENTION_DELIVERIES, age of a finished delivery (by {@code
 *     finished_at}) of a closed occurrence before it is purged (default P30D); {@link
 *     Duration#ZERO} when off ({@code off} or {@code P0D})
 * @param history HERALD_SENDER_RETENTION_HISTORY, age of a closed history row (by {@code
 *     completed_at}) before it is purged and folded into its definition's archived totals (default
 *     P400D); {@link Duration#ZERO} when off
 * @param batchSize HERALD_SENDER_RETENTION_BATCH rows per delete statement, each its own
 *     transaction (default 1000)
 */
public record RetentionSettings(
    Duration interval, Duration deliveries, Duration history, int batchSize) {

  /** Shortest delivery age: the ledger row is what suppresses a replayed command's resend. */
  public static final Duration MIN_DELIVERIES = Duration.ofDays(1);

  static final String INTERVAL = "HERALD_SENDER_RETENTION_INTERVAL";
  static final String DELIVERIES = "HERALD_SENDER_RETENTION_DELIVERIES";
  static final String HISTORY = "HERALD_SENDER_RETENTION_HISTORY";
  static final String BATCH = "HERALD_SENDER_RETENTION_BATCH";

  /** True when neither part purges anything. */
  public boolean off() {
    return deliveries.isZero() && history.isZero();
  }

  static RetentionSettings parse(EnvReader r) {
    Duration interval = r.duration(INTERVAL, Duration.ofMinutes(10));
    if (interval != null && interval.isZero()) {
      r.problem(INTERVAL + "=" + interval + ": must be longer than zero");
    }
    Duration deliveries = age(r, DELIVERIES, "P30D");
    if (!deliveries.isZero() && deliveries.compareTo(MIN_DELIVERIES) < 0) {
      r.problem(
          DELIVERIES
              + "="
              + deliveries
              + ": must be at least P1D, or off (a purged ledger row no longer stops a replayed"
              + " command from being sent again)");
    }
    Duration history = age(r, HISTORY, "P400D");
    if (!deliveries.isZero() && !history.isZero() && history.compareTo(deliveries) < 0) {
      r.problem(
          HISTORY
              + "="
              + history
              + ": must not be shorter than "
              + DELIVERIES
              + " ("
              + deliveries
              + "): an occurrence's deliveries are purged while its history row still exists");
    }
    int batch = r.intAtLeast(BATCH, 1000, 1);
    if (batch > 50_000) {
      r.problem(BATCH + "=" + batch + ": must be <= 50000 (one batch is one short transaction)");
    }
    return new RetentionSettings(
        interval == null ? Duration.ofMinutes(10) : interval, deliveries, history, batch);
  }

  /** An ISO-8601 age, or {@code off}: zero. */
  private static Duration age(EnvReader r, String name, String def) {
    String raw = r.optional(name, def); // echoed as given: P30D, not PT720H
    if (raw.trim().toLowerCase(Locale.ROOT).equals("off")) {
      return Duration.ZERO;
    }
    Duration fallback = Duration.parse(def);
    if (raw.equals(def)) {
      return fallback;
    }
    Duration d = r.duration(name, fallback);
    return d == null ? fallback : d;
  }
}
