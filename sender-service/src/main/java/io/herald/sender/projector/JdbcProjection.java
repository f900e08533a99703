package io.herald.sender.projector;

import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.DeliveryResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the state columns the sender owns, recomputed from {@code deliveries} with a GROUP BY so a
 * replayed result never double counts (ADR 0018). Every recipient of an occurrence has one row
 * there — the sender's own claims, and the recipients the scheduler skipped at fan-out, written
 * here from their {@code skipped} results — so the counts (sent, failed, unknown, expired, skipped
 * by reason) add up to the occurrence's recipients, and an occurrence or a broadcast closes when
 * they do: {@code completed} (nothing failed, unknown or expired), {@code failed} (nothing sent and
 * something did not go out) or {@code partially_failed}. Once closed ({@code completed_at} set), an
 * occurrence's or a broadcast's counts are final and never recomputed, and a definition's totals
 * add up its history rows and {@code archived_totals}, so the retention purge of old deliveries and
 * history rows ({@link JdbcRetention}) changes no number (ADR 0019). Never touches {@code
 * updated_at} or definition columns: the scheduler's CDC must see these writes as state-only.
 */
public final class JdbcProjection {

  private static final Logger log = LoggerFactory.getLogger(JdbcProjection.class);

  /** Counts of the deliveries {@code d} (a CTE over one schedule or one occurrence). */
  private static final String COUNTS =
      " s AS (SELECT count(*) FILTER (WHERE status = 'sent') AS sent,"
          + " count(*) FILTER (WHERE status = 'failed') AS failed,"
          + " count(*) FILTER (WHERE status = 'unknown') AS unknown,"
          + " count(*) FILTER (WHERE status = 'expired') AS expired,"
          + " count(*) FILTER (WHERE status = 'skipped') AS skipped,"
          + " count(*) FILTER (WHERE status <> 'claimed') AS done,"
          + " max(finished_at) FILTER (WHERE status = 'sent') AS last_sent FROM d),"
          + " r AS (SELECT jsonb_object_agg(code, n) AS reasons FROM (SELECT"
          + " COALESCE(error_code, 'unspecified') AS code, count(*) AS n FROM d"
          + " WHERE status = 'skipped' GROUP BY 1) x)";

  private static final String OF_SCHEDULE =
      "WITH d AS (SELECT status, error_code, finished_at FROM deliveries"
          + " WHERE schedule_kind = ? AND schedule_id = ?),"
          + COUNTS;

  private static final String OF_OCCURRENCE =
      "WITH d AS (SELECT status, error_code, finished_at FROM deliveries"
          + " WHERE schedule_kind = ? AND schedule_id = ? AND occurrence_at = ?),"
          + COUNTS;

  /** A broadcast's final status once every recipient has an outcome. */
  private static final String FINAL =
      "CASE WHEN s.failed + s.unknown + s.expired = 0 THEN 'completed'"
          + " WHEN s.sent = 0 THEN 'failed' ELSE 'partially_failed' END";

  /**
   * A definition's totals: what its purged history rows counted ({@code archived_totals}), plus its
   * history rows, plus any delivery without an occurrence (no history row counts it). Not read from
   * all of its deliveries, so that purging closed occurrences' deliveries moves nothing (ADR 0019).
   * Failed totals of a definition: everything not confirmed delivered. {@code %1$s}: schedule
   * table, {@code %2$s}: log table, {@code %3$s}: its schedule column.
   */
  private static final String TOTALS =
      "WITH a AS (SELECT COALESCE(sum(archived_sent), 0) AS sent,"
          + " COALESCE(sum(archived_failed), 0) AS failed,"
          + " COALESCE(sum(archived_skipped), 0) AS skipped FROM archived_totals"
          + " WHERE schedule_kind = ? AND schedule_id = ?),"
          + " l AS (SELECT COALESCE(sum(sent_to_count), 0) AS sent,"
          + " COALESCE(sum(failed_count + unknown_count + expired_count), 0) AS failed,"
          + " COALESCE(sum(skipped_count), 0) AS skipped FROM %2$s WHERE %3$s = ?),"
          + " n AS (SELECT count(*) FILTER (WHERE status = 'sent') AS sent,"
          + " count(*) FILTER (WHERE status IN ('failed', 'unknown', 'expired')) AS failed,"
          + " count(*) FILTER (WHERE status = 'skipped') AS skipped FROM deliveries"
          + " WHERE schedule_kind = ? AND schedule_id = ? AND occurrence_at IS NULL),"
          + " ls AS (SELECT max(finished_at) AS last_sent FROM deliveries"
          + " WHERE schedule_kind = ? AND schedule_id = ? AND status = 'sent'),"
          + " s AS (SELECT (a.sent + l.sent + n.sent)::int AS sent,"
          + " (a.failed + l.failed + n.failed)::int AS failed,"
          + " (a.skipped + l.skipped + n.skipped)::int AS skipped, ls.last_sent"
          + " FROM a, l, n, ls)"
          + " UPDATE %1$s t SET total_sent = s.sent, total_failed = s.failed,"
          + " total_skipped = s.skipped, last_sent_at = GREATEST(t.last_sent_at, s.last_sent)"
          + " FROM s WHERE t.id = ?"
          + " AND (t.total_sent, t.total_failed, t.total_skipped, t.last_sent_at)"
          + " IS DISTINCT FROM (s.sent, s.failed, s.skipped,"
          + " GREATEST(t.last_sent_at, s.last_sent))";

