package io.herald.bench.herald;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.ScheduleKind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * The scheduler's live load while its group changes: every step, {@link #PER_PARTITION_PER_STEP}
 * one-recipient schedules per partition of {@code herald.schedule-changes}, due {@link
 * #LEAD_MILLIS} later, so that every partition has timers due every step and a partition that stops
 * firing shows at once. Schedule ids are picked so that their keys land on the partition wanted
 * (Kafka's default partitioner, as the bench's producer uses).
 */
final class LiveTimers {

  static final int PARTITIONS = ScaleSchedulerRows.PARTITIONS;
  static final int PER_PARTITION_PER_STEP = 2;
  static final long STEP_MILLIS = 100;

  /** A live timer is produced this long before it is due (loaded well before it fires). */
  static final long LEAD_MILLIS = 2_000;

  private final String prefix;
  private final KafkaProducer<String, Object> producer;
  private final List<ArrayDeque<String>> ready = new ArrayList<>();
  private long seq;
  private int phone = 2_000_000;

  LiveTimers(String prefix, KafkaProducer<String, Object> producer) {
    this.prefix = prefix;
    this.producer = producer;
    for (int p = 0; p < PARTITIONS; p++) {
      ready.add(new ArrayDeque<>());
    }
  }

  /** One step of a {@link PacedFeed}: the schedules due {@link #LEAD_MILLIS} after it. */
  int produce(long stepMillis) {
    long due = stepMillis + LEAD_MILLIS;
    for (int p = 0; p < PARTITIONS; p++) {
      for (int j = 0; j < PER_PARTITION_PER_STEP; j++) {
        producer.send(ScaleSchedulerRows.schedule(next(p), phone++, due));
      }
    }
    return PARTITIONS * PER_PARTITION_PER_STEP;
  }

  private String next(int partition) {
    while (ready.get(partition).isEmpty()) {
      String id = prefix + seq++;
      ready
          .get(EmissionTimeline.partitionOf(ScheduleKind.BROADCAST.keyFor(id), PARTITIONS))
          .add(id);
    }
    return ready.get(partition).poll();
  }

  /** Reads the send-commands of these schedules: partition of the schedule, due = occurrence. */
  LiveReader.Classifier<SendCommand> classifier() {
    String keyPrefix = ScheduleKind.BROADCAST.keyFor(prefix);
    return new LiveReader.Classifier<>() {
      @Override
      public int partition(SendCommand c) {
        return c.scheduleKey().startsWith(keyPrefix)
            ? EmissionTimeline.partitionOf(c.scheduleKey(), PARTITIONS)
            : -1;
      }

      @Override
      public String id(SendCommand c) {
        return c.commandId().value();
      }

      @Override
      public long due(SendCommand c, long timestamp) {
        return c.occurrenceAt().toEpochMilli();
      }
    };
  }
}
