package io.herald.sender.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.topic.Topics;
import io.herald.sender.app.SenderApp;
import io.herald.testsupport.FakeWhatsAppApi;
import io.herald.testsupport.FakeWhatsAppApi.Answer;
import io.herald.testsupport.FakeWhatsAppApi.Request;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 §3, the fenced ledger (ADR 0017): sender A's first call of a command is answered 503 and
 * A waits out a long retry backoff; meanwhile A's poll loop stalls (a {@link StallingInterceptor},
 * standing for a long GC pause) so the group moves the partition to sender B, whose call of the
 * same command is slow to answer. A's retry fires while B's call is in flight and B's row is {@code
 * claimed}: without fencing A would begin its attempt and call a second time; fenced, the ledger
 * refuses A and B's outcome is the row's.
 */
class ZombieSenderIT extends SenderItSupport {

  private static final int PARTITION = 0;

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
    StallingInterceptor.releaseAll();
    tearDownApps();
  }

  @Test
  void shouldRefuseTheZombiesRetryAndKeepTheLiveOwnersOutcome() throws Exception {
    String device = cloudDevice();
    String to = phone(4242);
    SendCommand c =
        command(
            device,
            "recurring:" + UUID.randomUUID(),
            Instant.parse("2026-08-01T10:00:00Z"),
            to,
            PacingSpec.none());
    // A's call: 503 (retryable); B's call: accepted, but only after 25 s
    fake.enqueueFor(to, Answer.serviceUnavailable(), Answer.ok().withDelay(Duration.ofSeconds(25)));

    Map<String, String> envA = env();
    envA.put("HERALD_SENDER_RETRY_BASE", "PT24S"); // A retries 12..24 s after its 503
    envA.put("HERALD_SENDER_RETRY_MAX", "PT24S");
    envA.put("KAFKA_INTERCEPTOR_CLASSES", StallingInterceptor.class.getName());
    envA.put("KAFKA_MAX_POLL_INTERVAL_MS", "4000");
    SenderApp a = startSender(envA);
    await("A ready").atMost(Duration.ofSeconds(30)).until(a::ready);

    produce(List.of(c), PARTITION);
    await("A's first call, answered 503")
        .atMost(Duration.ofSeconds(20))
        .until(() -> fake.requestsTo(to).size() == 1);

    // A's poll loop stalls on the next record of the partition: A becomes a zombie
    String trigger = "stall-" + UUID.randomUUID();
    StallingInterceptor.arm(trigger);
    produceRaw(
        List.of(
            new ProducerRecord<>(
                Topics.SEND_COMMANDS.name(),
                PARTITION,
                trigger.getBytes(StandardCharsets.UTF_8),
                "not a command".getBytes(StandardCharsets.UTF_8))));
    await("A stalled")
        .atMost(Duration.ofSeconds(10))
        .until(() -> StallingInterceptor.stalled() == 1);

    Map<String, String> envB = env();
    envB.put("HERALD_SENDER_HTTP_TIMEOUT", "PT60S");
    envB.put("HERALD_SENDER_REVOKE_TIMEOUT", "PT65S");
    SenderApp b = startSender(envB);
    await("B owns the partition").atMost(Duration.ofSeconds(30)).until(b::ready);
    await("B's call of the command")
        .atMost(Duration.ofSeconds(20))
        .until(() -> fake.requestsTo(to).size() == 2);
    assertThat(query("SELECT status FROM deliveries WHERE command_id = ?", c.commandId().value()))
        .as("B's call in flight: the row is claimed when A's retry comes")
        .containsExactly(Map.of("status", "claimed"));

    await("A's retry refused by the ledger")
        .atMost(Duration.ofSeconds(40))
        .until(() -> counter(a, "herald.sender.claims.lost") == 1.0);
    await("B's outcome recorded")
        .atMost(Duration.ofSeconds(40))
        .until(() -> "sent".equals(statuses().get(c.commandId().value())));

    List<Request> calls = fake.requestsTo(to);
    assertThat(calls).extracting(Request::status).containsExactly(503, 200);
    assertThat(calls.stream().filter(r -> r.status() == 200)).as("accepted calls").hasSize(1);
    Map<String, Object> row =
        query(
                "SELECT status, attempts, claimed_by, transport_message_id FROM deliveries"
                    + " WHERE command_id = ?",
                c.commandId().value())
            .get(0);
    assertThat(row.get("status")).isEqualTo("sent");
    assertThat(row.get("claimed_by")).as("written by the live owner").isEqualTo(b.instanceId());
    assertThat(row.get("attempts")).isEqualTo(2);
    assertThat(row.get("transport_message_id")).isEqualTo(calls.get(1).messageId());
    assertThat(counter(b, "herald.sender.claims.lost")).isZero();
  }
}
