package io.herald.sender.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.event.ScheduleKind;
import io.herald.sender.app.SenderApp;
import io.herald.sender.projector.JdbcProjection;
import io.herald.sender.projector.JdbcRetention;
import io.herald.sender.projector.ProjectionTarget;
import io.herald.testsupport.FakeWhatsAppApi;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The retention purge against a real PostgreSQL: exactly the finished deliveries of closed
 * occurrences older than the age go, and the closed history rows older than theirs, in batches no
 * larger than the batch size; no total, count or status a user sees moves, then or after a later
 * result; one sender at a time; the loop runs in the app.
 */
class RetentionIT extends SenderItSupport {

  private static final Duration DELIVERIES = Duration.ofDays(30);
  private static final Duration HISTORY = Duration.ofDays(400);

  private final Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
  private final Instant old = now.minus(Duration.ofDays(41));
  private final Instant recent = now.minus(Duration.ofDays(1));
  private final Instant ancient = now.minus(Duration.ofDays(500));
  private final UUID tenantId = UUID.fromString(tenant);
  private SimpleMeterRegistry registry;
  private JdbcProjection projection;

  @BeforeAll
  static void infra() {
    setUpInfra();
  }

  @BeforeEach
  void setUp() throws Exception {
    registry = new SimpleMeterRegistry();
    projection = new JdbcProjection(db.dataSource());
    // rows other tests left that are already due go first, so the counts below are this test's
    retention(1000, new SimpleMeterRegistry()).runPass();
  }

  @AfterEach
  void stop() {
    tearDownApps();
  }

  private JdbcRetention retention(int batch, SimpleMeterRegistry reg) {
    return new JdbcRetention(
        db.dataSource(),
        new JdbcRetention.Policy(DELIVERIES, HISTORY, batch, Duration.ofSeconds(60)),
        Clock.systemUTC(),
        reg);
  }

