package io.herald.quickstart;

import io.herald.runtime.http.AdminServer;
import io.herald.scheduler.app.SchedulerApp;
import io.herald.sender.app.SenderApp;
import io.herald.sender.config.SenderConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import sun.misc.Signal;

/**
 * {@code herald up}: the whole pipeline on this machine — a KRaft broker (child process from the
 * Maven jars), PostgreSQL with logical replication (embedded), the scheduler, the sender and the
 * webhook receiver (in this JVM, so one Ctrl-C stops everything and nothing is left behind), the
 * simulated transport and demo data — with a live progress view.
 */
public final class UpCommand {

  static final String USAGE =
      String.join(
          "\n",
          "usage: herald up [--demo | --no-demo] [--reset] [--exit-after DURATION] [--data-dir DIR]",
          "",
          "Starts Kafka (KRaft), PostgreSQL (logical replication), the scheduler, the sender, the",
          "webhook receiver and the operator console on this machine and shows live progress.",
          "Ctrl-C stops everything.",
          "",
          "  --demo            seed demo data: 2 devices, 50 contacts, a recurring message every",
          "                    minute, a broadcast now, one in 30 s, an auto-post to 3 groups (default)",
          "  --no-demo         start empty",
          "  --reset           delete the previous run's data (topics, rows, state) first;",
          "                    by default a second start reuses them",
          "  --exit-after D    stop by itself after D (e.g. 90s, 5m, PT2M) and print a summary",
          "  --data-dir DIR    where data lives (default $HERALD_HOME, else .herald)",
          "",
          "environment:",
          "  HERALD_JDBC_URL, HERALD_JDBC_USER, HERALD_JDBC_PASSWORD   use this PostgreSQL (wal_level=logical)",
          "  HERALD_KAFKA_BOOTSTRAP                                    use this Kafka instead of a local broker",
          "  HERALD_KAFKA_PORT (19092), HERALD_PG_PORT (15432),",
          "  HERALD_SCHEDULER_METRICS_PORT (9401), HERALD_SENDER_METRICS_PORT (9402)",
          "  HERALD_ADMIN_BIND_ADDRESS (127.0.0.1)                     where /metrics and /health listen",
          "  HERALD_WEBHOOK_PORT (8088), HERALD_WEBHOOK_METRICS_PORT (9403)",
          "                                                            the webhook receiver, on 127.0.0.1",
          "  HERALD_TOKEN_WHATSAPP_APP_SECRET, HERALD_TOKEN_WHATSAPP_VERIFY_TOKEN",
          "                                                            its secrets (unset: generated, printed once)",
          "  HERALD_CONSOLE_PORT (9404), HERALD_CONSOLE_METRICS_PORT (9414)",
          "                                                            the operator console, on 127.0.0.1",
          "  HERALD_CONSOLE_TOKENS_FILE                                its tokens (unset: DIR/console-tokens)",
          "  HERALD_SCHEDULER_*, HERALD_SENDER_*, HERALD_WEBHOOK_*, HERALD_CONSOLE_*, KAFKA_*",
          "                                                            override the quick start's own values");

  /** Where the admin servers ({@code /metrics}, {@code /health}) listen; default 127.0.0.1. */
  static final String ADMIN_BIND_ADDRESS = "HERALD_ADMIN_BIND_ADDRESS";

  record Options(boolean demo, boolean reset, Duration exitAfter, Path dataDir) {}

  private UpCommand() {}

  /** Parses, runs until {@code --exit-after} (or the JVM's shutdown), returns the exit code. */
  public static int run(
      List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    return run(args, env, out, err, false);
  }

