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
 * autopost) its state and the outcomes of its recipients (delivered and read as the provider's
 * webhooks reported them, ADR 0021), and for one definition its occurrence history. Reads only;
 * Herald's services write these rows. Neither recipients nor message texts are selected.
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
          for (int i = 1; i <= 3; i++) {
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
        List<String> lines = new ArrayList<>(StatusFormat.detail(totals, history, occurrences));
        deferred(c, id).ifPresent(line -> lines.add(Math.min(lines.size(), 7), line));
        return Optional.of(lines);
      } finally {
        c.rollback();
      }
    }
  }

  /**
   * Sends of the definition held back by the number's messaging limit and not sent since (ADR
   * 0021): how many, and when the next slot frees.
   */
  private static Optional<String> deferred(Connection c, UUID id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT count(*), min(d.until_at) FROM deferred_sends d JOIN deliveries x"
                + " ON x.command_id = d.command_id AND x.status = 'claimed'"
                + " WHERE d.schedule_id = ?")) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getLong(1) == 0) {
          return Optional.empty();
        }
        return Optional.of(StatusFormat.deferred(rs.getLong(1), instant(rs.getTimestamp(2))));
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
        rs.getLong("delivered"),
        rs.getLong("read"),
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
        rs.getLong("delivered"),
        rs.getLong("read"),
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
   * Every definition (or the one whose id is bound to all 3 parameters) with its counts from the
   * state columns Herald keeps, in one statement: a broadcast's own row, a recurring message's or
   * auto-post's sums over its occurrences' history rows (recipients and outcomes from the same
   * rows, so a retention purge of old deliveries moves neither; ADR 0019). A broadcast is due only
   * while it waits (draft or scheduled, not started).
   */
  static String definitionsSql(boolean one) {
    return occurrencesDefinition("recurring", "recurring_messages", "recurring_message_logs", one)
        + " UNION ALL SELECT 'broadcast' AS kind, b.id, b.name, b.status,"
        + " CASE WHEN b.status IN ('draft', 'scheduled') AND b.started_at IS NULL"
        + " THEN b.scheduled_at END AS next_due,"
        + " CASE WHEN b.started_at IS NOT NULL OR b.total_count IS NOT NULL THEN 1 ELSE 0 END"
        + " AS fired, COALESCE(b.total_count, 0) AS recipients, b.last_error,"
        + " b.sent_count AS sent, b.delivered_count AS delivered, b.read_count AS read,"
        + " b.failed_count AS failed, b.unknown_count AS unknown,"
        + " b.expired_count AS expired, b.skipped_count AS skipped, "
        + reasonsOf("b.skipped_reasons")
        + " AS reasons FROM broadcasts b"
        + (one ? " WHERE b.id = ?" : "")
        + " UNION ALL "
        + occurrencesDefinition("autopost", "auto_post_schedules", "auto_post_logs", one)
        + " ORDER BY kind, name, id";
  }

  private static String occurrencesDefinition(
      String kind, String table, String logTable, boolean one) {
    String column = scheduleColumn(kind);
    return "SELECT '"
        + kind
        + "' AS kind, t.id, t.name, t.status, t.next_send_at AS next_due,"
        + " t.execution_count AS fired, COALESCE(h.recipients, 0) AS recipients, t.last_error,"
        + " COALESCE(h.sent, 0) AS sent, COALESCE(h.delivered, 0) AS delivered,"
        + " COALESCE(h.read, 0) AS read, COALESCE(h.failed, 0) AS failed,"
        + " COALESCE(h.unknown, 0) AS unknown, COALESCE(h.expired, 0) AS expired,"
        + " COALESCE(h.skipped, 0) AS skipped, r.reasons FROM "
        + table
        + " t LEFT JOIN (SELECT "
        + column
        + " AS sid, sum(recipient_count) AS recipients, sum(sent_to_count) AS sent,"
        + " sum(delivered_count) AS delivered, sum(read_count) AS read,"
        + " sum(failed_count) AS failed, sum(unknown_count) AS unknown,"
        + " sum(expired_count) AS expired, sum(skipped_count) AS skipped FROM "
        + logTable
        + " GROUP BY 1) h ON h.sid = t.id"
        + " LEFT JOIN (SELECT sid, string_agg(key || '=' || n, ' ' ORDER BY n DESC, key) AS reasons"
        + " FROM (SELECT l."
        + column
        + " AS sid, e.key, sum(CASE WHEN jsonb_typeof(e.value) = 'number'"
        + " THEN (e.value #>> '{}')::numeric ELSE 0 END) AS n FROM "
        + logTable
        + " l, jsonb_each(CASE WHEN jsonb_typeof(l.skipped_reasons) = 'object'"
        + " THEN l.skipped_reasons END) e GROUP BY 1, 2) x GROUP BY sid) r ON r.sid = t.id"
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
            + " AS sent, delivered_count AS delivered, read_count AS read,"
            + " failed_count AS failed, unknown_count AS unknown,"
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
