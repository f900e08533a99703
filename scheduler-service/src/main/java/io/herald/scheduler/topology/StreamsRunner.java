package io.herald.scheduler.topology;

import io.herald.scheduler.config.SchedulerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the {@link KafkaStreams} client: builds it from {@link SchedulerTopology}, binds its
 * metrics, and turns a dead stream thread into a deliberate stop: the uncaught-exception handler
 * answers {@code SHUTDOWN_CLIENT}, and on {@code ERROR} the {@code onFatal} callback tells {@code
 * main}, which exits non-zero so the orchestrator restarts the process. The state dir is never
 * cleaned here: a restart restores from local state, or from changelogs when it is gone.
 */
public final class StreamsRunner implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StreamsRunner.class);

  private final SchedulerConfig config;
  private final SchedulerMetrics metrics;
  private final Runnable onFatal;
  private final Clock wallClock;
  private final AtomicBoolean closed = new AtomicBoolean();
  private KafkaStreams streams;
  private KafkaStreamsMetrics streamsMetrics;

  /**
   * @param onFatal called once, from a Streams thread, when the client reaches ERROR; must not
   *     block or close this runner itself (main does that on its own thread)
   */
  public StreamsRunner(SchedulerConfig config, SchedulerMetrics metrics, Runnable onFatal) {
    this(config, metrics, onFatal, Clock.systemUTC());
  }

  /**
   * @param wallClock what firing decisions read as now; Streams itself paces on {@link
   *     MonotonicTime} so that a clock stepping backwards cannot stall punctuations
   */
  public StreamsRunner(
      SchedulerConfig config, SchedulerMetrics metrics, Runnable onFatal, Clock wallClock) {
    this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
    this.config = Objects.requireNonNull(config, "config");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.onFatal = Objects.requireNonNull(onFatal, "onFatal");
  }

  public synchronized void start() {
    if (streams != null) {
      throw new IllegalStateException("already started");
    }
    Topology topology = SchedulerTopology.build(config, metrics, NowSource.of(wallClock));
    log.debug("Scheduler topology: {}", topology.describe());
    streams =
        new KafkaStreams(
            topology, SchedulerTopology.streamsProperties(config, metrics), new MonotonicTime());
    streams.setUncaughtExceptionHandler(
        e -> {
          log.error(
              "Stream thread died, shutting the client down: applicationId={}",
              config.applicationId(),
              e);
          return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    AtomicBoolean fatalSignalled = new AtomicBoolean();
    streams.setStateListener(
        (newState, oldState) -> {
          log.info("Kafka Streams state changed: from={} to={}", oldState, newState);
          if (newState == KafkaStreams.State.ERROR && fatalSignalled.compareAndSet(false, true)) {
            onFatal.run();
          }
        });
    MeterRegistry registry = metrics.registry();
    streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    streams.start();
    log.info(
        "Kafka Streams started: applicationId={} stateDir={}",
        config.applicationId(),
        config.stateDir());
  }

  /** True while every stream thread runs: what /health/ready reports. */
  public boolean isRunning() {
    KafkaStreams s = streams;
    return s != null && s.state() == KafkaStreams.State.RUNNING;
  }

  /** The client's state name, or NOT_STARTED. */
  public String state() {
    KafkaStreams s = streams;
    return s == null ? "NOT_STARTED" : s.state().name();
  }

  /** Closes with a bounded wait; returns whether every thread stopped in time. */
  public boolean close(Duration timeout) {
    if (!closed.compareAndSet(false, true)) {
      return true;
    }
    KafkaStreams s;
    synchronized (this) {
      s = streams;
    }
    if (s == null) {
      return true;
    }
    // Leave the group: otherwise a restarted instance (or the others) waits out this member's
    // session timeout (45 s by default) before its tasks move; measured in the state bench.
    boolean stopped =
        s.close(
            CloseOptions.timeout(timeout)
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    if (streamsMetrics != null) {
      streamsMetrics.close();
    }
    log.info("Kafka Streams closed: cleanly={}", stopped);
    return stopped;
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }
}
