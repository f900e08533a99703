package io.herald.scheduler.projector;

import io.herald.contracts.outcome.Occurrence;
import io.herald.contracts.outcome.ScheduleError;
import io.herald.contracts.outcome.ScheduleState;
import io.herald.contracts.topic.DeadLetters;
import io.herald.contracts.topic.Topics;
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
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
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
 * replays at most one batch, and every write is idempotent ({@link StateWriter}). A failing
 * database rewinds the batch and retries with backoff; nothing is skipped. A record that cannot
 * be read goes to {@code <topic>.dlq} with its coordinates in headers (ADR 0006), is counted, and
 * the batch continues: it cannot become readable later.
 *
 * <p>Thread: {@code herald-projector}.
 */
public final class ScheduleStateProjector implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ScheduleStateProjector.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final long MIN_BACKOFF_MS = 200;

  private final ProjectorConfig config;
  private final MeterRegistry registry;
  private final StateWriter writer = new StateWriter();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Counter failures;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private KafkaConsumer<byte[], byte[]> consumer;
  private Producer<byte[], byte[]> dlqProducer;
  private final List<Future<RecordMetadata>> dlqSends = new ArrayList<>();
  private Connection connection;
  private Thread thread;

  public ScheduleStateProjector(ProjectorConfig config, MeterRegistry registry) {
    this.config = config;
    this.registry = registry;
    this.failures =
        Counter.builder("herald.scheduler.projector.failures")
            .description("Batches rolled back because PostgreSQL failed; they are retried")
            .register(registry);
    for (String topic : topics()) {
      for (StateWriter.Result r : StateWriter.Result.values()) {
        counter(topic, r.name().toLowerCase(java.util.Locale.ROOT));
      }
      counter(topic, "unreadable");
    }
  }

  /** Subscribes and starts the projector thread. */
  public synchronized void start() {
    if (thread != null) {
      return;
    }
    consumer = new KafkaConsumer<>(consumerProperties());
    dlqProducer = new KafkaProducer<>(producerProperties());
    thread = new Thread(this::loop, "herald-projector");
    thread.start();
    log.info("Projector started: group={} topics={}", config.groupId(), topics());
  }

  /** Finishes the current batch, closes the consumer and the connection; bounded. */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t == null) {
      return;
    }
    if (closing.compareAndSet(false, true)) {
      consumer.wakeup();
    }
    try {
      if (!stopped.await(30, TimeUnit.SECONDS)) {
        log.error("Projector thread did not stop within 30 s: group={}", config.groupId());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void loop() {
    long backoffMs = MIN_BACKOFF_MS;
    try {
      consumer.subscribe(topics());
      while (!closing.get()) {
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(POLL);
        } catch (WakeupException e) {
          break;
        }
        if (records.isEmpty()) {
          continue;
        }
        try {
          apply(records);
          awaitDeadLetters();
          consumer.commitSync(nextOffsets(records));
          backoffMs = MIN_BACKOFF_MS;
        } catch (SQLException | RuntimeException e) {
          if (e instanceof WakeupException) {
            break; // the batch's offsets were not committed: it is replayed, harmlessly
          }
          dlqSends.clear();
          failures.increment();
          log.warn("Projector batch failed, rewinding and retrying: group={} records={}"
              + " backoffMs={}", config.groupId(), records.count(), backoffMs, e);
          closeConnection();
          rewind(records);
          if (!sleep(backoffMs)) {
            break;
          }
          backoffMs = Math.min(backoffMs * 2, config.retryBackoffMax().toMillis());
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      try {
        consumer.close(Duration.ofSeconds(10));
      } catch (RuntimeException e) {
        log.warn("Projector consumer did not close cleanly: group={}", config.groupId(), e);
      }
      closeConnection();
      dlqProducer.close(Duration.ofSeconds(10));
      stopped.countDown();
      log.info("Projector stopped: group={}", config.groupId());
    }
  }

  /** Applies one poll's records in one transaction. */
  private void apply(ConsumerRecords<byte[], byte[]> records) throws SQLException {
    Connection c = connection();
    boolean done = false;
    try {
      for (ConsumerRecord<byte[], byte[]> r : records) {
        String result = applyOne(c, r);
        counter(r.topic(), result).increment();
      }
      c.commit();
      done = true;
    } finally {
      if (!done) {
        try {
          c.rollback();
        } catch (SQLException e) {
          log.debug("Rollback failed on a broken connection", e);
        }
      }
    }
  }

  private String applyOne(Connection c, ConsumerRecord<byte[], byte[]> r) throws SQLException {
    if (r.value() == null) {
      return "noop"; // tombstone of the compacted states topic: the schedule is gone
    }
    Instant fallbackAt = Instant.ofEpochMilli(Math.max(0, r.timestamp()));
    StateWriter.Result result;
    try {
      if (r.topic().equals(Topics.SCHEDULE_STATES.name())) {
        ScheduleState s = Topics.SCHEDULE_STATES.valueSerde().deserializer()
            .deserialize(r.topic(), r.value());
        result = writer.state(c, s, fallbackAt);
      } else if (r.topic().equals(Topics.OCCURRENCES.name())) {
        Occurrence o = Topics.OCCURRENCES.valueSerde().deserializer()
            .deserialize(r.topic(), r.value());
        result = writer.occurrence(c, o, fallbackAt);
      } else if (r.topic().equals(Topics.SCHEDULE_ERRORS.name())) {
        ScheduleError e = Topics.SCHEDULE_ERRORS.valueSerde().deserializer()
            .deserialize(r.topic(), r.value());
        result = writer.error(c, e, fallbackAt);
      } else {
        return "skipped";
      }
    } catch (SerializationException e) {
      log.error("Projector dead-lettered an unreadable record: topic={} partition={} offset={}"
          + " key={} reason={}", r.topic(), r.partition(), r.offset(), key(r), e.getMessage());
      deadLetter(r, e);
      return "unreadable";
    }
    if (result == StateWriter.Result.SKIPPED) {
      log.debug("Projector skipped a record naming no row: topic={} partition={} offset={} key={}",
          r.topic(), r.partition(), r.offset(), key(r));
    }
    return result.name().toLowerCase(java.util.Locale.ROOT);
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

  private boolean sleep(long ms) {
    try {
      Thread.sleep(ms); // backoff while PostgreSQL is failing, not a synchronisation
      return !closing.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private Properties consumerProperties() {
    Properties p = new Properties();
    p.putAll(config.kafkaProperties());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, config.applicationId() + "-projector");
    // The scheduler writes these topics in exactly-once transactions: never see aborted output.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxBatch());
    p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Topics are provisioned with their own settings (compaction); a subscription must not
    // create them with broker defaults.
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  private Properties producerProperties() {
    Properties p = new Properties();
    p.putAll(config.kafkaProperties());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, config.applicationId() + "-projector-dlq");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  /** The raw record to {@code <topic>.dlq}, its coordinates and the reason in headers. */
  private void deadLetter(ConsumerRecord<byte[], byte[]> r, SerializationException e) {
    RecordHeaders headers = DeadLetters.headers(r.headers().toArray(), r.topic(), r.partition(),
        r.offset(), e.getMessage(), e);
    dlqSends.add(dlqProducer.send(
        new ProducerRecord<>(r.topic() + ".dlq", null, r.key(), r.value(), headers)));
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

  private Counter counter(String topic, String result) {
    return counters.computeIfAbsent(topic + "/" + result, k ->
        Counter.builder("herald.scheduler.projector.records")
            .description("Records written back to PostgreSQL, by topic and result")
            .tag("topic", topic)
            .tag("result", result)
            .register(registry));
  }
}
