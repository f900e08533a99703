package io.herald.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.topic.Topics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 16 §1, through database rows as a tenant's app writes them: every recipient of an
 * occurrence ends sent, failed, unknown, expired or skipped with a reason, the counts add up to the
 * recipients, and the broadcast or the occurrence reaches its final state — including a broadcast
 * whose every recipient is skipped, which completes at once with its reasons.
 */
class AccountingIT {

  /** An entry of a flat jsonb object of counts, as PostgreSQL prints it. */
  private static final Pattern COUNT = Pattern.compile("\"([a-z_]+)\": ?(\\d+)");

  private final Pipeline pipeline = Pipeline.shared();

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void everyRecipientEndsWithAnOutcomeAndTheCountsAddUp() throws Exception {
    pipeline.ensureRunning();
    Workload w = new Workload(pipeline);
    Workload.Device device = w.device();
    List<String> phones = w.phones(6);
    List<String> good = new ArrayList<>();
    String optedOut;
    String badPhone;
    String foreign;
    String foreignPhone = w.phones(1).get(0);
    try (Connection c = pipeline.db.connect()) {
      for (int i = 0; i < 5; i++) {
        good.add(Rows.contact(c, w.tenant, phones.get(i), false));
      }
      optedOut = Rows.contact(c, w.tenant, phones.get(5), true);
      badPhone = Rows.contact(c, w.tenant, "12345", false);
      foreign = Rows.contact(c, UUID.randomUUID().toString(), foreignPhone, false);
    }
    String unknown = UUID.randomUUID().toString();
    List<String> contactIds = new ArrayList<>(good);
    contactIds.addAll(List.of(optedOut, badPhone, foreign));
    await("the scheduler knows the contacts")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> Rows.seen(pipeline, Topics.CONTACTS.name(), contactIds));

    // one of each reason beside five that go out
    List<String> mixed = new ArrayList<>(good);
    mixed.addAll(List.of(good.get(0), optedOut, badPhone, foreign, unknown));
    Instant at = Workload.in(3);
    String mixedId = broadcast(w, device, mixed, at);
    String allSkippedId = broadcast(w, device, List.of(foreign, unknown, optedOut), at);
    String recurringId = recurring(w, device, mixed, at);

    Map<String, Integer> reasons = new HashMap<>();
    reasons.put("duplicate_recipient", 1);
    reasons.put("opted_out", 1);
    reasons.put("invalid_recipient", 1);
    reasons.put("not_tenant_contact", 1);
    reasons.put("unknown_contact", 1);

    await("the mixed broadcast completes")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> "completed".equals(Rows.row(pipeline, "broadcasts", mixedId).get("status")));
    Map<String, Object> b = Rows.row(pipeline, "broadcasts", mixedId);
    assertThat(b)
        .containsEntry("total_count", 10)
        .containsEntry("sent_count", 5)
        .containsEntry("failed_count", 0)
        .containsEntry("unknown_count", 0)
        .containsEntry("expired_count", 0)
        .containsEntry("skipped_count", 5);
    assertThat(b.get("completed_at")).isNotNull();
    assertThat(reasonsOf(b)).isEqualTo(reasons);

    await("the broadcast whose every recipient is skipped completes")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> "completed".equals(Rows.row(pipeline, "broadcasts", allSkippedId).get("status")));
    Map<String, Object> all = Rows.row(pipeline, "broadcasts", allSkippedId);
    assertThat(all)
        .containsEntry("total_count", 3)
        .containsEntry("sent_count", 0)
        .containsEntry("skipped_count", 3);
    assertThat(reasonsOf(all))
        .containsEntry("not_tenant_contact", 1)
        .containsEntry("unknown_contact", 1)
        .containsEntry("opted_out", 1);

    await("the recurring occurrence closes")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> "completed".equals(log(recurringId).get("status")));
    Map<String, Object> log = log(recurringId);
    assertThat(log)
        .containsEntry("recipient_count", 10)
        .containsEntry("sent_to_count", 5)
        .containsEntry("failed_count", 0)
        .containsEntry("skipped_count", 5);
    assertThat(log.get("completed_at")).isNotNull();
    assertThat(reasonsOf(log)).isEqualTo(reasons);
    assertThat(Rows.row(pipeline, "recurring_messages", recurringId))
        .containsEntry("total_sent", 5)
        .containsEntry("total_skipped", 5);

    // the skipped recipients are in the ledger, each with its reason; nothing else was sent
    assertThat(skippedLedger(mixedId)).hasSize(5);
    assertThat(pipeline.fake.requestsTo(foreignPhone)).isEmpty();
    assertThat(pipeline.fake.requestsTo(phones.get(5))).as("opted out").isEmpty();
  }

  private String broadcast(Workload w, Workload.Device d, List<String> recipients, Instant at)
      throws SQLException {
    String id = UUID.randomUUID().toString();
    try (Connection c = pipeline.db.connect()) {
      Workload.insertBroadcastRow(c, id, w.tenant, d, recipients, at, "scheduled", "Hi {name}");
    }
    return id;
  }

  private String recurring(Workload w, Workload.Device d, List<String> recipients, Instant at)
      throws SQLException {
    String id = UUID.randomUUID().toString();
    OffsetDateTime utc = OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    try (Connection c = pipeline.db.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO recurring_messages (id, user_id, device_id, name, message,"
                    + " target_contacts, frequency, time_of_day, timezone, start_date,"
                    + " max_executions, catch_up, catch_up_grace_seconds, is_active, delay_type,"
                    + " delay_seconds, randomize_delay) VALUES (?, ?, ?, 'accounting', 'Hi {name}',"
                    + " ?::jsonb, 'daily', ?::time, 'UTC', ?::date, 1, 'fire_all', 3600, true,"
                    + " 'manual', 0, false)")) {
      ps.setObject(1, UUID.fromString(id), Types.OTHER);
      ps.setObject(2, UUID.fromString(w.tenant), Types.OTHER);
      ps.setObject(3, UUID.fromString(d.id()), Types.OTHER);
      ps.setString(4, Workload.jsonArray(recipients));
      ps.setString(5, utc.toLocalTime().withNano(0).toString());
      ps.setString(6, utc.toLocalDate().toString());
      ps.executeUpdate();
    }
    return id;
  }

  private Map<String, Object> log(String recurringId) throws SQLException {
    return Rows.first(
        pipeline,
        "SELECT * FROM recurring_message_logs WHERE recurring_message_id = ?::uuid",
        recurringId);
  }

  private List<String> skippedLedger(String broadcastId) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = pipeline.db.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT error_code FROM deliveries WHERE schedule_id = ?::uuid"
                    + " AND status = 'skipped'")) {
      ps.setString(1, broadcastId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  private static Map<String, Integer> reasonsOf(Map<String, Object> row) {
    Object v = row.get("skipped_reasons");
    Map<String, Integer> out = new HashMap<>();
    if (v != null) {
      Matcher m = COUNT.matcher(v.toString());
      while (m.find()) {
        out.put(m.group(1), Integer.parseInt(m.group(2)));
      }
    }
    return out;
  }
}
