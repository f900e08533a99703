package io.herald.scheduler.projector;

import io.herald.contracts.limit.Limits;
import io.herald.contracts.topic.Topics;
import io.herald.runtime.kafka.KafkaClients;
import io.herald.runtime.loop.ServiceLoop;
import io.herald.runtime.loop.ServiceLoop.Decision;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the scheduler's decisions back to PostgreSQL: {@code herald.schedule-states}, {@code
 * herald.occurrences} and {@code herald.schedule-errors} become next_send_at, status, last_error,
 * execution_count and {@code recurring_message_logs} rows.
 *
 * <p>One database transaction per poll; offsets are committed only after it commits, so a crash
 * replays at most one batch, and every write is idempotent ({@link StateWriter}). This class owns
 * the lifecycle (thread, clients, retries, metrics); {@link BatchApplier} applies a batch.
 *
 * <p>Failures are classified per record ({@code io.herald.runtime.jdbc.SqlFailures}):
 *
 * <ul>
 *   <li>The record's fault (unreadable, or content the database refuses: a value out of range, a
 *       constraint, a size limit; or a mapping that throws): it cannot succeed later. The batch is
 *       rolled back and applied again record by record, each in its own transaction, so the others
 *       are not lost; the poison record goes to {@code <topic>.dlq} with its coordinates and the
 *       reason in headers (ADR 0006), its row, when the key still names one, is marked {@code
 *       invalid} ({@code failed} for a broadcast) with a bounded last_error in a transaction of its
 *       own, and offsets move on.
 *   <li>Infrastructure (connection lost, PostgreSQL shutting down or out of resources, a timeout,
 *       the dead-letter topic not acknowledging): the batch is rewound and retried with backoff;
 *       nothing is skipped.
 * </ul>
 *
 * <p>The projector stops only when closed or on a failure it does not retry (e.g. a Kafka
 * authorization error); then it logs why at ERROR, {@link #healthy()} turns false, which the
 * scheduler's readiness reports, and {@code onFatal} tells the app to exit.
 *
 * <p>Thread: {@code herald-projector}, a {@link ServiceLoop}.
 */
public final class ScheduleStateProjector implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ScheduleStateProjector.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration MIN_BACKOFF = Duration.ofMillis(200);

  /** Consecutive failed attempts after which a retried batch is logged at ERROR, not WARN. */
  private static final int ERROR_AFTER_ATTEMPTS = 10;

  private static final String UNREADABLE = BatchApplier.UNREADABLE;
  private static final String UNWRITABLE = BatchApplier.UNWRITABLE;

  /** Prefix of the last_error a row gets when a decision for it could not be recorded. */
  static final String UNRECORDED_PREFIX = BatchApplier.UNRECORDED_PREFIX;

  private final ProjectorConfig config;
  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
  private final Counter failures;
  private final ServiceLoop loop;
  private KafkaConsumer<byte[], byte[]> consumer;
  private Producer<byte[], byte[]> dlqProducer;
  private BatchApplier batches;

  /** The batch being applied; null between batches and when the poll itself failed. */
  private ConsumerRecords<byte[], byte[]> inFlight;

  private boolean started;

  public ScheduleStateProjector(ProjectorConfig config, MeterRegistry registry) {
    this(config, registry, e -> {});
  }

  /**
   * @param onFatal called once, on the projector's thread, when it stopped on a failure it does not
   *     retry; must return at once (the app exits)
   */
  public ScheduleStateProjector(
      ProjectorConfig config, MeterRegistry registry, Consumer<Throwable> onFatal) {
    this.config = config;
    this.registry = registry;
    this.failures =
        Counter.builder("herald.scheduler.projector.failures")
            .description("Batches rolled back because PostgreSQL failed; they are retried")
            .register(registry);
    for (String topic : topics()) {
      for (StateWriter.Result r : StateWriter.Result.values()) {
        counter(topic, r.name().toLowerCase(Locale.ROOT));
      }
      counter(topic, UNREADABLE);
      counter(topic, UNWRITABLE);
      deadLetterCounter(topic, UNREADABLE);
      deadLetterCounter(topic, UNWRITABLE);
    }
    this.loop =
        ServiceLoop.named("herald-projector")
            .metrics(registry)
            .setUp(() -> consumer.subscribe(topics()))
            .body(this::pollOnce)
            .onFailure(this::onFailure)
            .backoff(
                MIN_BACKOFF,
                config.retryBackoffMax().compareTo(MIN_BACKOFF) < 0
                    ? MIN_BACKOFF
                    : config.retryBackoffMax())
            .wakeup(() -> consumer.wakeup())
            .tearDown(this::closeClients)
            .onFatal(onFatal)
            .joinTimeout(Duration.ofSeconds(30))
            .build();
  }

  /**
   * False once the projector thread ended on a failure instead of through {@link #close()} (its
   * reason is in {@link #stopReason()} and was logged at ERROR); true before start, while running
   * (also while it retries a failing database: that stalls the write-back, which the failures
   * metric shows, but resumes on its own) and after a clean close.
   */
  public boolean healthy() {
    return loop.healthy();
  }

  /** Why the projector stopped on its own, or null. */
  public String stopReason() {
    Throwable failure = loop.failure();
    return failure == null ? null : failure.toString();
  }

  /** Subscribes and starts the projector thread. */
  public synchronized void start() {
    if (started) {
      return;
    }
    started = true;
    consumer = new KafkaConsumer<>(consumerProperties());
    dlqProducer = new KafkaProducer<>(producerProperties());
    batches = new BatchApplier(config, dlqProducer);
    loop.start();
    log.info("Projector started: group={} topics={}", config.groupId(), topics());
  }

  /** Finishes the current batch, closes the consumer and the connection; bounded. */
  @Override
  public void close() {
    loop.close();
  }

  /** One poll; its batch applied, dead letters acknowledged, then offsets committed. */
  private boolean pollOnce() throws SQLException {
    ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
    if (records.isEmpty()) {
      return false;
    }
    inFlight = records;
    List<String> results = batches.apply(records);
    batches.awaitDeadLetters();
    consumer.commitSync(nextOffsets(records));
    inFlight = null;
    count(records, results);
    return true;
  }

  /**
   * A retriable poll failure or a failed batch is retried with backoff (the batch rewound, so
   * nothing is skipped); anything else stops the projector. A batch interrupted by a close is not
   * committed: it is replayed, harmlessly.
   */
  private Decision onFailure(Throwable e, int attempt, Duration backoff) {
    ConsumerRecords<byte[], byte[]> records = inFlight;
    inFlight = null;
    if (records == null) {
      if (!(e instanceof RetriableException)) {
        return Decision.FATAL;
      }
      log.warn(
          "Projector poll failed, retrying: group={} backoffMs={} reason={}",
          config.groupId(),
          backoff.toMillis(),
          e.toString());
      return Decision.RETRY;
    }
    if (!(e instanceof SQLException || e instanceof RuntimeException)) {
      return Decision.FATAL;
    }
    failures.increment();
    String message =
        "Projector batch failed, rewinding and retrying: group={} records={}"
            + " attempt={} backoffMs={}";
    if (attempt >= ERROR_AFTER_ATTEMPTS) {
      // Still failing after minutes of backoff: the write-back is stalled, a human must act.
      log.error(message, config.groupId(), records.count(), attempt, backoff.toMillis(), e);
    } else {
      log.warn(message, config.groupId(), records.count(), attempt, backoff.toMillis(), e);
    }
    batches.discard();
    rewind(records);
    return Decision.RETRY;
  }

  private void closeClients() {
    try {
      consumer.close(Duration.ofSeconds(10));
    } catch (RuntimeException e) {
      log.warn("Projector consumer did not close cleanly: group={}", config.groupId(), e);
    }
    batches.discard();
    dlqProducer.close(Duration.ofSeconds(10));
    log.info("Projector stopped: group={}", config.groupId());
  }

  /** Seeks every partition of the batch back to its first record so the batch is re-polled. */
  private void rewind(ConsumerRecords<byte[], byte[]> records) {
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> rs = records.records(tp);
      try {
        consumer.seek(tp, rs.get(0).offset());
      } catch (IllegalStateException e) {
        // No longer assigned: the new owner starts from the committed offset, which is earlier.
        log.debug("Partition revoked before rewind: {}", tp);
      }
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(
      ConsumerRecords<byte[], byte[]> records) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> rs = records.records(tp);
      offsets.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
    }
    return offsets;
  }

  private Properties consumerProperties() {
    return KafkaClients.consumer(
            config.bootstrapServers(), config.kafkaProperties(), config.groupId())
        .clientId(config.applicationId() + "-projector")
        .byDefault(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
        // The scheduler writes these topics in exactly-once transactions: never see aborted output.
        .set(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
        .set(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxBatch())
        // Topics are provisioned with their own settings (compaction); a subscription must not
        // create them with broker defaults.
        .set(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false)
        .set(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName())
        .set(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName())
        .toProperties();
  }

  private Properties producerProperties() {
    // Any record the input topics hold must fit its dead letter (the default is 1 MiB): a dead
    // letter the producer refuses would be retried for ever and stall the projector.
    return KafkaClients.producer(
            config.bootstrapServers(), config.kafkaProperties(), Limits.MAX_RECORD_BYTES)
        .clientId(config.applicationId() + "-projector-dlq")
        .set(ProducerConfig.ACKS_CONFIG, "all")
        .set(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
        .set(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName())
        .set(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName())
        .toProperties();
  }

  private static List<String> topics() {
    return List.of(
        Topics.SCHEDULE_STATES.name(), Topics.OCCURRENCES.name(), Topics.SCHEDULE_ERRORS.name());
  }

  /** Counts a batch whose offsets were committed: each record once, however often retried. */
  private void count(ConsumerRecords<byte[], byte[]> records, List<String> results) {
    int i = 0;
    for (ConsumerRecord<byte[], byte[]> r : records) {
      String result = results.get(i++);
      counter(r.topic(), result).increment();
      if (result.equals(UNREADABLE) || result.equals(UNWRITABLE)) {
        deadLetterCounter(r.topic(), result).increment();
      }
    }
  }

  private Counter deadLetterCounter(String topic, String reason) {
    return deadLetters.computeIfAbsent(
        topic + "/" + reason,
        k ->
            Counter.builder("herald.scheduler.projector.dead.letters")
                .description(
                    "Records sent to <topic>.dlq: unreadable, or content PostgreSQL refuses")
                .tag("topic", topic)
                .tag("reason", reason)
                .register(registry));
  }

  private Counter counter(String topic, String result) {
    return counters.computeIfAbsent(
        topic + "/" + result,
        k ->
            Counter.builder("herald.scheduler.projector.records")
                .description("Records written back to PostgreSQL, by topic and result")
                .tag("topic", topic)
                .tag("result", result)
                .register(registry));
  }
}
