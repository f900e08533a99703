package io.herald.sender.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.outcome.DeliveryResult;
import io.herald.contracts.outcome.DeliveryStatus;
import io.herald.contracts.topic.Topics;
import io.herald.sender.app.SenderApp;
import io.herald.testsupport.FakeWhatsAppApi;
import io.herald.testsupport.FakeWhatsAppApi.Answer;
import io.herald.testsupport.FakeWhatsAppApi.Request;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Invariant 2 when WhatsApp receives a request and never answers (reliability fault 7: the HTTP
 * timeout was retried and the message went out twice). A request that may have been received is
 * never resent in at-most-once mode: its command is reported {@code unknown}, like a crash
 * mid-call. At-least-once resends it. The fake hangs on the first request of one command; the
 * sender's HTTP timeout is 1 s.
 */
class NoAnswerIT extends SenderItSupport {

  private static final Instant OCCURRENCE = Instant.parse("2026-07-01T09:00:00Z");

  private String hangingDevice;
  private String healthyDevice;
  private SendCommand hung;
  private SendCommand afterHung;
  private List<SendCommand> healthy;

  @BeforeAll
  static void infra() {
    setUpInfra();
  }

  @BeforeEach
  void start() throws Exception {
    fake = FakeWhatsAppApi.start();
    startGroupAtEnd();
    hangingDevice = cloudDevice();
    healthyDevice = cloudDevice();
    String schedule = "recurring:" + UUID.randomUUID();
    hung = command(hangingDevice, schedule, OCCURRENCE, phone(2001), PacingSpec.none());
    afterHung = command(hangingDevice, schedule, OCCURRENCE, phone(2002), PacingSpec.none());
    healthy = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      healthy.add(command(healthyDevice, schedule, OCCURRENCE, phone(2010 + i), PacingSpec.none()));
    }
    // the first request of the hung command is received and never answered; any later one is 200
    fake.enqueueFor(hung.recipient(), Answer.hang());
  }

  @AfterEach
  void stop() {
    tearDownApps();
  }

  private SenderApp sender(String mode) {
    Map<String, String> env = env();
    env.put("HERALD_SENDER_HTTP_TIMEOUT", "PT1S");
    env.put("HERALD_SENDER_PAIR_GAP", "PT0.2S");
    env.put("HERALD_SENDER_DELIVERY_MODE", mode);
    SenderApp app = startSender(env);
    await("sender ready").atMost(Duration.ofSeconds(30)).until(app::ready);
    return app;
  }

  /** All commands on one partition: the hanging device shares it with the healthy one. */
  private void produceAll() {
    List<SendCommand> all = new ArrayList<>();
    all.add(hung);
    all.add(afterHung);
    all.addAll(healthy);
    produce(all, 0);
  }

  private Map<String, Object> delivery(SendCommand c) throws Exception {
    List<Map<String, Object>> rows =
        query("SELECT * FROM deliveries WHERE command_id = ?", c.commandId().value());
    return rows.isEmpty() ? Map.of() : rows.get(0);
  }

  private long requests(SendCommand c) {
    return requestsPerCommand().getOrDefault(c.commandId().value(), 0L);
  }

  @Test
  void shouldReportUnknownAndSendOnceWhenNoAnswerInAtMostOnce() throws Exception {
    SenderApp sender = sender("at_most_once");

    produceAll();

    await("every command has an outcome")
        .atMost(Duration.ofSeconds(30))
        .until(() -> statuses().size() == 7 && !statuses().containsValue("claimed"));
    Map<String, String> statuses = statuses();
    assertThat(statuses).containsEntry(hung.commandId().value(), "unknown");
    assertThat(delivery(hung))
        .containsEntry("attempts", 1)
        .containsEntry("error_code", "timeout")
        .containsEntry(
            "error_message",
            "no answer within PT1S; the message may have been delivered; not resent"
                + " (at-most-once)");
    assertThat(counter(sender, "herald.sender.unknown.outcomes")).isEqualTo(1.0);
    assertThat(counter(sender, "herald.sender.deliveries", "result", "unknown")).isEqualTo(1.0);
    assertThat(counter(sender, "herald.sender.retries")).isZero();
    DeliveryResult result = awaitResult(hung);
    assertThat(result.status()).isEqualTo(DeliveryStatus.UNKNOWN);
    assertThat(result.attempts()).isEqualTo(1);
    assertThat(result.errorCode()).isEqualTo("timeout");
    // exactly one request, and none later (a retry would follow within half a second)
    await("no resend")
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(3))
        .until(() -> requests(hung) == 1);

    // the device's next command and the other device on the partition are not affected
    assertThat(statuses).containsEntry(afterHung.commandId().value(), "sent");
    assertThat(requests(afterHung)).isEqualTo(1);
    for (SendCommand c : healthy) {
      assertThat(statuses).containsEntry(c.commandId().value(), "sent");
      assertThat(requests(c)).isEqualTo(1);
    }
    Instant lastHealthy =
        healthy.stream()
            .flatMap(c -> fake.requestsTo(c.recipient()).stream())
            .map(Request::receivedAt)
            .max(Instant::compareTo)
            .orElseThrow();
    assertThat(lastHealthy)
        .as("the healthy device did not wait for the hung call's timeout")
        .isBefore(result.finishedAt());

    // a replay of the command (rebalance, scheduler re-fire) is suppressed: unknown is final
    double suppressed = counter(sender, "herald.sender.duplicates.suppressed");
    produce(List.of(hung), 0);
    await("replay suppressed")
        .atMost(Duration.ofSeconds(15))
        .until(() -> counter(sender, "herald.sender.duplicates.suppressed") > suppressed);
    assertThat(requests(hung)).isEqualTo(1);
    assertThat(statuses()).containsEntry(hung.commandId().value(), "unknown");
  }

  @Test
  void shouldResendAndSendWhenNoAnswerInAtLeastOnce() throws Exception {
    SenderApp sender = sender("at_least_once");

    produceAll();

    await("every command has an outcome")
        .atMost(Duration.ofSeconds(30))
        .until(() -> statuses().size() == 7 && !statuses().containsValue("claimed"));
    assertThat(statuses())
        .containsEntry(hung.commandId().value(), "sent")
        .doesNotContainValue("unknown");
    assertThat(requests(hung)).isEqualTo(2);
    assertThat(delivery(hung)).containsEntry("attempts", 2);
    assertThat(counter(sender, "herald.sender.unknown.outcomes")).isZero();
    assertThat(counter(sender, "herald.sender.retries")).isEqualTo(1.0);
    assertThat(awaitResult(hung).status()).isEqualTo(DeliveryStatus.SENT);
    for (SendCommand c : healthy) {
      assertThat(requests(c)).isEqualTo(1);
    }
  }

  /** The command's result on herald.delivery-results. */
  private DeliveryResult awaitResult(SendCommand c) {
    Map<String, Object> cfg = new HashMap<>(broker.clientConfig());
    cfg.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<DeliveryResult> found = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(cfg, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      for (int p = 0; p < PARTITIONS; p++) {
        parts.add(new TopicPartition(Topics.DELIVERY_RESULTS.name(), p));
      }
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      await("delivery result of " + c.commandId())
          .atMost(Duration.ofSeconds(15))
          .until(
              () -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                  DeliveryResult d;
                  try {
                    d =
                        Topics.DELIVERY_RESULTS
                            .valueSerde()
                            .deserializer()
                            .deserialize(Topics.DELIVERY_RESULTS.name(), r.value());
                  } catch (SerializationException poisonOfAnotherTest) {
                    // The broker is shared: PoisonPipelineIT puts unreadable results here on
                    // purpose.
                    continue;
                  }
                  if (d != null && c.commandId().equals(d.commandId())) {
                    found.add(d);
                  }
                }
                return !found.isEmpty();
              });
    }
    return found.get(0);
  }
}
