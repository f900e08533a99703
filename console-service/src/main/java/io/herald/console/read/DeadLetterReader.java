package io.herald.console.read;

import io.herald.contracts.topic.DeadLetters;
import io.herald.contracts.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Dead letters read straight from the {@code *.dlq} topics with a short-lived consumer that is
 * assigned, never subscribed (no group, nothing committed): the console shows what the topics hold,
 * not a copy. Every read is bounded in records and in time.
 */
public final class DeadLetterReader {

  public static final String SUFFIX = ".dlq";

  /** Most dead letters the list shows, newest first. */
  public static final int LIST_LIMIT = 200;

  /** Most records read to count the last 24 h; beyond, the count says "at least". */
  public static final int COUNT_LIMIT = 100_000;

  private static final Duration READ_TIME = Duration.ofSeconds(10);

  /** One dead letter; {@code headers} in record order, values as UTF-8 text. */
  public record Letter(
      String dlqTopic,
      int partition,
      long offset,
      Instant timestamp,
      byte[] key,
      byte[] value,
      List<Map.Entry<String, byte[]>> headers) {

    public String id() {
      return dlqTopic + "/" + partition + "/" + offset;
    }

    public Optional<String> header(String name) {
      String found = null;
      for (Map.Entry<String, byte[]> h : headers) {
        if (h.getKey().equals(name) && h.getValue() != null) {
          found = new String(h.getValue(), StandardCharsets.UTF_8);
        }
      }
      return Optional.ofNullable(found);
    }

    public Optional<String> originalTopic() {
      return header(Topics.DLQ_HEADER_TOPIC);
    }

    public String reason() {
      return header(Topics.DLQ_HEADER_REASON).orElse("");
    }

    /** Only the start of the original value was kept: it cannot be replayed. */
    public boolean truncated() {
      return header(DeadLetters.HEADER_ORIGINAL_BYTES).isPresent();
    }
  }

  /** Dead letters in the last 24 h; {@code capped}: at least this many. */
  public record Count(long count, boolean capped) {}

  private final Admin admin;
  private final Supplier<Consumer<byte[], byte[]>> consumers;

  public DeadLetterReader(Admin admin, Supplier<Consumer<byte[], byte[]>> consumers) {
    this.admin = admin;
    this.consumers = consumers;
  }

  /** Every partition of every {@code *.dlq} topic. */
  public List<TopicPartition> partitions() {
    try {
      List<String> names =
          admin.listTopics().names().get(READ_TIME.toMillis(), TimeUnit.MILLISECONDS).stream()
              .filter(n -> n.endsWith(SUFFIX))
              .sorted()
              .toList();
      if (names.isEmpty()) {
        return List.of();
      }
      Map<String, TopicDescription> described =
          admin
              .describeTopics(names)
              .allTopicNames()
              .get(READ_TIME.toMillis(), TimeUnit.MILLISECONDS);
      List<TopicPartition> out = new ArrayList<>();
      described.forEach(
          (name, d) ->
              d.partitions().forEach(p -> out.add(new TopicPartition(name, p.partition()))));
      out.sort(
          Comparator.comparing(TopicPartition::topic).thenComparing(TopicPartition::partition));
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while listing dead-letter topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot list dead-letter topics: " + e.getMessage(), e);
    }
  }

  /** The newest {@code limit} dead letters across all dead-letter topics, newest first. */
  public List<Letter> newest(int limit) {
    List<TopicPartition> partitions = partitions();
    if (partitions.isEmpty()) {
      return List.of();
    }
    List<Letter> all = new ArrayList<>();
    try (Consumer<byte[], byte[]> c = consumers.get()) {
      c.assign(partitions);
      Map<TopicPartition, Long> begin = c.beginningOffsets(partitions, READ_TIME);
      Map<TopicPartition, Long> end = c.endOffsets(partitions, READ_TIME);
      Map<TopicPartition, Long> from = new HashMap<>();
      for (TopicPartition tp : partitions) {
        from.put(tp, Math.max(begin.get(tp), end.get(tp) - limit));
      }
      readRange(c, from, end, r -> all.add(letter(r)));
    }
    all.sort(Comparator.comparing(Letter::timestamp).thenComparing(Letter::offset).reversed());
    return all.size() <= limit ? all : List.copyOf(all.subList(0, limit));
  }