  @Test
  void shouldPurgeOnlyOldRowsOfClosedOccurrencesAndMoveNoNumberWhenPassRuns() throws Exception {
    UUID rec = UUID.randomUUID();
    UUID auto = UUID.randomUUID();
    UUID done = UUID.randomUUID();
    UUID open = UUID.randomUUID();
    UUID cancelled = UUID.randomUUID();
    update("INSERT INTO recurring_messages (id, user_id, name) VALUES (?, ?, 'r')", rec, tenantId);
    update(
        "INSERT INTO auto_post_schedules (id, user_id, name) VALUES (?, ?, 'a')", auto, tenantId);
    broadcast(done, "processing", 4, null); // the projection below completes it
    broadcast(open, "processing", 10, null);
    broadcast(cancelled, "cancelled", 5, null);
    Instant occA = old.minus(Duration.ofHours(1)); // closed, old: deliveries go
    Instant occB = old.minus(Duration.ofHours(2)); // still open: kept
    Instant occC = recent.minus(Duration.ofHours(1)); // closed, recent: kept
    Instant occH = ancient.minus(Duration.ofHours(1)); // closed long ago: history row goes
    log("recurring_message_logs", "recurring_message_id", rec, occA, 3, 1, 0, 1, 5, old);
    log("recurring_message_logs", "recurring_message_id", rec, occB, 1, 0, 0, 0, 5, null);
    log("recurring_message_logs", "recurring_message_id", rec, occC, 1, 0, 0, 0, 1, recent);
    log("recurring_message_logs", "recurring_message_id", rec, occH, 7, 2, 1, 3, 13, ancient);
    log("auto_post_logs", "auto_post_schedule_id", auto, occA, 2, 0, 0, 0, 2, old);
    log("auto_post_logs", "auto_post_schedule_id", auto, occH, 4, 1, 0, 0, 5, ancient);
    delivery("rA1", "recurring", rec, occA, "sent", old);
    delivery("rA2", "recurring", rec, occA, "sent", old);
    delivery("rA3", "recurring", rec, occA, "sent", old);
    delivery("rA4", "recurring", rec, occA, "failed", old);
    delivery("rA5", "recurring", rec, occA, "skipped", old);
    delivery("rB1", "recurring", rec, occB, "sent", old);
    delivery("rB2", "recurring", rec, occB, "claimed", null);
    delivery("rC1", "recurring", rec, occC, "sent", recent);
    delivery("aA1", "autopost", auto, occA, "sent", old);
    delivery("aA2", "autopost", auto, occA, "sent", old);
    for (int i = 0; i < 4; i++) {
      delivery("bD" + i, "broadcast", done, occA, i == 3 ? "unknown" : "sent", old);
    }
    delivery("bDc", "broadcast", done, occA, "claimed", old); // claimed is never purged
    delivery("bO1", "broadcast", open, occA, "sent", old);
    delivery("bO2", "broadcast", open, occA, "failed", old);
    delivery("bX1", "broadcast", cancelled, occA, "failed", old);
    delivery("bX2", "broadcast", cancelled, occA, "sent", old);
    // the projection as it stands before any purge
    List<ProjectionTarget> targets =
        List.of(
            new ProjectionTarget(ScheduleKind.RECURRING, rec, occB),
            new ProjectionTarget(ScheduleKind.AUTOPOST, auto, occA),
            new ProjectionTarget(ScheduleKind.BROADCAST, done, null),
            new ProjectionTarget(ScheduleKind.BROADCAST, open, null),
            new ProjectionTarget(ScheduleKind.BROADCAST, cancelled, null));
    projection.apply(targets);
    Map<String, Object> before = visibleNumbers(rec, auto, done, open, cancelled);
    assertThat(before)
        .containsEntry("r_sent", 12) // 7 archived-to-be + 3 + 1 + 1
        .containsEntry("r_failed", 4)
        .containsEntry("r_skipped", 4)
        .containsEntry("a_sent", 6)
        .containsEntry("done_sent", 3)
        .containsEntry("done_status", "partially_failed")
        .containsEntry("x_sent", 1);

    JdbcRetention.Pass pass = retention(1000, registry).runPass();

    assertThat(pass.ran()).isTrue();
    assertThat(deliveryIds(rec, auto, done, open, cancelled))
        .containsExactlyInAnyOrder("rB1", "rB2", "rC1", "bDc", "bO1", "bO2");
    assertThat(pass.deliveries()).isEqualTo(13);
    assertThat(pass.recurringLogs()).isEqualTo(1);
    assertThat(pass.autoPostLogs()).isEqualTo(1);
    assertThat(occurrences("recurring_message_logs", "recurring_message_id", rec))
        .containsExactly(occA, occB, occC);
    assertThat(occurrences("auto_post_logs", "auto_post_schedule_id", auto)).containsExactly(occA);
    assertThat(visibleNumbers(rec, auto, done, open, cancelled)).isEqualTo(before);
    assertThat(deleted("deliveries")).isEqualTo(13);
    assertThat(deleted("recurring_message_logs")).isEqualTo(1);
    assertThat(deleted("auto_post_logs")).isEqualTo(1);
    assertThat(registry.find("herald.retention.pass").timer().count()).isEqualTo(1);

    // replayed results of the purged occurrences: nothing moves
    projection.apply(
        List.of(
            new ProjectionTarget(ScheduleKind.RECURRING, rec, occA),
            new ProjectionTarget(ScheduleKind.AUTOPOST, auto, occA),
            new ProjectionTarget(ScheduleKind.BROADCAST, done, null),
            new ProjectionTarget(ScheduleKind.BROADCAST, cancelled, null)));
    assertThat(visibleNumbers(rec, auto, done, open, cancelled)).isEqualTo(before);

    // a new result after the purge counts on top of what was there
    Instant occN = now.minus(Duration.ofMinutes(5));
    delivery("rN1", "recurring", rec, occN, "sent", now);
    delivery("aN1", "autopost", auto, occN, "failed", now);
    projection.apply(
        List.of(
            new ProjectionTarget(ScheduleKind.RECURRING, rec, occN),
            new ProjectionTarget(ScheduleKind.AUTOPOST, auto, occN)));
    Map<String, Object> after = visibleNumbers(rec, auto, done, open, cancelled);
    assertThat(after)
        .containsEntry("r_sent", 13)
        .containsEntry("r_failed", 4)
        .containsEntry("a_sent", 6)
        .containsEntry("a_failed", 2);

    // a second pass finds nothing more
    JdbcRetention.Pass again = retention(1000, registry).runPass();
    assertThat(again.deliveries() + again.recurringLogs() + again.autoPostLogs()).isZero();
  }

