package io.herald.console.it;

import io.herald.testsupport.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Rows of two tenants as Herald's services would have written them, around a fixed instant. */
final class Seed {

  static final UUID TENANT_A = UUID.fromString("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa");
  static final UUID TENANT_B = UUID.fromString("bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb");
  static final UUID RECURRING_A = UUID.fromString("a1111111-1111-4111-8111-111111111111");
  static final UUID AUTOPOST_A = UUID.fromString("a2222222-2222-4222-8222-222222222222");
  static final UUID BROADCAST_A = UUID.fromString("a3333333-3333-4333-8333-333333333333");
  static final UUID DEVICE_A = UUID.fromString("a4444444-4444-4444-8444-444444444444");
  static final UUID RECURRING_B = UUID.fromString("b1111111-1111-4111-8111-111111111111");
  static final UUID FINISHED_B = UUID.fromString("b2222222-2222-4222-8222-222222222222");
  static final UUID BROADCAST_B = UUID.fromString("b3333333-3333-4333-8333-333333333333");
  static final UUID DEVICE_B = UUID.fromString("b4444444-4444-4444-8444-444444444444");
  static final UUID DEVICE_C = UUID.fromString("b5555555-5555-4555-8555-555555555555");

  static Instant UPDATED_AT;

  private Seed() {}

  static Seed write(PostgresTestDatabase db, Instant now) throws SQLException {
    Instant todayStart =
        now.atZone(ZoneOffset.UTC).toLocalDate().atStartOfDay(ZoneOffset.UTC).toInstant();
    // "today" for the deliveries, whatever the time of day the test runs at
    Instant t =
        now.minusSeconds(10).isBefore(todayStart)
            ? todayStart.plusSeconds(1)
            : now.minusSeconds(10);
    if (t.isAfter(now)) {
      t = now;
    }
    UPDATED_AT = now.minus(Duration.ofDays(1));
    try (Connection c = db.connection()) {
      // recurring A: daily in Jakarta, due in 30 min, 2 occurrences with skips
      exec(
          c,
          "INSERT INTO recurring_messages (id, user_id, name, message, frequency, time_of_day,"
              + " timezone, status, next_send_at, execution_count) VALUES (?, ?, 'nightly-a', 'hi',"
              + " 'daily', '09:00', 'Asia/Jakarta', 'active', ?, 2)",
          RECURRING_A,
          TENANT_A,
          ts(now.plus(Duration.ofMinutes(30))));
      exec(
          c,
          "INSERT INTO recurring_message_logs (recurring_message_id, user_id, occurrence_at,"
              + " execution_time, recipient_count, sent_to_count, skipped_count, skipped_reasons,"
              + " status, completed_at) VALUES (?, ?, ?, ?, 6, 3, 3, '{\"opted_out\":3}',"
              + " 'completed', ?)",
          RECURRING_A,
          TENANT_A,
          ts(now.minus(Duration.ofDays(2))),
          ts(now.minus(Duration.ofDays(2))),
          ts(now.minus(Duration.ofDays(2))));
      exec(
          c,
          "INSERT INTO recurring_message_logs (recurring_message_id, user_id, occurrence_at,"
              + " execution_time, recipient_count, sent_to_count, skipped_count, skipped_reasons,"
              + " status, completed_at) VALUES (?, ?, ?, ?, 4, 1, 3,"
              + " '{\"opted_out\":1,\"not_tenant_contact\":2}', 'completed', ?)",
          RECURRING_A,
          TENANT_A,
          ts(now.minus(Duration.ofDays(1))),
          ts(now.minus(Duration.ofDays(1))),
          ts(now.minus(Duration.ofDays(1))));
      // auto-post A: active, due in 3 h (active, not due within the hour)
      exec(
          c,
          "INSERT INTO auto_post_schedules (id, user_id, name, message, target_groups,"
              + " frequency, time_of_day, timezone, status, next_send_at) VALUES (?, ?, 'groups-a',"
              + " 'x', '[\"g1\"]', 'daily', '10:00', 'UTC', 'active', ?)",
          AUTOPOST_A,
          TENANT_A,
          ts(now.plus(Duration.ofHours(3))));
      // broadcast A: completed, with its skip accounting
      exec(
          c,
          "INSERT INTO broadcasts (id, user_id, name, message, scheduled_at, status,"
              + " total_count, sent_count, skipped_count, skipped_reasons, started_at, completed_at)"
              + " VALUES (?, ?, 'promo-a', 'x', ?, 'completed', 8, 5, 3,"
              + " '{\"opted_out\":2,\"invalid_recipient\":1}', ?, ?)",
          BROADCAST_A,
          TENANT_A,
          ts(now.minus(Duration.ofDays(3))),
          ts(now.minus(Duration.ofDays(3))),
          ts(now.minus(Duration.ofDays(3))));
      // tenant B: recurring due in 2 h, a finished one, a broadcast scheduled in 10 min
      exec(
          c,
          "INSERT INTO recurring_messages (id, user_id, name, message, frequency, time_of_day,"
              + " timezone, status, next_send_at) VALUES (?, ?, 'nightly-b', 'x', 'daily', '08:00',"
              + " 'UTC', 'active', ?)",
          RECURRING_B,
          TENANT_B,
          ts(now.plus(Duration.ofHours(2))));
      exec(
          c,
          "INSERT INTO recurring_messages (id, user_id, name, message, frequency, status,"
              + " execution_count) VALUES (?, ?, 'done-b', 'x', 'daily', 'finished', 3)",
          FINISHED_B,
          TENANT_B);
      exec(
          c,
          "INSERT INTO broadcasts (id, user_id, name, message, scheduled_at, status)"
              + " VALUES (?, ?, 'soon-b', 'x', ?, 'scheduled')",
          BROADCAST_B,
          TENANT_B,
          ts(now.plus(Duration.ofMinutes(10))));
      // devices: A and B paused for account danger, C disconnected
      exec(
          c,
          "INSERT INTO devices (id, user_id, name, phone_number, status, paused_reason,"
              + " updated_at) VALUES (?, ?, 'front-a', '+6281111111111', 'paused',"
              + " 'spam limit 131048', ?)",
          DEVICE_A,
          TENANT_A,
          ts(UPDATED_AT));
      exec(
          c,
          "INSERT INTO devices (id, user_id, name, status, paused_reason, updated_at)"
              + " VALUES (?, ?, 'front-b', 'paused', 'policy block 368', ?)",
          DEVICE_B,
          TENANT_B,
          ts(UPDATED_AT));
      exec(
          c,
          "INSERT INTO devices (id, user_id, name, status, paused_reason, updated_at)"
              + " VALUES (?, ?, 'gw-b', 'disconnected', 'session:lost', ?)",
          DEVICE_C,
          TENANT_B,
          ts(UPDATED_AT));
      // deliveries today: 3 sent (2 of A), 1 failed, 2 skipped, 1 unknown; 1 sent 2 days ago
      String[][] rows = {
        {"sent", "A"},
        {"sent", "A"},
        {"sent", "B"},
        {"failed", "B"},
        {"skipped", "A"},
        {"skipped", "B"},
        {"unknown", "B"},
      };
      int i = 0;
      for (String[] r : rows) {
        delivery(c, "c-" + i++, r[0], r[1].equals("A") ? TENANT_A : TENANT_B, t);
      }
      delivery(c, "c-old", "sent", TENANT_B, now.minus(Duration.ofDays(2)));
    }
    return new Seed();
  }

