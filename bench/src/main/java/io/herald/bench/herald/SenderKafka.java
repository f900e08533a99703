package io.herald.bench.herald;

import io.herald.bench.scenario.BenchContext;
import io.herald.contracts.command.CommandId;
import io.herald.contracts.command.RecipientType;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.DeliveryResult;
import io.herald.contracts.outcome.DeliveryStatus;
import io.herald.contracts.topic.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka side of {@link SenderThroughputScenario}: fresh topics per run, the send-commands it
 * produces, and the reader of the delivery results.
 */
final class SenderKafka {

  private SenderKafka() {}

  /** What the result reader saw. */
  static final class Drain {
    int count;
    long repeated;
    long lastTimestamp;
    final Map<DeliveryStatus, Integer> statuses = new EnumMap<>(DeliveryStatus.class);
  }

  static Drain drain(KafkaConsumer<String, DeliveryResult> results, int n, long deadline) {
    Drain d = new Drain();
    Set<String> seen = new HashSet<>(n * 2);
    while (d.count < n && System.currentTimeMillis() < deadline) {
      for (ConsumerRecord<String, DeliveryResult> r : results.poll(Duration.ofMillis(100))) {
        if (r.value() == null || !seen.add(r.value().commandId().value())) {
          d.repeated++;
          continue;
        }
        d.count++;
        d.statuses.merge(r.value().status(), 1, Integer::sum);
        d.lastTimestamp = Math.max(d.lastTimestamp, r.timestamp());
      }
    }
    return d;
  }

  static ProducerRecord<String, SendCommand> record(
      String scheduleKey, Instant occurrence, String device, String recipient, PacingSpec pacing) {
    SendCommand cmd =
        new SendCommand(
            SendCommand.SCHEMA_VERSION,
            CommandId.of(scheduleKey, occurrence, recipient),
            SenderThroughputScenario.TENANT,
            device,
            scheduleKey,
            ScheduleKind.BROADCAST,
            occurrence,
            recipient,
            RecipientType.INDIVIDUAL,
            null,
            "Hello from the bench",
            null,
            pacing,
            1,
            null);
    return new ProducerRecord<>(Topics.SEND_COMMANDS.name(), device, cmd);
  }

  /** Fresh send-commands, delivery-results and dead-letter topics: each run reads only its own. */
  static void recreateTopics(BenchContext ctx) throws Exception {
    HeraldScheduler.deleteTopics(ctx.infra(), "bench-sender");
    List<String> names =
        List.of(
            Topics.SEND_COMMANDS.name(),
            Topics.DELIVERY_RESULTS.name(),
            Topics.SEND_COMMANDS.dlqName());
    try (Admin admin = Admin.create(ctx.infra().broker().clientConfig())) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        try {
          admin
              .createTopics(
                  names.stream()
                      .map(t -> new NewTopic(t, SenderThroughputScenario.PARTITIONS, (short) 1))
                      .toList())
              .all()
              .get(30, TimeUnit.SECONDS);
          return;
        } catch (java.util.concurrent.ExecutionException e) {
          if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)
              || System.nanoTime() > deadline) {
            throw e;
          }
          // still being deleted: retry
          HeraldScheduler.deleteTopics(ctx.infra(), "bench-sender");
          Thread.sleep(200);
        }
      }
    }
  }

  static KafkaProducer<String, SendCommand> producer(BenchContext ctx) {
    Properties p = new Properties();
    p.putAll(ctx.infra().broker().clientConfig());
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(
        p, new StringSerializer(), Topics.SEND_COMMANDS.valueSerde().serializer());
  }

  static KafkaConsumer<String, DeliveryResult> resultConsumer(BenchContext ctx) {
    Properties p = new Properties();
    p.putAll(ctx.infra().broker().clientConfig());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    return new KafkaConsumer<>(
        p, new StringDeserializer(), Topics.DELIVERY_RESULTS.valueSerde().deserializer());
  }
}
