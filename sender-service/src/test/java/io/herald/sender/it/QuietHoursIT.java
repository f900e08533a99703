package io.herald.sender.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.PacingSpec;
import io.herald.sender.delivery.QuietWindow;
import io.herald.testsupport.FakeWhatsAppApi;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 19 §1: quiet hours in the recipient's own time. The tenant's window is chosen around the
 * current time in Jakarta, which is then night there and day in New York (11-12 hours behind): the
 * Jakarta contact's message waits for the window's end (visible, with the reason), the New York
 * contact's goes now, and a definition whose own window is empty overrides the tenant's.
 */
class QuietHoursIT extends SenderItSupport {

  private static final ZoneId JAKARTA = ZoneId.of("Asia/Jakarta");

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

  private SendCommand command(String device, String key, String to, String zone) {
    SendCommand c = command(device, key, Instant.now(), to, PacingSpec.none());
    return new SendCommand(
        c.schemaVersion(),
        c.commandId(),
        c.tenantId(),
        c.deviceId(),
        c.scheduleKey(),
        c.kind(),
        c.occurrenceAt(),
        c.recipient(),
        c.recipientType(),
        c.contactId(),
        c.text(),
        c.mediaUrl(),
        c.pacing(),
        c.attempt(),
        c.occurrenceAt().plus(Duration.ofHours(6)),
        null,
        null,
        zone);
  }

  @Test
  void shouldHoldTheSendUntilTheRecipientsOwnMorning() throws Exception {
    LocalTime jakartaNow = LocalTime.now(JAKARTA);
    LocalTime start = jakartaNow.minusHours(1);
    LocalTime end = jakartaNow.plusHours(2);
    update(
        "INSERT INTO tenant_policies (user_id, quiet_hours_start, quiet_hours_end)"
            + " VALUES (?::uuid, ?, ?)",
        tenant,
        Time.valueOf(start),
        Time.valueOf(end));
    UUID noQuiet = UUID.randomUUID();
    update(
        "INSERT INTO recurring_messages (id, user_id, name, quiet_hours_start, quiet_hours_end)"
            + " VALUES (?, ?::uuid, 'no quiet hours', '00:00', '00:00')",
        noQuiet,
        tenant);
    String device = cloudDevice();
    var app = startSenderAndAwaitReady();

    String jakarta = phone(870_001);
    String newYork = phone(870_002);
    String jakartaToo = phone(870_003);
    SendCommand held = command(device, "broadcast:" + UUID.randomUUID(), jakarta, "Asia/Jakarta");
    SendCommand sent =
        command(device, "broadcast:" + UUID.randomUUID(), newYork, "America/New_York");
    SendCommand overridden = command(device, "recurring:" + noQuiet, jakartaToo, "Asia/Jakarta");
    Instant before = Instant.now();
    produce(List.of(held, sent, overridden), null);

    await("the day-time contacts' messages out")
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> fake.requestsTo(newYork).size() == 1 && fake.requestsTo(jakartaToo).size() == 1);
    await("the night-time contact's message deferred")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                !query(
                        "SELECT 1 FROM deferred_sends WHERE command_id = ?",
                        held.commandId().value())
                    .isEmpty());
    Thread.sleep(1_000);
    assertThat(fake.requestsTo(jakarta)).isEmpty();

    Map<String, Object> row =
        query(
                "SELECT reason, detail, until_at FROM deferred_sends WHERE command_id = ?",
                held.commandId().value())
            .get(0);
    assertThat(row).containsEntry("reason", "quiet_hours");
    assertThat((String) row.get("detail")).contains("in Asia/Jakarta");
    Instant until = ((Timestamp) row.get("until_at")).toInstant();
    Instant expected = new QuietWindow(start, end).deferUntil(JAKARTA, before);
    assertThat(until).isBetween(expected.minusSeconds(60), expected.plusSeconds(60));
    assertThat(
            query(
                    "SELECT status, claimed_at FROM deliveries WHERE command_id = ?",
                    held.commandId().value())
                .get(0))
        .containsEntry("status", "claimed")
        .containsEntry("claimed_at", null); // released: a crash now leaves it sendable
    assertThat(counter(app, "herald.sender.deferred", "reason", "quiet_hours")).isEqualTo(1.0);
  }
}
