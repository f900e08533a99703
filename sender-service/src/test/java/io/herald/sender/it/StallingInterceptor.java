package io.herald.sender.it;

import io.herald.contracts.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Makes a sender a zombie, the way a long GC pause or a stuck poll loop does: installed through
 * {@code KAFKA_INTERCEPTOR_CLASSES} (the passthrough hands it to every client of the sender, hence
 * both interfaces), it blocks the first poll that returns the armed key of {@code
 * herald.send-commands} until released. The consumer's heartbeat thread then leaves the group after
 * {@code max.poll.interval.ms} and the partitions move, while the sender's lanes, on their own
 * threads, go on.
 */
public final class StallingInterceptor
    implements ConsumerInterceptor<byte[], byte[]>, ProducerInterceptor<byte[], byte[]> {

  private static final AtomicReference<byte[]> ARMED = new AtomicReference<>();
  private static final AtomicInteger STALLED = new AtomicInteger();
  private static volatile CountDownLatch release = new CountDownLatch(1);

  /** The next poll that returns a record with {@code key} blocks until {@link #releaseAll}. */
  static void arm(String key) {
    release = new CountDownLatch(1);
    STALLED.set(0);
    ARMED.set(key.getBytes(StandardCharsets.UTF_8));
  }

  /** Polls blocked so far. */
  static int stalled() {
    return STALLED.get();
  }

  static void releaseAll() {
    ARMED.set(null);
    release.countDown();
  }

  @Override
  public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
    byte[] key = ARMED.get();
    if (key == null) {
      return records;
    }
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (Topics.SEND_COMMANDS.name().equals(r.topic())
          && Arrays.equals(key, r.key())
          && ARMED.compareAndSet(key, null)) {
        STALLED.incrementAndGet();
        try {
          release.await(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        break;
      }
    }
    return records;
  }

  @Override
  public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

  @Override
  public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
    return record;
  }

  @Override
  public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

  @Override
  public void close() {}

  @Override
  public void configure(Map<String, ?> configs) {}
}