  /** {@code %1$s}: log table, {@code %2$s}: its schedule column, {@code %3$s}: schedule table. */
  private static final String LOG_ROW =
      OF_OCCURRENCE
          + " INSERT INTO %1$s (%2$s, user_id, occurrence_at, sent_to_count, failed_count,"
          + " unknown_count, expired_count, skipped_count, skipped_reasons)"
          + " SELECT ?, (SELECT user_id FROM %3$s WHERE id = ?), ?, s.sent, s.failed, s.unknown,"
          + " s.expired, s.skipped, r.reasons FROM s, r"
          // a closed occurrence's counts are final: its purged deliveries must not lower them
          + " ON CONFLICT (%2$s, occurrence_at) DO UPDATE SET"
          + " sent_to_count = EXCLUDED.sent_to_count, failed_count = EXCLUDED.failed_count,"
          + " unknown_count = EXCLUDED.unknown_count, expired_count = EXCLUDED.expired_count,"
          + " skipped_count = EXCLUDED.skipped_count, skipped_reasons = EXCLUDED.skipped_reasons"
          + " WHERE %1$s.completed_at IS NULL AND (%1$s.sent_to_count, %1$s.failed_count,"
          + " %1$s.unknown_count,"
          + " %1$s.expired_count, %1$s.skipped_count) IS DISTINCT FROM (EXCLUDED.sent_to_count,"
          + " EXCLUDED.failed_count, EXCLUDED.unknown_count, EXCLUDED.expired_count,"
          + " EXCLUDED.skipped_count)";

  /** Closes an occurrence whose counts reached its recipient count (once). */
  private static final String CLOSE_LOG =
      "UPDATE %1$s SET status = CASE WHEN failed_count + unknown_count + expired_count = 0"
          + " THEN 'completed' WHEN sent_to_count = 0 THEN 'failed' ELSE 'partially_failed' END,"
          + " completed_at = now() WHERE %2$s = ? AND occurrence_at = ?"
          + " AND recipient_count IS NOT NULL AND completed_at IS NULL AND sent_to_count"
          + " + failed_count + unknown_count + expired_count + skipped_count >= recipient_count"
          + " RETURNING status, recipient_count, sent_to_count, failed_count, unknown_count,"
          + " expired_count, skipped_count";

  private static final String BROADCAST =
      OF_SCHEDULE
          + " UPDATE broadcasts b SET sent_count = s.sent, failed_count = s.failed,"
          + " unknown_count = s.unknown, expired_count = s.expired, skipped_count = s.skipped,"
          + " skipped_reasons = r.reasons, status = CASE WHEN b.status = 'cancelled' THEN b.status"
          + " WHEN b.total_count IS NOT NULL AND s.done >= b.total_count THEN "
          + FINAL
          + " WHEN b.status IN ('draft', 'scheduled') THEN 'processing' ELSE b.status END,"
          + " completed_at = CASE WHEN b.status <> 'cancelled' AND b.total_count IS NOT NULL"
          + " AND s.done >= b.total_count THEN COALESCE(b.completed_at, now())"
          + " ELSE b.completed_at END FROM s, r WHERE b.id = ?"
          // closed: its counts are final (its deliveries may be purged); cancelled: never lowered
          + " AND b.completed_at IS NULL AND (b.status IS DISTINCT FROM 'cancelled' OR s.done"
          + " >= b.sent_count + b.failed_count + b.unknown_count + b.expired_count"
          + " + b.skipped_count)"
          + " RETURNING b.status, b.total_count, b.sent_count, b.failed_count, b.unknown_count,"
          + " b.expired_count, b.skipped_count, b.completed_at";