  @Test
  void shouldDeleteInBatchesNoLargerThanTheBatchSizeWhenTensOfThousandsAreDue() throws Exception {
    UUID done = UUID.randomUUID();
    broadcast(done, "completed", 25_000, old);
    update(
        "INSERT INTO deliveries (command_id, user_id, schedule_kind, schedule_id, occurrence_at,"
            + " recipient, status, finished_at) SELECT 'bulk-' || ? || '-' || g, ?, 'broadcast',"
            + " ?, ?, '+1555' || g, 'sent', ? FROM generate_series(1, 25000) g",
        done.toString(),
        tenantId,
        done,
        Timestamp.from(old),
        Timestamp.from(old));

    JdbcRetention.Pass pass = retention(1000, registry).runPass();

    assertThat(pass.deliveries()).isEqualTo(25_000);
    // 25 full batches, one that found none left, then one per history table
    assertThat(pass.statements()).isEqualTo(28);
    assertThat(pass.cutShort()).isFalse();
    assertThat(deleted("deliveries")).isEqualTo(25_000);
    assertThat(query("SELECT count(*) AS n FROM deliveries WHERE schedule_id = ?", done).get(0))
        .containsEntry("n", 0L);
  }

  @Test
  void shouldSkipThePassWhenAnotherSenderHoldsTheLock() throws Exception {
    UUID done = UUID.randomUUID();
    broadcast(done, "completed", 1, old);
    delivery("lk1", "broadcast", done, old, "sent", old);
    try (Connection other = db.connection()) {
      lock(other, "SELECT pg_advisory_lock(?)");
      JdbcRetention.Pass pass = retention(1000, registry).runPass();
      assertThat(pass.ran()).isFalse();
      assertThat(deliveryIds(done)).containsExactly("lk1");
      lock(other, "SELECT pg_advisory_unlock(?)");
    }
    assertThat(retention(1000, registry).runPass().deliveries()).isEqualTo(1);
  }

  @Test
  void shouldPurgeOnTheRetentionLoopWhenTheSenderRuns() throws Exception {
    fake = FakeWhatsAppApi.start();
    UUID done = UUID.randomUUID();
    broadcast(done, "completed", 2, old);
    delivery("app1", "broadcast", done, old, "sent", old);
    delivery("app2", "broadcast", done, old, "failed", old);
    Map<String, String> env = env();
    env.put("HERALD_SENDER_RETENTION_INTERVAL", "PT1S");
    SenderApp app = startSender(env);
    await("purged by herald-retention")
        .atMost(Duration.ofSeconds(30))
        .until(() -> deliveryIds(done).isEmpty());
    assertThat(counter(app, "herald.retention.deleted", "table", "deliveries")).isGreaterThan(1);
  }

