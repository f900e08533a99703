package io.herald.scheduler.projector;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.testsupport.PostgresTestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DailyTotalsIT {

  private final PostgresTestDatabase db = PostgresTestDatabase.shared();

  @Test
  void shouldCountOnlyTodaysOutcomesWhenRefreshing() throws Exception {
    String run = UUID.randomUUID().toString();
    Instant midnight = LocalDate.now(ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    DailyTotals totals =
        new DailyTotals(
            ProjectorConfig.of(
                "daily-" + run, "unused:9092", db.jdbcUrl(), db.user(), db.password()),
            registry);
    totals.refresh();
    double sentBefore = registry.get("herald.scheduler.sent.today").gauge().value();
    double failedBefore = registry.get("herald.scheduler.failed.today").gauge().value();

    insert(run + "-1", "sent", Instant.now());
    insert(run + "-2", "sent", Instant.now());
    insert(run + "-3", "failed", Instant.now());
    insert(run + "-4", "unknown", Instant.now());
    insert(run + "-5", "skipped", Instant.now());
    insert(run + "-6", "sent", midnight.minus(Duration.ofMinutes(1)));
    totals.refresh();

    assertThat(registry.get("herald.scheduler.sent.today").gauge().value() - sentBefore)
        .isEqualTo(2);
    assertThat(registry.get("herald.scheduler.failed.today").gauge().value() - failedBefore)
        .isEqualTo(2);
  }

  private void insert(String commandId, String status, Instant finishedAt) throws Exception {
    try (Connection c = db.connection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO deliveries (command_id, status, finished_at) VALUES (?, ?, ?)")) {
      ps.setString(1, commandId);
      ps.setString(2, status);
      ps.setTimestamp(3, Timestamp.from(finishedAt));
      ps.executeUpdate();
    }
  }
}
