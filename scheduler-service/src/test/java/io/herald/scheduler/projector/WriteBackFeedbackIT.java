package io.herald.scheduler.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.Occurrence;
import io.herald.contracts.outcome.ScheduleState;
import io.herald.contracts.topic.TopicSpec;
import io.herald.contracts.topic.Topics;
import io.herald.scheduler.cdc.CdcConfig;
import io.herald.scheduler.cdc.CdcEngine;
import io.herald.testsupport.KafkaTestBroker;
import io.herald.testsupport.PostgresTestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Invariant 5, end to end: the projector's write-back touches only state columns, so CDC, which
 * captures the same rows, produces no schedule change for it.
 */
class WriteBackFeedbackIT {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final KafkaTestBroker broker = KafkaTestBroker.shared();
  private final PostgresTestDatabase db = PostgresTestDatabase.shared();
  private final String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private final String slot = "herald_it_" + suffix;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private CdcEngine engine;
  private ScheduleStateProjector projector;
  private KafkaProducer<String, byte[]> producer;
  private KafkaConsumer<String, byte[]> changes;
  private final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

  @BeforeEach
  void setUp() {
    io.herald.scheduler.cdc.CdcItSupport.createLikeProvisioner(
        broker,
        Topics.SCHEDULE_CHANGES,
        Topics.DEVICES,
        Topics.CONTACTS,
        Topics.SCHEDULE_STATES,
        Topics.OCCURRENCES,
        Topics.SCHEDULE_ERRORS);
    String appId = "herald-it-" + suffix;
    engine =
        new CdcEngine(
            CdcConfig.of(
                    appId, broker.bootstrapServers(), db.jdbcUrl(), db.user(), db.password(), slot)
                .withOffsetsTopic("herald.cdc-offsets-it-" + suffix),
            registry);
    projector =
        new ScheduleStateProjector(
            ProjectorConfig.of(
                appId, broker.bootstrapServers(), db.jdbcUrl(), db.user(), db.password()),
            registry);
    Properties p = new Properties();
    p.putAll(broker.clientConfig());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    producer = new KafkaProducer<>(p);
    Properties c = new Properties();
    c.putAll(broker.clientConfig());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "herald-it-reader-" + suffix);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    changes = new KafkaConsumer<>(c);
    changes.subscribe(List.of(Topics.SCHEDULE_CHANGES.name()));
  }

  @AfterEach
  void tearDown() {
    projector.close();
    engine.close();
    producer.close();
    changes.close();
    db.dropReplicationSlot(slot);
  }

  @Test
  void shouldProduceNoScheduleChangeWhenProjectorWritesStateBack() throws Exception {
    engine.start();
    projector.start();
    await("CDC streaming").atMost(Duration.ofSeconds(40)).until(engine::isStreaming);
    UUID id = UUID.randomUUID();
    String key = "recurring:" + id;
    execute(
        "INSERT INTO recurring_messages (id, user_id, device_id, message, target_contacts,"
            + " frequency, time_of_day) VALUES ('"
            + id
            + "', gen_random_uuid(), gen_random_uuid(),"
            + " 'Hi', '[\"+4915112345678\"]', 'daily', '09:00')");
    awaitChanges(key, 1);

    Instant due = Instant.parse("2026-03-01T08:00:00Z");
    send(
        Topics.SCHEDULE_STATES,
        key,
        new ScheduleState(
            1, key, ScheduleKind.RECURRING, null, "active", due, 0, null, 1, Instant.now()));
    send(
        Topics.OCCURRENCES,
        key,
        new Occurrence(
            1,
            key,
            ScheduleKind.RECURRING,
            null,
            due,
            due.plusSeconds(1),
            1,
            0,
            1,
            due.plusSeconds(86_400),
            false));
    await("write-back on the row")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> executionCount(id) == 1);

    // A user edit after the write-back: CDC is ordered, so its event arriving means any event
    // caused by the write-back would have arrived before it.
    execute("UPDATE recurring_messages SET message = 'Edited' WHERE id = '" + id + "'");
    List<ScheduleChange> events = awaitChanges(key, 2);

    assertThat(events).hasSize(2);
    assertThat(events.get(1).message()).isEqualTo("Edited");
    assertThat(
            registry
                .get("herald.scheduler.cdc.dropped.state.only")
                .tag("table", "recurring_messages")
                .counter()
                .count())
        .isGreaterThanOrEqualTo(1);
  }

  private List<ScheduleChange> awaitChanges(String key, int atLeast) {
    return await("schedule changes of " + key)
        .atMost(WAIT)
        .pollInSameThread()
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              changes.poll(Duration.ofMillis(100)).forEach(seen::add);
              return seen.stream()
                  .filter(r -> key.equals(r.key()))
                  .map(
                      r ->
                          Topics.SCHEDULE_CHANGES
                              .valueSerde()
                              .deserializer()
                              .deserialize(r.topic(), r.value()))
                  .toList();
            },
            l -> l.size() >= atLeast);
  }

  private <V> void send(TopicSpec<String, V> topic, String key, V value) throws Exception {
    producer
        .send(
            new ProducerRecord<>(
                topic.name(), key, topic.valueSerde().serializer().serialize(topic.name(), value)))
        .get(10, TimeUnit.SECONDS);
  }

  private void execute(String sql) throws Exception {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.executeUpdate();
    }
  }

  private long executionCount(UUID id) throws Exception {
    try (Connection c = db.connection();
        PreparedStatement ps =
            c.prepareStatement("SELECT execution_count FROM recurring_messages WHERE id = ?")) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
