package io.herald.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.database.Migrations;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PostgresTestDatabaseIT {

  private static final List<String> HERALD_TABLES =
      List.of(
          "auto_post_schedules",
          "broadcasts",
          "contacts",
          "deliveries",
          "devices",
          "recurring_message_logs",
          "recurring_messages");

  private final PostgresTestDatabase db = PostgresTestDatabase.shared();

  @BeforeEach
  void clean() {
    db.truncateAll();
  }

  @Test
  void shouldHaveAppliedMigrationsWhenShared() throws SQLException {
    assertThat(
            strings(
                "SELECT table_name FROM information_schema.tables"
                    + " WHERE table_schema = current_schema() ORDER BY table_name"))
        .containsAll(HERALD_TABLES);
  }

  @Test
  void shouldRunWithLogicalWalLevel() throws SQLException {
    assertThat(strings("SHOW wal_level")).containsExactly("logical");
  }

  @Test
  void shouldPublishDefinitionTablesWithFullReplicaIdentity() throws SQLException {
    assertThat(
            strings(
                "SELECT tablename FROM pg_publication_tables"
                    + " WHERE pubname = 'herald_publication' ORDER BY tablename"))
        .containsExactly(
            "auto_post_schedules", "broadcasts", "contacts", "devices", "recurring_messages");
    assertThat(
            strings(
                "SELECT relname FROM pg_class WHERE relreplident = 'f'"
                    + " AND relnamespace = current_schema()::regnamespace ORDER BY relname"))
        .containsExactly(
            "auto_post_schedules", "broadcasts", "contacts", "devices", "recurring_messages");
  }

  @Test
  void shouldStoreInvalidRuleValuesForTheSchedulerToReport() throws SQLException {
    execute(
        "INSERT INTO recurring_messages (user_id, device_id, frequency, timezone, day_of_month,"
            + " days_of_week) VALUES (gen_random_uuid(), gen_random_uuid(), 'fortnightly',"
            + " 'Mars/Olympus', 42, '{9}')");

    assertThat(strings("SELECT status FROM recurring_messages")).containsExactly("active");
  }

  @Test
  void shouldKeepOneLogRowPerOccurrence() throws SQLException {
    String insert =
        "INSERT INTO recurring_message_logs (recurring_message_id, occurrence_at, status)"
            + " VALUES ('00000000-0000-0000-0000-000000000001', '2026-01-01T09:00:00Z', 'fired')";
    execute(insert);

    assertThatThrownBy(() -> execute(insert))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("unique");
    execute(insert + " ON CONFLICT (recurring_message_id, occurrence_at) DO NOTHING");
    assertThat(strings("SELECT count(*) FROM recurring_message_logs")).containsExactly("1");
  }

  @Test
  void shouldEmptyEveryTableWhenTruncated() throws SQLException {
    execute("INSERT INTO devices (user_id, transport) VALUES (gen_random_uuid(), 'simulated')");
    execute("INSERT INTO deliveries (command_id, status) VALUES ('c-1', 'claimed')");

    db.truncateAll();

    assertThat(strings("SELECT count(*) FROM devices")).containsExactly("0");
    assertThat(strings("SELECT count(*) FROM deliveries")).containsExactly("0");
    assertThat(strings("SELECT count(*) FROM flyway_schema_history")).doesNotContain("0");
  }

  @Test
  void shouldApplyNothingWhenMigratedAgain() throws SQLException {
    String before = strings("SELECT count(*) FROM flyway_schema_history").get(0);

    Migrations.migrate(db.jdbcUrl(), db.user(), db.password());

    assertThat(strings("SELECT count(*) FROM flyway_schema_history")).containsExactly(before);
  }

  @Test
  void shouldExposeConnectionDetailsThatMatchTheUrl() {
    assertThat(db.jdbcUrl()).contains(":" + db.port() + "/" + db.database());
    assertThat(db.host()).isNotBlank();
    assertThat(PostgresTestDatabase.shared()).isSameAs(db);
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = db.connection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private List<String> strings(String sql) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Connection c = db.connection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }
}