  /**
   * As {@link #run(List, Map, PrintStream, PrintStream)}; with {@code handleStopSignals} (the
   * {@code herald} command's own process) SIGINT and SIGTERM end the run instead of starting the
   * JVM's shutdown: the embedded PostgreSQL registers a shutdown hook of its own, and hooks run
   * concurrently, so PostgreSQL would stop under the running services. Returning from here closes
   * everything in order (services, broker, PostgreSQL), then the caller exits with 130 or 143.
   */
  static int run(
      List<String> args,
      Map<String, String> env,
      PrintStream out,
      PrintStream err,
      boolean handleStopSignals) {
    Options o;
    try {
      o = parse(args, Path.of(env.getOrDefault("HERALD_HOME", ".herald")));
    } catch (IllegalArgumentException e) {
      err.println("herald up: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    if (o == null) {
      out.println(USAGE);
      return 0;
    }
    Stack stack = new Stack();
    Thread hook = new Thread(stack::close, "herald-up-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    CountDownLatch stop = new CountDownLatch(1);
    AtomicInteger signalled = new AtomicInteger();
    AtomicBoolean running = new AtomicBoolean();
    if (handleStopSignals) {
      for (String[] sig : new String[][] {{"INT", "130"}, {"TERM", "143"}}) {
        Signal.handle(
            new Signal(sig[0]),
            s -> {
              signalled.compareAndSet(0, Integer.parseInt(sig[1]));
              if (running.get()) {
                stop.countDown();
              } else {
                System.exit(
                    signalled.get()); // still starting: the shutdown hook closes what started
              }
            });
      }
    }
    try {
      Summary summary = stack.start(o, env, out);
      running.set(true);
      Instant deadline = o.exitAfter() == null ? null : Instant.now().plus(o.exitAfter());
      ProgressView view = stack.view;
      while (signalled.get() == 0 && (deadline == null || Instant.now().isBefore(deadline))) {
        view.print(
            out, "── " + ProgressView.formatInstant(Instant.now()) + " UTC ── " + summary.urls());
        stop.await(5, TimeUnit.SECONDS);
      }
      if (signalled.get() != 0) {
        out.println("herald up: stopping (services, broker, PostgreSQL)...");
        return signalled.get();
      }
      view.print(out, "── final ──");
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 130;
    } catch (RuntimeException | SQLException e) {
      err.println("herald up: " + e.getMessage());
      return 1;
    } finally {
      stack.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running already and closes the same stack
      }
    }
  }

  static Options parse(List<String> args, Path defaultDataDir) {
    boolean demo = true;
    boolean reset = false;
    Duration exitAfter = null;
    Path dataDir = defaultDataDir;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "-h":
        case "--help":
          return null;
        case "--demo":
          demo = true;
          break;
        case "--no-demo":
          demo = false;
          break;
        case "--reset":
          reset = true;
          break;
        case "--exit-after":
          exitAfter = duration(value(args, ++i, a));
          break;
        case "--data-dir":
          dataDir = Path.of(value(args, ++i, a));
          break;
        default:
          throw new IllegalArgumentException("unknown option '" + a + "'");
      }
    }
    return new Options(demo, reset, exitAfter, dataDir);
  }

  private static String value(List<String> args, int i, String flag) {
    if (i >= args.size()) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args.get(i);
  }

  /** Accepts ISO-8601 ({@code PT90S}) and the short forms {@code 90s}, {@code 5m}, {@code 1h}. */
  static Duration duration(String s) {
    String v = s.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.startsWith("pt") || v.startsWith("p")) {
        return Duration.parse(v.toUpperCase(Locale.ROOT));
      }
      long n = Long.parseLong(v.substring(0, v.length() - 1));
      switch (v.charAt(v.length() - 1)) {
        case 's':
          return Duration.ofSeconds(n);
        case 'm':
          return Duration.ofMinutes(n);
        case 'h':
          return Duration.ofHours(n);
        default:
          break;
      }
    } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
      // fall through to the one error message below
    }
    throw new IllegalArgumentException("'" + s + "' is not a duration (use 90s, 5m, 1h or PT90S)");
  }

  record Summary(int schedulerPort, int senderPort, String console) {
    String urls() {
      return "metrics: http://127.0.0.1:"
          + schedulerPort
          + "/metrics (scheduler), http://127.0.0.1:"
          + senderPort
          + "/metrics (sender); "
          + console;
    }
  }

  /** Everything {@code up} starts, closed in reverse order exactly once. */
  static final class Stack {
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private boolean closed;
    ProgressView view;

    synchronized Summary start(Options o, Map<String, String> env, PrintStream out)
        throws SQLException {
      Path data = o.dataDir().resolve("data");
      if (o.reset()) {
        deleteTree(data);
        deleteTree(o.dataDir().resolve("state"));
        out.println("herald up: previous data deleted (--reset)");
      } else if (Files.isDirectory(data)) {
        out.println("herald up: reusing data in " + data + " (use --reset to start clean)");
      }
      System.setProperty("herald.log.dir", o.dataDir().resolve("logs").toString());

      String jdbcUrl = env.get("HERALD_JDBC_URL");
      LocalPostgres pg =
          jdbcUrl == null || jdbcUrl.isBlank()
              ? LocalPostgres.embedded(data.resolve("pg"), port(env, "HERALD_PG_PORT", 15432))
              : LocalPostgres.external(
                  jdbcUrl,
                  env.getOrDefault("HERALD_JDBC_USER", "postgres"),
                  env.getOrDefault("HERALD_JDBC_PASSWORD", ""));
      started.push(pg);
      out.println("herald up: PostgreSQL ready at " + pg.jdbcUrl());

      String bootstrap = env.get("HERALD_KAFKA_BOOTSTRAP");
      if (bootstrap == null || bootstrap.isBlank()) {
        LocalKafka kafka =
            new LocalKafka(data.resolve("kafka"), port(env, "HERALD_KAFKA_PORT", 19092))
                .start(Duration.ofSeconds(60));
        started.push(kafka);
        bootstrap = kafka.bootstrapServers();
        out.println("herald up: Kafka broker ready at " + bootstrap + " (pid " + kafka.pid() + ")");
      }

      // The admin servers are for this machine unless the user says otherwise.
      System.setProperty(
          AdminServer.BIND_ADDRESS_PROPERTY, env.getOrDefault(ADMIN_BIND_ADDRESS, "127.0.0.1"));
      Map<String, String> schedulerDefaults = new HashMap<>();
      schedulerDefaults.put("HERALD_SCHEDULER_BOOTSTRAP_SERVERS", bootstrap);
      schedulerDefaults.put("HERALD_SCHEDULER_JDBC_URL", pg.jdbcUrl());
      schedulerDefaults.put("HERALD_SCHEDULER_JDBC_USER", pg.user());
      schedulerDefaults.put("HERALD_SCHEDULER_JDBC_PASSWORD", pg.password());
      schedulerDefaults.put(
          "HERALD_SCHEDULER_STATE_DIR", o.dataDir().resolve("state/scheduler").toString());
      schedulerDefaults.put("HERALD_SCHEDULER_METRICS_PORT", "9401");
      Map<String, String> schedulerEnv = overlay(schedulerDefaults, env, "HERALD_SCHEDULER_");
      SchedulerApp scheduler =
          SchedulerApp.create(
              schedulerEnv,
              () ->
                  System.err.println("herald up: the scheduler's Kafka Streams died; see the log"));
      started.push(scheduler);
      scheduler.start();
      out.println("herald up: scheduler started (metrics port " + scheduler.adminPort() + ")");

      // after the scheduler, which creates herald.whatsapp-webhooks with the other topics; before
      // the sender, whose start line is the last one before up runs (launchers wait for it), so
      // the console is up by then too
      started.push(LocalWebhook.start(bootstrap, env, out));
      LocalConsole.Started console = LocalConsole.start(o.dataDir(), bootstrap, pg, env);
      started.push(console.app());
      out.println("herald up: " + console.line());

      SenderApp sender =
          SenderApp.start(
              SenderConfig.fromEnv(
                  senderEnv(bootstrap, pg.jdbcUrl(), pg.user(), pg.password(), env)),
              env::get,
              Clock.systemUTC());
      started.push(sender);
      out.println("herald up: sender started (metrics port " + sender.adminPort() + ")");

      if (o.demo()) {
        DemoData.seed(pg.jdbcUrl(), pg.user(), pg.password(), Instant.now());
        out.println("herald up: demo data in place (tenant " + DemoData.TENANT + ")");
      }
      view = new ProgressView(pg.jdbcUrl(), pg.user(), pg.password());
      return new Summary(scheduler.adminPort(), sender.adminPort(), console.line());
    }

    synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      while (!started.isEmpty()) {
        AutoCloseable c = started.pop();
        try {
          c.close();
        } catch (Exception e) {
          System.err.println(
              "herald up: stopping " + c.getClass().getSimpleName() + " failed: " + e.getMessage());
        }
      }
    }
  }

  /** The quick start's sender settings, under whatever the user set. */
  static Map<String, String> senderEnv(
      String bootstrap, String jdbcUrl, String user, String password, Map<String, String> env) {
    Map<String, String> defaults = new HashMap<>();
    defaults.put("HERALD_SENDER_BOOTSTRAP_SERVERS", bootstrap);
    defaults.put("HERALD_SENDER_JDBC_URL", jdbcUrl);
    defaults.put("HERALD_SENDER_JDBC_USER", user);
    defaults.put("HERALD_SENDER_JDBC_PASSWORD", password);
    defaults.put("HERALD_SENDER_METRICS_PORT", "9402");
    defaults.put("HERALD_SENDER_DEFAULT_TRANSPORT", "simulated");
    defaults.put("HERALD_SENDER_SIMULATED_LATENCY", "PT0.05S");
    // The demo's pacing is per schedule; the pair gap would otherwise stall the recurring
    // message that goes to the same contacts every minute.
    defaults.put("HERALD_SENDER_PAIR_GAP", "PT1S");
    return overlay(defaults, env, "HERALD_SENDER_");
  }

  /**
   * The quick start's {@code defaults} with every {@code prefix*} and {@code KAFKA_*} variable of
   * the user's environment on top: what the user sets wins, so a documented setting means the same
   * under {@code herald up} as in a deployment.
   */
  static Map<String, String> overlay(
      Map<String, String> defaults, Map<String, String> env, String prefix) {
    Map<String, String> merged = new HashMap<>(defaults);
    env.forEach(
        (k, v) -> {
          if (k.startsWith(prefix) || k.startsWith("KAFKA_")) {
            merged.put(k, v);
          }
        });
    return merged;
  }

  private static int port(Map<String, String> env, String name, int def) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return def;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + "=" + v + " is not a port number");
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + dir + ": " + e.getMessage(), e);
    }
  }
}
