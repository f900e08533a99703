package io.herald.scheduler.cdc;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.topic.Topics;
import io.herald.runtime.kafka.KafkaClients;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Debezium embedded engine (PostgreSQL, pgoutput) turning row changes of Herald's definition
 * tables into canonical events on Kafka. Offsets live in a compacted Kafka topic so that whichever
 * instance holds the lease ({@link EngineLeadership}) resumes where the previous one stopped.
 *
 * <p>Delivery is at least once: a batch is marked processed only after Kafka acknowledged every
 * event produced from it (idempotent producer, {@code acks=all}, flush then commit). A failed
 * batch stops the engine, which restarts with backoff from the last committed offsets. Only
 * Kafka itself failing counts as a failed batch: a row whose event is too large or cannot be
 * read is produced as a rejection stub or dead letter instead ({@link PoisonRows}), so no row
 * can stop the stream or hold the replication slot's WAL.
 *
 * <p>{@link #start()} streams until {@link #stop(Duration)} or {@link #close()}; it may be
 * started again after a stop (each start builds a fresh Debezium engine). Thread: {@code
 * herald-cdc-engine}, one per running engine.
 */
public final class CdcEngine implements AutoCloseable, EngineLeadership.Listener {

  private static final Logger log = LoggerFactory.getLogger(CdcEngine.class);

  /**
   * Offsets reach Kafka at most this long after a batch: the replay window after a crash. Small
   * because a write to a compacted one-partition topic costs about a millisecond.
   */
  static final long OFFSET_FLUSH_INTERVAL_MS = 1_000;

  /** Names the offsets' partition inside the offsets topic; changing it restarts from scratch. */
  static final String TOPIC_PREFIX = "herald";

  private static final long MIN_BACKOFF_MS = 500;
  private static final long MAX_BACKOFF_MS = 30_000;
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);

  private final CdcConfig config;
  private final ObjectMapper json;
  private final RowMapper mapper;
  private final Clock clock;
  private final MeterRegistry registry;
  private final Map<String, Counter> eventCounters = new ConcurrentHashMap<>();
  private final Map<String, Counter> droppedCounters = new ConcurrentHashMap<>();
  private final Map<String, Counter> cutCounters = new ConcurrentHashMap<>();
  private final Map<String, Counter> poisonCounters = new ConcurrentHashMap<>();
  private final Map<String, Counter> deadLetterCounters = new ConcurrentHashMap<>();
  private final Counter restarts;
  private final Counter mappingFailures;
  private final Timer lag;

  private final Object lock = new Object();
  private boolean closed;
  /** The current run; a stopped run that outlived its stop timeout never restarts itself. */
  private Run run;
  private Producer<String, byte[]> producer;

  public CdcEngine(CdcConfig config, MeterRegistry registry) {
    this(config, registry, Clock.systemUTC());
  }

  CdcEngine(CdcConfig config, MeterRegistry registry, Clock clock) {
    this.config = config;
    this.registry = registry;
    this.clock = clock;
    this.json = io.herald.contracts.serde.Json.mapper();
    this.mapper = new RowMapper(json);
    this.restarts =
        Counter.builder("herald.scheduler.cdc.restarts")
            .description("CDC engine runs that ended unexpectedly and were restarted")
            .register(registry);
    this.mappingFailures =
        Counter.builder("herald.scheduler.cdc.mapping.failures")
            .description("Change events the mapper or serializer failed on; dead-lettered, and"
                + " reported invalid when they are definitions")
            .register(registry);
    this.lag =
        Timer.builder("herald.scheduler.cdc.lag")
            .description("Source commit time to Kafka acknowledgement of the produced event")
            .publishPercentileHistogram()
            .register(registry);
    // Pre-register the known series so dashboards show zeros rather than gaps.
    for (String table : RowMapper.TABLES) {
      for (String op : List.of("create", "read", "update", "delete")) {
        eventCounter(table, op);
      }
      droppedCounter(table);
      poisonCounter(table, "too_large");
      poisonCounter(table, "unreadable");
      deadLetterCounter(table, "written");
      deadLetterCounter(table, "refused");
    }
    for (String table : List.of(RowMapper.DEVICES, RowMapper.CONTACTS)) {
      cutCounter(table);
    }
  }

  /** Starts streaming now (idempotent). Used by {@link EngineLeadership} when elected. */
  public void start() {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("CDC engine is closed");
      }
      if (run != null && run.wanted) {
        return;
      }
      if (run != null && run.thread.isAlive()) {
        // A previous stop timed out; that run no longer restarts, and the slot fences it.
        log.warn("Starting the CDC engine while the previous run is still stopping: slot={}",
            config.slotName());
      }
      if (producer == null) {
        producer = new KafkaProducer<>(producerProperties());
      }
      Run r = new Run();
      r.thread = new Thread(() -> superviseLoop(r), "herald-cdc-engine");
      run = r;
      r.thread.start();
      log.info("CDC engine starting: slot={} offsetsTopic={} pollInterval={}",
          config.slotName(), config.offsetsTopic(), config.pollInterval());
    }
  }

  /**
   * Stops streaming and waits at most {@code timeout} for the engine to finish its last batch and
   * commit its offsets. Idempotent.
   *
   * @return true when the engine stopped within the timeout
   */
  public boolean stop(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Run r;
    DebeziumEngine<ChangeEvent<String, String>> engine;
    synchronized (lock) {
      r = run;
      if (r == null) {
        return true;
      }
      r.wanted = false;
      engine = r.current;
      lock.notifyAll();
    }
    if (engine != null) {
      closeEngine(engine, deadline);
    }
    try {
      r.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (r.thread.isAlive()) {
      // The replication slot still fences a second reader; a human should look at this.
      log.error("CDC engine did not stop within {}: slot={}", timeout, config.slotName());
      return false;
    }
    synchronized (lock) {
      if (run == r) {
        run = null;
      }
    }
    log.info("CDC engine stopped: slot={}", config.slotName());
    return true;
  }

  /**
   * True between the engine's task start and its stop: it streams, or (while another reader holds
   * the slot) keeps trying to attach. Debezium reports no separate "attached" event.
   */
  public boolean isStreaming() {
    Run r;
    synchronized (lock) {
      r = run;
    }
    return r != null && r.streaming;
  }

  @Override
  public void onElected() {
    start();
  }

  @Override
  public void onDemoted() {
    stop(config.stopTimeout());
  }

  /** Stops the engine (bounded by the configured stop timeout) and closes the producer. */
  @Override
  public void close() {
    stop(config.stopTimeout());
    Producer<String, byte[]> p;
    synchronized (lock) {
      closed = true;
      p = producer;
      producer = null;
    }
    if (p != null) {
      p.close(Duration.ofSeconds(10));
    }
  }

  private void superviseLoop(Run r) {
    long backoffMs = MIN_BACKOFF_MS;
    while (true) {
      RunOutcome outcome = new RunOutcome();
      DebeziumEngine<ChangeEvent<String, String>> engine = build(r, outcome);
      synchronized (lock) {
        if (!r.wanted) {
          closeQuietly(engine);
          return;
        }
        r.current = engine;
      }
      long startedAt = System.nanoTime();
      try {
        engine.run();
      } catch (RuntimeException e) {
        outcome.failed("engine run failed", e);
      } finally {
        r.streaming = false;
        synchronized (lock) {
          r.current = null;
        }
      }
      synchronized (lock) {
        if (!r.wanted) {
          return;
        }
        if (outcome.streamed || System.nanoTime() - startedAt > TimeUnit.MINUTES.toNanos(1)) {
          backoffMs = MIN_BACKOFF_MS;
        }
        restarts.increment();
        // Typical cause after a failover: the old leader still holds the slot for a moment.
        log.warn("CDC engine ended unexpectedly, restarting: slot={} backoffMs={} reason={}",
            config.slotName(), backoffMs, outcome.message, outcome.error);
        try {
          lock.wait(backoffMs);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        if (!r.wanted) {
          return;
        }
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    }
  }

  private DebeziumEngine<ChangeEvent<String, String>> build(Run r, RunOutcome outcome) {
    return DebeziumEngine.create(Json.class)
        .using(debeziumProperties())
        .using((DebeziumEngine.CompletionCallback) (ok, message, error) -> {
          if (!ok) {
            outcome.failed(message, error);
          }
        })
        .using(new DebeziumEngine.ConnectorCallback() {
          @Override
          public void taskStarted() {
            r.streaming = true;
            outcome.streamed = true;
            log.info("CDC engine streaming: slot={}", config.slotName());
          }

          @Override
          public void taskStopped() {
            r.streaming = false;
          }
        })
        .notifying(this::handleBatch)
        .build();
  }

  /**
   * Produces the batch's events, waits for Kafka to acknowledge all of them, and only then marks
   * the records processed. A row whose event cannot be produced as it is (too large, unreadable)
   * is replaced or dead-lettered ({@link PoisonRows}) so the batch still completes; only a failed
   * delivery (timeout, broker down, authorization...) fails the batch (and the engine run)
   * unmarked.
   */
  void handleBatch(List<ChangeEvent<String, String>> records,
      DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer)
      throws InterruptedException {
    Producer<String, byte[]> p;
    synchronized (lock) {
      p = producer;
    }
    if (p == null) {
      throw new IllegalStateException("CDC engine is closed");
    }
    handleBatch(p, records, committer);
  }

  /** {@link #handleBatch(List, DebeziumEngine.RecordCommitter)} with a given producer; tests. */
  void handleBatch(Producer<String, byte[]> p, List<ChangeEvent<String, String>> records,
      DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer)
      throws InterruptedException {
    List<Sent> sent = new ArrayList<>(records.size());
    for (ChangeEvent<String, String> r : records) {
      produce(p, r, sent);
    }
    p.flush();
    long deadline = System.nanoTime() + SEND_TIMEOUT.toNanos();
    List<Sent> refused = awaitAcks(sent, deadline);
    if (!refused.isEmpty()) {
      // Sent after the whole batch: a replacement must not overtake a later change of its key.
      List<Sent> replacements = new ArrayList<>();
      for (Sent s : refused) {
        replaceRefused(p, s, sent, replacements);
      }
      p.flush();
      List<Sent> refusedAgain =
          awaitAcks(replacements, System.nanoTime() + SEND_TIMEOUT.toNanos());
      if (!refusedAgain.isEmpty()) {
        // A stub is a few hundred bytes: a topic refusing it is misconfigured for every row.
        throw new CdcException("Kafka refused a rejection stub of a few hundred bytes: topic="
            + refusedAgain.get(0).topic() + " key=" + refusedAgain.get(0).key(), null);
      }
    }
    for (ChangeEvent<String, String> r : records) {
      committer.markProcessed(r);
    }
    committer.markBatchFinished();
  }

  /** Maps one change and sends what it turned into: its event, a stub and/or a dead letter. */
  private void produce(Producer<String, byte[]> p, ChangeEvent<String, String> r,
      List<Sent> sent) {
    CdcMapping mapping;
    try {
      mapping = mapper.map(r.value());
    } catch (RuntimeException e) {
      // The mapper is built not to throw; if it does, one bad row must not stop the stream.
      unreadable(p, r, e, sent);
      return;
    }
    if (mapping instanceof CdcMapping.Emit<?> emit) {
      byte[] value;
      try {
        value = emit.serializedValue();
      } catch (RuntimeException e) {
        unreadable(p, r, e, sent);
        return;
      }
      if (emit.cutValues() > 0) {
        cutCounter(emit.table()).increment(emit.cutValues());
      }
      if (value.length > Limits.MAX_DEFINITION_BYTES) {
        tooLarge(p, r, emit, value.length, sent);
        return;
      }
      send(p, sent, r, emit.table(), emit.op(), emit.topic().name(), emit.key(), emit.value(),
          value, emit.sourceTsMs(), false);
      if (log.isDebugEnabled()) {
        log.debug("CDC event produced: table={} op={} topic={} key={}",
            emit.table(), emit.op(), emit.topic().name(), emit.key());
      }
    } else if (mapping instanceof CdcMapping.StateOnly stateOnly) {
      droppedCounter(stateOnly.table()).increment();
      log.debug("CDC update dropped, only state columns changed: table={} columns={}",
          stateOnly.table(), stateOnly.changedColumns());
    } else if (mapping instanceof CdcMapping.Ignored ignored) {
      log.debug("CDC change ignored: table={} reason={}", ignored.table(), ignored.reason());
    }
  }

  /**
   * An event over {@link Limits#MAX_DEFINITION_BYTES}: a definition goes out as a rejection stub
   * (the user sees the row invalid, with the size), a contact or device as a dead letter.
   */
  private void tooLarge(Producer<String, byte[]> p, ChangeEvent<String, String> r,
      CdcMapping.Emit<?> emit, int bytes, List<Sent> sent) {
    poisonCounter(emit.table(), "too_large").increment();
    if (emit.value() instanceof ScheduleChange change) {
      log.warn("Schedule definition too large, sent as rejected: table={} key={} bytes={} "
          + "limit={} sourceVersion={}", emit.table(), emit.key(), bytes,
          Limits.MAX_DEFINITION_BYTES, change.sourceVersion());
      ScheduleChange stub = PoisonRows.stub(change, PoisonRows.tooLargeError(bytes));
      send(p, sent, r, emit.table(), emit.op(), emit.topic().name(), emit.key(), stub,
          Topics.SCHEDULE_CHANGES.valueSerde().serializer()
              .serialize(Topics.SCHEDULE_CHANGES.name(), stub),
          emit.sourceTsMs(), true);
    } else {
      PoisonRows.Source source = PoisonRows.source(json, r.value(), r.key());
      log.warn("CDC event too large, dead-lettered: table={} key={} bytes={} limit={} lsn={}",
          emit.table(), emit.key(), bytes, Limits.MAX_DEFINITION_BYTES, source.lsn());
      deadLetter(p, sent, r, source, String.format(Locale.ROOT,
          "event too large: %,d bytes, limit %,d", bytes, Limits.MAX_DEFINITION_BYTES), null);
    }
  }

  /**
   * A change the mapper or the serializer could not handle: dead-lettered as raw Debezium JSON,
   * and for a definition also a rejection stub, so the user learns the row was not taken.
   */
  private void unreadable(Producer<String, byte[]> p, ChangeEvent<String, String> r,
      RuntimeException e, List<Sent> sent) {
    mappingFailures.increment();
    PoisonRows.Source source = PoisonRows.source(json, r.value(), r.key());
    String table = RowMapper.TABLES.contains(source.table()) ? source.table() : "unknown";
    poisonCounter(table, "unreadable").increment();
    // The exception's message may quote row content: only its class is logged; the dead letter
    // keeps the first line for the operator.
    log.error("CDC change could not be read, dead-lettered: table={} key={} lsn={} exception={}",
        table, source.eventKey(), source.lsn(), e.getClass().getName());
    String error = PoisonRows.unreadableError(e);
    ScheduleChange stub = PoisonRows.unreadable(source, error);
    if (stub != null) {
      String op = opName(source.op());
      send(p, sent, r, table, op, Topics.SCHEDULE_CHANGES.name(), stub.scheduleKey(), stub,
          Topics.SCHEDULE_CHANGES.valueSerde().serializer()
              .serialize(Topics.SCHEDULE_CHANGES.name(), stub),
          0, true);
    }
    deadLetter(p, sent, r, source, error, e);
  }

  /**
   * A record the broker refused as too large although it passed the size check (a topic's
   * {@code max.message.bytes} set lower): a definition is replaced by a stub unless a later
   * change of the same key in this batch already superseded it; a contact or device is
   * dead-lettered.
   */
  private void replaceRefused(Producer<String, byte[]> p, Sent s, List<Sent> batch,
      List<Sent> replacements) {
    if (s.stub()) {
      replacements.add(s); // reported by the caller: nothing smaller to send
      return;
    }
    poisonCounter(s.table(), "too_large").increment();
    if (s.value() instanceof ScheduleChange change) {
      boolean superseded = false;
      for (int i = batch.indexOf(s) + 1; i < batch.size(); i++) {
        Sent later = batch.get(i);
        superseded |= !later.deadLetter() && later.topic().equals(s.topic())
            && Objects.equals(later.key(), s.key());
      }
      log.warn("Kafka refused a schedule definition as too large, {}: topic={} key={} bytes={}",
          superseded ? "a later change of the key replaces it" : "sent as rejected", s.topic(),
          s.key(), s.bytes());
      if (!superseded) {
        ScheduleChange stub = PoisonRows.stub(change, PoisonRows.refusedError(s.bytes()));
        send(p, replacements, s.change(), s.table(), s.op(), s.topic(), s.key(), stub,
            Topics.SCHEDULE_CHANGES.valueSerde().serializer()
                .serialize(Topics.SCHEDULE_CHANGES.name(), stub),
            s.sourceTsMs(), true);
      }
    } else {
      PoisonRows.Source source = PoisonRows.source(json, s.change().value(), s.change().key());
      log.warn("Kafka refused a CDC event as too large, dead-lettered: topic={} key={} bytes={}",
          s.topic(), s.key(), s.bytes());
      deadLetter(p, replacements, s.change(), source, String.format(Locale.ROOT,
          "event too large for topic %s: %,d bytes", s.topic(), s.bytes()), null);
    }
  }

  /** Debezium's op code as the events metric names it. */
  private static String opName(String code) {
    if (code == null) {
      return "update";
    }
    switch (code) {
      case "c":
        return "create";
      case "r":
        return "read";
      case "d":
        return "delete";
      default:
        return "update";
    }
  }

  private void send(Producer<String, byte[]> p, List<Sent> sent, ChangeEvent<String, String> r,
      String table, String op, String topic, String key, Object value, byte[] bytes,
      long sourceTsMs, boolean stub) {
    Future<RecordMetadata> f = p.send(new ProducerRecord<>(topic, key, bytes));
    sent.add(new Sent(f, r, table, op, topic, key, value, bytes.length, sourceTsMs, stub, false));
    eventCounter(table, op).increment();
  }

  private void deadLetter(Producer<String, byte[]> p, List<Sent> sent,
      ChangeEvent<String, String> r, PoisonRows.Source source, String reason, Exception cause) {
    ProducerRecord<String, byte[]> dl = PoisonRows.deadLetter(source, r.value(), reason, cause);
    String table = RowMapper.TABLES.contains(source.table()) ? source.table() : "unknown";
    sent.add(new Sent(p.send(dl), r, table, null, dl.topic(), dl.key(), null,
        dl.value().length, 0, false, true));
  }

  /**
   * Waits for every send; returns the events the broker refused as too large. A refused dead
   * letter is counted and logged but does not fail the batch (the row is still in PostgreSQL);
   * any other failure does.
   */
  private List<Sent> awaitAcks(List<Sent> sends, long deadline) throws InterruptedException {
    List<Sent> refused = new ArrayList<>();
    for (Sent s : sends) {
      try {
        s.future().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException | TimeoutException e) {
        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
        if (cause instanceof RecordTooLargeException) {
          if (s.deadLetter()) {
            deadLetterCounter(s.table(), "refused").increment();
            log.error("Dead letter refused as too large, the row stays only in PostgreSQL: "
                + "topic={} key={} bytes={}", s.topic(), s.key(), s.bytes());
          } else {
            refused.add(s);
          }
          continue;
        }
        throw new CdcException(
            "Kafka did not acknowledge a CDC event; the batch stays unprocessed and is re-read: "
                + cause, cause);
      }
      if (s.deadLetter()) {
        deadLetterCounter(s.table(), "written").increment();
      } else if (s.sourceTsMs() > 0) {
        lag.record(Math.max(0, clock.millis() - s.sourceTsMs()), TimeUnit.MILLISECONDS);
      }
    }
    return refused;
  }

  /** The embedded engine's configuration; package-private for tests. */
  Properties debeziumProperties() {
    CdcConfig.JdbcTarget db = CdcConfig.JdbcTarget.parse(config.jdbcUrl());
    Properties p = new Properties();
    // Security and other client settings reach the offset store's Kafka clients this way.
    p.putAll(config.kafkaProperties());
    // The offsets key contains the engine name: offsets are positions in one slot's stream.
    p.setProperty("name", "herald-cdc-" + config.slotName());
    p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
    p.setProperty("topic.prefix", TOPIC_PREFIX);
    p.setProperty("database.hostname", db.host());
    p.setProperty("database.port", Integer.toString(db.port()));
    p.setProperty("database.dbname", db.database());
    if (config.jdbcUser() != null) {
      p.setProperty("database.user", config.jdbcUser());
    }
    if (config.jdbcPassword() != null) {
      p.setProperty("database.password", config.jdbcPassword());
    }
    p.setProperty("plugin.name", "pgoutput");
    p.setProperty("slot.name", config.slotName());
    p.setProperty("publication.name", "herald_publication");
    // The migration creates the publication, so the service user needs no ownership rights.
    p.setProperty("publication.autocreate.mode", "disabled");
    p.setProperty("table.include.list", String.join(",",
        RowMapper.TABLES.stream().map(t -> "public." + t).toList()));
    p.setProperty("snapshot.mode", "initial");
    // A slot still held by a paused former leader is the second fence (ADR 0003): retry to
    // attach every second for 30 s (default: every 10 s), so a takeover waits at most ~1 s
    // after the old reader is gone; then the run fails and restarts with backoff.
    p.setProperty("slot.retry.delay.ms", "1000");
    p.setProperty("slot.max.retries", "30");
    p.setProperty("poll.interval.ms", Long.toString(Math.max(1, config.pollInterval().toMillis())));
    p.setProperty("tombstones.on.delete", "false");
    p.setProperty("time.precision.mode", "adaptive");
    // DeviceInfo.maxPerSecond is a double; "precise" would send base64 bytes without a schema.
    p.setProperty("decimal.handling.mode", "double");
    p.setProperty("converter.schemas.enable", "false");
    p.setProperty("key.converter.schemas.enable", "false");
    p.setProperty("value.converter.schemas.enable", "false");
    p.setProperty("offset.storage", "org.apache.kafka.connect.storage.KafkaOffsetBackingStore");
    p.setProperty("offset.storage.topic", config.offsetsTopic());
    p.setProperty("offset.storage.partitions", "1");
    p.setProperty("offset.storage.replication.factor",
        Short.toString(config.offsetsReplicationFactor()));
    p.setProperty("offset.flush.interval.ms", Long.toString(OFFSET_FLUSH_INTERVAL_MS));
    p.setProperty("bootstrap.servers", config.bootstrapServers());
    return p;
  }

  private Properties producerProperties() {
    // Owned: one record size end to end (50,000 contact ids are about 2 MB of JSON). Definitions
    // are checked against the smaller MAX_DEFINITION_BYTES first, and a dead letter is cut below
    // this, so the producer never refuses what the engine sends.
    return KafkaClients.producer(config.bootstrapServers(), config.kafkaProperties(),
            Limits.MAX_RECORD_BYTES)
        .clientId(config.applicationId() + "-cdc")
        .byDefault(ProducerConfig.LINGER_MS_CONFIG, 5)
        .set(ProducerConfig.ACKS_CONFIG, "all")
        .set(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
        .set(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName())
        .set(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName())
        .toProperties();
  }

  private void closeEngine(DebeziumEngine<ChangeEvent<String, String>> engine, long deadline) {
    while (true) {
      try {
        engine.close();
        return;
      } catch (IllegalStateException e) {
        // "already shutting down / shut down": someone else closed it; nothing left to do.
        if (e.getMessage() == null || !e.getMessage().contains("starting")) {
          return;
        }
        // Debezium refuses to close while its tasks are starting; retry until they started.
        if (System.nanoTime() > deadline) {
          log.warn("CDC engine could not be closed while starting: slot={}", config.slotName(), e);
          return;
        }
        try {
          Thread.sleep(50); // bounded retry of a refused close, not a test synchronisation
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      } catch (Exception e) {
        log.warn("CDC engine close failed: slot={}", config.slotName(), e);
        return;
      }
    }
  }

  private void closeQuietly(DebeziumEngine<ChangeEvent<String, String>> engine) {
    try {
      engine.close();
    } catch (Exception e) {
      log.debug("Ignoring failure to close an engine that never ran", e);
    }
  }

  private Counter eventCounter(String table, String op) {
    return eventCounters.computeIfAbsent(table + "/" + op, k ->
        Counter.builder("herald.scheduler.cdc.events")
            .description("Canonical events produced from row changes")
            .tag("table", table)
            .tag("op", op)
            .register(registry));
  }

  private Counter cutCounter(String table) {
    return cutCounters.computeIfAbsent(table, t ->
        Counter.builder("herald.scheduler.cdc.cut.values")
            .description("Contact and device values cut or dropped to fit Herald's limits")
            .tag("table", t)
            .register(registry));
  }

  private Counter poisonCounter(String table, String reason) {
    return poisonCounters.computeIfAbsent(table + "/" + reason, k ->
        Counter.builder("herald.scheduler.cdc.poison.rows")
            .description("Changes produced as a rejection stub or dead letter instead of their"
                + " event (reason=too_large|unreadable)")
            .tag("table", table)
            .tag("reason", reason)
            .register(registry));
  }

  private Counter deadLetterCounter(String table, String result) {
    return deadLetterCounters.computeIfAbsent(table + "/" + result, k ->
        Counter.builder("herald.scheduler.cdc.dead.letters")
            .description("Raw changes written to a dead-letter topic (result=written), or refused"
                + " there as too large (result=refused)")
            .tag("table", table)
            .tag("result", result)
            .register(registry));
  }

  private Counter droppedCounter(String table) {
    return droppedCounters.computeIfAbsent(table == null ? "unknown" : table, t ->
        Counter.builder("herald.scheduler.cdc.dropped.state.only")
            .description("Updates dropped because they changed only Herald's state columns")
            .tag("table", t)
            .register(registry));
  }

  /** One start-to-stop period: its supervisor thread and the engine it currently runs. */
  private static final class Run {
    volatile boolean wanted = true;
    volatile boolean streaming;
    Thread thread;
    DebeziumEngine<ChangeEvent<String, String>> current;
  }

  /**
   * One record handed to the producer.
   *
   * @param change the Debezium change it came from
   * @param value the event (a {@link ScheduleChange}, ...), null for a dead letter
   * @param stub true for a rejection stub (nothing smaller exists to replace it)
   */
  private record Sent(Future<RecordMetadata> future, ChangeEvent<String, String> change,
      String table, String op, String topic, String key, Object value, int bytes,
      long sourceTsMs, boolean stub, boolean deadLetter) {}

  /** What one engine run ended with, filled by Debezium's callbacks. */
  private static final class RunOutcome {
    volatile boolean streamed;
    volatile String message = "engine returned";
    volatile Throwable error;

    void failed(String message, Throwable error) {
      this.message = message;
      if (error != null) {
        this.error = error;
      }
    }
  }
}
