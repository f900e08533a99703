package io.herald.scheduler.projector;

import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.limit.ErrorTexts;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.outcome.Occurrence;
import io.herald.contracts.outcome.ScheduleError;
import io.herald.contracts.outcome.ScheduleState;
import io.herald.contracts.topic.DeadLetters;
import io.herald.contracts.topic.Topics;
import io.herald.scheduler.projector.FailureClassifier.Fault;
import io.herald.runtime.kafka.KafkaClients;
import io.herald.runtime.loop.ServiceLoop;
import io.herald.runtime.loop.ServiceLoop.Decision;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
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
 * replays at most one batch, and every write is idempotent ({@link StateWriter}).
 *
 * <p>Failures are classified per record ({@link FailureClassifier}):
 *
 * <ul>
 *   <li>The record's fault (unreadable, or content the database refuses: a value out of range, a
 *       constraint, a size limit; or a mapping that throws): it cannot succeed later. The batch
 *       is rolled back and applied again record by record, each in its own transaction, so the
 *       others are not lost; the poison record goes to {@code <topic>.dlq} with its coordinates
 *       and the reason in headers (ADR 0006), its row, when the key still names one, is marked
 *       {@code invalid} ({@code failed} for a broadcast) with a bounded last_error in a
 *       transaction of its own, and offsets move on.
 *   <li>Infrastructure (connection lost, PostgreSQL shutting down or out of resources, a
 *       timeout, the dead-letter topic not acknowledging): the batch is rewound and retried with
 *       backoff; nothing is skipped.
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
  /** Record results of a dead-lettered record. */
  private static final String UNREADABLE = "unreadable";
  private static final String UNWRITABLE = "unwritable";
  /** Prefix of the last_error a row gets when a decision for it could not be recorded. */
  static final String UNRECORDED_PREFIX = "state could not be recorded: ";

  private final ProjectorConfig config;
  private final MeterRegistry registry;
  private final StateWriter writer = new StateWriter();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
  private final Counter failures;
  private final ServiceLoop loop;
  private KafkaConsumer<byte[], byte[]> consumer;
  private Producer<byte[], byte[]> dlqProducer;
  private final List<Future<RecordMetadata>> dlqSends = new ArrayList<>();
  private Connection connection;
  /** The batch being applied; null between batches and when the poll itself failed. */
  private ConsumerRecords<byte[], byte[]> inFlight;
  private boolean started;

  public ScheduleStateProjector(ProjectorConfig config, MeterRegistry registry) {
    this(config, registry, e -> {});
  }

  /**
   * @param onFatal called once, on the projector's thread, when it stopped on a failure it does
   *     not retry; must return at once (the app exits)
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
            .backoff(MIN_BACKOFF,
                config.retryBackoffMax().compareTo(MIN_BACKOFF) < 0
                    ? MIN_BACKOFF : config.retryBackoffMax())
            .wakeup(() -> consumer.wakeup())
            .tearDown(this::closeClients)
            .onFatal(onFatal)
            .joinTimeout(Duration.ofSeconds(30))
            .build();
  }

  /**
   * False once the projector thread ended on a failure instead of through {@link #close()} (its
   * reason is in {@link #stopReason()} and was logged at ERROR); true before start, while
   * running (also while it retries a failing database: that stalls the write-back, which the
   * failures metric shows, but resumes on its own) and after a clean close.
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
    List<String> results = apply(records);
    awaitDeadLetters();
    consumer.commitSync(nextOffsets(records));
    inFlight = null;
    count(records, results);
    return true;
  }

  /**
   * A retriable poll failure or a failed batch is retried with backoff (the batch rewound, so
   * nothing is skipped); anything else stops the projector. A batch interrupted by a close is
   * not committed: it is replayed, harmlessly.
   */
  private Decision onFailure(Throwable e, int attempt, Duration backoff) {
    ConsumerRecords<byte[], byte[]> records = inFlight;
    inFlight = null;
    if (records == null) {
      if (!(e instanceof RetriableException)) {
        return Decision.FATAL;
      }
      log.warn("Projector poll failed, retrying: group={} backoffMs={} reason={}",
          config.groupId(), backoff.toMillis(), e.toString());
      return Decision.RETRY;
    }
    if (!(e instanceof SQLException || e instanceof RuntimeException)) {
      return Decision.FATAL;
    }
    dlqSends.clear();
    failures.increment();
    String message = "Projector batch failed, rewinding and retrying: group={} records={}"
        + " attempt={} backoffMs={}";
    if (attempt >= ERROR_AFTER_ATTEMPTS) {
      // Still failing after minutes of backoff: the write-back is stalled, a human must act.
      log.error(message, config.groupId(), records.count(), attempt, backoff.toMillis(), e);
    } else {
      log.warn(message, config.groupId(), records.count(), attempt, backoff.toMillis(), e);
    }
    closeConnection();
    rewind(records);
    return Decision.RETRY;
  }

  private void closeClients() {
    try {
      consumer.close(Duration.ofSeconds(10));
    } catch (RuntimeException e) {
      log.warn("Projector consumer did not close cleanly: group={}", config.groupId(), e);
    }
    closeConnection();
    dlqProducer.close(Duration.ofSeconds(10));
    log.info("Projector stopped: group={}", config.groupId());
  }

  /**
   * Applies one poll's records in one transaction; when one of them is the record's fault, rolls
   * back and applies them one by one instead. Returns each record's result, in poll order.
   *
   * @throws SQLException infrastructure: nothing of the batch may be considered done
   */
  private List<String> apply(ConsumerRecords<byte[], byte[]> records) throws SQLException {
    Connection c = connection();
    List<String> results = new ArrayList<>(records.count());
    try {
      for (ConsumerRecord<byte[], byte[]> r : records) {
        results.add(applyOne(c, r));
      }
      c.commit();
      return results;
    } catch (RecordFault f) {
      rollback(c);
      log.warn("Projector batch holds a record it cannot write, applying it record by record:"
          + " group={} records={} topic={} partition={} offset={}", config.groupId(),
          records.count(), f.record.topic(), f.record.partition(), f.record.offset());
    } catch (SQLException e) {
      rollback(c);
      if (FailureClassifier.classify(e) == Fault.INFRASTRUCTURE) {
        throw e;
      }
      // Refused at commit (a deferred check): which record is not known, so find it.
      log.warn("Projector batch refused at commit, applying it record by record: group={}"
          + " records={} reason={}", config.groupId(), records.count(),
          FailureClassifier.reason(e));
    } catch (RuntimeException | Error e) {
      rollback(c);
      throw e;
    }
    return applyOneByOne(c, records);
  }

  /** Each record in its own transaction; a poison record is dead-lettered and its row marked. */
  private List<String> applyOneByOne(Connection c, ConsumerRecords<byte[], byte[]> records)
      throws SQLException {
    List<String> results = new ArrayList<>(records.count());
    for (ConsumerRecord<byte[], byte[]> r : records) {
      RecordFault fault;
      try {
        String result = applyOne(c, r);
        commitRecord(c, r);
        results.add(result);
        continue;
      } catch (RecordFault f) {
        fault = f;
      } catch (SQLException | RuntimeException | Error e) {
        rollback(c);
        throw e;
      }
      rollback(c);
      log.error("Projector dead-lettered a record it cannot {}: topic={} partition={} offset={}"
          + " key={} reason={}", fault.result.equals(UNREADABLE) ? "read" : "write", r.topic(),
          r.partition(), r.offset(), ErrorTexts.clip(key(r), Limits.SCHEDULE_KEY_MAX_CHARS),
          fault.reason);
      markRow(c, fault);
      deadLetter(r, fault.dlqReason(), fault.cause);
      results.add(fault.result);
    }
    return results;
  }

  private void commitRecord(Connection c, ConsumerRecord<byte[], byte[]> r)
      throws SQLException, RecordFault {
    try {
      c.commit();
    } catch (SQLException e) {
      if (FailureClassifier.classify(e) == Fault.INFRASTRUCTURE) {
        throw e;
      }
      throw RecordFault.unwritable(r, null, null, e);
    }
  }

  /**
   * Applies one record on {@code c} without committing.
   *
   * @throws RecordFault the record's content is at fault (classified by {@link
   *     FailureClassifier}); the transaction must be rolled back
   * @throws SQLException infrastructure
   */
  private String applyOne(Connection c, ConsumerRecord<byte[], byte[]> r)
      throws SQLException, RecordFault {
    if (r.value() == null) {
      return "noop"; // tombstone of the compacted states topic: the schedule is gone
    }
    Instant fallbackAt = Instant.ofEpochMilli(Math.max(0, r.timestamp()));
    String scheduleKey = null;
    ScheduleKind kind = null;
    StateWriter.Result result;
    try {
      if (r.topic().equals(Topics.SCHEDULE_STATES.name())) {
        ScheduleState s = Topics.SCHEDULE_STATES.valueSerde().deserializer()
            .deserialize(r.topic(), r.value());
        scheduleKey = s.scheduleKey();
        kind = s.kind();
        result = writer.state(c, s, fallbackAt);
      } else if (r.topic().equals(Topics.OCCURRENCES.name())) {
        Occurrence o = Topics.OCCURRENCES.valueSerde().deserializer()
            .deserialize(r.topic(), r.value());
        scheduleKey = o.scheduleKey();
        kind = o.kind();
        result = writer.occurrence(c, o, fallbackAt);
      } else if (r.topic().equals(Topics.SCHEDULE_ERRORS.name())) {
        ScheduleError e = Topics.SCHEDULE_ERRORS.valueSerde().deserializer()
            .deserialize(r.topic(), r.value());
        scheduleKey = e.scheduleKey();
        kind = e.kind();
        result = writer.error(c, e, fallbackAt);
      } else {
        return "skipped";
      }
    } catch (SerializationException e) {
      throw RecordFault.unreadable(r, e);
    } catch (SQLException | RuntimeException e) {
      if (FailureClassifier.classify(e) == Fault.INFRASTRUCTURE) {
        throw e;
      }
      throw RecordFault.unwritable(r, scheduleKey, kind, e);
    }
    if (result == StateWriter.Result.SKIPPED) {
      log.debug("Projector skipped a record naming no row: topic={} partition={} offset={} key={}",
          r.topic(), r.partition(), r.offset(),
          ErrorTexts.clip(key(r), Limits.SCHEDULE_KEY_MAX_CHARS));
    }
    return result.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Shows on the poison record's row, when its key names one, that a decision could not be
   * recorded; in its own transaction. If the database refuses even that, the dead letter is all
   * that remains.
   *
   * @throws SQLException infrastructure: the batch is retried, the record with it
   */
  private void markRow(Connection c, RecordFault f) throws SQLException {
    ConsumerRecord<byte[], byte[]> r = f.record;
    String scheduleKey = f.scheduleKey != null ? f.scheduleKey : key(r);
    UUID id = StateWriter.idOf(scheduleKey);
    ScheduleKind kind = StateWriter.kindOf(f.kind, scheduleKey);
    if (id == null || kind == null) {
      return;
    }
    Instant at = Instant.ofEpochMilli(Math.max(0, r.timestamp()));
    try {
      writer.unrecorded(c, kind, id, UNRECORDED_PREFIX + f.reason, at);
      c.commit();
    } catch (SQLException | RuntimeException e) {
      rollback(c);
      if (FailureClassifier.classify(e) == Fault.INFRASTRUCTURE) {
        throw e;
      }
      log.warn("Projector could not mark the row of a dead-lettered record: topic={}"
          + " partition={} offset={} reason={}", r.topic(), r.partition(), r.offset(),
          FailureClassifier.reason(e));
    }
  }

  private static void rollback(Connection c) {
    try {
      c.rollback();
    } catch (SQLException e) {
      log.debug("Rollback failed on a broken connection", e);
    }
  }

  private Connection connection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      Properties p = new Properties();
      if (config.jdbcUser() != null) {
        p.setProperty("user", config.jdbcUser());
      }
      if (config.jdbcPassword() != null) {
        p.setProperty("password", config.jdbcPassword());
      }
      p.setProperty("ApplicationName", config.applicationId() + "-projector");
      connection = DriverManager.getConnection(config.jdbcUrl(), p);
      connection.setAutoCommit(false);
    }
    return connection;
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        log.debug("Ignoring failure to close a projector connection", e);
      }
      connection = null;
    }
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
    return KafkaClients.consumer(config.bootstrapServers(), config.kafkaProperties(),
            config.groupId())
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
    return KafkaClients.producer(config.bootstrapServers(), config.kafkaProperties(),
            Limits.MAX_RECORD_BYTES)
        .clientId(config.applicationId() + "-projector-dlq")
        .set(ProducerConfig.ACKS_CONFIG, "all")
        .set(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
        .set(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName())
        .set(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName())
        .toProperties();
  }

  /**
   * The raw record to {@code <topic>.dlq} (its value cut to {@link
   * Limits#MAX_DEAD_LETTER_VALUE_BYTES}), its coordinates and the reason in headers.
   */
  private void deadLetter(ConsumerRecord<byte[], byte[]> r, String reason, Exception cause) {
    RecordHeaders headers = DeadLetters.headers(r.headers().toArray(), r.topic(), r.partition(),
        r.offset(), reason, cause);
    DeadLetters.truncatedHeader(headers, r.value());
    dlqSends.add(dlqProducer.send(new ProducerRecord<>(r.topic() + ".dlq", null, r.key(),
        DeadLetters.value(r.value()), headers)));
  }

  /** Offsets move past a dead-lettered record only once the dead-letter topic has it. */
  private void awaitDeadLetters() {
    try {
      for (Future<RecordMetadata> f : dlqSends) {
        f.get(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while dead-lettering", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Dead-letter topic did not acknowledge: " + e, e);
    } finally {
      dlqSends.clear();
    }
  }

  private static String key(ConsumerRecord<byte[], byte[]> r) {
    return r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
  }

  private static List<String> topics() {
    return List.of(Topics.SCHEDULE_STATES.name(), Topics.OCCURRENCES.name(),
        Topics.SCHEDULE_ERRORS.name());
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
    return deadLetters.computeIfAbsent(topic + "/" + reason, k ->
        Counter.builder("herald.scheduler.projector.dead.letters")
            .description("Records sent to <topic>.dlq: unreadable, or content PostgreSQL refuses")
            .tag("topic", topic)
            .tag("reason", reason)
            .register(registry));
  }

  private Counter counter(String topic, String result) {
    return counters.computeIfAbsent(topic + "/" + result, k ->
        Counter.builder("herald.scheduler.projector.records")
            .description("Records written back to PostgreSQL, by topic and result")
            .tag("topic", topic)
            .tag("result", result)
            .register(registry));
  }

  /**
   * A record whose content is at fault: it fails the same way on every attempt. Thrown by
   * {@link #applyOne} (the transaction must be rolled back), handled by {@link #applyOneByOne}.
   */
  private static final class RecordFault extends Exception {
    private static final long serialVersionUID = 1L;

    final transient ConsumerRecord<byte[], byte[]> record;
    /** {@link #UNREADABLE} or {@link #UNWRITABLE}. */
    final String result;
    /** The key and kind the record's value names, when it could be read; else null. */
    final String scheduleKey;
    final transient ScheduleKind kind;
    final Exception cause;
    /** One line, bounded ({@link FailureClassifier#reason}). */
    final String reason;

    private RecordFault(ConsumerRecord<byte[], byte[]> record, String result, String scheduleKey,
        ScheduleKind kind, Exception cause) {
      super(FailureClassifier.reason(cause), cause, false, false);
      this.record = record;
      this.result = result;
      this.scheduleKey = scheduleKey;
      this.kind = kind;
      this.cause = cause;
      this.reason = getMessage();
    }

    static RecordFault unreadable(ConsumerRecord<byte[], byte[]> r, Exception cause) {
      return new RecordFault(r, UNREADABLE, null, null, cause);
    }

    static RecordFault unwritable(ConsumerRecord<byte[], byte[]> r, String scheduleKey,
        ScheduleKind kind, Exception cause) {
      return new RecordFault(r, UNWRITABLE, scheduleKey, kind, cause);
    }

    /** The dead letter's reason header. */
    String dlqReason() {
      return (result.equals(UNREADABLE) ? "unreadable record: " : UNRECORDED_PREFIX) + reason;
    }
  }
}
