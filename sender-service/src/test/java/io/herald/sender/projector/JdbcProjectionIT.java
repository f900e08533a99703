package io.herald.sender.projector;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.event.ScheduleKind;
import io.herald.testsupport.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The projection's SQL on the real tables. */
class JdbcProjectionIT {

  private static PostgresTestDatabase db;

  @BeforeAll
  static void infra() {
    db = PostgresTestDatabase.shared();
  }

  private static void delivery(UUID schedule, Instant occurrence, String recipient, String status)
      throws Exception {
    try (Connection c = db.connection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO deliveries (command_id, schedule_kind, schedule_id, occurrence_at,"
                    + " recipient, status, finished_at) VALUES (?, 'recurring', ?, ?, ?, ?,"
                    + " now())")) {
      ps.setString(1, "c1-" + UUID.randomUUID().toString().replace("-", ""));
      ps.setObject(2, schedule, Types.OTHER);
      ps.setTimestamp(3, Timestamp.from(occurrence));
      ps.setString(4, recipient);
      ps.setString(5, status);
      ps.executeUpdate();
    }
  }

  /**
   * CI: a batch holding results of two occurrences of one recurring message summed the totals after
   * the first occurrence's log row only, and nothing later recomputed them.
   */
  @Test
  void shouldCountEveryOccurrenceOfABatchInTheScheduleTotals() throws Exception {
    UUID recurring = UUID.randomUUID();
    try (Connection c = db.connection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO recurring_messages (id, user_id, name) VALUES (?, ?, 'r')")) {
      ps.setObject(1, recurring, Types.OTHER);
      ps.setObject(2, UUID.randomUUID(), Types.OTHER);
      ps.executeUpdate();
    }
    Instant occ1 = Instant.parse("2026-09-01T08:00:00Z");
    Instant occ2 = Instant.parse("2026-09-02T08:00:00Z");
    delivery(recurring, occ1, "+628110001", "sent");
    delivery(recurring, occ1, "+628110002", "failed");
    delivery(recurring, occ2, "+628110003", "sent");
    delivery(recurring, occ2, "+628110004", "sent");

    new JdbcProjection(db.dataSource())
        .apply(
            List.of(
                new ProjectionTarget(ScheduleKind.RECURRING, recurring, occ1),
                new ProjectionTarget(ScheduleKind.RECURRING, recurring, occ2)));

    try (Connection c = db.connection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT total_sent, total_failed FROM recurring_messages WHERE id = ?")) {
      ps.setObject(1, recurring, Types.OTHER);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).as("total_sent").isEqualTo(3);
        assertThat(rs.getInt(2)).as("total_failed").isEqualTo(1);
      }
    }
  }
}
