package io.herald.sender.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.event.WebhookDelivery;
import io.herald.contracts.topic.Topics;
import io.herald.sender.app.SenderApp;
import io.herald.testsupport.FakeWhatsAppApi;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The webhook projection (ADR 0021, decision 4) against a real broker and PostgreSQL: statuses move
 * deliveries forward only and count delivered and read once per delivery whatever the order and the
 * duplicates; unknown message ids are counted, not applied; inbound messages keep a contact's
 * latest window; an opt-out keyword opts out the device tenant's contact only; a quality update
 * records the reported limit; a malformed record is dead-lettered and the next one still applies.
 */
class WebhookProjectionIT extends SenderItSupport {

  private static final String RECORDS = "herald.sender.webhook.records";

  /** Every record of a test goes to one partition: the order produced is the order applied. */
  private final int partition = Math.floorMod(groupId.hashCode(), PARTITIONS);

  private final String phoneNumberId = "pn-" + UUID.randomUUID();
  private final Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(3600);

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
  void shouldApplyStatusesForwardOnlyAndCountOnceWhenDuplicatedAndReordered() throws Exception {
    String device = device(tenant, phoneNumberId, null);
    String otherNumber = "pn-" + UUID.randomUUID();
    device(tenant, otherNumber, null);
    UUID broadcast = UUID.randomUUID();
    UUID recurring = UUID.randomUUID();
    UUID autopost = UUID.randomUUID();
    Instant occurrence = base.minusSeconds(600);
    update(
        "INSERT INTO broadcasts (id, user_id, device_id, name, status, total_count, sent_count)"
            + " VALUES (?, ?, ?, 'b', 'completed', 1, 1)",
        broadcast,
        UUID.fromString(tenant),
        UUID.fromString(device));
    // the recurring occurrence's log row exists; the auto-post's not yet (the upsert makes it)
    update(
        "INSERT INTO recurring_message_logs (recurring_message_id, user_id, occurrence_at,"
            + " sent_to_count, status) VALUES (?, ?, ?, 1, 'completed')",
        recurring,
        UUID.fromString(tenant),
        Timestamp.from(occurrence));
    delivery("wamid.A-" + groupId, device, "broadcast", broadcast, null);
    delivery("wamid.B-" + groupId, device, "recurring", recurring, occurrence);
    delivery("wamid.C-" + groupId, device, "autopost", autopost, occurrence);
    SenderApp sender = startSenderAndAwaitReady();

    List<String> bodies = new ArrayList<>();
    // A: read before delivered, delivered twice, sent after read
    bodies.add(statuses(phoneNumberId, status("A", "read", 30)));
    bodies.add(statuses(phoneNumberId, status("A", "delivered", 20), status("A", "delivered", 20)));
    bodies.add(statuses(phoneNumberId, status("A", "sent", 10)));
    // B: delivered twice, then a late failure
    bodies.add(statuses(phoneNumberId, status("B", "sent", 10), status("B", "delivered", 20)));
    bodies.add(statuses(phoneNumberId, status("B", "delivered", 20)));
    bodies.add(statuses(phoneNumberId, failed("B", 40)));
    // C: the usual order, read twice
    bodies.add(
        statuses(
            phoneNumberId,
            status("C", "sent", 10),
            status("C", "delivered", 20),
            status("C", "read", 30)));
    bodies.add(statuses(phoneNumberId, status("C", "read", 31)));
    // an id Herald never sent, and A's id named by another number: neither is A
    bodies.add(statuses(phoneNumberId, status("unknown", "delivered", 20)));
    bodies.add(statuses(otherNumber, status("A", "failed", 50)));
    produce(bodies);
    awaitRecords(sender, bodies.size());

    assertAfterStatuses(device, broadcast, recurring, autopost, occurrence);
    assertThat(counter(sender, "herald.sender.webhook.unmatched", "what", "message"))
        .isEqualTo(2.0);
    assertThat(counter(sender, "herald.sender.webhook.statuses", "status", "read")).isEqualTo(2.0);
    assertThat(counter(sender, "herald.sender.webhook.statuses.ignored")).isGreaterThan(0.0);

    // the provider retries everything again: nothing moves, nothing is counted twice
    produce(bodies);
    awaitRecords(sender, 2 * bodies.size());
    assertAfterStatuses(device, broadcast, recurring, autopost, occurrence);
  }