  /** Dead letters with a timestamp at or after {@code since}. */
  public Count countSince(Instant since) {
    List<TopicPartition> partitions = partitions();
    if (partitions.isEmpty()) {
      return new Count(0, false);
    }
    long[] count = {0};
    long[] read = {0};
    try (Consumer<byte[], byte[]> c = consumers.get()) {
      c.assign(partitions);
      Map<TopicPartition, Long> query = new HashMap<>();
      partitions.forEach(tp -> query.put(tp, since.toEpochMilli()));
      Map<TopicPartition, OffsetAndTimestamp> at = c.offsetsForTimes(query, READ_TIME);
      Map<TopicPartition, Long> end = c.endOffsets(partitions, READ_TIME);
      Map<TopicPartition, Long> from = new HashMap<>();
      for (TopicPartition tp : partitions) {
        OffsetAndTimestamp o = at.get(tp);
        // none at or after the instant: nothing of this partition counts
        from.put(tp, o == null ? end.get(tp) : o.offset());
      }
      readRange(
          c,
          from,
          end,
          r -> {
            read[0]++;
            if (r.timestamp() >= since.toEpochMilli()) {
              count[0]++;
            }
          });
    }
    return new Count(count[0], read[0] >= COUNT_LIMIT);
  }

  /** The record at these coordinates of a dead-letter topic; empty when none is there. */
  public Optional<Letter> find(String dlqTopic, int partition, long offset) {
    if (!dlqTopic.endsWith(SUFFIX)) {
      return Optional.empty();
    }
    TopicPartition tp = new TopicPartition(dlqTopic, partition);
    if (!partitions().contains(tp)) {
      return Optional.empty();
    }
    try (Consumer<byte[], byte[]> c = consumers.get()) {
      c.assign(List.of(tp));
      long end = c.endOffsets(List.of(tp), READ_TIME).get(tp);
      if (offset < 0 || offset >= end) {
        return Optional.empty();
      }
      Letter[] found = {null};
      readRange(
          c,
          Map.of(tp, offset),
          Map.of(tp, Math.min(end, offset + 1)),
          r -> {
            if (r.offset() == offset) {
              found[0] = letter(r);
            }
          });
      return Optional.ofNullable(found[0]);
    }
  }

  /**
   * Reads each partition from {@code from} until its position reaches {@code end} (or time's up).
   */
  private static void readRange(
      Consumer<byte[], byte[]> c,
      Map<TopicPartition, Long> from,
      Map<TopicPartition, Long> end,
      java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
    List<TopicPartition> open = new ArrayList<>();
    for (Map.Entry<TopicPartition, Long> e : from.entrySet()) {
      if (e.getValue() < end.get(e.getKey())) {
        open.add(e.getKey());
      }
    }
    c.assign(open);
    open.forEach(tp -> c.seek(tp, from.get(tp)));
    long deadline = System.nanoTime() + READ_TIME.toNanos();
    long read = 0;
    while (!open.isEmpty() && System.nanoTime() < deadline && read < COUNT_LIMIT) {
      for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        if (r.offset() < end.get(tp)) {
          each.accept(r);
          read++;
        }
      }
      // transaction markers and compaction leave offsets without records: go by position
      open.removeIf(tp -> c.position(tp) >= end.get(tp));
    }
  }

  private static Letter letter(ConsumerRecord<byte[], byte[]> r) {
    List<Map.Entry<String, byte[]>> headers = new ArrayList<>();
    for (Header h : r.headers()) {
      headers.add(new java.util.AbstractMap.SimpleImmutableEntry<>(h.key(), h.value()));
    }
    return new Letter(
        r.topic(),
        r.partition(),
        r.offset(),
        Instant.ofEpochMilli(r.timestamp()),
        r.key(),
        r.value(),
        List.copyOf(headers));
  }
}
