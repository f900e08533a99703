package io.herald.quickstart;

import java.sql.Connection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The console overview's numbers computed independently from the rows and the broker, by the
 * definitions the console contract gives (docs/console/README.md repeats them): what the page shows
 * must equal these at the same moment.
 */
final class OverviewNumbers {

  /** Every {@code data-metric} key of the overview. */
  static final String[] KEYS = {
    "active-definitions",
    "due-next-hour",
    "sent-today",
    "failed-today",
    "skipped-today",
    "unknown-today",
    "consumer-lag",
    "devices-paused",
    "dead-letters-24h",
    "avg-queue-time-ms",
    "avg-send-time-ms"
  };

  /** Averages are shown as whole milliseconds: rounding may differ by one. */
  static final long AVERAGE_ROUNDING_MS = 1;

  private static final String TODAY =
      "date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'";

  private final ConsoleRows rows;
  private final TopicRecords topics;

  OverviewNumbers(ConsoleRows rows, TopicRecords topics) {
    this.rows = rows;
    this.topics = topics;
  }

  /** Key to the number as the page would print it ({@code -} for an average without data). */
  Map<String, String> now() throws Exception {
    try (Connection c = rows.connect()) {
      return now(c);
    }
  }

  private Map<String, String> now(Connection c) throws Exception {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(
        "active-definitions",
        Long.toString(
            ConsoleRows.count(c, "SELECT count(*) FROM recurring_messages WHERE status = 'active'")
                + ConsoleRows.count(
                    c, "SELECT count(*) FROM auto_post_schedules WHERE status = 'active'")
                + ConsoleRows.count(
                    c,
                    "SELECT count(*) FROM broadcasts WHERE status IN ('scheduled', 'processing')")));
    // next due instant: next_send_at whatever the status (the scheduler clears it when nothing is
    // due); a broadcast not started yet (draft or scheduled) is due at its scheduled_at
    m.put(
        "due-next-hour",
        Long.toString(
            ConsoleRows.count(
                    c,
                    "SELECT count(*) FROM recurring_messages"
                        + " WHERE next_send_at >= now() AND next_send_at < now() + interval '1 hour'")
                + ConsoleRows.count(
                    c,
                    "SELECT count(*) FROM auto_post_schedules"
                        + " WHERE next_send_at >= now() AND next_send_at < now() + interval '1 hour'")
                + ConsoleRows.count(
                    c,
                    "SELECT count(*) FROM broadcasts WHERE status IN ('draft', 'scheduled')"
                        + " AND started_at IS NULL"
                        + " AND scheduled_at >= now() AND scheduled_at < now() + interval '1 hour'")));
    for (String outcome : new String[] {"sent", "failed", "skipped", "unknown"}) {
      m.put(
          outcome + "-today",
          Long.toString(
              ConsoleRows.count(
                  c,
                  "SELECT count(*) FROM deliveries WHERE status = ? AND finished_at >= " + TODAY,
                  outcome)));
    }
    m.put(
        "consumer-lag",
        Long.toString(topics.lagByGroup().values().stream().mapToLong(Long::longValue).sum()));
    m.put(
        "devices-paused",
        Long.toString(
            ConsoleRows.count(c, "SELECT count(*) FROM devices WHERE status = 'paused'")));
    m.put("dead-letters-24h", Long.toString(deadLetters24h()));
    m.put(
        "avg-queue-time-ms",
        average(
            c,
            "SELECT round(avg(extract(epoch FROM finished_at - occurrence_at) * 1000))"
                + " FROM deliveries WHERE status = 'sent' AND finished_at >= "
                + TODAY));
    m.put(
        "avg-send-time-ms",
        average(
            c,
            "SELECT round(avg(extract(epoch FROM finished_at - claimed_at) * 1000))"
                + " FROM deliveries WHERE status = 'sent' AND finished_at >= "
                + TODAY));
    return m;
  }

  private static String average(Connection c, String sql) throws Exception {
    Number v = ConsoleRows.number(c, sql);
    return v == null ? "-" : Long.toString(v.longValue());
  }

  private long deadLetters24h() throws Exception {
    long since = Instant.now().minus(24, ChronoUnit.HOURS).toEpochMilli();
    List<String> dlqs =
        topics.topics().stream().filter(t -> t.endsWith(".dlq")).collect(Collectors.toList());
    return topics.readAll(dlqs).stream().filter(r -> r.timestamp() >= since).count();
  }

  /** True when the page shows {@code expected} for {@code key}, averages within rounding. */
  static boolean matches(String key, String expected, String page) {
    if (expected == null || page == null) {
      return false;
    }
    if (key.startsWith("avg-") && !expected.equals("-") && page.matches("\\d+")) {
      return Math.abs(Long.parseLong(expected) - Long.parseLong(page)) <= AVERAGE_ROUNDING_MS;
    }
    return expected.equals(page);
  }
}
