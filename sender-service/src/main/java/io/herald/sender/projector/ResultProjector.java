package io.herald.sender.projector;

import io.herald.contracts.outcome.DeliveryResult;
import io.herald.contracts.serde.JsonSerde;
import io.herald.contracts.topic.Topics;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes {@code herald.delivery-results} in its own consumer group ({@code <group>-projector})
 * and recomputes the touched schedules' counts in PostgreSQL once per poll batch; offsets are
 * committed only after the batch is written, and a replay recomputes the same numbers. Every {@code
 * sweep} it also re-checks open broadcasts whose {@code total_count} arrived late.
 */
public final class ResultProjector implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ResultProjector.class);
  private static final JsonSerde<DeliveryResult> SERDE = new JsonSerde<>(DeliveryResult.class);

  private final Consumer<byte[], byte[]> consumer;
  private final JdbcProjection projection;
  private final Duration sweep;
  private final Thread thread;
  private volatile boolean running = true;
  private final Set<ProjectionTarget> pending = new LinkedHashSet<>();
  private long lastSweepNanos;

  public ResultProjector(
      Consumer<byte[], byte[]> consumer, JdbcProjection projection, Duration sweep) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.projection = Objects.requireNonNull(projection, "projection");
    this.sweep = Objects.requireNonNull(sweep, "sweep");
    this.thread = new Thread(this::run, "herald-projector");
  }

  public ResultProjector start() {
    thread.start();
    return this;
  }

  private void run() {
    try {
      consumer.subscribe(List.of(Topics.DELIVERY_RESULTS.name()));
      while (running) {
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(Duration.ofMillis(500));
        } catch (WakeupException e) {
          continue;
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
          collect(r);
        }
        boolean sweepDue = System.nanoTime() - lastSweepNanos >= sweep.toNanos();
        if (pending.isEmpty() && !sweepDue) {
          continue;
        }
        try {
          if (sweepDue) {
            lastSweepNanos = System.nanoTime();
            pending.addAll(projection.openBroadcasts());
          }
          projection.apply(pending);
          pending.clear();
          consumer.commitSync();
        } catch (SQLException | RuntimeException e) {
          if (e instanceof WakeupException) {
            throw (WakeupException) e;
          }
          // keep the targets, retry with the next poll; nothing is committed meanwhile
          log.warn(
              "Projection failed, retrying: targets={} error={}", pending.size(), e.toString());
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      log.error("Result projector stopped on an unexpected error", e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void collect(ConsumerRecord<byte[], byte[]> r) {
    DeliveryResult result;
    try {
      result = SERDE.deserialize(r.topic(), r.value());
    } catch (KafkaException e) {
      log.warn(
          "Unreadable delivery result skipped: topic={} partition={} offset={}",
          r.topic(),
          r.partition(),
          r.offset());
      return;
    }
    if (result == null || result.kind() == null || result.scheduleKey() == null) {
      return;
    }
    UUID id = scheduleId(result.scheduleKey());
    if (id != null) {
      pending.add(new ProjectionTarget(result.kind(), id, result.occurrenceAt()));
    }
  }

  private static UUID scheduleId(String scheduleKey) {
    int colon = scheduleKey.indexOf(':');
    try {
      return UUID.fromString(colon < 0 ? scheduleKey : scheduleKey.substring(colon + 1));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
