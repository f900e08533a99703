package io.herald.scheduler.cdc;

import static org.awaitility.Awaitility.await;

import io.herald.contracts.topic.TopicSpec;
import io.herald.contracts.topic.Topics;
import io.herald.testsupport.KafkaTestBroker;
import io.herald.testsupport.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Shared plumbing of the CDC integration tests: unique names, topics, a collecting reader. */
public final class CdcItSupport {

  private CdcItSupport() {}

  static String unique(String prefix) {
    return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  /**
   * Creates the canonical topics if missing, the way the app's provisioner does in the other ITs of
   * this JVM (2 partitions, compaction, 8 MiB schedule changes), so that whichever test runs first,
   * the shared topics look the same.
   */
  static void createEventTopics(KafkaTestBroker broker) {
    createLikeProvisioner(broker, Topics.SCHEDULE_CHANGES, Topics.DEVICES, Topics.CONTACTS);
  }

  @SafeVarargs
  public static void createLikeProvisioner(KafkaTestBroker broker, TopicSpec<String, ?>... specs) {
    for (TopicSpec<String, ?> t : specs) {
      Map<String, String> configs = new java.util.HashMap<>();
      if (t.compacted()) {
        configs.put("cleanup.policy", "compact");
      }
      configs.put(
          "max.message.bytes",
          Integer.toString(io.herald.contracts.limit.Limits.TOPIC_MAX_MESSAGE_BYTES));
      try {
        broker.createTopic(t.name(), 2, configs);
      } catch (IllegalStateException e) {
        // exists with another partition count (created by another test): fine for reading
      }
    }
  }

  static CdcConfig config(KafkaTestBroker broker, PostgresTestDatabase db, String slot) {
    return CdcConfig.of(
            unique("herald-it-"),
            broker.bootstrapServers(),
            db.jdbcUrl(),
            db.user(),
            db.password(),
            slot)
        .withOffsetsTopic(unique("herald.cdc-offsets-it-"));
  }

  static boolean slotActive(PostgresTestDatabase db, String slot) throws SQLException {
    try (Connection c = db.connection();
        PreparedStatement ps =
            c.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
      ps.setString(1, slot);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  static void execute(PostgresTestDatabase db, String sql, Object... params) throws SQLException {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      ps.executeUpdate();
    }
  }

  /** Reads the canonical topics from the beginning and keeps every record; test thread only. */
  static final class EventReader implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

    EventReader(KafkaTestBroker broker) {
      Properties p = new Properties();
      p.putAll(broker.clientConfig());
      p.put(ConsumerConfig.GROUP_ID_CONFIG, unique("herald-it-reader-"));
      p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      consumer = new KafkaConsumer<>(p);
      consumer.subscribe(
          List.of(Topics.SCHEDULE_CHANGES.name(), Topics.DEVICES.name(), Topics.CONTACTS.name()));
    }

    /** Polls once and returns every record seen so far with this key. */
    List<ConsumerRecord<String, byte[]>> withKey(String key) {
      poll();
      return seen.stream().filter(r -> key.equals(r.key())).toList();
    }

    <V> List<V> values(TopicSpec<String, V> topic, String key) {
      return withKey(key).stream()
          .filter(r -> r.topic().equals(topic.name()))
          .map(r -> topic.valueSerde().deserializer().deserialize(topic.name(), r.value()))
          .toList();
    }

    /** Waits until {@code key} has a value matching {@code condition} and returns them all. */
    <V> List<V> await(
        TopicSpec<String, V> topic, String key, Predicate<List<V>> condition, Duration atMost) {
      return org.awaitility.Awaitility.await(topic.name() + " records for " + key)
          .atMost(atMost)
          .pollInSameThread() // a consumer belongs to one thread
          .pollInterval(Duration.ofMillis(20))
          .until(() -> values(topic, key), condition);
    }

    void poll() {
      consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  /**
   * Waits until the offsets topic's latest record is a streaming position, not a snapshot's. The
   * engine flushes offsets every second: a graceful stop sooner after its start may find none yet,
   * and the next start then snapshots again (replayed rows are idempotent downstream).
   */
  static void awaitStreamingOffsetCommitted(KafkaTestBroker broker, String offsetsTopic) {
    Properties p = new Properties();
    p.putAll(broker.clientConfig());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, unique("herald-it-offsets-"));
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    try (KafkaConsumer<String, String> offsets = new KafkaConsumer<>(p)) {
      offsets.subscribe(List.of(offsetsTopic));
      String[] latest = {""};
      await("a streaming offset committed")
          .atMost(Duration.ofSeconds(30))
          .pollInSameThread()
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                for (ConsumerRecord<String, String> r : offsets.poll(Duration.ofMillis(200))) {
                  latest[0] = r.value() == null ? "" : r.value();
                }
                return latest[0].contains("lsn_proc");
              });
    }
  }

  static void awaitStreaming(
      CdcEngine engine, PostgresTestDatabase db, String slot, Duration atMost) {
    await("CDC engine streaming on slot " + slot)
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> engine.isStreaming() && slotActive(db, slot));
  }
}
