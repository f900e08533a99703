package io.herald.sender.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.DeliveryResult;
import io.herald.contracts.outcome.DeliveryStatus;
import io.herald.contracts.topic.Topics;
import io.herald.sender.app.SenderApp;
import io.herald.testsupport.FakeWhatsAppApi;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Poison between good records: a send-command or a delivery result whose content cannot be handled
 * goes to its dead-letter topic with a reason (a command with a usable id is also recorded as a
 * failed delivery), the good records around it are delivered and projected, and the consumer and
 * the projector keep running and ready.
 */
class PoisonPipelineIT extends SenderItSupport {

  private static final Instant OCCURRENCE = Instant.parse("2026-07-01T09:00:00Z");
  private SenderApp sender;

  @BeforeAll
  static void infra() {
    setUpInfra();
    broker.createTopic(Topics.DELIVERY_RESULTS.dlqName(), 1);
  }

  @BeforeEach
  void start() throws Exception {
    fake = FakeWhatsAppApi.start();
    startGroupAtEnd();
    sender = startSenderAndAwaitReady();
  }

  @AfterEach
  void stop() {
    tearDownApps();
  }

  @Test
  void shouldDeadLetterAndFailPoisonCommandsWhenGoodOnesAroundThemAreSent() throws Exception {
    String device = cloudDevice();
    String marker = "poison-" + UUID.randomUUID();
    String key = "recurring:" + UUID.randomUUID();
    SendCommand good1 = command(device, key, OCCURRENCE, phone(7001), PacingSpec.none());
    SendCommand good2 = command(device, key, OCCURRENCE, phone(7002), PacingSpec.none());
    SendCommand longDevice =
        with(
            command(device, key, OCCURRENCE, phone(7003), PacingSpec.none()),
            "deviceId",
            "d".repeat(50_000));
    SendCommand longText =
        with(
            command(device, key, OCCURRENCE, phone(7004), PacingSpec.none()),
            "text",
            "\uD83D\uDE00".repeat(5_000)); // 5,000 code points, 20,000 bytes
    SendCommand noKind =
        with(command(device, key, OCCURRENCE, phone(7005), PacingSpec.none()), "kind", null);
    SendCommand absurdId =
        with(
            command(device, key, OCCURRENCE, phone(7006), PacingSpec.none()),
            "commandId",
            new CommandId("c".repeat(10_000)));
    double deadBefore = counter(sender, "herald.sender.dead.letters");

    List<ProducerRecord<byte[], byte[]>> raw = new ArrayList<>();
    raw.add(record(device, good1));
    raw.add(record(marker, longDevice));
    raw.add(record(marker, longText));
    raw.add(record(marker, noKind));
    raw.add(record(marker, absurdId));
    raw.add(record(device, good2));
    produceRaw(raw);

    await("good commands sent after and before the poison")
        .atMost(Duration.ofSeconds(30))
        .until(() -> "sent".equals(status(good1)) && "sent".equals(status(good2)));
    await("poison commands recorded as failed")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                "failed".equals(status(longDevice))
                    && "failed".equals(status(longText))
                    && "failed".equals(status(noKind)));
    assertThat(delivery(longDevice))
        .containsEntry("error_code", "invalid_command")
        .containsEntry("device_id", null);
    assertThat((String) delivery(longDevice).get("error_message"))
        .isEqualTo("deviceId longer than 128 characters (50000)");
    assertThat((String) delivery(longText).get("error_message"))
        .isEqualTo("text longer than 4096 characters (5000)");
    assertThat((String) delivery(noKind).get("error_message")).isEqualTo("missing kind");
    assertThat(query("SELECT 1 FROM deliveries WHERE command_id LIKE 'ccccc%'")).isEmpty();

    List<ConsumerRecord<byte[], byte[]>> dead = readDlq(Topics.SEND_COMMANDS.dlqName(), marker, 4);
    assertThat(dead)
        .extracting(r -> header(r, Topics.DLQ_HEADER_REASON))
        .containsExactly(
            "deviceId longer than 128 characters (50000)",
            "text longer than 4096 characters (5000)",
            "missing kind",
            "commandId longer than 128 characters (10000)");
    assertThat(counter(sender, "herald.sender.dead.letters") - deadBefore).isEqualTo(4.0);
    assertThat(fake.requestCount()).isEqualTo(2);