  private void assertAfterStatuses(
      String device, UUID broadcast, UUID recurring, UUID autopost, Instant occurrence)
      throws Exception {
    Map<String, Object> a = deliveryRow("A");
    assertThat(a.get("provider_status")).isEqualTo("read");
    // read came first and implies delivered; the later delivered no longer moves anything
    assertThat(instant(a.get("delivered_at"))).isEqualTo(base.plusSeconds(30));
    assertThat(instant(a.get("read_at"))).isEqualTo(base.plusSeconds(30));
    assertThat(instant(a.get("provider_status_at"))).isEqualTo(base.plusSeconds(30));
    Map<String, Object> b = deliveryRow("B");
    assertThat(b.get("provider_status")).isEqualTo("failed");
    assertThat(instant(b.get("delivered_at"))).isEqualTo(base.plusSeconds(20));
    assertThat(b.get("read_at")).isNull();
    assertThat(b.get("provider_error_code")).isEqualTo("131026");
    assertThat(b.get("provider_error_message")).isEqualTo("Message undeliverable");
    Map<String, Object> c = deliveryRow("C");
    assertThat(c.get("provider_status")).isEqualTo("read");
    assertThat(instant(c.get("read_at"))).isEqualTo(base.plusSeconds(30));

    assertThat(counts("SELECT delivered_count, read_count FROM broadcasts WHERE id = ?", broadcast))
        .containsExactly(1, 1);
    assertThat(
            counts(
                "SELECT delivered_count, read_count FROM recurring_message_logs"
                    + " WHERE recurring_message_id = ? AND occurrence_at = ?",
                recurring,
                Timestamp.from(occurrence)))
        .containsExactly(1, 0);
    assertThat(
            counts(
                "SELECT delivered_count, read_count FROM auto_post_logs"
                    + " WHERE auto_post_schedule_id = ? AND occurrence_at = ?",
                autopost,
                Timestamp.from(occurrence)))
        .containsExactly(1, 1);
    // the recurring log row's own counts are the result projector's, untouched
    assertThat(
            query(
                    "SELECT sent_to_count, status FROM recurring_message_logs"
                        + " WHERE recurring_message_id = ?",
                    recurring)
                .get(0))
        .containsEntry("sent_to_count", 1)
        .containsEntry("status", "completed");
  }