  private static final String OPEN_BROADCASTS =
      "SELECT id FROM broadcasts WHERE status IN ('processing', 'scheduled', 'draft')"
          + " AND total_count IS NOT NULL"
          + " AND EXISTS (SELECT 1 FROM deliveries d WHERE d.schedule_kind = 'broadcast'"
          + " AND d.schedule_id = broadcasts.id) LIMIT 1000";

  // occurrences whose recipient count the scheduler wrote after their last result
  private static final String OPEN_OCCURRENCES =
      "SELECT 'recurring', recurring_message_id, occurrence_at FROM recurring_message_logs"
          + " WHERE status = 'processing' AND completed_at IS NULL AND recipient_count IS NOT NULL"
          + " AND sent_to_count + failed_count + unknown_count + expired_count + skipped_count"
          + " >= recipient_count"
          + " UNION ALL SELECT 'autopost', auto_post_schedule_id, occurrence_at FROM auto_post_logs"
          + " WHERE status = 'processing' AND completed_at IS NULL AND recipient_count IS NOT NULL"
          + " AND sent_to_count + failed_count + unknown_count + expired_count + skipped_count"
          + " >= recipient_count LIMIT 1000";

  /**
   * A recipient the scheduler skipped at fan-out: its ledger row, written once (a replayed result,
   * or the sender's own row for an opt-out found at send time, stays as it is).
   */
  private static final String SKIP_ROW =
      "INSERT INTO deliveries (command_id, user_id, device_id, schedule_kind, schedule_id,"
          + " occurrence_at, recipient, status, attempts, error_code, error_message, finished_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, 'skipped', 0, ?, ?, ?) ON CONFLICT (command_id) DO"
          + " NOTHING";

  private static final String RECURRING_ID = "recurring_message_id";
  private static final String AUTOPOST_ID = "auto_post_schedule_id";

  private final DataSource dataSource;