    // the failed results reach the results topic too, and every record counts as done
    await("failed results published")
        .atMost(Duration.ofSeconds(20))
        .until(() -> resultsFor(List.of(longDevice, longText, noKind)).size() == 3);
    assertThat(resultsFor(List.of(longText)).get(0).status()).isEqualTo(DeliveryStatus.FAILED);
    await("offsets committed past every record")
        .atMost(Duration.ofSeconds(20))
        .until(this::committedAtEndOfPartitionZero);
    assertThat(sender.ready()).isTrue();
  }

  @Test
  void shouldFailOnlyItsCommandsWhenADeviceConfigIsOversized() throws Exception {
    String good = cloudDevice();
    String oversized =
        insertDevice(
            "whatsapp_cloud",
            "{\"phone_number_id\":\"1\",\"junk\":\"" + "x".repeat(20_000) + "\"}",
            null);
    String key = "recurring:" + UUID.randomUUID();
    SendCommand toBad = command(oversized, key, OCCURRENCE, phone(7101), PacingSpec.none());
    SendCommand toGood = command(good, key, OCCURRENCE, phone(7102), PacingSpec.none());

    produce(List.of(toBad, toGood), 0);

    await("good device's command sent, oversized device's command failed")
        .atMost(Duration.ofSeconds(30))
        .until(() -> "sent".equals(status(toGood)) && "failed".equals(status(toBad)));
    assertThat(delivery(toBad)).containsEntry("error_code", "invalid_device_config");
    assertThat((String) delivery(toBad).get("error_message"))
        .startsWith("transport_config is ")
        .contains("more than the 16384 allowed");
    assertThat(fake.requestsTo(phone(7101))).isEmpty();
    assertThat(sender.ready()).isTrue();
  }

  @Test
  void shouldDeadLetterPoisonResultsWhenGoodResultsInTheSameBatchAreProjected() throws Exception {
    String device = cloudDevice();
    UUID recurring = UUID.randomUUID();
    UUID tenantId = UUID.fromString(tenant);
    update(
        "INSERT INTO recurring_messages (id, user_id, device_id, name) VALUES (?, ?, ?, 'r')",
        recurring,
        tenantId,
        UUID.fromString(device));
    String rKey = "recurring:" + recurring;
    // two deliveries already recorded; their results arrive together with the poison
    for (int i = 0; i < 2; i++) {
      update(
          "INSERT INTO deliveries (command_id, user_id, device_id, schedule_kind, schedule_id,"
              + " occurrence_at, recipient, status, attempts, finished_at) VALUES (?, ?, ?,"
              + " 'recurring', ?, ?, ?, 'sent', 1, now())",
          "c1-poison-it-" + UUID.randomUUID(),
          tenantId,
          UUID.fromString(device),
          recurring,
          java.sql.Timestamp.from(OCCURRENCE),
          phone(7200 + i));
    }
    String marker = "poison-result-" + UUID.randomUUID();
    int partition =
        Utils.toPositive(Utils.murmur2(key(device))) % PARTITIONS; // where the sender's go
    double deadBefore = counter(sender, "herald.sender.projector.dead.letters");

    List<ProducerRecord<byte[], byte[]>> raw = new ArrayList<>();
    raw.add(resultRecord(partition, marker, "not json {".getBytes(StandardCharsets.UTF_8)));
    // a year PostgreSQL cannot store: the log-row insert fails with SQLState 22008
    raw.add(resultRecord(partition, marker, result(device, rKey, "+300000-01-01T00:00:00Z")));
    // an instant past any calendar: its conversion overflows and PostgreSQL refuses it too
    raw.add(resultRecord(partition, marker, result(device, rKey, "+1000000000-12-31T23:59:59Z")));
    raw.add(resultRecord(partition, key(device), result(device, rKey, OCCURRENCE.toString())));
    produceRaw(raw);

    await("good result projected despite the poison in its batch")
        .atMost(Duration.ofSeconds(40))
        .untilAsserted(
            () -> {
              Map<String, Object> r =
                  query("SELECT total_sent FROM recurring_messages WHERE id = ?", recurring).get(0);
              assertThat(r).containsEntry("total_sent", 2);
              assertThat(
                      query(
                          "SELECT sent_to_count FROM recurring_message_logs WHERE"
                              + " recurring_message_id = ?",
                          recurring))
                  .singleElement()
                  .satisfies(row -> assertThat(row).containsEntry("sent_to_count", 2));
            });
    List<ConsumerRecord<byte[], byte[]>> dead =
        readDlq(Topics.DELIVERY_RESULTS.dlqName(), marker, 3);
    assertThat(dead)
        .extracting(r -> header(r, Topics.DLQ_HEADER_TOPIC))
        .containsOnly(Topics.DELIVERY_RESULTS.name());
    assertThat(header(dead.get(0), Topics.DLQ_HEADER_REASON)).isEqualTo("not a DeliveryResult");
    assertThat(header(dead.get(1), Topics.DLQ_HEADER_REASON))
        .startsWith("projection refused the record")
        .contains("22008");
    assertThat(header(dead.get(2), Topics.DLQ_HEADER_REASON))
        .startsWith("projection refused the record");
    assertThat(counter(sender, "herald.sender.projector.dead.letters") - deadBefore)
        .isGreaterThanOrEqualTo(3.0);

    // the projector keeps going: a later good result is projected too
    SendCommand later = command(device, rKey, OCCURRENCE, phone(7210), PacingSpec.none());
    produce(List.of(later), null);
    await("later result projected")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                Integer.valueOf(3)
                    .equals(
                        query("SELECT total_sent FROM recurring_messages WHERE id = ?", recurring)
                            .get(0)
                            .get("total_sent")));
    assertThat(sender.ready()).isTrue();
  }

  // ---- helpers ------------------------------------------------------------------------------

  private Map<String, Object> delivery(SendCommand c) throws Exception {
    List<Map<String, Object>> rows =
        query("SELECT * FROM deliveries WHERE command_id = ?", c.commandId().value());
    return rows.isEmpty() ? Map.of() : rows.get(0);
  }

  private String status(SendCommand c) throws Exception {
    return (String) delivery(c).get("status");
  }

  private static ProducerRecord<byte[], byte[]> record(String key, SendCommand c) {
    return new ProducerRecord<>(
        Topics.SEND_COMMANDS.name(),
        0,
        key(key),
        Topics.SEND_COMMANDS.valueSerde().serializer().serialize("t", c));
  }

  private static ProducerRecord<byte[], byte[]> resultRecord(
      int partition, String marker, byte[] value) {
    return resultRecord(partition, key(marker), value);
  }

  private static ProducerRecord<byte[], byte[]> resultRecord(
      int partition, byte[] key, byte[] value) {
    return new ProducerRecord<>(Topics.DELIVERY_RESULTS.name(), partition, key, value);
  }

  private byte[] result(String device, String scheduleKey, String occurrence) {
    String json =
        "{\"schemaVersion\":1,\"commandId\":\"c1-r-"
            + UUID.randomUUID()
            + "\",\"tenantId\":\""
            + tenant
            + "\",\"deviceId\":\""
            + device
            + "\",\"scheduleKey\":\""
            + scheduleKey
            + "\",\"kind\":\"recurring\",\"occurrenceAt\":\""
            + occurrence
            + "\",\"status\":\"sent\",\"attempts\":1,\"finishedAt\":\"2026-07-01T09:00:01Z\"}";
    return json.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code c} with one field replaced (records have no withers). */
  private static SendCommand with(SendCommand c, String field, Object value) {
    return new SendCommand(
        c.schemaVersion(),
        field.equals("commandId") ? (CommandId) value : c.commandId(),
        c.tenantId(),
        field.equals("deviceId") ? (String) value : c.deviceId(),
        c.scheduleKey(),
        field.equals("kind") ? (ScheduleKind) value : c.kind(),
        c.occurrenceAt(),
        c.recipient(),
        c.recipientType(),
        c.contactId(),
        field.equals("text") ? (String) value : c.text(),
        c.mediaUrl(),
        c.pacing(),
        c.attempt(),
        c.notAfter());
  }

  private boolean committedAtEndOfPartitionZero() throws Exception {
    TopicPartition tp = new TopicPartition(Topics.SEND_COMMANDS.name(), 0);
    try (Admin admin = Admin.create(broker.clientConfig())) {
      long end =
          admin
              .listOffsets(Map.of(tp, OffsetSpec.latest()))
              .all()
              .get(10, TimeUnit.SECONDS)
              .get(tp)
              .offset();
      OffsetAndMetadata committed =
          admin
              .listConsumerGroupOffsets(groupId)
              .partitionsToOffsetAndMetadata()
              .get(10, TimeUnit.SECONDS)
              .get(tp);
      return committed != null && committed.offset() == end;
    }
  }

  private List<DeliveryResult> resultsFor(List<SendCommand> commands) {
    List<String> ids = new ArrayList<>();
    commands.forEach(c -> ids.add(c.commandId().value()));
    List<DeliveryResult> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : readAll(Topics.DELIVERY_RESULTS.name())) {
      try {
        DeliveryResult d =
            Topics.DELIVERY_RESULTS.valueSerde().deserializer().deserialize(r.topic(), r.value());
        if (d != null && d.commandId() != null && ids.contains(d.commandId().value())) {
          out.add(d);
        }
      } catch (RuntimeException e) {
        // other tests' poison
      }
    }
    return out;
  }

  private List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    Map<String, Object> cfg = new HashMap<>(broker.clientConfig());
    cfg.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(cfg, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> tps = new ArrayList<>();
      c.partitionsFor(topic).forEach(p -> tps.add(new TopicPartition(topic, p.partition())));
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> ends = c.endOffsets(tps);
      await("read " + topic)
          .atMost(Duration.ofSeconds(15))
          .until(
              () -> {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
                return tps.stream().allMatch(tp -> c.position(tp) >= ends.get(tp));
              });
    }
    return out;
  }

  private List<ConsumerRecord<byte[], byte[]>> readDlq(String topic, String marker, int expected) {
    List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
    await("dead letters on " + topic)
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              found.clear();
              for (ConsumerRecord<byte[], byte[]> r : readAll(topic)) {
                if (r.key() != null && marker.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                  found.add(r);
                }
              }
              return found.size() >= expected;
            });
    return found;
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