  @Test
  void shouldKeepWindowsOptOutTenantContactAndRecordLimitWhenInboundAndQualityArrive()
      throws Exception {
    String otherTenant = UUID.randomUUID().toString();
    String display = "1555" + (1_000_000 + Math.floorMod(groupId.hashCode(), 8_999_999));
    String device = device(tenant, phoneNumberId, "+" + display);
    String otherDevice = device(otherTenant, "pn-" + UUID.randomUUID(), null);
    String from = "62855" + (100_000 + Math.floorMod(groupId.hashCode(), 899_999));
    String plain = from + "9";
    UUID mine = contact(tenant, "+" + from);
    UUID mineWithoutPlus = contact(tenant, plain);
    UUID theirs = contact(otherTenant, "+" + from);
    SenderApp sender = startSenderAndAwaitReady();

    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    records.add(record(message(from, 100, "hello")));
    records.add(record(message(from, 50, "an older message, delivered late")));
    records.add(record(message(from, 200, "  stop ")));
    records.add(record(message(plain, 210, "Berhenti")));
    records.add(
        new ProducerRecord<>(
            Topics.WHATSAPP_WEBHOOKS.name(),
            partition,
            key("poison-" + groupId),
            "not a webhook delivery".getBytes(StandardCharsets.UTF_8)));
    records.add(webhookRecord("poison-" + groupId, phoneNumberId, "{\"entry\": [truncated"));
    // a quality update names only the display number (the receiver found no phone_number_id)
    records.add(
        webhookRecord(
            phoneNumberId,
            null,
            "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"WABA\",\"changes\":"
                + "[{\"field\":\"phone_number_quality_update\",\"value\":{\"display_phone_number\":\""
                + display
                + "\",\"event\":\"DOWNGRADE\",\"old_limit\":\"TIER_1K\","
                + "\"current_limit\":\"TIER_250\"}}]}]}"));
    records.add(record(message(from, 150, "after the poison")));
    produceRaw(records);
    awaitRecords(sender, records.size());

    assertThat(
            query(
                "SELECT wa_id, last_inbound_at FROM contact_windows WHERE device_id = ?"
                    + " ORDER BY wa_id",
                UUID.fromString(device)))
        .extracting(r -> r.get("wa_id") + "@" + instant(r.get("last_inbound_at")))
        .containsExactly(from + "@" + base.plusSeconds(200), plain + "@" + base.plusSeconds(210));
    assertThat(
            query(
                "SELECT 1 FROM contact_windows WHERE device_id = ?", UUID.fromString(otherDevice)))
        .isEmpty();
    assertThat(optedOut(mine)).isTrue();
    assertThat(optedOut(mineWithoutPlus)).isTrue();
    assertThat(optedOut(theirs)).isFalse();
    assertThat(counter(sender, "herald.sender.webhook.opt.outs")).isEqualTo(2.0);
    assertThat(counter(sender, "herald.sender.webhook.inbound.messages")).isEqualTo(5.0);

    Map<String, Object> d =
        query(
                "SELECT messaging_limit_reported, quality_rating FROM devices WHERE id = ?",
                UUID.fromString(device))
            .get(0);
    assertThat(d).containsEntry("messaging_limit_reported", 250);
    assertThat(d).containsEntry("quality_rating", "DOWNGRADE");
    assertThat(counter(sender, "herald.sender.webhook.quality.updates")).isEqualTo(1.0);

    List<ConsumerRecord<byte[], byte[]>> dead = readDlq("poison-" + groupId, 2);
    assertThat(dead).hasSize(2);
    assertThat(header(dead.get(0), Topics.DLQ_HEADER_REASON)).isEqualTo("not a WebhookDelivery");
    assertThat(header(dead.get(1), Topics.DLQ_HEADER_REASON))
        .startsWith("malformed webhook body: not JSON");
    assertThat(header(dead.get(0), Topics.DLQ_HEADER_TOPIC))
        .isEqualTo(Topics.WHATSAPP_WEBHOOKS.name());
    assertThat(counter(sender, "herald.sender.webhook.dead.letters")).isEqualTo(2.0);
    assertThat(sender.registry().find("herald.sender.webhook.lag").timer().count()).isEqualTo(6);
    assertThat(sender.ready()).isTrue();
  }

  // ---- rows ---------------------------------------------------------------------------------

  private String device(String owner, String pnId, String phone) throws Exception {
    String id =
        insertDevice(
            owner,
            "whatsapp_cloud",
            "{\"phone_number_id\":\"" + pnId + "\",\"token_env\":\"" + TOKEN_ENV + "\"}",
            null);
    if (phone != null) {
      update("UPDATE devices SET phone_number = ? WHERE id = ?", phone, UUID.fromString(id));
    }
    return id;
  }

  private void delivery(String wamid, String device, String kind, UUID schedule, Instant occ)
      throws Exception {
    update(
        "INSERT INTO deliveries (command_id, user_id, device_id, schedule_kind, schedule_id,"
            + " occurrence_at, recipient, status, attempts, transport_message_id, finished_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, '+628000', 'sent', 1, ?, now())",
        "it-" + wamid,
        UUID.fromString(tenant),
        UUID.fromString(device),
        kind,
        schedule,
        occ == null ? null : Timestamp.from(occ),
        wamid);
  }

  private Map<String, Object> deliveryRow(String name) throws Exception {
    return query(
            "SELECT * FROM deliveries WHERE transport_message_id = ?",
            "wamid." + name + "-" + groupId)
        .get(0);
  }

  private List<Integer> counts(String sql, Object... params) throws Exception {
    Map<String, Object> row = query(sql, params).get(0);
    return List.of((Integer) row.get("delivered_count"), (Integer) row.get("read_count"));
  }

