package io.herald.scheduler.cdc;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import io.herald.contracts.limit.Limits;
import io.herald.runtime.kafka.KafkaClients;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
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
 * event produced from it (idempotent producer, {@code acks=all}, flush then commit). A failed batch
 * stops the engine, which restarts with backoff from the last committed offsets. Only Kafka itself
 * failing counts as a failed batch: a row whose event is too large or cannot be read is produced as
 * a rejection stub or dead letter instead ({@link PoisonRows}), so no row can stop the stream or
 * hold the replication slot's WAL.
 *
 * <p>{@link #start()} streams until {@link #stop(Duration)} or {@link #close()}; it may be started
 * again after a stop (each start builds a fresh Debezium engine). Thread: {@code
 * herald-cdc-engine}, one per running engine. This class owns the engine's lifecycle; {@link
 * ChangeBatches} turns a batch into acknowledged records.
 */
public final class CdcEngine implements AutoCloseable, EngineLeadership.Listener {

  private static final Logger log = LoggerFactory.getLogger(CdcEngine.class);

  private static final long MIN_BACKOFF_MS = 500;
  private static final long MAX_BACKOFF_MS = 30_000;

  private final CdcConfig config;
  private final Counter restarts;
  private final ChangeBatches batches;

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
    this.restarts =
        Counter.builder("herald.scheduler.cdc.restarts")
            .description("CDC engine runs that ended unexpectedly and were restarted")
            .register(registry);
    this.batches = new ChangeBatches(io.herald.contracts.serde.Json.mapper(), clock, registry);
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
        log.warn(
            "Starting the CDC engine while the previous run is still stopping: slot={}",
            config.slotName());
      }
      if (producer == null) {
        producer = new KafkaProducer<>(producerProperties());
      }
      Run r = new Run();
      r.thread = new Thread(() -> superviseLoop(r), "herald-cdc-engine");
      run = r;
      r.thread.start();
      log.info(
          "CDC engine starting: slot={} offsetsTopic={} pollInterval={}",
          config.slotName(),
          config.offsetsTopic(),
          config.pollInterval());
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
        log.warn(
            "CDC engine ended unexpectedly, restarting: slot={} backoffMs={} reason={}",
            config.slotName(),
            backoffMs,
            outcome.message,
            outcome.error);
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
        .using(
            (DebeziumEngine.CompletionCallback)
                (ok, message, error) -> {
                  if (!ok) {
                    outcome.failed(message, error);
                  }
                })
        .using(
            new DebeziumEngine.ConnectorCallback() {
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

  /** One batch through {@link ChangeBatches#handle}; a failed one fails the engine run. */
  void handleBatch(
      List<ChangeEvent<String, String>> records,
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
  void handleBatch(
      Producer<String, byte[]> p,
      List<ChangeEvent<String, String>> records,
      DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer)
      throws InterruptedException {
    batches.handle(p, records, committer);
  }

  /**
   * The embedded engine's configuration ({@link DebeziumProperties}); package-private for tests.
   */
  Properties debeziumProperties() {
    return DebeziumProperties.of(config);
  }

  private Properties producerProperties() {
    // Owned: one record size end to end (50,000 contact ids are about 2 MB of JSON). Definitions
    // are checked against the smaller MAX_DEFINITION_BYTES first, and a dead letter is cut below
    // this, so the producer never refuses what the engine sends.
    return KafkaClients.producer(
            config.bootstrapServers(), config.kafkaProperties(), Limits.MAX_RECORD_BYTES)
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

  /** One start-to-stop period: its supervisor thread and the engine it currently runs. */
  private static final class Run {
    volatile boolean wanted = true;
    volatile boolean streaming;
    Thread thread;
    DebeziumEngine<ChangeEvent<String, String>> current;
  }

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
