package io.herald.scheduler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.testsupport.PostgresTestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code preview --id} against the real schema, reading each of the three tables. */
class PreviewCommandIT {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);

  private static PostgresTestDatabase db;

  @BeforeAll
  static void database() {
    db = PostgresTestDatabase.shared();
  }

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("HERALD_JDBC_URL", db.jdbcUrl());
    if (db.user() != null) {
      env.put("HERALD_JDBC_USER", db.user());
    }
    env.put("HERALD_JDBC_PASSWORD", db.password());
    return env;
  }

  private static String[] run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        PreviewCommand.run(
            List.of(args),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            env(),
            CLOCK);
    return new String[] {
      String.valueOf(status),
      out.toString(StandardCharsets.UTF_8),
      err.toString(StandardCharsets.UTF_8)
    };
  }

  @Test
  void shouldPreviewStoredRecurringRowWhenIdIsGiven() throws SQLException {
    UUID id = UUID.randomUUID();
    try (Connection connection = db.connection();
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO recurring_messages (id, frequency, interval_value, time_of_day,"
                    + " days_of_week, timezone, start_date, max_executions, execution_count)"
                    + " VALUES (?, 'weekly', 1, '09:00', '{1,3}', 'America/New_York',"
                    + " '2026-03-01', 3, 1)")) {
      insert.setObject(1, id);
      insert.executeUpdate();
    }

    String[] result = run("--id", id.toString(), "--after", "2026-03-01T00:00:00Z", "--json");

    assertThat(result[2]).isEmpty();
    assertThat(result[0]).isEqualTo("0");
    // execution_count 1 of max 3: two more
    assertThat(result[1])
        .isEqualTo(
            "[\n"
                + "  {\"utc\": \"2026-03-02T14:00:00Z\", \"local\":"
                + " \"2026-03-02T09:00-05:00[America/New_York]\"},\n"
                + "  {\"utc\": \"2026-03-04T14:00:00Z\", \"local\":"
                + " \"2026-03-04T09:00-05:00[America/New_York]\"}\n"
                + "]\n");
  }

  @Test
  void shouldPrintStoredRowReasonsWhenStoredRuleIsInvalid() throws SQLException {
    UUID id = UUID.randomUUID();
    try (Connection connection = db.connection();
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO auto_post_schedules (id, frequency, time_of_day, day_of_month,"
                    + " timezone) VALUES (?, 'monthly', '09:00', 32, 'Asia/Jakart')")) {
      insert.setObject(1, id);
      insert.executeUpdate();
    }

    String[] result = run("--id", id.toString());

    assertThat(result[0]).isEqualTo("2");
    assertThat(result[2].lines().toList())
        .containsExactly(
            "timezone 'Asia/Jakart' is not an IANA zone (did you mean Asia/Jakarta?)",
            "day_of_month 32 is out of range 1–31 or -1");
  }

  @Test
  void shouldPreviewBroadcastWhenIdIsABroadcast() throws SQLException {
    UUID id = UUID.randomUUID();
    try (Connection connection = db.connection();
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO broadcasts (id, scheduled_at, status)"
                    + " VALUES (?, '2026-03-08T07:30:00Z', 'scheduled')")) {
      insert.setObject(1, id);
      insert.executeUpdate();
    }

    String[] result = run("--id", id.toString(), "--after", "2026-03-01T00:00:00Z", "--json");

    assertThat(result[0]).isEqualTo("0");
    assertThat(result[1])
        .isEqualTo(
            "[\n  {\"utc\": \"2026-03-08T07:30:00Z\", \"local\": \"2026-03-08T07:30Z[UTC]\"}\n]\n");
  }

  @Test
  void shouldExitTwoWhenNoRowHasTheId() {
    String[] result = run("--id", UUID.randomUUID().toString());

    assertThat(result[0]).isEqualTo("2");
    assertThat(result[2]).contains("no schedule with id");
  }
}
