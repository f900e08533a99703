package io.herald.quickstart;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders what an operator wants to see while the quick start runs, from PostgreSQL alone (the same
 * columns a user's dashboard would read): per schedule the next due time, occurrences fired and
 * delivery counts; per device its queue and pause state.
 */
public final class ProgressView {

  private static final DateTimeFormatter HMS =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  private final String jdbcUrl;
  private final String user;
  private final String password;

  public ProgressView(String jdbcUrl, String user, String password) {
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
  }

  /** One snapshot of the schedules and devices, as printable lines. */
  public List<String> snapshot() throws SQLException {
    List<String> lines = schedules();
    lines.add("");
    lines.addAll(devices());
    return lines;
  }

  /** Per schedule: status, next due, occurrences fired and delivery counts. */
  public List<String> schedules() throws SQLException {
    List<String> lines = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(SCHEDULES_SQL)) {
      lines.add(
          String.format(
              "%-10s %-44s %-10s %-10s %5s %5s %6s %7s %8s",
              "kind",
              "schedule",
              "status",
              "next (UTC)",
              "fired",
              "sent",
              "failed",
              "unknown",
              "pending"));
      while (rs.next()) {
        long recipients = rs.getLong("recipients");
        long sent = rs.getLong("sent");
        long failed = rs.getLong("failed");
        long unknown = rs.getLong("unknown");
        long skipped = rs.getLong("skipped");
        lines.add(
            String.format(
                "%-10s %-44s %-10s %-10s %5d %5d %6d %7d %8d",
                rs.getString("kind"),
                abbreviate(rs.getString("name"), 44),
                nullToDash(rs.getString("status")),
                time(rs.getTimestamp("next_send_at")),
                rs.getLong("fired"),
                sent,
                failed,
                unknown,
                Math.max(0, recipients - sent - failed - unknown - skipped)));
      }
    }
    return lines;
  }

  /** Per device: status, why it is paused, deliveries in flight and sent, last send. */
  public List<String> devices() throws SQLException {
    List<String> lines = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(DEVICES_SQL)) {
      lines.add(
          String.format(
              "%-36s %-40s %-8s %9s %6s %10s  %s",
              "device id", "name", "status", "in-flight", "sent", "last sent", "paused because"));
      while (rs.next()) {
        lines.add(
            String.format(
                "%-36s %-40s %-8s %9d %6d %10s  %s",
                rs.getString("id"),
                abbreviate(rs.getString("name"), 40),
                nullToDash(rs.getString("status")),
                rs.getLong("claimed"),
                rs.getLong("sent"),
                time(rs.getTimestamp("last_sent")),
                nullToDash(rs.getString("reason"))));
      }
    }
    return lines;
  }

  public void print(PrintStream out, String header) {
    try {
      List<String> lines = snapshot();
      out.println();
      out.println(header);
      lines.forEach(out::println);
    } catch (SQLException e) {
      out.println("(progress unavailable: " + e.getMessage() + ")");
    }
  }

  private static String time(Timestamp ts) {
    return ts == null ? "-" : HMS.format(ts.toInstant());
  }

  private static String nullToDash(String s) {
    return s == null ? "-" : s;
  }

  private static String abbreviate(String s, int max) {
    if (s == null) {
      return "-";
    }
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }

  static String formatInstant(Instant i) {
    return i == null ? "-" : HMS.format(i);
  }

  // Delivery counts come from the ledger (deliveries), fired counts and recipients from the
  // scheduler's own columns, so the view shows both halves of the pipeline.
  private static final String SCHEDULES_SQL =
      "WITH d AS (SELECT schedule_kind, schedule_id,"
          + "   count(*) FILTER (WHERE status = 'sent') AS sent,"
          + "   count(*) FILTER (WHERE status IN ('failed','expired')) AS failed,"
          + "   count(*) FILTER (WHERE status = 'unknown') AS unknown,"
          + "   count(*) FILTER (WHERE status = 'skipped') AS skipped"
          + " FROM deliveries GROUP BY schedule_kind, schedule_id)"
          + " SELECT 'recurring' AS kind, r.name, r.status, r.next_send_at, r.execution_count AS fired,"
          + "   COALESCE((SELECT sum(recipient_count) FROM recurring_message_logs l WHERE l.recurring_message_id = r.id), 0) AS recipients,"
          + "   COALESCE(d.sent,0) sent, COALESCE(d.failed,0) failed, COALESCE(d.unknown,0) unknown, COALESCE(d.skipped,0) skipped"
          + " FROM recurring_messages r LEFT JOIN d ON d.schedule_kind = 'recurring' AND d.schedule_id = r.id"
          + " UNION ALL"
          + " SELECT 'broadcast', b.name, b.status, b.scheduled_at,"
          + "   CASE WHEN b.started_at IS NULL THEN 0 ELSE 1 END, COALESCE(b.total_count, 0),"
          + "   COALESCE(d.sent,0), COALESCE(d.failed,0), COALESCE(d.unknown,0), COALESCE(d.skipped,0)"
          + " FROM broadcasts b LEFT JOIN d ON d.schedule_kind = 'broadcast' AND d.schedule_id = b.id"
          + " UNION ALL"
          + " SELECT 'autopost', a.name, a.status, a.next_send_at, a.execution_count,"
          + "   a.execution_count * COALESCE(jsonb_array_length(CASE WHEN jsonb_typeof(a.target_groups) = 'array' THEN a.target_groups END), 0),"
          + "   COALESCE(d.sent,0), COALESCE(d.failed,0), COALESCE(d.unknown,0), COALESCE(d.skipped,0)"
          + " FROM auto_post_schedules a LEFT JOIN d ON d.schedule_kind = 'autopost' AND d.schedule_id = a.id"
          + " ORDER BY 1, 2";

  private static final String DEVICES_SQL =
      // an invalid device shows why (last_error), a paused one its pause reason
      "SELECT dv.id, dv.name, dv.status, COALESCE(dv.last_error, dv.paused_reason) AS reason,"
          + " count(x.*) FILTER (WHERE x.status = 'claimed') AS claimed,"
          + " count(x.*) FILTER (WHERE x.status = 'sent') AS sent,"
          + " max(x.finished_at) FILTER (WHERE x.status = 'sent') AS last_sent"
          + " FROM devices dv LEFT JOIN deliveries x ON x.device_id = dv.id"
          + " GROUP BY dv.id, dv.name, dv.status, dv.last_error, dv.paused_reason ORDER BY dv.name";
}
