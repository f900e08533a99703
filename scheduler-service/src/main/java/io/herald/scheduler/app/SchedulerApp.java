package io.herald.scheduler.app;

import io.herald.runtime.config.ConfigException;
import io.herald.runtime.config.EnvReader;
import io.herald.runtime.http.AdminServer;
import io.herald.runtime.jdbc.DatabaseProbe;
import io.herald.runtime.jdbc.JdbcTimeouts;
import io.herald.runtime.metrics.MetricsRegistries;
import io.herald.scheduler.cdc.CdcConfig;
import io.herald.scheduler.cdc.CdcEngine;
import io.herald.scheduler.cdc.EngineLeadership;
import io.herald.scheduler.config.SchedulerConfig;
import io.herald.scheduler.config.SchedulerConnection;
import io.herald.scheduler.projector.DailyTotals;
import io.herald.scheduler.projector.ProjectorConfig;
import io.herald.scheduler.projector.ScheduleStateProjector;
import io.herald.scheduler.topology.SchedulerMetrics;
import io.herald.scheduler.topology.StreamsRunner;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler process. Start order: topics, admin server (live at once, ready when Streams is
 * RUNNING and no component stopped on its own), Kafka Streams, then the pluggable components (CDC
 * engine, state projector), which produce into or read from what Streams already serves. Close
 * order is the reverse, each step bounded.
 *
 * <p>The CDC engine and the state projector plug in as {@link Component}s: {@link #create(Map,
 * Runnable)} builds them from the configuration ({@link #cdcEngine(CdcConfig,
 * PrometheusMeterRegistry, Consumer)}), or {@link Component#none} when the configuration leaves
 * them off; tests pass their own.
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

  /** Read by the admin server's threads (readiness). */
  private final List<Component> started = new CopyOnWriteArrayList<>();

  private final AtomicBoolean closed = new AtomicBoolean();
  private AdminServer adminServer;

  /**
   * @param config validated configuration
   * @param registry where every meter goes; the admin server exports it
   * @param cdcEngine the Debezium engine (produces schedule changes); {@link Component#none} when
   *     another process does CDC
   * @param stateProjector occurrences and errors into PostgreSQL; {@link Component#none} if absent
   * @param onStreamsFatal called once when Kafka Streams reaches ERROR; must return at once
   */
  public SchedulerApp(
      SchedulerConfig config,
      PrometheusMeterRegistry registry,
      Component cdcEngine,
      Component stateProjector,
      Runnable onStreamsFatal) {
    this(config, registry, cdcEngine, stateProjector, onStreamsFatal, Clock.systemUTC());
  }

  /**
   * @param wallClock what the scheduler reads as now when it decides what is due (tests inject a
   *     clock that jumps); Streams paces itself on a monotonic clock regardless
   */
  public SchedulerApp(
      SchedulerConfig config,
      PrometheusMeterRegistry registry,
      Component cdcEngine,
      Component stateProjector,
      Runnable onStreamsFatal,
      Clock wallClock) {
    this.config = Objects.requireNonNull(config, "config");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.cdcEngine = Objects.requireNonNull(cdcEngine, "cdcEngine");
    this.stateProjector = Objects.requireNonNull(stateProjector, "stateProjector");
    this.streams =
        new StreamsRunner(
            config,
            new SchedulerMetrics(registry),
            Objects.requireNonNull(onStreamsFatal, "onStreamsFatal"),
            wallClock);
  }

  public void start() {
    TopicProvisioner.createIfAbsent(config);
    adminServer = new AdminServer(config.metricsPort(), registry, this::isReady).start();
    log.info("Admin server listening: port={}", adminServer.port());
    streams.start();
    for (Component c : List.of(cdcEngine, stateProjector)) {
      c.start();
      started.add(c);
      log.info("Component started: name={}", c.name());
    }
  }

  /**
   * True when Kafka Streams is RUNNING and no started component stopped on its own (e.g. the state
   * projector on a failure it does not retry).
   */
  public boolean isReady() {
    return streams.isRunning() && started.stream().allMatch(Component::healthy);
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
        log.warn(
            "Component did not stop in time, continuing: name={} timeout={}",
            c.name(),
            COMPONENT_CLOSE_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Builds an unstarted scheduler from environment variables: Streams topology, the CDC engine
   * behind its leadership lease, and the state projector. Every configuration problem of every part
   * is reported in one {@link ConfigException}.
   *
   * @param onStreamsFatal called when Kafka Streams reaches ERROR or a component's loop stops on a
   *     failure it does not retry (either way the process must exit); must return at once
   */
  public static SchedulerApp create(Map<String, String> env, Runnable onStreamsFatal) {
    return create(env, onStreamsFatal, Clock.systemUTC());
  }

  /** Like {@link #create(Map, Runnable)} with the wall clock the scheduler decides on. */
  public static SchedulerApp create(
      Map<String, String> env, Runnable onStreamsFatal, Clock wallClock) {
    EnvReader reader = new EnvReader(env);
    return create(reader, MetricsRegistries.create("scheduler"), onStreamsFatal, wallClock);
  }

  private static SchedulerApp create(
      EnvReader reader,
      PrometheusMeterRegistry registry,
      Runnable onStreamsFatal,
      Clock wallClock) {
    // CDC and projector settings first: they only collect problems, and SchedulerConfig.read
    // then throws once with all of them.
    // The connection settings are read once and shared: the three cannot disagree on them.
    SchedulerConnection connection = SchedulerConnection.read(reader);
    CdcConfig cdc = CdcConfig.fromEnv(reader, connection);
    ProjectorConfig projector = ProjectorConfig.fromEnv(reader, connection);
    SchedulerConfig config = SchedulerConfig.read(reader, connection);
    log.info("Effective configuration: {}", reader.echo());
    // A component loop that stops fatally ends the process like a dead Streams does.
    Consumer<Throwable> onComponentFatal = e -> onStreamsFatal.run();
    return new SchedulerApp(
        config,
        registry,
        cdcEngine(cdc, registry, onComponentFatal),
        stateProjector(projector, registry, onComponentFatal),
        onStreamsFatal,
        wallClock);
  }

  /**
   * The CDC engine behind its lease: only the instance holding the lease streams, and closing
   * leaves the lease only after the engine stopped (ADR 0003).
   */
  static Component cdcEngine(
      CdcConfig cdc, PrometheusMeterRegistry registry, Consumer<Throwable> onFatal) {
    if (!cdc.enabled()) {
      return Component.none("cdc-engine");
    }
    CdcEngine engine = new CdcEngine(cdc, registry, onFatal);
    EngineLeadership lease = new EngineLeadership(cdc, engine, registry, onFatal);
    return Component.of(
        "cdc-engine",
        lease::start,
        () -> {
          lease.close();
          engine.close();
        },
        () -> lease.healthy() && engine.healthy());
  }

  /**
   * Occurrences, errors and states into the source rows' state columns (ADR 0005).
   *
   * @param onFatal called once when the projector or the daily totals stop on a failure they do not
   *     retry; must return at once
   */
  static Component stateProjector(
      ProjectorConfig projector, PrometheusMeterRegistry registry, Consumer<Throwable> onFatal) {
    if (!projector.enabled()) {
      return Component.none("state-projector");
    }
    ScheduleStateProjector p = new ScheduleStateProjector(projector, registry, onFatal);
    DailyTotals totals = new DailyTotals(projector, registry, onFatal);
    // /health/ready reports a database that does not answer (the projector cannot write back)
    DatabaseProbe database =
        new DatabaseProbe(
            () ->
                DriverManager.getConnection(
                    projector.jdbcUrl(),
                    JdbcTimeouts.with(projector.jdbcUser(), projector.jdbcPassword())),
            Duration.ofSeconds(2),
            Duration.ofSeconds(2));
    return Component.of(
        "state-projector",
        () -> {
          p.start();
          totals.start();
        },
        () -> {
          totals.close();
          p.close();
        },
        () -> p.healthy() && totals.healthy() && database.answers());
  }

  public static void main(String[] args) {
    System.exit(run(System.getenv()));
  }

  /**
   * Runs the service until Kafka Streams dies or a component's loop stops fatally (returns 1) or
   * the JVM is stopped (the shutdown hook closes everything). Returns 2 on invalid configuration,
   * before any thread starts.
   */
  static int run(Map<String, String> env) {
    CountDownLatch fatal = new CountDownLatch(1);
    SchedulerApp app;
    try {
      app = create(env, fatal::countDown);
    } catch (ConfigException e) {
      String message = "Invalid configuration:\n  - " + String.join("\n  - ", e.problems());
      log.error(message);
      System.err.println(message);
      return EXIT_CONFIG;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "herald-shutdown"));
    try {
      app.start();
      fatal.await();
      log.error(
          "Kafka Streams reached ERROR or a component stopped on a fatal failure: exiting so"
              + " the orchestrator restarts the process: streamsState={}",
          app.streamsState());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("Scheduler failed to start", e);
    }
    app.close();
    return EXIT_STREAMS_DIED;
  }
}
