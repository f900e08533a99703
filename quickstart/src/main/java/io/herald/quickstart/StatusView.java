package io.herald.quickstart;

import io.herald.quickstart.StatusFormat.Occurrence;
import io.herald.quickstart.StatusFormat.Totals;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads what {@code herald status} shows from PostgreSQL: per definition (recurring, broadcast,
 * autopost) its state and the outcomes of its recipients, and for one definition its occurrence
 * history. Reads only; Herald's services write these rows. Neither recipients nor message texts are
 * selected.
 */
final class StatusView {

  /** Occurrences {@code status --id} lists; the rest are counted. */
  static final int HISTORY_LIMIT = 50;

  private final String jdbcUrl;
  private final String user;
  private final String password;

  StatusView(String jdbcUrl, String user, String password) {
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
  }

  /** Every definition with its totals, as printable lines (a header first). */
  List<String> overview() throws SQLException {
    List<String> lines = new ArrayList<>();
    lines.add(StatusFormat.overviewHeader());
    try (Connection c = connect();
        PreparedStatement ps = c.prepareStatement(definitionsSql(false));
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        lines.add(StatusFormat.overviewLine(totals(rs)));
      }
    }
    return lines;
  }

  /** The definition with this id and its occurrence history; empty when no table holds it. */
  Optional<List<String>> detail(UUID id) throws SQLException {
    try (Connection c = connect()) {
      // one snapshot for the totals and the history
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      try {
        Totals totals;
        try (PreparedStatement ps = c.prepareStatement(definitionsSql(true))) {
          for (int i = 1; i <= 4; i++) {
            ps.setObject(i, id);
          }
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              return Optional.empty();
            }
            totals = totals(rs);
          }
        }
        List<Occurrence> history = new ArrayList<>();
        long occurrences = 0;
        try (PreparedStatement ps = c.prepareStatement(historySql(totals.kind()))) {
          ps.setObject(1, id);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              history.add(occurrence(rs));
              occurrences = rs.getLong("occurrences");
            }
          }
        }
        return Optional.of(StatusFormat.detail(totals, history, occurrences));
      } finally {
        c.rollback();
      }
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl, user, password);
  }

  private static Totals totals(ResultSet rs) throws SQLException {
    return new Totals(
        rs.getString("kind"),
        rs.getObject("id", UUID.class),
        rs.getString("name"),
        rs.getString("status"),
        instant(rs.getTimestamp("next_due")),
        rs.getLong("fired"),
        rs.getLong("recipients"),
        rs.getLong("sent"),
        rs.getLong("failed"),
        rs.getLong("unknown"),
        rs.getLong("expired"),
        rs.getLong("skipped"),
        rs.getString("reasons"),
        rs.getString("last_error"));
  }

  private static Occurrence occurrence(ResultSet rs) throws SQLException {
    long count = rs.getLong("recipients");
    Long recipients = rs.wasNull() ? null : count;
    return new Occurrence(
        instant(rs.getTimestamp("occurrence_at")),
        instant(rs.getTimestamp("fired_at")),
        instant(rs.getTimestamp("completed_at")),
        recipients,
        rs.getLong("sent"),
        rs.getLong("failed"),
        rs.getLong("unknown"),
        rs.getLong("expired"),
        rs.getLong("skipped"),
        rs.getString("reasons"),
        rs.getString("status"));
  }

  private static Instant instant(Timestamp ts) {
    return ts == null ? null : ts.toInstant();
  }

  /**
   * Every definition (or the one whose id is bound to all 4 parameters) with its counts from the
   * ledger, in one statement: the ledger is read once, grouped per schedule, status and skip
   * reason. Recipients: a broadcast's total_count, a recurring message's or auto-post's sum over
   * its occurrences. A broadcast is due only while it waits (draft or scheduled, not started).
   */
  static String definitionsSql(boolean one) {
    String byId = one ? " WHERE schedule_id = ?" : "";
    return "WITH g AS (SELECT schedule_kind, schedule_id, status,"
        + " CASE WHEN status = 'skipped' THEN COALESCE(error_code, 'unspecified') END AS reason,"
        + " count(*) AS n FROM deliveries"
        + byId
        + " GROUP BY 1, 2, 3, 4),"
        + " d AS (SELECT schedule_kind, schedule_id,"
        + " sum(n) FILTER (WHERE status = 'sent') AS sent,"
        + " sum(n) FILTER (WHERE status = 'failed') AS failed,"
        + " sum(n) FILTER (WHERE status = 'unknown') AS unknown,"
        + " sum(n) FILTER (WHERE status = 'expired') AS expired,"
        + " sum(n) FILTER (WHERE status = 'skipped') AS skipped,"
        + " string_agg(reason || '=' || n, ' ' ORDER BY n DESC, reason)"
        + " FILTER (WHERE reason IS NOT NULL) AS reasons"
        + " FROM g GROUP BY 1, 2),"
        + " defs AS ("
        + occurrencesDefinition("recurring", "recurring_messages", "recurring_message_logs", one)
        + " UNION ALL SELECT 'broadcast', b.id, b.name, b.status,"
        + " CASE WHEN b.status IN ('draft', 'scheduled') AND b.started_at IS NULL"
        + " THEN b.scheduled_at END,"
        + " CASE WHEN b.started_at IS NOT NULL OR b.total_count IS NOT NULL THEN 1 ELSE 0 END,"
        + " b.total_count, b.last_error FROM broadcasts b"
        + (one ? " WHERE b.id = ?" : "")
        + " UNION ALL "
        + occurrencesDefinition("autopost", "auto_post_schedules", "auto_post_logs", one)
        + ")"
        + " SELECT defs.*, COALESCE(d.sent, 0) AS sent, COALESCE(d.failed, 0) AS failed,"
        + " COALESCE(d.unknown, 0) AS unknown, COALESCE(d.expired, 0) AS expired,"
        + " COALESCE(d.skipped, 0) AS skipped, d.reasons"
        + " FROM defs LEFT JOIN d ON d.schedule_kind = defs.kind AND d.schedule_id = defs.id"
        + " ORDER BY defs.kind, defs.name, defs.id";
  }

  private static String occurrencesDefinition(
      String kind, String table, String logTable, boolean one) {
    return "SELECT '"
        + kind
        + "' AS kind, t.id, t.name, t.status, t.next_send_at AS next_due,"
        + " t.execution_count AS fired,"
        + " COALESCE((SELECT sum(l.recipient_count) FROM "
        + logTable
        + " l WHERE l."
        + scheduleColumn(kind)
        + " = t.id), 0) AS recipients, t.last_error FROM "
        + table
        + " t"
        + (one ? " WHERE t.id = ?" : "");
  }

  /**
   * The newest {@link #HISTORY_LIMIT} occurrences of one definition (its id bound to the one
   * parameter), each with the count of all of them. A broadcast has one occurrence, its own row,
   * once it fired.
   */
  static String historySql(String kind) {
    boolean broadcast = kind.equals("broadcast");
    String counts =
        (broadcast ? " sent_count" : " sent_to_count")
            + " AS sent, failed_count AS failed, unknown_count AS unknown,"
            + " expired_count AS expired, skipped_count AS skipped, "
            + reasonsOf("skipped_reasons")
            + " AS reasons, status, count(*) OVER () AS occurrences";
    if (broadcast) {
      return "SELECT COALESCE(scheduled_at, started_at) AS occurrence_at, started_at AS fired_at,"
          + " completed_at, total_count AS recipients,"
          + counts
          + " FROM broadcasts WHERE id = ? AND (started_at IS NOT NULL OR total_count IS NOT NULL)";
    }
    return "SELECT occurrence_at, execution_time AS fired_at, completed_at,"
        + " recipient_count AS recipients,"
        + counts
        + " FROM "
        + (kind.equals("recurring") ? "recurring_message_logs" : "auto_post_logs")
        + " WHERE "
        + scheduleColumn(kind)
        + " = ? ORDER BY occurrence_at DESC NULLS LAST, id DESC LIMIT "
        + HISTORY_LIMIT;
  }

  private static String scheduleColumn(String kind) {
    return kind.equals("recurring") ? "recurring_message_id" : "auto_post_schedule_id";
  }

  /** {@code {"opted_out":5,"unknown_contact":1}} as {@code opted_out=5 unknown_contact=1}. */
  private static String reasonsOf(String column) {
    return "(SELECT string_agg(key || '=' || (value #>> '{}'), ' ' ORDER BY"
        + " CASE WHEN jsonb_typeof(value) = 'number' THEN (value #>> '{}')::numeric END"
        + " DESC NULLS LAST, key) FROM jsonb_each(CASE WHEN jsonb_typeof("
        + column
        + ") = 'object' THEN "
        + column
        + " END))";
  }
}