  private void lock(Connection c, String sql) throws Exception {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, JdbcRetention.LOCK_KEY);
      ps.executeQuery().close();
    }
  }

  private double deleted(String table) {
    return registry.find("herald.retention.deleted").tag("table", table).counter().count();
  }

  private void broadcast(UUID id, String status, int total, Instant completedAt) throws Exception {
    update(
        "INSERT INTO broadcasts (id, user_id, name, status, total_count, completed_at)"
            + " VALUES (?, ?, 'b', ?, ?, ?)",
        id,
        tenantId,
        status,
        total,
        completedAt == null ? null : Timestamp.from(completedAt));
  }

  private void log(
      String table,
      String column,
      UUID schedule,
      Instant occ,
      int sent,
      int failed,
      int unknown,
      int skipped,
      int recipients,
      Instant completedAt)
      throws Exception {
    update(
        "INSERT INTO "
            + table
            + " ("
            + column
            + ", user_id, occurrence_at, sent_to_count, failed_count, unknown_count,"
            + " skipped_count, recipient_count, status, completed_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        schedule,
        tenantId,
        Timestamp.from(occ),
        sent,
        failed,
        unknown,
        skipped,
        recipients,
        completedAt == null ? "processing" : "completed",
        completedAt == null ? null : Timestamp.from(completedAt));
  }

  private void delivery(
      String id, String kind, UUID schedule, Instant occ, String status, Instant finishedAt)
      throws Exception {
    update(
        "INSERT INTO deliveries (command_id, user_id, schedule_kind, schedule_id, occurrence_at,"
            + " recipient, status, finished_at) VALUES (?, ?, ?, ?, ?, '+15550000000', ?, ?)",
        tenant + "-" + id,
        tenantId,
        kind,
        schedule,
        Timestamp.from(occ),
        status,
        finishedAt == null ? null : Timestamp.from(finishedAt));
  }

  private List<String> deliveryIds(UUID... schedules) throws Exception {
    List<String> out = new java.util.ArrayList<>();
    for (UUID s : schedules) {
      for (Map<String, Object> r :
          query("SELECT command_id FROM deliveries WHERE schedule_id = ?", s)) {
        out.add(((String) r.get("command_id")).substring(tenant.length() + 1));
      }
    }
    return out;
  }

  private List<Instant> occurrences(String table, String column, UUID schedule) throws Exception {
    List<Instant> out = new java.util.ArrayList<>();
    for (Map<String, Object> r :
        query(
            "SELECT occurrence_at FROM " + table + " WHERE " + column + " = ? ORDER BY id",
            schedule)) {
      out.add(((Timestamp) r.get("occurrence_at")).toInstant());
    }
    return out;
  }

  /** Every number `herald status` and the UI read from the state columns, in one map. */
  private Map<String, Object> visibleNumbers(UUID rec, UUID auto, UUID done, UUID open, UUID x)
      throws Exception {
    Map<String, Object> out = new java.util.TreeMap<>();
    put(
        out,
        "r_",
        "SELECT total_sent AS sent, total_failed AS failed, total_skipped AS skipped,"
            + " last_sent_at FROM recurring_messages WHERE id = ?",
        rec);
    put(
        out,
        "a_",
        "SELECT total_sent AS sent, total_failed AS failed, total_skipped AS skipped,"
            + " last_sent_at FROM auto_post_schedules WHERE id = ?",
        auto);
    String b =
        "SELECT status, sent_count AS sent, failed_count AS failed, unknown_count AS unknown,"
            + " skipped_count AS skipped, completed_at FROM broadcasts WHERE id = ?";
    put(out, "done_", b, done);
    put(out, "open_", b, open);
    put(out, "x_", b, x);
    int i = 0;
    for (Map<String, Object> r :
        query(
            "SELECT sent_to_count, failed_count, unknown_count, skipped_count, status FROM"
                + " recurring_message_logs WHERE recurring_message_id = ? AND completed_at >= ?"
                + " ORDER BY occurrence_at",
            rec,
            Timestamp.from(now.minus(HISTORY)))) {
      int n = i++;
      r.forEach((k, v) -> out.put("log" + n + "_" + k, v));
    }
    return out;
  }

  private void put(Map<String, Object> out, String prefix, String sql, UUID id) throws Exception {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, id, java.sql.Types.OTHER);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          out.put(prefix + rs.getMetaData().getColumnLabel(i), rs.getObject(i));
        }
      }
    }
  }
}
