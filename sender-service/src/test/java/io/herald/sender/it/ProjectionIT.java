package io.herald.sender.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.PacingSpec;
import io.herald.sender.app.SenderApp;
import io.herald.testsupport.FakeWhatsAppApi;
import io.herald.testsupport.FakeWhatsAppApi.Answer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The state columns the sender owns: a recurring message's totals and per-occurrence log rows, a
 * broadcast's progress and final status; replaying the same commands changes nothing.
 */
class ProjectionIT extends SenderItSupport {

  @BeforeAll
  static void infra() {
    setUpInfra();
  }

  @BeforeEach
  void start() throws Exception {
    fake = FakeWhatsAppApi.start();
    startGroupAtEnd();
  }

  @AfterEach
  void stop() {
    tearDownApps();
  }

  @Test
  void shouldProjectTotalsLogRowsAndBroadcastStatusWhenResultsArriveAndAreReplayed()
      throws Exception {
    String device = cloudDevice();
    UUID recurring = UUID.randomUUID();
    UUID goodBroadcast = UUID.randomUUID();
    UUID badBroadcast = UUID.randomUUID();
    UUID tenantId = UUID.fromString(tenant);
    update(
        "INSERT INTO recurring_messages (id, user_id, device_id, name) VALUES (?, ?, ?, 'r')",
        recurring,
        tenantId,
        UUID.fromString(device));
    update(
        "INSERT INTO broadcasts (id, user_id, device_id, name, status, total_count) VALUES (?, ?,"
            + " ?, 'ok', 'processing', 3)",
        goodBroadcast,
        tenantId,
        UUID.fromString(device));
    update(
        "INSERT INTO broadcasts (id, user_id, device_id, name, status, total_count) VALUES (?, ?,"
            + " ?, 'bad', 'processing', 2)",
        badBroadcast,
        tenantId,
        UUID.fromString(device));
    Instant occ1 = Instant.parse("2026-09-01T08:00:00Z");
    Instant occ2 = Instant.parse("2026-09-02T08:00:00Z");
    String rKey = "recurring:" + recurring;
    fake.enqueueFor(phone(5002), Answer.undeliverable());
    fake.enqueueFor(phone(5020), Answer.undeliverable());
    fake.enqueueFor(phone(5021), Answer.undeliverable());

    List<SendCommand> commands = new ArrayList<>();
    commands.add(command(device, rKey, occ1, phone(5000), PacingSpec.none()));
    commands.add(command(device, rKey, occ1, phone(5001), PacingSpec.none()));
    commands.add(command(device, rKey, occ1, phone(5002), PacingSpec.none())); // fails
    commands.add(command(device, rKey, occ2, phone(5003), PacingSpec.none()));
    commands.add(command(device, rKey, occ2, phone(5004), PacingSpec.none()));
    for (int i = 0; i < 3; i++) {
      commands.add(
          command(device, "broadcast:" + goodBroadcast, occ1, phone(5010 + i), PacingSpec.none()));
    }
    commands.add(
        command(device, "broadcast:" + badBroadcast, occ1, phone(5020), PacingSpec.none()));
    commands.add(
        command(device, "broadcast:" + badBroadcast, occ1, phone(5021), PacingSpec.none()));

    SenderApp sender = startSenderAndAwaitReady();
    produce(commands, null);

    await("projections")
        .atMost(Duration.ofSeconds(40))
        .untilAsserted(() -> assertProjected(recurring, goodBroadcast, badBroadcast, occ1, occ2));

    // replay: every command again; nothing is sent and no count moves
    double before = counter(sender, "herald.sender.duplicates.suppressed");
    produce(commands, null);
    await("replay suppressed")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                counter(sender, "herald.sender.duplicates.suppressed") - before >= commands.size());
    assertThat(fake.requestCount()).isEqualTo(commands.size());
    assertProjected(recurring, goodBroadcast, badBroadcast, occ1, occ2);
  }

  private void assertProjected(UUID recurring, UUID good, UUID bad, Instant occ1, Instant occ2)
      throws Exception {
    Map<String, Object> r =
        query(
                "SELECT total_sent, total_failed, last_sent_at FROM recurring_messages WHERE id ="
                    + " ?",
                recurring)
            .get(0);
    assertThat(r).containsEntry("total_sent", 4).containsEntry("total_failed", 1);
    assertThat(r.get("last_sent_at")).isNotNull();
    List<Map<String, Object>> logs =
        query(
            "SELECT occurrence_at, sent_to_count, failed_count FROM recurring_message_logs"
                + " WHERE recurring_message_id = ? ORDER BY occurrence_at",
            recurring);
    assertThat(logs).hasSize(2);
    assertThat(((java.sql.Timestamp) logs.get(0).get("occurrence_at")).toInstant()).isEqualTo(occ1);
    assertThat(logs.get(0)).containsEntry("sent_to_count", 2).containsEntry("failed_count", 1);
    assertThat(((java.sql.Timestamp) logs.get(1).get("occurrence_at")).toInstant()).isEqualTo(occ2);
    assertThat(logs.get(1)).containsEntry("sent_to_count", 2).containsEntry("failed_count", 0);
    Map<String, Object> g =
        query(
                "SELECT status, sent_count, failed_count, completed_at FROM broadcasts WHERE id ="
                    + " ?",
                good)
            .get(0);
    assertThat(g)
        .containsEntry("status", "completed")
        .containsEntry("sent_count", 3)
        .containsEntry("failed_count", 0);
    assertThat(g.get("completed_at")).isNotNull();
    Map<String, Object> b =
        query("SELECT status, sent_count, failed_count FROM broadcasts WHERE id = ?", bad).get(0);
    assertThat(b)
        .containsEntry("status", "failed")
        .containsEntry("sent_count", 0)
        .containsEntry("failed_count", 2);
  }
}