  private UUID contact(String owner, String phone) throws Exception {
    UUID id = UUID.randomUUID();
    update(
        "INSERT INTO contacts (id, user_id, phone_number, name) VALUES (?, ?, ?, 'c')",
        id,
        UUID.fromString(owner),
        phone);
    return id;
  }

  private boolean optedOut(UUID contact) throws Exception {
    return (Boolean)
        query("SELECT opted_out FROM contacts WHERE id = ?", contact).get(0).get("opted_out");
  }

  private static Instant instant(Object ts) {
    return ts == null ? null : ((Timestamp) ts).toInstant();
  }

  // ---- webhook bodies -----------------------------------------------------------------------

  private String status(String name, String status, int secondsAfterBase) {
    String id =
        name.equals("unknown")
            ? "wamid.unknown-" + UUID.randomUUID()
            : "wamid." + name + "-" + groupId;
    return "{\"id\":\""
        + id
        + "\",\"status\":\""
        + status
        + "\",\"timestamp\":\""
        + base.plusSeconds(secondsAfterBase).getEpochSecond()
        + "\",\"recipient_id\":\"628000\"}";
  }

  private String failed(String name, int secondsAfterBase) {
    String s = status(name, "failed", secondsAfterBase);
    return s.substring(0, s.length() - 1)
        + ",\"errors\":[{\"code\":131026,\"title\":\"Message undeliverable\"}]}";
  }

  private static String statuses(String pnId, String... items) {
    return change(pnId, "\"statuses\":[" + String.join(",", items) + "]");
  }

  private String message(String from, int secondsAfterBase, String text) {
    return change(
        phoneNumberId,
        "\"contacts\":[{\"profile\":{\"name\":\"x\"},\"wa_id\":\""
            + from
            + "\"}],\"messages\":[{\"from\":\""
            + from
            + "\",\"id\":\"wamid.in-"
            + UUID.randomUUID()
            + "\",\"timestamp\":\""
            + base.plusSeconds(secondsAfterBase).getEpochSecond()
            + "\",\"type\":\"text\",\"text\":{\"body\":\""
            + text
            + "\"}}]");
  }

  private static String change(String pnId, String items) {
    return "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"WABA\",\"changes\":"
        + "[{\"field\":\"messages\",\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":"
        + "{\"display_phone_number\":\"15550000\",\"phone_number_id\":\""
        + pnId
        + "\"},"
        + items
        + "}}]}]}";
  }

  private ProducerRecord<byte[], byte[]> record(String body) {
    return webhookRecord(phoneNumberId, phoneNumberId, body);
  }

  private ProducerRecord<byte[], byte[]> webhookRecord(String key, String pnId, String body) {
    WebhookDelivery d =
        new WebhookDelivery(WebhookDelivery.SCHEMA_VERSION, Instant.now(), pnId, body);
    return new ProducerRecord<>(
        Topics.WHATSAPP_WEBHOOKS.name(),
        partition,
        key(key),
        Topics.WHATSAPP_WEBHOOKS.valueSerde().serializer().serialize("t", d));
  }

  private void produce(List<String> bodies) {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    bodies.forEach(b -> records.add(record(b)));
    produceRaw(records);
  }

  private static void awaitRecords(SenderApp sender, int n) {
    await("webhook records applied")
        .atMost(Duration.ofSeconds(30))
        .until(() -> counter(sender, RECORDS) >= n);
  }

  // ---- dead letters -------------------------------------------------------------------------

  private List<ConsumerRecord<byte[], byte[]>> readDlq(String marker, int expected) {
    List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
    String topic = Topics.WHATSAPP_WEBHOOKS.dlqName();
    await("dead letters on " + topic)
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              found.clear();
              Map<String, Object> cfg = new HashMap<>(broker.clientConfig());
              cfg.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
              try (KafkaConsumer<byte[], byte[]> c =
                  new KafkaConsumer<>(
                      cfg, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                TopicPartition tp = new TopicPartition(topic, 0);
                c.assign(List.of(tp));
                c.seekToBeginning(List.of(tp));
                long end = c.endOffsets(List.of(tp)).get(tp);
                while (c.position(tp) < end) {
                  for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.key() != null
                        && marker.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                      found.add(r);
                    }
                  }
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
