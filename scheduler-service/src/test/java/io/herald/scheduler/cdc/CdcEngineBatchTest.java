package io.herald.scheduler.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.herald.contracts.event.ContactInfo;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.serde.Json;
import io.herald.contracts.topic.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * One Debezium batch through {@link CdcEngine#handleBatch}: which records reach Kafka, and that a
 * poison row never keeps the batch from being marked processed (so the slot advances).
 */
class CdcEngineBatchTest {

  private static final ObjectMapper JSON = Json.mapper();
  private static final String TENANT = "11111111-1111-1111-1111-111111111111";
  private static final String DEVICE = "22222222-2222-2222-2222-222222222222";

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final CdcEngine engine =
      new CdcEngine(
          CdcConfig.of(
              "herald-test",
              "localhost:9",
              "jdbc:postgresql://localhost:5432/herald",
              "herald",
              null,
              "herald_test"),
          registry);
  private final Committer committer = new Committer();

  @Test
  void shouldSendStubAndContinueWhenDefinitionIsOverTheLimit() throws Exception {
    Refusing producer = new Refusing(r -> false);
    var big = change("recurring_messages", "c", recurring("a", "m".repeat(5 * 1024 * 1024)));
    var normal = change("recurring_messages", "c", recurring("b", "Hi"));

    engine.handleBatch(producer, List.of(big, normal), committer);

    List<ProducerRecord<String, byte[]>> out = producer.history();
    assertThat(out).extracting(ProducerRecord::key).containsExactly("recurring:a", "recurring:b");
    ScheduleChange stub = scheduleChange(out.get(0));
    assertThat(stub.message()).isNull();
    assertThat(stub.recipients()).isNull();
    assertThat(stub.tenantId()).isEqualTo(TENANT);
    assertThat(stub.mappingErrors())
        .singleElement()
        .asString()
        .startsWith("definition too large: 5,")
        .endsWith("bytes, limit 4,194,304");
    assertThat(scheduleChange(out.get(1)).message()).isEqualTo("Hi");
    assertThat(committer.processed).containsExactly(big, normal);
    assertThat(committer.finished).isTrue();
    assertThat(counter("herald.scheduler.cdc.poison.rows", "recurring_messages", "too_large"))
        .isEqualTo(1);
  }

  @Test
  void shouldReplaceRefusedDefinitionByStubWhenTopicAcceptsLessThanTheLimit() throws Exception {
    Refusing producer =
        new Refusing(r -> r.key().equals("recurring:a") && r.value().length > 1_000);
    var refused = change("recurring_messages", "u", recurring("a", "m".repeat(2_000)));
    var normal = change("recurring_messages", "c", recurring("b", "Hi"));

    engine.handleBatch(producer, List.of(refused, normal), committer);

    // The stub goes out after the batch, the refused record never reached the topic.
    List<ProducerRecord<String, byte[]>> out = producer.accepted();
    assertThat(out).extracting(ProducerRecord::key).containsExactly("recurring:b", "recurring:a");
    assertThat(scheduleChange(out.get(1)).mappingErrors())
        .singleElement()
        .asString()
        .startsWith("definition too large: 2,");
    assertThat(committer.processed).containsExactly(refused, normal);
    assertThat(committer.finished).isTrue();
  }

  @Test
  void shouldNotStubRefusedDefinitionWhenALaterChangeOfItsKeyWasAccepted() throws Exception {
    Refusing producer = new Refusing(r -> r.value().length > 1_000);
    var refused = change("recurring_messages", "u", recurring("a", "m".repeat(2_000)));
    var fixed = change("recurring_messages", "u", recurring("a", "Hi"));

    engine.handleBatch(producer, List.of(refused, fixed), committer);

    assertThat(producer.accepted()).hasSize(1);
    assertThat(scheduleChange(producer.accepted().get(0)).message()).isEqualTo("Hi");
    assertThat(committer.finished).isTrue();
  }

  @Test
  void shouldDeadLetterRefusedContactAndContinue() throws Exception {
    Refusing producer = new Refusing(r -> r.topic().equals(Topics.CONTACTS.name()));
    var contact =
        change(
            "contacts",
            "c",
            JSON.createObjectNode()
                .put("id", "c1")
                .put("user_id", TENANT)
                .put("phone_number", "+4915112345678")
                .put("name", "Ada"));
    var normal = change("recurring_messages", "c", recurring("b", "Hi"));

    engine.handleBatch(producer, List.of(contact, normal), committer);

    List<ProducerRecord<String, byte[]>> out = producer.accepted();
    assertThat(out)
        .extracting(ProducerRecord::topic)
        .containsExactly(Topics.SCHEDULE_CHANGES.name(), "herald.contacts.dlq");
    assertThat(out.get(1).key()).isEqualTo("c1");
    assertThat(new String(out.get(1).value(), StandardCharsets.UTF_8)).isEqualTo(contact.value());
    assertThat(committer.finished).isTrue();
  }

  @Test
  void shouldReportRowInvalidAndDeadLetterItWhenMapperFails() throws Exception {
    Refusing producer = new Refusing(r -> false);
    // A date beyond java.time's range makes the mapper throw (no PostgreSQL date does).
    var unreadable =
        change(
            "recurring_messages", "c", recurring("a", "Hi").put("start_date", Long.MAX_VALUE / 2));
    var normal = change("recurring_messages", "c", recurring("b", "Hi"));

    engine.handleBatch(producer, List.of(unreadable, normal), committer);

    List<ProducerRecord<String, byte[]>> out = producer.history();
    assertThat(out)
        .extracting(ProducerRecord::topic)
        .containsExactly(
            Topics.SCHEDULE_CHANGES.name(),
            "herald.schedule-changes.dlq",
            Topics.SCHEDULE_CHANGES.name());
    ScheduleChange stub = scheduleChange(out.get(0));
    assertThat(stub.scheduleKey()).isEqualTo("recurring:a");
    assertThat(stub.mappingErrors())
        .singleElement()
        .asString()
        .startsWith("row could not be read: DateTimeException");
    assertThat(new String(out.get(1).value(), StandardCharsets.UTF_8))
        .isEqualTo(unreadable.value());
    assertThat(
            new String(
                out.get(1).headers().lastHeader(Topics.DLQ_HEADER_TOPIC).value(),
                StandardCharsets.UTF_8))
        .isEqualTo("postgres.recurring_messages");
    assertThat(committer.processed).containsExactly(unreadable, normal);
    assertThat(registry.get("herald.scheduler.cdc.mapping.failures").counter().count())
        .isEqualTo(1);
  }

  @Test
  void shouldFailBatchUnmarkedWhenKafkaTimesOut() {
    Refusing producer =
        new Refusing(r -> false) {
          @Override
          public synchronized Future<RecordMetadata> send(
              ProducerRecord<String, byte[]> r, Callback cb) {
            return CompletableFuture.failedFuture(new TimeoutException("broker down"));
          }
        };

    assertThatThrownBy(
            () ->
                engine.handleBatch(
                    producer,
                    List.of(change("recurring_messages", "c", recurring("a", "Hi"))),
                    committer))
        .isInstanceOf(CdcException.class);
    assertThat(committer.processed).isEmpty();
    assertThat(committer.finished).isFalse();
  }

  @Test
  void shouldFailBatchWhenTopicRefusesEvenTheStub() {
    Refusing producer = new Refusing(r -> r.topic().equals(Topics.SCHEDULE_CHANGES.name()));

    assertThatThrownBy(
            () ->
                engine.handleBatch(
                    producer,
                    List.of(change("recurring_messages", "c", recurring("a", "Hi"))),
                    committer))
        .isInstanceOf(CdcException.class)
        .hasMessageContaining("rejection stub");
    assertThat(committer.finished).isFalse();
  }

  @Test
  void shouldCountCutValuesWhenContactIsBounded() throws Exception {
    Refusing producer = new Refusing(r -> false);
    var contact =
        change(
            "contacts",
            "c",
            JSON.createObjectNode()
                .put("id", "c1")
                .put("user_id", TENANT)
                .put("name", "n".repeat(Limits.CONTACT_NAME_MAX_CHARS + 1)));

    engine.handleBatch(producer, List.of(contact), committer);

    ContactInfo sent =
        Topics.CONTACTS
            .valueSerde()
            .deserializer()
            .deserialize(Topics.CONTACTS.name(), producer.history().get(0).value());
    assertThat(sent.name()).hasSize(Limits.CONTACT_NAME_MAX_CHARS);
    assertThat(
            registry
                .get("herald.scheduler.cdc.cut.values")
                .tag("table", "contacts")
                .counter()
                .count())
        .isEqualTo(1);
  }

  private double counter(String name, String table, String reason) {
    return registry.get(name).tag("table", table).tag("reason", reason).counter().count();
  }

  private static ScheduleChange scheduleChange(ProducerRecord<String, byte[]> r) {
    return Topics.SCHEDULE_CHANGES.valueSerde().deserializer().deserialize(r.topic(), r.value());
  }

  private static ObjectNode recurring(String id, String message) {
    return JSON.createObjectNode()
        .put("id", id)
        .put("user_id", TENANT)
        .put("device_id", DEVICE)
        .put("message", message)
        .put("target_contacts", "[\"+4915112345678\"]")
        .put("frequency", "daily")
        .put("time_of_day", 34200000000L)
        .put("is_active", true);
  }

  private static Change change(String table, String op, ObjectNode row) {
    ObjectNode e = JSON.createObjectNode();
    e.set("before", op.equals("d") ? row : null);
    e.set("after", op.equals("d") ? null : row);
    e.putObject("source").put("table", table).put("ts_ms", 1767254400000L).put("lsn", 4242L);
    e.put("op", op);
    return new Change("{\"id\":\"" + row.path("id").asText() + "\"}", e.toString());
  }

  /** A Debezium change as the engine hands it over. */
  private record Change(String key, String value) implements ChangeEvent<String, String> {
    @Override
    public String destination() {
      return "herald.public.test";
    }

    @Override
    public Integer partition() {
      return null;
    }
  }

  /** Kafka's own producer double; records matching {@code refuse} fail as too large. */
  private static class Refusing extends MockProducer<String, byte[]> {
    private final Predicate<ProducerRecord<String, byte[]>> refuse;
    private final List<ProducerRecord<String, byte[]>> accepted = new ArrayList<>();

    Refusing(Predicate<ProducerRecord<String, byte[]>> refuse) {
      super(true, null, new StringSerializer(), new ByteArraySerializer());
      this.refuse = refuse;
    }

    @Override
    public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> r, Callback cb) {
      if (refuse.test(r)) {
        return CompletableFuture.failedFuture(
            new RecordTooLargeException("The message is too large for the topic"));
      }
      accepted.add(r);
      return super.send(r, cb);
    }

    List<ProducerRecord<String, byte[]>> accepted() {
      return accepted;
    }
  }

  /** Records what the engine marked processed. */
  private static final class Committer
      implements DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> {
    final List<ChangeEvent<String, String>> processed = new ArrayList<>();
    boolean finished;

    @Override
    public void markProcessed(ChangeEvent<String, String> record) {
      processed.add(record);
    }

    @Override
    public void markBatchFinished() {
      finished = true;
    }

    @Override
    public void markProcessed(
        ChangeEvent<String, String> record, DebeziumEngine.Offsets sourceOffsets) {
      processed.add(record);
    }

    @Override
    public DebeziumEngine.Offsets buildOffsets() {
      throw new UnsupportedOperationException();
    }
  }
}
