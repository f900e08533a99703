package io.herald.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.topic.Topics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 16 §4: rows written exactly the way the seed's app writes them — a scheduled broadcast
 * saved as {@code draft} with {@code scheduled_at}, a recurring message and an auto-post that leave
 * every pacing and catch-up column to its default or null, devices whose status is the seed's
 * {@code connected} — each reach their final state, with counts that add up, under the default
 * {@code HERALD_SEED_COMPAT}.
 */
class SeedReplayIT {

  private final Pipeline pipeline = Pipeline.shared();

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void rowsWrittenLikeTheSeedsAppReachTheirFinalStates() throws Exception {
    pipeline.ensureRunning();
    Workload w = new Workload(pipeline);
    List<String> phones = w.phones(4);
    String cloud;
    String gateway;
    List<String> contacts = new ArrayList<>();
    try (Connection c = pipeline.db.connect()) {
      cloud = device(c, w.tenant, "whatsapp_cloud");
      gateway = device(c, w.tenant, "simulated");
      for (int i = 0; i < 4; i++) {
        contacts.add(Rows.contact(c, w.tenant, phones.get(i), i == 3));
      }
    }
    await("the scheduler knows the contacts and devices")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                Rows.seen(pipeline, Topics.CONTACTS.name(), contacts)
                    && Rows.seen(pipeline, Topics.DEVICES.name(), List.of(cloud, gateway)));

    Instant at = Instant.now().plusSeconds(4);
    OffsetDateTime utc = OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    String broadcast = UUID.randomUUID().toString();
    String recurring = UUID.randomUUID().toString();
    String autopost = UUID.randomUUID().toString();
    try (Connection c = pipeline.db.connect()) {
      // the seed's scheduled broadcast: a draft with scheduled_at, no pacing columns
      exec(
          c,
          "INSERT INTO broadcasts (id, user_id, device_id, name, message, target_contacts,"
              + " scheduled_at, status) VALUES (?::uuid, ?::uuid, ?::uuid, 'seed draft',"
              + " 'Hello {name}', ?::jsonb, ?, 'draft')",
          broadcast,
          w.tenant,
          cloud,
          Workload.jsonArray(contacts),
          utc);
      exec(
          c,
          "INSERT INTO recurring_messages (id, user_id, device_id, name, message,"
              + " target_contacts, frequency, time_of_day, timezone, start_date, max_executions)"
              + " VALUES (?::uuid, ?::uuid, ?::uuid, 'seed recurring', 'Hi {name}', ?::jsonb,"
              + " 'daily', ?::time, 'UTC', ?::date, 1)",
          recurring,
          w.tenant,
          cloud,
          Workload.jsonArray(contacts.subList(0, 2)),
          utc.toLocalTime().withNano(0).toString(),
          utc.toLocalDate().toString());
      exec(
          c,
          "INSERT INTO auto_post_schedules (id, user_id, device_id, name, message,"
              + " target_groups, frequency, time_of_day, timezone, start_date, max_executions)"
              + " VALUES (?::uuid, ?::uuid, ?::uuid, 'seed auto-post', 'Daily post', ?::jsonb,"
              + " 'daily', ?::time, 'UTC', ?::date, 1)",
          autopost,
          w.tenant,
          gateway,
          "[\"120363000000000001@g.us\",\"120363000000000002@g.us\"]",
          utc.toLocalTime().withNano(0).toString(),
          utc.toLocalDate().toString());
    }

    // the seed's pacing defaults apply (5 s apart, randomised): three sends take ~10-20 s
    await("the draft broadcast fired and completed")
        .atMost(Duration.ofSeconds(150))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> "completed".equals(Rows.row(pipeline, "broadcasts", broadcast).get("status")));
    assertThat(Rows.row(pipeline, "broadcasts", broadcast))
        .containsEntry("total_count", 4)
        .containsEntry("sent_count", 3)
        .containsEntry("skipped_count", 1)
        .containsEntry("failed_count", 0);

    await("the recurring occurrence completed and the definition finished")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                "completed"
                        .equals(
                            Rows.first(
                                    pipeline,
                                    "SELECT status FROM recurring_message_logs"
                                        + " WHERE recurring_message_id = ?::uuid",
                                    recurring)
                                .get("status"))
                    && "finished"
                        .equals(Rows.row(pipeline, "recurring_messages", recurring).get("status")));
    assertThat(Rows.row(pipeline, "recurring_messages", recurring))
        .containsEntry("total_sent", 2)
        .containsEntry("execution_count", 1)
        .containsEntry("next_send_at", null);

    await("the auto-post occurrence completed and the definition finished")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                "completed"
                        .equals(
                            Rows.first(
                                    pipeline,
                                    "SELECT status FROM auto_post_logs"
                                        + " WHERE auto_post_schedule_id = ?::uuid",
                                    autopost)
                                .get("status"))
                    && "finished"
                        .equals(Rows.row(pipeline, "auto_post_schedules", autopost).get("status")));
    assertThat(
            Rows.first(
                pipeline,
                "SELECT recipient_count, sent_to_count FROM auto_post_logs"
                    + " WHERE auto_post_schedule_id = ?::uuid",
                autopost))
        .containsEntry("recipient_count", 2)
        .containsEntry("sent_to_count", 2);
    assertThat(Rows.row(pipeline, "auto_post_schedules", autopost))
        .containsEntry("next_send_at", null);

    // the seed's pacing: the broadcast's sends about 5 s apart (jittered), not back to back
    List<Instant> times = sentTimes(broadcast);
    assertThat(times).hasSize(3);
    for (int i = 1; i < times.size(); i++) {
      assertThat(Duration.between(times.get(i - 1), times.get(i)))
          .as("gap before send %d", i)
          .isGreaterThanOrEqualTo(Duration.ofMillis(2_500));
    }
  }

  private static String device(Connection c, String tenant, String transport) throws SQLException {
    String id = UUID.randomUUID().toString();
    String phoneNumberId =
        Long.toString(100_000_000_000L + ThreadLocalRandom.current().nextLong(800_000_000_000L));
    exec(
        c,
        "INSERT INTO devices (id, user_id, name, transport, transport_config, status)"
            + " VALUES (?::uuid, ?::uuid, 'seed device', ?, ?::jsonb, 'connected')",
        id,
        tenant,
        transport,
        "{\"phone_number_id\":\""
            + phoneNumberId
            + "\",\"token_env\":\""
            + Pipeline.TOKEN_ENV
            + "\",\"api_version\":\"v21.0\"}");
    return id;
  }

  private static void exec(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      ps.executeUpdate();
    }
  }

  private List<Instant> sentTimes(String scheduleId) throws SQLException {
    List<Instant> out = new ArrayList<>();
    try (Connection c = pipeline.db.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT claimed_at FROM deliveries WHERE schedule_id = ?::uuid AND status = 'sent'"
                    + " ORDER BY claimed_at")) {
      ps.setString(1, scheduleId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getTimestamp(1).toInstant());
        }
      }
    }
    return out;
  }
}
