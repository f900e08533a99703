package io.herald.bench.herald;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a service's output while the group changes — send-commands for the scheduler, delivery
 * results for the sender — on a named thread that owns its consumer: from the start of the topic,
 * {@code read_committed}, keeping only this phase's records. Knows at any moment which input
 * partitions produced output since when ({@link EmissionTimeline}), so the scenario can wait until
 * every partition works again before its next step, and counts repeated ids.
 *
 * @param <V> the output's value type
 */
final class LiveReader<V> implements AutoCloseable {

  /** How to read one output record. */
  interface Classifier<V> {
    /** The input partition that produced {@code value}, or -1 when it is not this phase's. */
    int partition(V value);

    /** The output's unique id (its command id). */
    String id(V value);

    /** When the output was due (epoch ms), or the record timestamp when it has no due time. */
    long due(V value, long timestamp);
  }

  private final int partitions;
  private final Classifier<V> classifier;
  private final Thread thread;
  private final Set<String> seen = new HashSet<>();
  private final List<long[]> dueAndEmitted = new ArrayList<>();
  private final List<List<Long>> byPartition = new ArrayList<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private long duplicates;
  private volatile boolean running = true;

  LiveReader(
      String name,
      Supplier<KafkaConsumer<String, V>> consumers,
      String topic,
      int partitions,
      Classifier<V> classifier) {
    this.partitions = partitions;
    this.classifier = classifier;
    for (int p = 0; p < partitions; p++) {
      byPartition.add(new ArrayList<>());
    }
    this.thread = new Thread(() -> read(consumers, topic), "bench-reader-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  private void read(Supplier<KafkaConsumer<String, V>> consumers, String topic) {
    try (KafkaConsumer<String, V> consumer = consumers.get()) {
      List<TopicPartition> parts =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      while (running) {
        for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(50))) {
          V v = r.value();
          int p = v == null ? -1 : classifier.partition(v);
          if (p < 0) {
            continue;
          }
          synchronized (this) {
            if (!seen.add(classifier.id(v))) {
              duplicates++;
              continue;
            }
            byPartition.get(p).add(r.timestamp());
            dueAndEmitted.add(new long[] {classifier.due(v, r.timestamp()), r.timestamp()});
          }
        }
      }
    } catch (org.apache.kafka.common.errors.InterruptException e) {
      // closed while polling
    } catch (RuntimeException e) {
      failure.set(e);
    }
  }

  /** Everything seen so far, per input partition. */
  synchronized EmissionTimeline timeline() {
    EmissionTimeline.Builder b = new EmissionTimeline.Builder(partitions);
    for (int p = 0; p < partitions; p++) {
      for (long t : byPartition.get(p)) {
        b.add(p, t);
      }
    }
    return b.build();
  }

  /** When every input partition had produced output at or after {@code t}; empty if not yet. */
  OptionalLong everyPartitionAfter(long t) {
    return timeline().everyPartitionAfter(t);
  }

  synchronized int count() {
    return seen.size();
  }

  synchronized long duplicates() {
    return duplicates;
  }

  /** Per output, {due, emitted}. */
  synchronized List<long[]> dueAndEmitted() {
    return List.copyOf(dueAndEmitted);
  }

  /**
   * Waits until {@code expected} outputs arrived (then one second more, to see a late duplicate) or
   * the deadline passed; false on the deadline.
   */
  boolean awaitCount(int expected, long deadline) throws InterruptedException {
    while (count() < expected && System.currentTimeMillis() < deadline) {
      checkFailure();
      Thread.sleep(50);
    }
    boolean all = count() >= expected;
    if (all) {
      Thread.sleep(1_000);
    }
    return all;
  }

  void checkFailure() {
    if (failure.get() != null) {
      throw new IllegalStateException("The output reader failed: " + failure.get(), failure.get());
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(5_000);
    if (thread.isAlive()) {
      thread.interrupt();
      thread.join(5_000);
    }
  }
}
