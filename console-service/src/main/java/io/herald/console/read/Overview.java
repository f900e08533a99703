package io.herald.console.read;

import io.herald.console.auth.Principal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * The overview's numbers from PostgreSQL, in one snapshot. What each counts (the page's footnote
 * says the same):
 *
 * <ul>
 *   <li>active definitions: recurring messages and auto-posts with status {@code active}, plus
 *       broadcasts with status {@code scheduled} or {@code processing} (not {@code draft}, {@code
 *       completed}, {@code partially_failed}, {@code failed}, {@code cancelled}; recurring {@code
 *       finished}, {@code inactive} and {@code invalid} are not active either);
 *   <li>due in the next hour: definitions whose next due instant ({@code next_send_at}; for a
 *       broadcast not yet started, draft or scheduled, its {@code scheduled_at}) is in [now,
 *       now+1h);
 *   <li>sent / failed / skipped / unknown today: {@code deliveries} rows with that status and
 *       {@code finished_at} since 00:00 UTC (skips have rows too: the sender's ledger records
 *       them);
 *   <li>average queue time: {@code finished_at - occurrence_at} of today's sent deliveries that
 *       have an occurrence; average send time: {@code finished_at - claimed_at} of today's sent
 *       ones;
 *   <li>devices paused: {@code devices.status = 'paused'}.
 * </ul>
 *
 * A tenant-scoped principal gets the same numbers over its own rows.
 */
public final class Overview {

  /** The database half of the overview; averages null when nothing was sent today. */
  public record Numbers(
      Instant now,
      Instant todayStart,
      long activeDefinitions,
      long dueNextHour,
      long sentToday,
      long failedToday,
      long skippedToday,
      long unknownToday,
      long devicesPaused,
      long devicesOtherHeld,
      Long avgQueueMillis,
      Long avgSendMillis) {}

  private static final String TENANT = "(CAST(? AS uuid) IS NULL OR user_id = CAST(? AS uuid))";

  private static final String SQL =
      "SELECT"
          + " (SELECT count(*) FROM recurring_messages WHERE status = 'active' AND "
          + TENANT
          + ") + (SELECT count(*) FROM auto_post_schedules WHERE status = 'active' AND "
          + TENANT
          + ") + (SELECT count(*) FROM broadcasts WHERE status IN ('scheduled', 'processing') AND "
          + TENANT
          + ") AS active,"
          + " (SELECT count(*) FROM recurring_messages WHERE next_send_at >= ? AND next_send_at < ?"
          + " AND "
          + TENANT
          + ") + (SELECT count(*) FROM auto_post_schedules WHERE next_send_at >= ?"
          + " AND next_send_at < ? AND "
          + TENANT
          + ") + (SELECT count(*) FROM broadcasts WHERE status IN ('draft', 'scheduled')"
          + " AND started_at IS NULL AND scheduled_at >= ? AND scheduled_at < ? AND "
          + TENANT
          + ") AS due,"
          + " (SELECT count(*) FROM devices WHERE status = 'paused' AND "
          + TENANT
          + ") AS paused,"
          + " (SELECT count(*) FROM devices WHERE status NOT IN ('active', 'paused') AND "
          + TENANT
          + ") AS held";

  private static final String DELIVERIES =
      "SELECT count(*) FILTER (WHERE status = 'sent') AS sent,"
          + " count(*) FILTER (WHERE status = 'failed') AS failed,"
          + " count(*) FILTER (WHERE status = 'skipped') AS skipped,"
          + " count(*) FILTER (WHERE status = 'unknown') AS unknown,"
          + " round(avg(EXTRACT(EPOCH FROM finished_at - occurrence_at) * 1000)"
          + " FILTER (WHERE status = 'sent' AND occurrence_at IS NOT NULL)) AS queue_ms,"
          + " round(avg(EXTRACT(EPOCH FROM finished_at - claimed_at) * 1000)"
          + " FILTER (WHERE status = 'sent' AND claimed_at IS NOT NULL)) AS send_ms"
          + " FROM deliveries WHERE finished_at >= ? AND "
          + TENANT;

  private final Db db;

  public Overview(Db db) {
    this.db = db;
  }

  public Numbers read(Principal who, Instant now) throws SQLException {
    Instant todayStart =
        now.atZone(ZoneOffset.UTC).toLocalDate().atStartOfDay(ZoneOffset.UTC).toInstant();
    Timestamp from = Timestamp.from(now);
    Timestamp to = Timestamp.from(now.plusSeconds(3600));
    UUID t = who.tenant();
    try (Connection c = db.snapshot()) {
      try {
        long active;
        long due;
        long paused;
        long held;
        try (PreparedStatement ps = c.prepareStatement(SQL)) {
          int i = 1;
          for (int k = 0; k < 3; k++) {
            ps.setObject(i++, t);
            ps.setObject(i++, t);
          }
          for (int k = 0; k < 3; k++) {
            ps.setTimestamp(i++, from);
            ps.setTimestamp(i++, to);
            ps.setObject(i++, t);
            ps.setObject(i++, t);
          }
          for (int k = 0; k < 2; k++) {
            ps.setObject(i++, t);
            ps.setObject(i++, t);
          }
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            active = rs.getLong("active");
            due = rs.getLong("due");
            paused = rs.getLong("paused");
            held = rs.getLong("held");
          }
        }
        try (PreparedStatement ps = c.prepareStatement(DELIVERIES)) {
          ps.setTimestamp(1, Timestamp.from(todayStart));
          ps.setObject(2, t);
          ps.setObject(3, t);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new Numbers(
                now,
                todayStart,
                active,
                due,
                rs.getLong("sent"),
                rs.getLong("failed"),
                rs.getLong("skipped"),
                rs.getLong("unknown"),
                paused,
                held,
                nullableLong(rs, "queue_ms"),
                nullableLong(rs, "send_ms"));
          }
        }
      } finally {
        c.rollback();
      }
    }
  }

  private static Long nullableLong(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }
}
