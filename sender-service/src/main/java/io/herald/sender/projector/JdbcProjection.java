package io.herald.sender.projector;

import io.herald.contracts.event.ScheduleKind;
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

/**
 * Writes the state columns the sender owns, recomputed from {@code deliveries} with a GROUP BY so a
 * replayed result never double counts. Counting: {@code sent} = status sent; {@code failed} =
 * failed, expired or unknown (not confirmed delivered); skipped counts toward neither but toward a
 * broadcast's completion. Never touches {@code updated_at} or definition columns: the scheduler's
 * CDC must see these writes as state-only.
 */
public final class JdbcProjection {

  private static final String COUNTS =
      "SELECT count(*) FILTER (WHERE status = 'sent') AS sent,"
          + " count(*) FILTER (WHERE status IN ('failed', 'expired', 'unknown')) AS failed,"
          + " count(*) FILTER (WHERE status <> 'claimed') AS done,"
          + " max(finished_at) FILTER (WHERE status = 'sent') AS last_sent"
          + " FROM deliveries WHERE schedule_kind = ? AND schedule_id = ?";

  private static final String TOTALS =
      "UPDATE %s t SET total_sent = s.sent, total_failed = s.failed,"
          + " last_sent_at = COALESCE(s.last_sent, t.last_sent_at)"
          + " FROM ("
          + COUNTS
          + ") s WHERE t.id = ?"
          + " AND (t.total_sent, t.total_failed, t.last_sent_at)"
          + " IS DISTINCT FROM (s.sent, s.failed, COALESCE(s.last_sent, t.last_sent_at))";

  private static final String LOG_ROW =
      "INSERT INTO recurring_message_logs (recurring_message_id, user_id, occurrence_at,"
          + " sent_to_count, failed_count) SELECT ?, (SELECT user_id FROM recurring_messages WHERE"
          + " id = ?), ?, count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status IN"
          + " ('failed', 'expired', 'unknown')) FROM deliveries WHERE schedule_kind = 'recurring'"
          + " AND schedule_id = ? AND occurrence_at = ? ON CONFLICT (recurring_message_id,"
          + " occurrence_at) DO UPDATE SET sent_to_count = EXCLUDED.sent_to_count, failed_count ="
          + " EXCLUDED.failed_count WHERE (recurring_message_logs.sent_to_count,"
          + " recurring_message_logs.failed_count) IS DISTINCT FROM (EXCLUDED.sent_to_count,"
          + " EXCLUDED.failed_count)";

  private static final String BROADCAST =
      "UPDATE broadcasts b SET sent_count = s.sent, failed_count = s.failed, status = CASE   WHEN"
          + " b.status = 'cancelled' THEN b.status   WHEN b.total_count IS NOT NULL AND s.done >="
          + " b.total_count     THEN CASE WHEN s.sent = 0 THEN 'failed' ELSE 'completed' END   WHEN"
          + " b.status IN ('draft', 'scheduled') THEN 'processing'   ELSE b.status END,"
          + " completed_at = CASE   WHEN b.status <> 'cancelled' AND b.total_count IS NOT NULL AND"
          + " s.done >= b.total_count     THEN COALESCE(b.completed_at, now())   ELSE"
          + " b.completed_at END FROM ("
          + COUNTS
          + ") s WHERE b.id = ?";

  private static final String OPEN_BROADCASTS =
      "SELECT id FROM broadcasts WHERE status IN ('processing', 'scheduled', 'draft')"
          + " AND total_count IS NOT NULL"
          + " AND EXISTS (SELECT 1 FROM deliveries d WHERE d.schedule_kind = 'broadcast'"
          + " AND d.schedule_id = broadcasts.id) LIMIT 1000";

  private final DataSource dataSource;

  public JdbcProjection(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /** Recomputes every target, in one transaction. */
  public void apply(Collection<ProjectionTarget> targets) throws SQLException {
    if (targets.isEmpty()) {
      return;
    }
    Set<String> schedulesDone = new LinkedHashSet<>();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        for (ProjectionTarget t : targets) {
          if (t.scheduleId() == null || t.kind() == null) {
            continue;
          }
          if (t.kind() == ScheduleKind.RECURRING && t.occurrenceAt() != null) {
            logRow(c, t);
          }
          if (schedulesDone.add(t.kind().wire() + ":" + t.scheduleId())) {
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

  /** Broadcasts that may still complete (total_count written after their last result). */
  public List<ProjectionTarget> openBroadcasts() throws SQLException {
    List<ProjectionTarget> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(OPEN_BROADCASTS);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new ProjectionTarget(ScheduleKind.BROADCAST, (UUID) rs.getObject(1), null));
      }
    }
    return out;
  }

  private static void schedule(Connection c, ScheduleKind kind, UUID id) throws SQLException {
    String sql;
    switch (kind) {
      case RECURRING:
        sql = String.format(TOTALS, "recurring_messages");
        break;
      case AUTOPOST:
        sql = String.format(TOTALS, "auto_post_schedules");
        break;
      case BROADCAST:
      default:
        sql = BROADCAST;
        break;
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, kind.wire());
      ps.setObject(2, id, Types.OTHER);
      ps.setObject(3, id, Types.OTHER);
      ps.executeUpdate();
    }
  }

  private static void logRow(Connection c, ProjectionTarget t) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(LOG_ROW)) {
      Timestamp occ = Timestamp.from(t.occurrenceAt());
      ps.setObject(1, t.scheduleId(), Types.OTHER);
      ps.setObject(2, t.scheduleId(), Types.OTHER);
      ps.setTimestamp(3, occ);
      ps.setObject(4, t.scheduleId(), Types.OTHER);
      ps.setTimestamp(5, occ);
      ps.executeUpdate();
    }
  }
}
