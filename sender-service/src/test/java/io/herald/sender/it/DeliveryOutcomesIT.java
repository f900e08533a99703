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
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One sender for the class; every test uses its own devices and schedules. Retries, permanent
 * failures, account danger, duplicates, dead letters, opt-out, tenant isolation and expiry.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeliveryOutcomesIT extends SenderItSupport {

  private static final Instant OCCURRENCE = Instant.parse("2026-06-01T09:00:00Z");
  private SenderApp sender;

  @BeforeAll
  void start() throws Exception {
    setUpInfra();
    fake = FakeWhatsAppApi.start();
    startGroupAtEnd();
    Map<String, String> env = env();
    // the retry test calls one recipient three times; the pair gap is covered in PacerTest
    env.put("HERALD_SENDER_PAIR_GAP", "PT0.2S");
    sender = startSender(env);
    await("sender ready").atMost(Duration.ofSeconds(30)).until(sender::ready);
  }

  @AfterAll
  void stop() {
    tearDownApps();
  }

  private SendCommand one(String device, String recipient, PacingSpec pacing) {
    return command(device, "recurring:" + UUID.randomUUID(), OCCURRENCE, recipient, pacing);
  }

  private Map<String, Object> delivery(SendCommand c) throws Exception {
    List<Map<String, Object>> rows =
        query("SELECT * FROM deliveries WHERE command_id = ?", c.commandId().value());
    return rows.isEmpty() ? Map.of() : rows.get(0);
  }

  private String status(SendCommand c) throws Exception {
    return (String) delivery(c).get("status");
  }

  @Test
  void shouldRetryAndSlowDownWhenRateLimitedTwice() throws Exception {
    String device = cloudDevice();
    String to = phone(1001);
    Answer throttled = Answer.error(429, 130429, "(#130429) Rate limit hit");
    fake.enqueueFor(to, throttled, throttled);
    double retriesBefore = counter(sender, "herald.sender.retries");
    SendCommand c = one(device, to, new PacingSpec("adaptive", 1, false, null, null));

    produce(List.of(c), null);

    await("sent after retries")
        .atMost(Duration.ofSeconds(30))
        .until(() -> "sent".equals(status(c)));
    List<Request> calls = fake.requestsTo(to);
    assertThat(calls)
        .hasSize(3)
        .allSatisfy(r -> assertThat(r.commandId()).contains(c.commandId().value()));
    assertThat(delivery(c)).containsEntry("attempts", 3);
    assertThat(counter(sender, "herald.sender.retries") - retriesBefore).isEqualTo(2.0);
    // adaptive: 1 s doubled to 2 s after the first 130429, to 4 s after the second
    Duration first = Duration.between(calls.get(0).receivedAt(), calls.get(1).receivedAt());
    Duration second = Duration.between(calls.get(1).receivedAt(), calls.get(2).receivedAt());
    assertThat(first).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
    assertThat(second).isGreaterThanOrEqualTo(Duration.ofMillis(3900)).isGreaterThan(first);
    assertThat(gauge(sender, "herald.sender.adaptive.factor.max")).isGreaterThan(1.0);
  }

  private Timer timer(String name, String answer) {
    return answer == null
        ? sender.registry().find(name).timer()
        : sender.registry().find(name).tag("answer", answer).timer();
  }

  @Test
  void shouldObserveASendTimePerCallAndOneQueueTimeUpToTheAnswerWhenSentAfterARetry()
      throws Exception {
    String device = cloudDevice();
    String to = phone(1010);
    fake.enqueueFor(to, Answer.error(429, 130429, "(#130429) Rate limit hit"));
    long transientBefore = timer("herald.sender.send.time", "transient").count();
    long sentBefore = timer("herald.sender.send.time", "sent").count();
    Timer queue = timer("herald.sender.queue.time", null);
    long queuedBefore = queue.count();
    double queueNanosBefore = queue.totalTime(TimeUnit.NANOSECONDS);
    SendCommand c = one(device, to, PacingSpec.none());

    produce(List.of(c), null);

    await("sent after a retry")
        .atMost(Duration.ofSeconds(30))
        .until(() -> "sent".equals(status(c)));
    assertThat(timer("herald.sender.send.time", "transient").count() - transientBefore)
        .isEqualTo(1);
    assertThat(timer("herald.sender.send.time", "sent").count() - sentBefore).isEqualTo(1);
    assertThat(queue.count() - queuedBefore).isEqualTo(1);
    // due → sent ends at the answer the ledger recorded as finished_at (stored to the µs)
    Object finished = delivery(c).get("finished_at");
    Instant sentAt =
        finished instanceof java.sql.Timestamp ts
            ? ts.toInstant()
            : ((java.time.OffsetDateTime) finished).toInstant();
    double observed = queue.totalTime(TimeUnit.NANOSECONDS) - queueNanosBefore;
    assertThat(observed)
        .isCloseTo(
            (double) Duration.between(OCCURRENCE, sentAt).toNanos(),
            org.assertj.core.data.Offset.offset(1_000_000.0));
  }

  @Test
  void shouldFailWithoutRetryWhenUndeliverable() throws Exception {
    String device = cloudDevice();
    String to = phone(1002);
    fake.enqueueFor(to, Answer.undeliverable());
    SendCommand c = one(device, to, PacingSpec.none());

    produce(List.of(c), null);

    await("failed").atMost(Duration.ofSeconds(20)).until(() -> "failed".equals(status(c)));
    assertThat(fake.requestsTo(to)).hasSize(1);
    assertThat(delivery(c)).containsEntry("attempts", 1).containsEntry("error_code", "131026");
  }

  @Test
  void shouldPauseDeviceAndAlertWhenSpamLimitedThenResumeWhenOperatorClearsIt() throws Exception {
    String device = cloudDevice();
    String to1 = phone(1003);
    String to2 = phone(1004);
    fake.enqueueFor(to1, Answer.spamRateLimited());
    double pausedBefore = counter(sender, "herald.sender.device.paused");
    SendCommand first = one(device, to1, PacingSpec.none());
    SendCommand held = one(device, to2, PacingSpec.none());

    produce(List.of(first, held), null);

    await("first failed")
        .atMost(Duration.ofSeconds(20))
        .until(() -> "failed".equals(status(first)));
    assertThat(delivery(first)).containsEntry("error_code", "131048").containsEntry("attempts", 1);
    assertThat(counter(sender, "herald.sender.device.paused") - pausedBefore).isEqualTo(1.0);
    await("device paused in the database and the gauge")
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                "paused"
                        .equals(
                            query(
                                    "SELECT status FROM devices WHERE id = ?",
                                    UUID.fromString(device))
                                .get(0)
                                .get("status"))
                    && gauge(sender, "herald.sender.paused.devices") >= 1.0);
    assertThat(
            (String)
                query("SELECT paused_reason FROM devices WHERE id = ?", UUID.fromString(device))
                    .get(0)
                    .get("paused_reason"))
        .startsWith("131048");
    // the second command waits: not sent, not recorded
    assertThat(fake.requestsTo(to2)).isEmpty();
    assertThat(status(held)).isNull();

    update(
        "UPDATE devices SET status = 'active', paused_reason = NULL WHERE id = ?",
        UUID.fromString(device));

    await("held command sent after resume")
        .atMost(Duration.ofSeconds(20))
        .until(() -> "sent".equals(status(held)));
    assertThat(fake.requestsTo(to2)).hasSize(1);
    await("gauge back")
        .atMost(Duration.ofSeconds(5))
        .until(() -> gauge(sender, "herald.sender.paused.devices") == 0.0);
  }

  @Test
  void shouldSendOnceWhenSameCommandProducedTwice() throws Exception {
    String device = cloudDevice();
    String to = phone(1005);
    SendCommand c = one(device, to, PacingSpec.none());
    double before = counter(sender, "herald.sender.duplicates.suppressed");

    produce(List.of(c, c), null);

    await("duplicate suppressed")
        .atMost(Duration.ofSeconds(20))
        .until(() -> counter(sender, "herald.sender.duplicates.suppressed") - before >= 1.0);
    assertThat(status(c)).isEqualTo("sent");
    assertThat(fake.requestsTo(to)).hasSize(1);
  }

  @Test
  void shouldDeadLetterAndCarryOnWhenRecordsAreUnreadable() throws Exception {
    String device = cloudDevice();
    String marker = "dlq-" + UUID.randomUUID();
    SendCommand good = one(device, phone(1006), PacingSpec.none());
    byte[] missingId =
        ("{\"schemaVersion\":1,\"deviceId\":\"" + device + "\",\"recipient\":\"+6281\"}")
            .getBytes(StandardCharsets.UTF_8);
    List<ProducerRecord<byte[], byte[]>> raw = new ArrayList<>();
    raw.add(
        new ProducerRecord<>(
            Topics.SEND_COMMANDS.name(),
            0,
            key(marker),
            "not json {".getBytes(StandardCharsets.UTF_8)));
    raw.add(new ProducerRecord<>(Topics.SEND_COMMANDS.name(), 0, key(marker), missingId));
    raw.add(
        new ProducerRecord<>(
            Topics.SEND_COMMANDS.name(),
            0,
            key(device),
            Topics.SEND_COMMANDS.valueSerde().serializer().serialize("t", good)));
    double before = counter(sender, "herald.sender.dead.letters");

    produceRaw(raw);

    await("good command sent after the poison ones")
        .atMost(Duration.ofSeconds(20))
        .until(() -> "sent".equals(status(good)));
    assertThat(counter(sender, "herald.sender.dead.letters") - before).isEqualTo(2.0);
    List<ConsumerRecord<byte[], byte[]>> dead = readDlq(marker, 2);
    assertThat(dead).hasSize(2);
    assertThat(header(dead.get(0), Topics.DLQ_HEADER_TOPIC)).isEqualTo(Topics.SEND_COMMANDS.name());
    assertThat(header(dead.get(0), Topics.DLQ_HEADER_PARTITION)).isEqualTo("0");
    assertThat(header(dead.get(0), Topics.DLQ_HEADER_OFFSET)).matches("\\d+");
    assertThat(header(dead.get(0), Topics.DLQ_HEADER_REASON)).isEqualTo("not a SendCommand");
    // every problem is listed, the first one first
    assertThat(header(dead.get(1), Topics.DLQ_HEADER_REASON)).startsWith("missing commandId");
    assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("not json {");
  }

  @Test
  void shouldSkipWithoutCallWhenContactOptedOutAfterFiring() throws Exception {
    String device = cloudDevice();
    String to = phone(1007);
    update(
        "INSERT INTO contacts (user_id, phone_number, name, opted_out) VALUES (?, ?, 'x', true)",
        UUID.fromString(tenant),
        to);
    SendCommand c = one(device, to, PacingSpec.none());

    produce(List.of(c), null);

    await("skipped").atMost(Duration.ofSeconds(20)).until(() -> "skipped".equals(status(c)));
    assertThat(delivery(c)).containsEntry("error_code", "opted_out");
    assertThat(fake.requestsTo(to)).isEmpty();
  }

  @Test
  void shouldFailWithoutCallWhenDeviceBelongsToAnotherTenant() throws Exception {
    String foreign =
        insertDevice(
            UUID.randomUUID().toString(),
            "whatsapp_cloud",
            "{\"phone_number_id\":\"1\",\"token_env\":\"" + TOKEN_ENV + "\"}",
            null);
    String to = phone(1008);
    SendCommand c = one(foreign, to, PacingSpec.none());

    produce(List.of(c), null);

    await("failed").atMost(Duration.ofSeconds(20)).until(() -> "failed".equals(status(c)));
    assertThat(delivery(c)).containsEntry("error_code", "tenant_mismatch");
    assertThat(fake.requestsTo(to)).isEmpty();
  }

  @Test
  void shouldMarkRowInvalidAndSendNothingWhenDeviceReachesOutsideThePolicy() throws Exception {
    // ADR 0014: the database password is no token, and a row cannot pick where tokens go
    String dbPassword =
        insertDevice(
            "whatsapp_cloud",
            "{\"phone_number_id\":\"1\",\"token_env\":\"HERALD_SENDER_JDBC_PASSWORD\"}",
            null);
    String elsewhere =
        insertDevice(
            "whatsapp_cloud",
            "{\"phone_number_id\":\"1\",\"token_env\":\""
                + TOKEN_ENV
                + "\",\"base_url\":\"http://localhost:" // the fake, but not as allowlisted
                + fake.port()
                + "\"}",
            null);
    String to1 = phone(1010);
    String to2 = phone(1011);
    SendCommand c1 = one(dbPassword, to1, PacingSpec.none());
    SendCommand c2 = one(elsewhere, to2, PacingSpec.none());

    produce(List.of(c1, c2), null);

    await("failed")
        .atMost(Duration.ofSeconds(20))
        .until(() -> "failed".equals(status(c1)) && "failed".equals(status(c2)));
    assertThat(delivery(c1))
        .containsEntry("error_code", "invalid_device_config")
        .hasEntrySatisfying(
            "error_message",
            m -> assertThat((String) m).contains("'HERALD_SENDER_JDBC_PASSWORD' is a reserved"));
    assertThat(delivery(c2))
        .containsEntry("error_code", "invalid_device_config")
        .hasEntrySatisfying(
            "error_message", m -> assertThat((String) m).contains("HERALD_SENDER_URL_ALLOWLIST"));
    // the tenant sees why on the device row itself
    await("rows marked")
        .atMost(Duration.ofSeconds(10))
        .until(() -> "invalid".equals(deviceRow(dbPassword).get("status")));
    assertThat((String) deviceRow(dbPassword).get("last_error"))
        .contains("'HERALD_SENDER_JDBC_PASSWORD' is a reserved");
    await("second row marked")
        .atMost(Duration.ofSeconds(10))
        .until(() -> "invalid".equals(deviceRow(elsewhere).get("status")));
    assertThat((String) deviceRow(elsewhere).get("last_error"))
        .contains("HERALD_SENDER_URL_ALLOWLIST");
    assertThat(fake.requestsTo(to1)).isEmpty();
    assertThat(fake.requestsTo(to2)).isEmpty();

    // the tenant fixes the row: the next command finds it usable, Herald lifts its own mark
    update(
        "UPDATE devices SET transport_config = ?::jsonb WHERE id = ?::uuid",
        "{\"phone_number_id\":\"1\",\"token_env\":\"" + TOKEN_ENV + "\"}",
        dbPassword);
    // a sender sees a row change within HERALD_SENDER_DEVICE_REFRESH (0.5 s here): a command
    // sooner may still meet the cached, unfixed row (CI once) and fail like the first
    Thread.sleep(1_500);
    SendCommand again = one(dbPassword, phone(1012), PacingSpec.none());
    produce(List.of(again), null);
    await("sent after the fix")
        .atMost(Duration.ofSeconds(20))
        .until(() -> "sent".equals(status(again)));
    assertThat(fake.requestsTo(phone(1012))).hasSize(1);
    await("mark lifted")
        .atMost(Duration.ofSeconds(10))
        .until(() -> "active".equals(deviceRow(dbPassword).get("status")));
    assertThat(deviceRow(dbPassword).get("last_error")).isNull();
    // the row still outside the policy stays marked, with its reason
    assertThat(deviceRow(elsewhere)).containsEntry("status", "invalid");
  }

  private Map<String, Object> deviceRow(String id) throws SQLException {
    return query("SELECT status, last_error FROM devices WHERE id = ?::uuid", id).get(0);
  }

  @Test
  void shouldExpireWithoutCallWhenPastNotAfter() throws Exception {
    String device = cloudDevice();
    String to = phone(1009);
    SendCommand base = one(device, to, PacingSpec.none());
    SendCommand late =
        new SendCommand(
            base.schemaVersion(),
            base.commandId(),
            base.tenantId(),
            base.deviceId(),
            base.scheduleKey(),
            base.kind(),
            base.occurrenceAt(),
            base.recipient(),
            base.recipientType(),
            base.contactId(),
            base.text(),
            base.mediaUrl(),
            base.pacing(),
            base.attempt(),
            Instant.now().minusSeconds(60));

    produce(List.of(late), null);

    await("expired").atMost(Duration.ofSeconds(20)).until(() -> "expired".equals(status(late)));
    assertThat(fake.requestsTo(to)).isEmpty();
  }

  private List<ConsumerRecord<byte[], byte[]>> readDlq(String marker, int expected) {
    Map<String, Object> cfg = new HashMap<>(broker.clientConfig());
    cfg.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(cfg, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(Topics.SEND_COMMANDS.dlqName(), 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      await("dead letters")
          .atMost(Duration.ofSeconds(15))
          .until(
              () -> {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                  if (r.key() != null
                      && marker.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                    found.add(r);
                  }
                }
                return found.size() >= expected;
              });
    }
    return found;
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
