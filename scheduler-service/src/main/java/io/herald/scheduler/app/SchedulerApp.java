package io.herald.scheduler.app;

import io.herald.runtime.config.ConfigException;
import io.herald.runtime.config.EnvReader;
import io.herald.runtime.http.AdminServer;
import io.herald.runtime.metrics.MetricsRegistries;
import io.herald.scheduler.config.SchedulerConfig;
import io.herald.scheduler.topology.SchedulerMetrics;
import io.herald.scheduler.topology.StreamsRunner;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler process. Start order: topics, admin server (live at once, ready when Streams is
 * RUNNING), Kafka Streams, then the pluggable components (CDC engine, state projector), which
 * produce into or read from what Streams already serves. Close order is the reverse, each step
 * bounded.
 *
 * <p>The CDC half of the service plugs in through the {@code cdcEngine} and {@code
 * stateProjector} constructor parameters; {@link #main} passes no-op components until it is
 * wired (see {@link #cdcEngine(SchedulerConfig, PrometheusMeterRegistry)}).
 */
public final class SchedulerApp implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SchedulerApp.class);

  /** Exit code for invalid configuration. */
  public static final int EXIT_CONFIG = 2;
  /** Exit code when Kafka Streams died. */
  public static final int EXIT_STREAMS_DIED = 1;

  private static final Duration COMPONENT_CLOSE_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration STREAMS_CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final SchedulerConfig config;
  private final PrometheusMeterRegistry registry;
  private final StreamsRunner streams;
  private final Component cdcEngine;
  private final Component stateProjector;
  private final List<Component> started = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private AdminServer adminServer;

  /**
   * @param config validated configuration
   * @param registry where every meter goes; the admin server exports it
   * @param cdcEngine the Debezium engine (produces schedule changes); {@link Component#none} when
   *     another process does CDC
   * @param stateProjector occurrences and errors into PostgreSQL; {@link Component#none} if
   *     absent
   * @param onStreamsFatal called once when Kafka Streams reaches ERROR; must return at once
   */
  public SchedulerApp(
      SchedulerConfig config,
      PrometheusMeterRegistry registry,
      Component cdcEngine,
      Component stateProjector,
      Runnable onStreamsFatal) {
    this.config = Objects.requireNonNull(config, "config");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.cdcEngine = Objects.requireNonNull(cdcEngine, "cdcEngine");
    this.stateProjector = Objects.requireNonNull(stateProjector, "stateProjector");
    this.streams =
        new StreamsRunner(config, new SchedulerMetrics(registry), Objects.requireNonNull(
            onStreamsFatal, "onStreamsFatal"));
  }

  public void start() {
    TopicProvisioner.createIfAbsent(config);
    adminServer = new AdminServer(config.metricsPort(), registry, streams::isRunning).start();
    log.info("Admin server listening: port={}", adminServer.port());
    streams.start();
    for (Component c : List.of(cdcEngine, stateProjector)) {
      c.start();
      started.add(c);
      log.info("Component started: name={}", c.name());
    }
  }

  /** True when Kafka Streams is RUNNING. */
  public boolean isReady() {
    return streams.isRunning();
  }

  /** Kafka Streams' state name. */
  public String streamsState() {
    return streams.state();
  }

  /** The admin server's port (useful with port 0). */
  public int adminPort() {
    return adminServer == null ? -1 : adminServer.port();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    log.info("Scheduler stopping");
    for (int i = started.size() - 1; i >= 0; i--) {
      closeBounded(started.get(i));
    }
    streams.close(STREAMS_CLOSE_TIMEOUT);
    if (adminServer != null) {
      adminServer.close();
    }
    log.info("Scheduler stopped");
  }

  /** Closes a component on its own thread so one that hangs cannot hold up the rest. */
  private static void closeBounded(Component c) {
    Thread t = new Thread(c::close, "herald-close-" + c.name());
    t.setDaemon(true);
    t.start();
    try {
      t.join(COMPONENT_CLOSE_TIMEOUT.toMillis());
      if (t.isAlive()) {
        log.warn("Component did not stop in time, continuing: name={} timeout={}", c.name(),
            COMPONENT_CLOSE_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The CDC engine slot. Returns a no-op until the CDC half is wired here (it needs the JDBC
   * settings of {@code config}); kept as one method so that wiring is a one-place change.
   */
  static Component cdcEngine(SchedulerConfig config, PrometheusMeterRegistry registry) {
    return Component.none("cdc-engine");
  }

  /** The schedule-state projector slot; see {@link #cdcEngine}. */
  static Component stateProjector(SchedulerConfig config, PrometheusMeterRegistry registry) {
    return Component.none("state-projector");
  }

  public static void main(String[] args) {
    System.exit(run(System.getenv()));
  }

  /**
   * Runs the service until Kafka Streams dies (returns 1) or the JVM is stopped (the shutdown
   * hook closes everything). Returns 2 on invalid configuration, before any thread starts.
   */
  static int run(Map<String, String> env) {
    EnvReader reader = new EnvReader(env);
    SchedulerConfig config;
    try {
      config = SchedulerConfig.read(reader);
    } catch (ConfigException e) {
      String message = "Invalid configuration:\n  - " + String.join("\n  - ", e.problems());
      log.error(message);
      System.err.println(message);
      return EXIT_CONFIG;
    }
    log.info("Effective configuration: {}", reader.echo());

    PrometheusMeterRegistry registry = MetricsRegistries.create("scheduler");
    CountDownLatch fatal = new CountDownLatch(1);
    SchedulerApp app =
        new SchedulerApp(config, registry, cdcEngine(config, registry),
            stateProjector(config, registry), fatal::countDown);
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "herald-shutdown"));
    try {
      app.start();
      fatal.await();
      log.error("Kafka Streams reached ERROR: exiting so the orchestrator restarts the process");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("Scheduler failed to start", e);
    }
    app.close();
    return EXIT_STREAMS_DIED;
  }
}
