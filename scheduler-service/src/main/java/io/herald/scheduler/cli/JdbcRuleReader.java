package io.herald.scheduler.cli;

import io.herald.contracts.event.RuleSpec;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads the rule columns of a schedule by id, read-only, for the preview command and the console.
 */
public final class JdbcRuleReader {

  private static final List<String> RECURRING_TABLES =
      List.of("recurring_messages", "auto_post_schedules");

  private static final String RECURRING_COLUMNS =
      "frequency, interval_value, interval_unit, cron_expression, time_of_day::text AS time_of_day,"
          + " days_of_week, day_of_month, timezone, start_date::text AS start_date,"
          + " end_date::text AS end_date, max_executions, catch_up, catch_up_grace_seconds,"
          + " execution_count, created_at";

  private final String url;
  private final String user;
  private final String password;

  public JdbcRuleReader(String url, String user, String password) {
    this.url = url;
    this.user = user;
    this.password = password;
  }

  public Optional<StoredRule> find(UUID id) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url, user, password)) {
      connection.setReadOnly(true);
      for (String table : RECURRING_TABLES) {
        Optional<StoredRule> found = recurring(connection, table, id);
        if (found.isPresent()) {
          return found;
        }
      }
      return broadcast(connection, id);
    }
  }

  private static Optional<StoredRule> recurring(Connection connection, String table, UUID id)
      throws SQLException {
    // The table name comes from the constant list above, never from the user.
    String sql = "SELECT " + RECURRING_COLUMNS + " FROM " + table + " WHERE id = ?";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setObject(1, id);
      try (ResultSet row = statement.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        RuleSpec spec =
            new RuleSpec(
                row.getString("frequency"),
                integer(row, "interval_value"),
                row.getString("interval_unit"),
                row.getString("cron_expression"),
                row.getString("time_of_day"),
                days(row.getArray("days_of_week")),
                integer(row, "day_of_month"),
                row.getString("timezone"),
                row.getString("start_date"),
                row.getString("end_date"),
                integer(row, "max_executions"),
                row.getString("catch_up"),
                integer(row, "catch_up_grace_seconds"),
                null);
        return Optional.of(
            new StoredRule(
                table, spec, row.getLong("execution_count"), instant(row, "created_at")));
      }
    }
  }

  private static Optional<StoredRule> broadcast(Connection connection, UUID id)
      throws SQLException {
    String sql = "SELECT scheduled_at, status, created_at FROM broadcasts WHERE id = ?";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setObject(1, id);
      try (ResultSet row = statement.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        Instant scheduledAt = instant(row, "scheduled_at");
        String status = row.getString("status");
        boolean started =
            "processing".equals(status) || "completed".equals(status) || "failed".equals(status);
        return Optional.of(
            new StoredRule(
                "broadcasts",
                RuleSpec.once(scheduledAt == null ? null : scheduledAt.toString()),
                started ? 1 : 0,
                instant(row, "created_at")));
      }
    }
  }

  private static Integer integer(ResultSet row, String column) throws SQLException {
    int value = row.getInt(column);
    return row.wasNull() ? null : value;
  }

  private static Instant instant(ResultSet row, String column) throws SQLException {
    OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  private static List<Integer> days(Array array) throws SQLException {
    if (array == null) {
      return null;
    }
    try {
      Object[] values = (Object[]) array.getArray();
      List<Integer> days = new ArrayList<>(values.length);
      for (Object value : values) {
        // A NULL element cannot be a day; -1 makes the validator say so instead of failing here.
        days.add(value == null ? -1 : ((Number) value).intValue());
      }
      return days;
    } finally {
      array.free();
    }
  }
}
