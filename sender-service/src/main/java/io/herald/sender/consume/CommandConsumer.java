package io.herald.sender.consume;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.limit.ErrorTexts;
import io.herald.contracts.serde.JsonSerde;
import io.herald.contracts.topic.DeadLetters;
import io.herald.runtime.loop.ServiceLoop;
import io.herald.sender.lane.LaneScheduler;
import io.herald.sender.lane.PendingCommand;
import io.herald.sender.metrics.SenderMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the consumer of {@code herald.send-commands} and its thread ({@code herald-consumer}). Reads
 * records, dead-letters unreadable and invalid ones (an invalid command with a usable id is also
 * recorded as a failed delivery), hands the others to the lanes, commits each partition up to its
 * lowest record without a recorded outcome, pauses fetching of partitions with too much in flight,
 * and stops revoked partitions' lanes cleanly before they move.
 *
 * <p>The loop is a {@link ServiceLoop}: any failure that reaches it (a dead letter the broker does
 * not take, a fatal consumer error) is fatal; the loop then stops, {@link #ready()} turns false and
 * {@code onFatal} tells the app to exit.
 */
public final class CommandConsumer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CommandConsumer.class);
  private static final JsonSerde<SendCommand> SERDE = new JsonSerde<>(SendCommand.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration LAG_INTERVAL = Duration.ofSeconds(5);

  /** Largest original key kept on a dead letter: value room is reserved up to this much. */
  static final int MAX_DLQ_KEY_BYTES = 64 * 1024;

  private final Consumer<byte[], byte[]> consumer;
  private final Producer<byte[], byte[]> dlqProducer;
  private final LaneScheduler lanes;
  private final RejectionRecorder rejections;
  private final SenderMetrics metrics;
  private final ConsumerSettings settings;
  private final Map<TopicPartition, CommittableOffsets> offsets = new ConcurrentHashMap<>();
  private final Set<TopicPartition> pausedPartitions = new HashSet<>();
  private final ServiceLoop loop;
  private volatile int assigned;
  private long lastCommitNanos;
  private long lastLagNanos;

  public CommandConsumer(
      Consumer<byte[], byte[]> consumer,
      Producer<byte[], byte[]> dlqProducer,
      LaneScheduler lanes,
      RejectionRecorder rejections,
      SenderMetrics metrics,
      ConsumerSettings settings,
      MeterRegistry registry,
      java.util.function.Consumer<Throwable> onFatal) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.dlqProducer = Objects.requireNonNull(dlqProducer, "dlqProducer");
    this.lanes = Objects.requireNonNull(lanes, "lanes");
    this.rejections = Objects.requireNonNull(rejections, "rejections");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.loop =
        ServiceLoop.named("herald-consumer")
            .metrics(registry)
            .setUp(() -> consumer.subscribe(List.of(settings.topic()), new Listener()))
            .body(this::pollOnce)
            .wakeup(consumer::wakeup)
            .tearDown(this::shutdown)
            .onFatal(onFatal)
            .joinTimeout(settings.revokeTimeout().plusSeconds(15))
            .build();
  }

  public CommandConsumer start() {
    loop.start();
    return this;
  }

  /** True while partitions are assigned and the loop runs. */
  public boolean ready() {
    return loop.running() && loop.healthy() && assigned > 0;
  }

  /** Blocks until the loop has ended (after {@link #close()} or a fatal error). */
  public void awaitExit() throws InterruptedException {
    while (!loop.awaitExit(Duration.ofMinutes(1))) {
      // keep waiting
    }
  }

  /** Blocks until the loop has ended or {@code timeout} passed; true when it has ended. */
  public boolean awaitExit(Duration timeout) throws InterruptedException {
    return loop.awaitExit(timeout);
  }

  /** The error that stopped the loop, or null. */
  public Throwable failure() {
    return loop.failure();
  }

  /** One poll: records to lanes or dead letters, then backpressure, commits and lag. */
  private boolean pollOnce() {
    ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
    for (ConsumerRecord<byte[], byte[]> r : records) {
      handle(r);
    }
    for (TopicPartition tp : records.partitions()) {
      CommittableOffsets off = offsets.get(tp);
      if (off != null) {
        off.fetchedUpTo(consumer.position(tp));
      }
    }
    backpressure();
    if (System.nanoTime() - lastCommitNanos >= settings.commitInterval().toNanos()) {
      commit(offsets.keySet(), false);
    }
    if (System.nanoTime() - lastLagNanos >= LAG_INTERVAL.toNanos()) {
      updateLag();
    }
    return !records.isEmpty();
  }

  private void shutdown() {
    try {
      Set<TopicPartition> owned = new HashSet<>(offsets.keySet());
      lanes.revoke(partitionsOf(owned), settings.revokeTimeout());
      if (loop.healthy()) {
        commit(owned, true);
      }
    } catch (RuntimeException e) {
      log.warn("Final commit failed: error={}", e.toString());
    } finally {
      offsets.clear();
      assigned = 0;
      consumer.close(Duration.ofSeconds(5));
      log.info("Send-command consumer closed");
    }
  }

  /**
   * Reads one record and hands it to its lane, or dead-letters it. Whatever the record holds, it
   * ends up either in a lane or on the dead-letter topic, and counts as done once its dead letter
   * is written: only a dead letter that cannot be written (the broker) stops the loop.
   */
  private void handle(ConsumerRecord<byte[], byte[]> r) {
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    CommittableOffsets off = offsets.computeIfAbsent(tp, k -> new CommittableOffsets());
    long offset = r.offset();
    off.track(offset);
    SendCommand cmd;
    try {
      cmd = SERDE.deserialize(r.topic(), r.value());
    } catch (RuntimeException e) {
      deadLetter(r, "not a SendCommand", e);
      off.done(offset);
      return;
    }
    if (cmd == null) {
      deadLetter(r, "empty value", null);
      off.done(offset);
      return;
    }
    String problem;
    Exception cause = null;
    try {
      List<String> problems = CommandValidator.problems(cmd);
      if (problems.isEmpty()) {
        metrics.commandReceived();
        lanes.submit(new PendingCommand(cmd, r.partition(), offset, () -> off.done(offset)));
        return;
      }
      problem = ErrorTexts.join(problems);
    } catch (RuntimeException e) {
      // a command the checks let through and handling still chokes on: the same record would
      // fail the same way after a restart, so it must not stop the loop or hold the offset
      problem = "cannot be handled: " + e.getClass().getSimpleName();
      cause = e;
    }
    deadLetter(r, problem, cause);
    off.done(offset);
    if (RejectionRecorder.hasUsableId(cmd)) {
      try {
        rejections.reject(cmd, problem);
      } catch (RuntimeException e) {
        log.warn(
            "Rejected command not recorded: topic={} partition={} offset={} error={}",
            r.topic(),
            r.partition(),
            offset,
            e.toString());
      }
    }
  }

  private void deadLetter(ConsumerRecord<byte[], byte[]> r, String reason, Exception cause) {
    RecordHeaders headers =
        DeadLetters.headers(
            r.headers().toArray(), r.topic(), r.partition(), r.offset(), reason, cause);
    DeadLetters.truncatedHeader(headers, r.value());
    ProducerRecord<byte[], byte[]> dlq =
        new ProducerRecord<>(
            settings.dlqTopic(), null, dlqKey(r.key()), DeadLetters.value(r.value()), headers);
    try {
      dlqProducer.send(dlq).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new KafkaException(
          "Cannot dead-letter record " + r.topic() + "-" + r.partition() + "@" + r.offset(), e);
    }
    metrics.deadLetter();
    log.warn(
        "Send-command dead-lettered: topic={} partition={} offset={} reason={}",
        r.topic(),
        r.partition(),
        r.offset(),
        DeadLetters.firstLine(reason));
  }

  /**
   * The key for the dead letter: the original, unless it is so large that key and clipped value
   * together could pass the record bound (then none; the coordinates headers still find it).
   */
  static byte[] dlqKey(byte[] key) {
    return key == null || key.length <= MAX_DLQ_KEY_BYTES ? key : null;
  }

  private void backpressure() {
    int max = settings.maxInFlightPerPartition();
    List<TopicPartition> toPause = new ArrayList<>();
    List<TopicPartition> toResume = new ArrayList<>();
    for (Map.Entry<TopicPartition, CommittableOffsets> en : offsets.entrySet()) {
      int inFlight = en.getValue().inFlight();
      TopicPartition tp = en.getKey();
      if (!pausedPartitions.contains(tp) && inFlight >= max) {
        toPause.add(tp);
      } else if (pausedPartitions.contains(tp) && inFlight <= max / 2) {
        toResume.add(tp);
      }
    }
    if (!toPause.isEmpty()) {
      consumer.pause(toPause);
      pausedPartitions.addAll(toPause);
      log.info("Fetching paused, too much in flight: partitions={} limit={}", toPause, max);
    }
    if (!toResume.isEmpty()) {
      consumer.resume(toResume);
      toResume.forEach(pausedPartitions::remove);
      log.info("Fetching resumed: partitions={}", toResume);
    }
  }

  private void commit(Collection<TopicPartition> parts, boolean sync) {
    lastCommitNanos = System.nanoTime();
    Map<TopicPartition, OffsetAndMetadata> toCommit = new HashMap<>();
    Map<TopicPartition, Long> values = new HashMap<>();
    for (TopicPartition tp : parts) {
      CommittableOffsets off = offsets.get(tp);
      if (off == null) {
        continue;
      }
      OptionalLong c = off.toCommit();
      if (c.isPresent()) {
        toCommit.put(tp, new OffsetAndMetadata(c.getAsLong()));
        values.put(tp, c.getAsLong());
      }
    }
    if (toCommit.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(toCommit, Duration.ofSeconds(sync ? 15 : 5));
      values.forEach(
          (tp, v) -> {
            CommittableOffsets off = offsets.get(tp);
            if (off != null) {
              off.committed(v);
            }
          });
    } catch (CommitFailedException e) {
      log.warn("Commit rejected (rebalance in progress), retrying later: offsets={}", values);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      log.warn("Commit timed out, retrying later: offsets={}", values);
    }
  }

  private void updateLag() {
    lastLagNanos = System.nanoTime();
    long lag = 0;
    for (TopicPartition tp : offsets.keySet()) {
      lag += consumer.currentLag(tp).orElse(0L);
    }
    metrics.consumerLag(lag);
  }

  private static List<Integer> partitionsOf(Collection<TopicPartition> parts) {
    List<Integer> out = new ArrayList<>();
    parts.forEach(tp -> out.add(tp.partition()));
    return out;
  }

  /** Stops the loop: lanes finish calls in flight (bounded), offsets are committed, then close. */
  @Override
  public void close() {
    loop.close();
  }

  private final class Listener implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      int stuck = lanes.revoke(partitionsOf(partitions), settings.revokeTimeout());
      commit(partitions, true);
      forget(partitions);
      log.info("Partitions revoked: partitions={} callsStillInFlight={}", partitions, stuck);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      // another consumer may own them already: stop at once, commit nothing
      lanes.revoke(partitionsOf(partitions), Duration.ZERO);
      forget(partitions);
      log.warn("Partitions lost: partitions={}", partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      // parked commands first: later commands of a schedule must queue behind its parked ones
      lanes.assigned(partitionsOf(partitions));
      for (TopicPartition tp : partitions) {
        offsets.putIfAbsent(tp, new CommittableOffsets());
      }
      assigned = offsets.size();
      if (!partitions.isEmpty()) {
        log.info("Partitions assigned: partitions={} total={}", partitions, assigned);
      }
    }

    private void forget(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        offsets.remove(tp);
        pausedPartitions.remove(tp);
      }
      assigned = offsets.size();
    }
  }
}
