package io.herald.bench.herald;

import io.herald.bench.scenario.BenchContext;
import io.herald.contracts.outcome.ScheduleState;
import io.herald.contracts.topic.Topics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What the scenarios that run Herald's services on the bench's PostgreSQL and broker share: the
 * Herald tables they empty before and after, the wait for the CDC engine to attach to its slot, and
 * the readers of what the scheduler and its CDC engine produce.
 */
final class HeraldWiring {

  static final List<String> HERALD_TABLES =
      List.of(
          "recurring_messages",
          "devices",
          "contacts",
          "broadcasts",
          "auto_post_schedules",
          "recurring_message_logs",
          "deliveries");

  private HeraldWiring() {}

  static void truncate(BenchContext ctx) {
    ctx.infra().execute(List.of("TRUNCATE TABLE " + String.join(", ", HERALD_TABLES)));
  }

  static void awaitSlotActive(
      BenchContext ctx, String slot, Duration timeout, HeraldScheduler herald) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (herald.failed()) {
        throw new IllegalStateException("Herald's Kafka Streams reached ERROR");
      }
      try (Connection c = ctx.infra().database().connection();
          PreparedStatement ps =
              c.prepareStatement(
                  "SELECT 1 FROM pg_replication_slots WHERE slot_name = ? AND active")) {
        ps.setString(1, slot);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return;
          }
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("CDC did not attach to slot " + slot + " within " + timeout);
  }

  /** Reads what the CDC engine produced: its record timestamps (producer time). */
  static KafkaConsumer<String, byte[]> changesConsumer(BenchContext ctx) {
    Properties p = new Properties();
    p.putAll(ctx.infra().broker().clientConfig());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    return new KafkaConsumer<>(
        p,
        new StringDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer());
  }

  static KafkaConsumer<String, ScheduleState> consumer(BenchContext ctx) {
    Properties p = new Properties();
    p.putAll(ctx.infra().broker().clientConfig());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    return new KafkaConsumer<>(
        p, new StringDeserializer(), Topics.SCHEDULE_STATES.valueSerde().deserializer());
  }
}
