package io.herald.quickstart;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code herald up} for real: a child JVM running {@link HeraldCli} on the class path the herald
 * script uses ({@code target/runtime-classpath.txt}), on free loopback ports. Its console goes to
 * {@code target/<name>.log} and is kept in memory to wait for lines. It is stopped the way Ctrl-C
 * would (SIGTERM: services, broker and PostgreSQL close in order), killed by PID if it does not
 * stop in time, and killed by a shutdown hook if the test JVM ends first.
 */
final class UpProcess implements AutoCloseable {

  private static final Duration STOP_BOUND = Duration.ofSeconds(60);

  final int pgPort;
  final int kafkaPort;
  private final Path dataDir;
  private final Process process;
  private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  private final Thread hook;

  private UpProcess(int pgPort, int kafkaPort, Path dataDir, Process process) {
    this.pgPort = pgPort;
    this.kafkaPort = kafkaPort;
    this.dataDir = dataDir;
    this.process = process;
    this.hook = new Thread(this::kill, "herald-up-kill");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Starts {@code herald up <args>} with {@code extraEnv} on top of the quick start's ports; the
   * test JVM's own HERALD_* and KAFKA_* variables are left out so a developer's shell cannot steer
   * it.
   */
  static UpProcess start(String name, Path dataDir, List<String> args, Map<String, String> extraEnv)
      throws IOException {
    return start(name, dataDir, args, extraEnv, List.of());
  }

  /**
   * As {@link #start(String, Path, List, Map)}, the JVM launched through {@code launcher} (a
   * command that ends by exec'ing its arguments, so the process's pid stays the JVM's).
   */
  static UpProcess start(
      String name,
      Path dataDir,
      List<String> args,
      Map<String, String> extraEnv,
      List<String> launcher)
      throws IOException {
    Path classPath = Path.of("target", "runtime-classpath.txt");
    if (!Files.exists(classPath)) {
      throw new IllegalStateException(classPath + " missing: run through Maven (process-classes)");
    }
    List<String> cmd = new ArrayList<>(launcher);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx768m");
    cmd.add("-cp");
    cmd.add(
        Path.of("target", "classes").toAbsolutePath() + ":" + Files.readString(classPath).trim());
    cmd.add(HeraldCli.class.getName());
    cmd.add("up");
    cmd.addAll(args);
    cmd.add("--data-dir");
    cmd.add(dataDir.toAbsolutePath().toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("HERALD_") || k.startsWith("KAFKA_"));
    int pgPort = freePort();
    int kafkaPort = freePortPair();
    env.put("HERALD_PG_PORT", Integer.toString(pgPort));
    env.put("HERALD_KAFKA_PORT", Integer.toString(kafkaPort));
    env.put("HERALD_SCHEDULER_METRICS_PORT", "0");
    env.put("HERALD_SENDER_METRICS_PORT", "0");
    env.put("HERALD_WEBHOOK_PORT", "0");
    env.put("HERALD_WEBHOOK_METRICS_PORT", "0");
    env.putAll(extraEnv);
    UpProcess up = new UpProcess(pgPort, kafkaPort, dataDir, pb.start());
    up.pump(Path.of("target", name + ".log"));
    return up;
  }

  private void pump(Path logFile) throws IOException {
    PrintWriter log = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8));
    Thread reader =
        new Thread(
            () -> {
              try (log;
                  BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(
                              process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  lines.add(line);
                  log.println(line);
                  log.flush();
                }
              } catch (IOException e) {
                // the stream closes when the process ends
              }
            },
            "herald-up-console");
    reader.setDaemon(true);
    reader.start();
  }

  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres";
  }

  String bootstrap() {
    return "127.0.0.1:" + kafkaPort;
  }

  long pid() {
    return process.pid();
  }

  /** The processes up started (the broker, Node or Chromium children); not PostgreSQL's. */
  List<ProcessHandle> descendants() {
    return process.descendants().collect(Collectors.toList());
  }

  /** Waits for up to end by itself; false when it is still running after {@code bound}. */
  boolean waitFor(Duration bound) throws InterruptedException {
    return process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Waits for the first console line matching {@code pattern} and returns its match; fails with the
   * console so far when up exits or {@code bound} passes first.
   */
  Matcher await(Pattern pattern, Duration bound) throws InterruptedException {
    Instant deadline = Instant.now().plus(bound);
    int seen = 0;
    while (true) {
      List<String> snapshot;
      synchronized (lines) {
        snapshot = List.copyOf(lines);
      }
      for (; seen < snapshot.size(); seen++) {
        Matcher m = pattern.matcher(snapshot.get(seen));
        if (m.find()) {
          return m;
        }
      }
      if (!process.isAlive() || Instant.now().isAfter(deadline)) {
        throw new AssertionError(
            (process.isAlive() ? "no line /" + pattern + "/ within " + bound : "herald up exited")
                + "; console:\n"
                + String.join("\n", snapshot));
      }
      Thread.sleep(200);
    }
  }

  /** The console so far. */
  List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /** SIGTERM (a clean stop), then SIGKILL by PID for whatever is left after the bound. */
  @Override
  public void close() {
    List<ProcessHandle> children = process.descendants().collect(Collectors.toList());
    process.destroy();
    try {
      if (!process.waitFor(STOP_BOUND.toSeconds(), TimeUnit.SECONDS)) {
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
    }
    children.forEach(ProcessHandle::destroyForcibly);
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs already
    }
  }

  private void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    // PostgreSQL's postmaster is no descendant (pg_ctl detaches it): its pid file names it
    Path pidFile = dataDir.resolve("data/pg/data/postmaster.pid");
    try {
      if (Files.exists(pidFile)) {
        long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    } catch (IOException | RuntimeException e) {
      // best effort: nothing more can be done from here
    }
  }

  Optional<Integer> exitCode() {
    return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
  }

  /** Whether nothing listens on {@code port} on loopback any more. */
  static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A port whose successor (the broker's controller) is free too. */
  static int freePortPair() throws IOException {
    for (int i = 0; i < 20; i++) {
      int p = freePort();
      try (ServerSocket s = new ServerSocket(p + 1)) {
        return p;
      } catch (IOException taken) {
        // try another pair
      }
    }
    throw new IOException("no two consecutive free ports");
  }
}
