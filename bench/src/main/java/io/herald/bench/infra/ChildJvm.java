package io.herald.bench.infra;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Herald service as its own JVM: the service's real {@code main} on the bench's class path,
 * configured only through its environment, its admin server bound to loopback on a port chosen
 * here. Output goes to {@code out.log} in the instance's directory.
 *
 * <p>Every child is stopped by its own PID: {@link #close()} (SIGTERM, so the service's shutdown
 * hook closes it cleanly, then SIGKILL after a grace period), and a JVM-wide shutdown hook does the
 * same for any child still alive when the bench exits. Where coreutils' {@code timeout} exists, the
 * child also runs under it with a lifetime bound, so even a bench killed with SIGKILL leaves no
 * service running past that bound.
 */
public final class ChildJvm implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ChildJvm.class);

  private static final Path TIMEOUT = Path.of("/usr/bin/timeout");
  private static final Duration STOP_GRACE = Duration.ofSeconds(45);
  private static final Set<ChildJvm> LIVE = ConcurrentHashMap.newKeySet();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> List.copyOf(LIVE).forEach(ChildJvm::kill), "bench-child-reaper"));
  }

  /** Routes the service's log (INFO for Herald, WARN for the rest) to its stdout. */
  private static final String LOGBACK =
      """
      <configuration>
        <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
          <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
        </appender>
        <logger name="io.herald" level="INFO"/>
        <root level="WARN"><appender-ref ref="OUT"/></root>
      </configuration>
      """;

  private final String name;
  private final Process process;
  private final ProcessHandle jvm;
  private final int adminPort;
  private final Path dir;
  private final long startedAt;

  private ChildJvm(
      String name, Process process, ProcessHandle jvm, int adminPort, Path dir, long startedAt) {
    this.name = name;
    this.process = process;
    this.jvm = jvm;
    this.adminPort = adminPort;
    this.dir = dir;
    this.startedAt = startedAt;
  }

  /**
   * Starts {@code mainClass} in a new JVM with exactly {@code env} (plus PATH, HOME, LANG and TZ).
   *
   * @param dir the instance's own directory (working directory, log, logback config)
   * @param adminPort the port the service's admin server was told to use (see {@link #freePort()})
   * @param lifetime the longest the child may live, whatever happens to the bench
   */
  public static ChildJvm start(
      String name,
      String mainClass,
      Map<String, String> env,
      Path dir,
      int adminPort,
      String maxHeap,
      Duration lifetime)
      throws IOException {
    Files.createDirectories(dir);
    Path logback = dir.resolve("logback.xml");
    Files.writeString(logback, LOGBACK, StandardCharsets.UTF_8);
    List<String> command = new ArrayList<>();
    boolean bounded = Files.isExecutable(TIMEOUT);
    if (bounded) {
      command.addAll(List.of(TIMEOUT.toString(), "-k", "10", Long.toString(lifetime.toSeconds())));
    }
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + maxHeap);
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.add("-Dherald.admin.bind-address=127.0.0.1");
    command.add("-Dlogback.configurationFile=" + logback);
    command.add("-cp");
    command.add(absoluteClassPath());
    command.add(mainClass);
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    Map<String, String> childEnv = pb.environment();
    childEnv.keySet().retainAll(Set.of("PATH", "HOME", "LANG", "TZ"));
    childEnv.putAll(env);
    pb.redirectErrorStream(true);
    pb.redirectOutput(dir.resolve("out.log").toFile());
    long startedAt = System.currentTimeMillis();
    Process process = pb.start();
    ProcessHandle jvm = bounded ? awaitChild(process) : process.toHandle();
    ChildJvm child = new ChildJvm(name, process, jvm, adminPort, dir, startedAt);
    LIVE.add(child);
    log.info("Started {}: pid={} adminPort={} dir={}", name, jvm.pid(), adminPort, dir);
    return child;
  }

  /** The java process under {@code timeout}: the one process it forks. */
  private static ProcessHandle awaitChild(Process wrapper) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      var kids = wrapper.toHandle().children().toList();
      if (!kids.isEmpty()) {
        return kids.get(0);
      }
      if (!wrapper.isAlive()) {
        break;
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    wrapper.destroyForcibly();
    throw new IllegalStateException("The child JVM did not start under " + TIMEOUT);
  }

  /** The class path of this JVM with absolute entries (the child runs in another directory). */
  static String absoluteClassPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> !e.isBlank())
        .map(e -> Path.of(e).toAbsolutePath().toString())
        .collect(Collectors.joining(File.pathSeparator));
  }

  /** A port free on loopback right now, for a child's admin server. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free port on loopback", e);
    }
  }

  public String name() {
    return name;
  }

  public long pid() {
    return jvm.pid();
  }

  /** Wall clock (epoch ms) when the JVM was started. */
  public long startedAt() {
    return startedAt;
  }

  public boolean alive() {
    return jvm.isAlive();
  }

  /** True when the service's {@code /health/ready} answers 200. */
  public boolean ready() {
    return get("/health/ready").map(r -> r.statusCode() == 200).orElse(false);
  }

  /** Waits until ready; throws when the JVM exits or the time is up (the log's tail says why). */
  public void awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ready()) {
      if (!alive() || System.nanoTime() > deadline) {
        throw new IllegalStateException(
            name + (alive() ? " not ready within " + timeout : " exited") + "; log: " + logTail());
      }
      Thread.sleep(100);
    }
  }

  /**
   * Sum of the samples of one metric on the child's {@code /metrics} (Prometheus text) whose label
   * set contains {@code labelPart} (empty: all); NaN when the child does not answer.
   */
  public double metric(String metric, String labelPart) {
    var response = get("/metrics");
    if (response.isEmpty() || response.get().statusCode() != 200) {
      return Double.NaN;
    }
    double sum = 0;
    for (String line : response.get().body().split("\n")) {
      if (line.startsWith(metric + "{") || line.startsWith(metric + " ")) {
        int space = line.lastIndexOf(' ');
        if (line.substring(0, space).contains(labelPart)) {
          sum += Double.parseDouble(line.substring(space + 1));
        }
      }
    }
    return sum;
  }

  private java.util.Optional<HttpResponse<String>> get(String path) {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
              .timeout(Duration.ofSeconds(2))
              .build();
      return java.util.Optional.of(HTTP.send(request, HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      return java.util.Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return java.util.Optional.empty();
    }
  }

  /** CPU time of the child JVM so far; empty once it exited. */
  public OptionalLong cpuNanos() {
    return ProcessCpu.cpuNanos(jvm.pid());
  }

  /** SIGTERM to the JVM (its shutdown hook closes the service); returns at once. */
  public void signalStop() {
    jvm.destroy();
  }

  /** Waits for the JVM to exit after {@link #signalStop()}, then SIGKILL past the grace period. */
  public void awaitExit(Duration grace) throws InterruptedException {
    try {
      jvm.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      log.warn("{} did not stop within {}: killing pid {}", name, grace, jvm.pid());
    }
    kill();
  }

  /** Stops the child: SIGTERM, up to 45 s for a clean close, then SIGKILL. */
  @Override
  public void close() {
    signalStop();
    try {
      awaitExit(STOP_GRACE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
    }
  }

  /** SIGKILL to the JVM and its wrapper, each by its own PID, if still alive. */
  private void kill() {
    if (jvm.isAlive()) {
      jvm.destroyForcibly();
    }
    if (process.isAlive()) {
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
    LIVE.remove(this);
  }

  /** The last lines of the child's output, for error messages. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(dir.resolve("out.log"), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
