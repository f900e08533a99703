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
 * columns a user's dashboard would read): per schedule the next due time, occurrences fired,
 * recipients and their outcomes; per device its queue and pause state.
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

  /**
   * Per definition: status, next due, occurrences fired, recipients and their outcomes (sent,
   * failed, unknown, expired, skipped by reason, pending); see {@link StatusView}.
   */
  public List<String> schedules() throws SQLException {
    return new StatusView(jdbcUrl, user, password).overview();
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

  private static final String DEVICES_SQL =
      // an invalid device shows why (last_error), a paused one its pause reason
      "SELECT dv.id, dv.name, dv.status, COALESCE(dv.last_error, dv.paused_reason) AS reason,"
          + " count(x.*) FILTER (WHERE x.status = 'claimed') AS claimed,"
          + " count(x.*) FILTER (WHERE x.status = 'sent') AS sent,"
          + " max(x.finished_at) FILTER (WHERE x.status = 'sent') AS last_sent"
          + " FROM devices dv LEFT JOIN deliveries x ON x.device_id = dv.id"
          + " GROUP BY dv.id, dv.name, dv.status, dv.last_error, dv.paused_reason ORDER BY dv.name";
}