  private static void delivery(Connection c, String id, String status, UUID tenant, Instant t)
      throws SQLException {
    exec(
        c,
        "INSERT INTO deliveries (command_id, user_id, device_id, schedule_kind, schedule_id,"
            + " occurrence_at, recipient, status, claimed_at, finished_at) VALUES (?, ?, ?,"
            + " 'recurring', ?, ?, '+620000000000', ?, ?, ?)",
        id,
        tenant,
        tenant.equals(TENANT_A) ? DEVICE_A : DEVICE_B,
        tenant.equals(TENANT_A) ? RECURRING_A : RECURRING_B,
        ts(t.minusMillis(2000)),
        status,
        ts(t.minusMillis(500)),
        ts(t));
  }

  /** The overview's numbers computed here, from the definitions on the page's footnote. */
  static Map<String, String> expectedOverview(PostgresTestDatabase db, Instant now, UUID tenant)
      throws SQLException {
    Instant todayStart =
        now.atZone(ZoneOffset.UTC).toLocalDate().atStartOfDay(ZoneOffset.UTC).toInstant();
    String scope = tenant == null ? "" : " AND user_id = '" + tenant + "'";
    Timestamp n = ts(now);
    Timestamp h = ts(now.plus(Duration.ofHours(1)));
    Map<String, String> out = new LinkedHashMap<>();
    try (Connection c = db.connection()) {
      out.put(
          "active-definitions",
          one(
              c,
              "SELECT (SELECT count(*) FROM recurring_messages WHERE status = 'active'"
                  + scope
                  + ")"
                  + " + (SELECT count(*) FROM auto_post_schedules WHERE status = 'active'"
                  + scope
                  + ")"
                  + " + (SELECT count(*) FROM broadcasts WHERE status IN ('scheduled', 'processing')"
                  + scope
                  + ")"));
      out.put(
          "due-next-hour",
          one(
              c,
              "SELECT count(*) FROM (SELECT next_send_at AS due, user_id FROM recurring_messages"
                  + " UNION ALL SELECT next_send_at, user_id FROM auto_post_schedules"
                  + " UNION ALL SELECT scheduled_at, user_id FROM broadcasts WHERE started_at IS NULL"
                  + " AND status IN ('draft', 'scheduled')) d WHERE due >= ? AND due < ?"
                  + scope,
              n,
              h));
      for (String s : new String[] {"sent", "failed", "skipped", "unknown"}) {
        out.put(
            s + "-today",
            one(
                c,
                "SELECT count(*) FROM deliveries WHERE status = '"
                    + s
                    + "' AND finished_at >= ?"
                    + scope,
                ts(todayStart)));
      }
      out.put(
          "devices-paused", one(c, "SELECT count(*) FROM devices WHERE status = 'paused'" + scope));
      out.put(
          "avg-queue-time-ms",
          one(
              c,
              "SELECT COALESCE(round(avg(EXTRACT(EPOCH FROM"
                  + " finished_at - occurrence_at) * 1000))::text, '-') FROM deliveries WHERE status = 'sent'"
                  + " AND finished_at >= ?"
                  + scope,
              ts(todayStart)));
      out.put(
          "avg-send-time-ms",
          one(
              c,
              "SELECT COALESCE(round(avg(EXTRACT(EPOCH FROM"
                  + " finished_at - claimed_at) * 1000))::text, '-') FROM deliveries WHERE status = 'sent'"
                  + " AND finished_at >= ?"
                  + scope,
              ts(todayStart)));
    }
    return out;
  }

  static String deviceStatus(PostgresTestDatabase db, UUID id) throws SQLException {
    try (Connection c = db.connection()) {
      return one(c, "SELECT status FROM devices WHERE id = ?", id);
    }
  }

  private static String one(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  private static void exec(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      ps.executeUpdate();
    }
  }

  private static Timestamp ts(Instant i) {
    return Timestamp.from(i);
  }
}