  public JdbcProjection(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /** Recomputes every target, in one transaction. */
  public void apply(Collection<ProjectionTarget> targets) throws SQLException {
    apply(targets, List.of());
  }

  /**
   * Writes the ledger rows of {@code skips} (skipped results without one), then recomputes every
   * target, in one transaction.
   */
  public void apply(Collection<ProjectionTarget> targets, Collection<DeliveryResult> skips)
      throws SQLException {
    if (targets.isEmpty() && skips.isEmpty()) {
      return;
    }
    Set<String> schedulesDone = new LinkedHashSet<>();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        skipRows(c, skips);
        // every occurrence's log row before any schedule's totals: totals sum the log rows, so
        // two occurrences of one schedule in a batch must both be written first (CI caught the
        // second occurrence's sends missing from total_sent for good)
        for (ProjectionTarget t : targets) {
          if (t.scheduleId() != null
              && t.kind() != null
              && t.kind() != ScheduleKind.BROADCAST
              && t.occurrenceAt() != null) {
            logRow(c, t);
          }
        }
        for (ProjectionTarget t : targets) {
          if (t.scheduleId() != null
              && t.kind() != null
              && schedulesDone.add(t.kind().wire() + ":" + t.scheduleId())) {
            schedule(c, t.kind(), t.scheduleId());
          }
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /**
   * Broadcasts that may still complete (total_count written after their last result), and
   * occurrences whose recipient count arrived after their last result.
   */
  public List<ProjectionTarget> openTargets() throws SQLException {
    List<ProjectionTarget> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection()) {
      try (PreparedStatement ps = c.prepareStatement(OPEN_BROADCASTS);
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new ProjectionTarget(ScheduleKind.BROADCAST, (UUID) rs.getObject(1), null));
        }
      }
      try (PreparedStatement ps = c.prepareStatement(OPEN_OCCURRENCES);
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new ProjectionTarget(
                  ScheduleKind.fromWire(rs.getString(1)),
                  (UUID) rs.getObject(2),
                  rs.getTimestamp(3).toInstant()));
        }
      }
    }
    return out;
  }

  private static void skipRows(Connection c, Collection<DeliveryResult> skips) throws SQLException {
    if (skips.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(SKIP_ROW)) {
      for (DeliveryResult r : skips) {
        ps.setString(1, r.commandId().value());
        ps.setObject(2, uuidOrNull(r.tenantId()), Types.OTHER);
        ps.setObject(3, uuidOrNull(r.deviceId()), Types.OTHER);
        ps.setString(4, r.kind().wire());
        ps.setObject(5, PendingResult.scheduleId(r.scheduleKey()), Types.OTHER);
        ps.setTimestamp(6, r.occurrenceAt() == null ? null : Timestamp.from(r.occurrenceAt()));
        ps.setString(7, r.recipient());
        ps.setString(8, r.errorCode());
        ps.setString(9, r.errorMessage());
        ps.setTimestamp(10, r.finishedAt() == null ? null : Timestamp.from(r.finishedAt()));
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static UUID uuidOrNull(String s) {
    if (s == null) {
      return null;
    }
    try {
      return UUID.fromString(s.trim());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static void schedule(Connection c, ScheduleKind kind, UUID id) throws SQLException {
    if (kind == ScheduleKind.BROADCAST) {
      try (PreparedStatement ps = c.prepareStatement(BROADCAST)) {
        ps.setString(1, kind.wire());
        ps.setObject(2, id, Types.OTHER);
        ps.setObject(3, id, Types.OTHER);
        try (ResultSet rs = ps.executeQuery()) {
          // only an open broadcast is updated: a completed_at now is this update's closing
          if (rs.next() && rs.getTimestamp(8) != null) {
            logClosed("Broadcast", kind, id, null, rs);
          }
        }
      }
      return;
    }
    boolean recurring = kind == ScheduleKind.RECURRING;
    String sql =
        recurring
            ? String.format(TOTALS, "recurring_messages", "recurring_message_logs", RECURRING_ID)
            : String.format(TOTALS, "auto_post_schedules", "auto_post_logs", AUTOPOST_ID);
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      ps.setString(i++, kind.wire());
      ps.setObject(i++, id, Types.OTHER);
      ps.setObject(i++, id, Types.OTHER);
      ps.setString(i++, kind.wire());
      ps.setObject(i++, id, Types.OTHER);
      ps.setString(i++, kind.wire());
      ps.setObject(i++, id, Types.OTHER);
      ps.setObject(i, id, Types.OTHER);
      ps.executeUpdate();
    }
  }

  private static void logRow(Connection c, ProjectionTarget t) throws SQLException {
    boolean recurring = t.kind() == ScheduleKind.RECURRING;
    String table = recurring ? "recurring_message_logs" : "auto_post_logs";
    String column = recurring ? RECURRING_ID : AUTOPOST_ID;
    String schedules = recurring ? "recurring_messages" : "auto_post_schedules";
    Timestamp occ = Timestamp.from(t.occurrenceAt());
    try (PreparedStatement ps =
        c.prepareStatement(String.format(LOG_ROW, table, column, schedules))) {
      ps.setString(1, t.kind().wire());
      ps.setObject(2, t.scheduleId(), Types.OTHER);
      ps.setTimestamp(3, occ);
      ps.setObject(4, t.scheduleId(), Types.OTHER);
      ps.setObject(5, t.scheduleId(), Types.OTHER);
      ps.setTimestamp(6, occ);
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement(String.format(CLOSE_LOG, table, column))) {
      ps.setObject(1, t.scheduleId(), Types.OTHER);
      ps.setTimestamp(2, occ);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          logClosed("Occurrence", t.kind(), t.scheduleId(), t.occurrenceAt(), rs);
        }
      }
    }
  }

  /** The closing line: its counts add up to its recipients (status, recipients, then outcomes). */
  private static void logClosed(
      String what, ScheduleKind kind, UUID id, java.time.Instant occurrence, ResultSet rs)
      throws SQLException {
    log.info(
        "{} closed: kind={} scheduleId={} occurrence={} status={} recipients={} sent={} failed={}"
            + " unknown={} expired={} skipped={}",
        what,
        kind.wire(),
        id,
        occurrence,
        rs.getString(1),
        rs.getInt(2),
        rs.getInt(3),
        rs.getInt(4),
        rs.getInt(5),
        rs.getInt(6),
        rs.getInt(7));
  }
}
