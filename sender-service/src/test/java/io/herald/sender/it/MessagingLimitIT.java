package io.herald.sender.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.MessageTemplate;
import io.herald.contracts.event.PacingSpec;
import io.herald.sender.app.SenderApp;
import io.herald.testsupport.FakeWhatsAppApi;
import java.sql.Timestamp;
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
 * Issue 18 §5 (ADR 0021): a business number on a 1,000 tier sends a 3,000-recipient template
 * broadcast to 1,000 recipients outside their window and defers the other 2,000 — visibly, with the
 * reason and when the next slot frees — never fails them.
 */
class MessagingLimitIT extends SenderItSupport {

  private static final int RECIPIENTS = 3_000;
  private static final int TIER = 1_000;

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
  void shouldSendUpToTheTierAndDeferTheRestWithTheReason() throws Exception {
    String device =
        insertDevice(
            "whatsapp_cloud",
            "{\"phone_number_id\":\"1234567890\",\"token_env\":\"" + TOKEN_ENV + "\"}",
            1_000.0);
    update("UPDATE devices SET messaging_limit = ? WHERE id = ?::uuid", TIER, device);
    Map<String, String> env = env();
    // the whole broadcast in the lane's memory, so that every deferral is written now
    env.put("HERALD_SENDER_DEVICE_READ_AHEAD", "4000");
    env.put("HERALD_SENDER_SCHEDULE_READ_AHEAD", "4000");
    SenderApp app = startSender(env);
    await("sender ready").atMost(Duration.ofSeconds(30)).until(app::ready);

    MessageTemplate template =
        new MessageTemplate(
            "promo",
            "en_US",
            List.of(
                new MessageTemplate.Component(
                    "body",
                    null,
                    null,
                    List.of(new MessageTemplate.Parameter("text", "x", null)))));
    UUID broadcast = UUID.randomUUID();
    Instant occurrence = Instant.parse("2026-06-01T08:00:00Z");
    List<SendCommand> commands = new ArrayList<>();
    for (int i = 0; i < RECIPIENTS; i++) {
      SendCommand c =
          command(
              device, "broadcast:" + broadcast, occurrence, phone(950_000 + i), PacingSpec.none());
      commands.add(
          new SendCommand(
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
              null,
              template,
              null));
    }
    Instant start = Instant.now();
    produce(commands, null);

    await("the tier sent, the rest deferred")
        .atMost(Duration.ofSeconds(120))
        .until(
            () ->
                sentOf(commands) == TIER
                    && count(
                            "SELECT count(*) AS n FROM deferred_sends WHERE schedule_id = ?",
                            broadcast)
                        == RECIPIENTS - TIER);
    Thread.sleep(2_000); // nothing more goes out
    assertThat(sentOf(commands)).isEqualTo(TIER);
    assertThat(fake.requests()).allMatch(r -> r.type().equals("template"));
    assertThat(
            count(
                "SELECT count(*) AS n FROM deliveries WHERE schedule_id = ? AND status = 'failed'",
                broadcast))
        .isZero();
    assertThat(
            count(
                "SELECT count(*) AS n FROM messaging_limit_recipients WHERE device_id = ?::uuid",
                device))
        .isEqualTo(TIER);

    List<Map<String, Object>> deferred =
        query(
            "SELECT reason, detail, until_at FROM deferred_sends WHERE schedule_id = ?", broadcast);
    assertThat(deferred)
        .allSatisfy(
            row -> {
              assertThat(row.get("reason")).isEqualTo("messaging_limit");
              assertThat((String) row.get("detail"))
                  .startsWith("messaging limit reached: 1000 of 1000 unique recipients");
              Instant until = ((Timestamp) row.get("until_at")).toInstant();
              // when the first recipient counted leaves the rolling 24 hours
              assertThat(until)
                  .isBetween(
                      start.plus(Duration.ofHours(24)), Instant.now().plus(Duration.ofHours(24)));
            });
    assertThat(counter(app, "herald.sender.deferred", "reason", "messaging_limit"))
        .isGreaterThanOrEqualTo(RECIPIENTS - TIER);
  }

  private long sentOf(List<SendCommand> commands) {
    java.util.Set<String> ids = new java.util.HashSet<>();
    commands.forEach(c -> ids.add(c.commandId().value()));
    return fake.requests().stream()
        .filter(r -> r.status() == 200 && r.commandId().map(ids::contains).orElse(false))
        .count();
  }

  private long count(String sql, Object... params) throws Exception {
    return ((Number) query(sql, params).get(0).get("n")).longValue();
  }
}
