package io.herald.scheduler.cdc;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import io.herald.runtime.loop.ServiceLoop;
import io.herald.runtime.loop.ServiceLoop.Decision;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
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
 * herald-cdc-engine}, a {@link ServiceLoop} per start whose iteration is one Debezium engine run;
 * an unexpected end of a run is a retried failure (backoff 0.5 s to 5 s). This class owns the
 * engine's lifecycle; {@link ChangeBatches} turns a batch into acknowledged records.
 */
public final class CdcEngine implements AutoCloseable, EngineLeadership.Listener {

  private static final Logger log = LoggerFactory.getLogger(CdcEngine.class);

  // Short on purpose: a run already spends up to slot.max.retries x slot.retry.delay.ms trying to
  // attach to a slot the old leader still holds, so a long wait between runs only adds to failover.
  private static final Duration MIN_BACKOFF = Duration.ofMillis(500);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final CdcConfig config;
  private final MeterRegistry registry;
  private final Consumer<Throwable> onFatal;
  private final Counter restarts;
  private final ChangeBatches batches;

  private final Object lock = new Object();
  private boolean closed;

  /** The current run; a stopped run that outlived its stop timeout never restarts itself. */
  private Run run;

  private Producer<String, byte[]> producer;

  public CdcEngine(CdcConfig config, MeterRegistry registry) {
    this(config, registry, e -> {});
  }

  /**
   * @param onFatal called once, on the engine thread, if a run ends on a failure that is not
   *     retried (an {@link Error}); must return at once (the app exits)
   */
  public CdcEngine(CdcConfig config, MeterRegistry registry, Consumer<Throwable> onFatal) {
    this(config, registry, Clock.systemUTC(), onFatal);
  }

  CdcEngine(CdcConfig config, MeterRegistry registry, Clock clock) {
    this(config, registry, clock, e -> {});
  }

  private CdcEngine(
      CdcConfig config, MeterRegistry registry, Clock clock, Consumer<Throwable> onFatal) {
    this.config = config;
    this.registry = registry;
    this.onFatal = onFatal;
    this.restarts =
        Counter.builder("herald.scheduler.cdc.restarts")
            .description("CDC engine runs that ended unexpectedly and were restarted")
            .register(registry);
    this.batches =
        new ChangeBatches(
            io.herald.contracts.serde.Json.mapper(), clock, registry, config.seedCompat());
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
      if (run != null && !run.ended()) {
        // A previous stop timed out; that run no longer restarts, and the slot fences it.
        log.warn(
            "Starting the CDC engine while the previous run is still stopping: slot={}",
            config.slotName());
      }
      if (producer == null) {
        producer = new KafkaProducer<>(DebeziumProperties.producer(config));
      }
      Run r = new Run();
      r.loop = supervisor(r);
      run = r;
      r.loop.start();
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
    Run r;
    synchronized (lock) {
      r = run;
      if (r == null) {
        return true;
      }
      r.wanted = false;
    }
    // The loop's wakeup closes the current engine; the join waits for its last commit.
    if (!r.loop.stop(timeout)) {
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

  /** False once a run ended on a failure that is not retried; the instance must be restarted. */
  public boolean healthy() {
    Run r;
    synchronized (lock) {
      r = run;
    }
    return r == null || r.loop.healthy();
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

  private ServiceLoop supervisor(Run r) {
    return ServiceLoop.named("herald-cdc-engine")
        .metrics(registry)
        .body(() -> runEngineOnce(r))
        .onFailure(
            (e, attempt, backoff) -> {
              if (e instanceof Error) {
                return Decision.FATAL;
              }
              restarts.increment();
              // Typical cause after a failover: the old leader still holds the slot for a moment.
              log.warn(
                  "CDC engine ended unexpectedly, restarting: slot={} attempt={} backoffMs={}"
                      + " reason={}",
                  config.slotName(),
                  attempt,
                  backoff.toMillis(),
                  e.getMessage(),
                  e.getCause());
              return Decision.RETRY;
            })
        .backoff(MIN_BACKOFF, MAX_BACKOFF)
        .wakeup(() -> wakeUp(r))
        .onFatal(onFatal)
        .joinTimeout(config.stopTimeout())
        .build();
  }

  /**
   * One Debezium engine run. It returns only when stopped; any other end is a failure for the loop
   * to retry, so an engine that attaches and then fails again at once still backs off.
   */
  private boolean runEngineOnce(Run r) {
    RunOutcome outcome = new RunOutcome();
    DebeziumEngine<ChangeEvent<String, String>> engine = build(r, outcome);
    synchronized (lock) {
      if (!r.wanted) {
        EngineClosing.closeQuietly(engine);
        return false;
      }
      r.current = engine;
    }
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
    if (!r.wanted) {
      return false;
    }
    throw new CdcException(outcome.message, outcome.error);
  }

  private void wakeUp(Run r) {
    DebeziumEngine<ChangeEvent<String, String>> engine;
    synchronized (lock) {
      engine = r.current;
    }
    if (engine != null) {
      EngineClosing.close(engine, config, System.nanoTime() + config.stopTimeout().toNanos());
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

  /** One start-to-stop period: its supervising loop and the engine it currently runs. */
  private static final class Run {
    volatile boolean wanted = true;
    volatile boolean streaming;
    ServiceLoop loop;
    DebeziumEngine<ChangeEvent<String, String>> current; // guarded by the engine's lock

    boolean ended() {
      try {
        return loop.awaitExit(Duration.ZERO);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /** What one engine run ended with, filled by Debezium's callbacks. */
  private static final class RunOutcome {
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
