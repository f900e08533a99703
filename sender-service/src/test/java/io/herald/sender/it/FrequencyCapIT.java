package io.herald.sender.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.PacingSpec;
import io.herald.testsupport.FakeWhatsAppApi;
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
 * Issue 19 §2: per-contact frequency caps across every schedule of a tenant, from durable state: a
 * contact reached by three schedules within an hour gets what the cap allows, the rest is skipped
 * {@code frequency_cap} and counted; an unusable policy row says why and caps nothing.
 */
class FrequencyCapIT extends SenderItSupport {

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

  private List<SendCommand> threeSchedules(String device, String to) {
    Instant occurrence = Instant.parse("2026-06-01T08:00:00Z");
    return List.of(
        command(device, "recurring:" + UUID.randomUUID(), occurrence, to, PacingSpec.none()),
        command(device, "broadcast:" + UUID.randomUUID(), occurrence, to, PacingSpec.none()),
        command(device, "recurring:" + UUID.randomUUID(), occurrence, to, PacingSpec.none()));
  }

  private void awaitRecorded(List<SendCommand> commands) {
    await("recorded")
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              Map<String, String> st = statuses();
              return commands.stream()
                  .map(c -> st.get(c.commandId().value()))
                  .allMatch(v -> v != null && !v.equals("claimed"));
            });
  }

  @Test
  void shouldSendWhatTheCapAllowsAndSkipTheRest() throws Exception {
    String device = cloudDevice();
    update(
        "INSERT INTO tenant_policies (user_id, frequency_caps) VALUES (?::uuid,"
            + " '[{\"max\": 2, \"hours\": 24}, {\"max\": 5, \"hours\": 1}]')",
        tenant);
    var app = startSenderAndAwaitReady();
    String contact = phone(880_001);
    List<SendCommand> commands = threeSchedules(device, contact);
    produce(commands, null);
    awaitRecorded(commands);

    List<Map<String, Object>> rows =
        query(
            "SELECT status, error_code, error_message FROM deliveries WHERE recipient = ?"
                + " ORDER BY status",
            contact);
    assertThat(rows).extracting(r -> r.get("status")).containsExactly("sent", "sent", "skipped");
    assertThat(rows.get(2))
        .containsEntry("error_code", "frequency_cap")
        .containsEntry("error_message", "the contact's frequency cap is reached: 2 per 24 h");
    assertThat(fake.requestsTo(contact)).hasSize(2);
    assertThat(counter(app, "herald.sender.frequency.capped")).isEqualTo(1.0);
  }

  @Test
  void shouldCapNothingAndSayWhyWhenThePolicyIsUnusable() throws Exception {
    String device = cloudDevice();
    update(
        "INSERT INTO tenant_policies (user_id, frequency_caps) VALUES (?::uuid,"
            + " '[{\"max\": \"two\", \"hours\": 24}]')",
        tenant);
    startSenderAndAwaitReady();
    String contact = phone(880_002);
    List<SendCommand> commands = threeSchedules(device, contact);
    produce(commands, null);
    awaitRecorded(commands);

    assertThat(fake.requestsTo(contact)).hasSize(3);
    assertThat(query("SELECT last_error FROM tenant_policies WHERE user_id = ?::uuid", tenant))
        .singleElement()
        .satisfies(
            r ->
                assertThat((String) r.get("last_error"))
                    .startsWith("frequency_caps[0] must be {\"max\": 0 to 1000000"));
  }
}
