package io.herald.e2e;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Herald service as a child JVM on the test's own classpath, so that it can be killed for real
 * ({@link #kill()} is SIGKILL: no shutdown hook, no close, no commit) and started again with the
 * same environment. Its stdout and stderr go to one log file per incarnation under {@code
 * target/e2e-logs/}, which {@code SecurityIT} scans. The metrics port is fixed per service (a free
 * port picked once) so a restart serves on the same port.
 */
final class ServiceProcess implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ServiceProcess.class);
  static final Path LOG_DIR = Path.of("target", "e2e-logs");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String name;
  private final String mainClass;
  private final Map<String, String> env;
  private final List<String> jvmArgs;
  private final int metricsPort;
  private final List<Path> logFiles = new ArrayList<>();
  private Process process;
  private int incarnation;

  ServiceProcess(String name, String mainClass, Map<String, String> env, String metricsPortVar) {
    this(name, mainClass, env, metricsPortVar, List.of());
  }

  ServiceProcess(
      String name,
      String mainClass,
      Map<String, String> env,
      String metricsPortVar,
      List<String> jvmArgs) {
    this.name = name;
    this.mainClass = mainClass;
    this.env = new LinkedHashMap<>(env);
    this.jvmArgs = List.copyOf(jvmArgs);
    this.metricsPort = freePort();
    if (metricsPortVar != null) {
      this.env.put(metricsPortVar, Integer.toString(metricsPort));
    }
  }

  String name() {
    return name;
  }

  int metricsPort() {
    return metricsPort;
  }

  Map<String, String> env() {
    return env;
  }

  synchronized ServiceProcess start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " is already running");
    }
    try {
      Files.createDirectories(LOG_DIR);
      Path logFile = LOG_DIR.resolve(name + "-" + (++incarnation) + ".log");
      logFiles.add(logFile);
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Xmx384m");
      cmd.add("-XX:TieredStopAtLevel=1");
      cmd.add("-XX:+UseSerialGC");
      cmd.addAll(jvmArgs);
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(mainClass);
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().putAll(env);
      pb.redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      process = pb.start();
      log.info("Started {} (pid {}), log {}", name, process.pid(), logFile);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + name, e);
    }
  }

  /** Waits until {@code /health/ready} answers 200, failing early if the process died. */
  ServiceProcess awaitReady(Duration timeout) {
    await(name + " ready on port " + metricsPort)
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(250))
        .ignoreException(UncheckedIOException.class)
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new IllegalStateException(
                    name + " exited with " + process.exitValue() + "; see " + currentLog());
              }
              return get("/health/ready").statusCode() == 200;
            });
    return this;
  }

  /** SIGKILL: the JVM gets no chance to close, commit or flush anything. */
  synchronized void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    waitExit();
    log.info("Killed {} (SIGKILL)", name);
  }

  /** SIGTERM: shutdown hooks run (a graceful stop). */
  synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    if (!waitExit()) {
      process.destroyForcibly();
      waitExit();
    }
  }

  boolean isAlive() {
    return process != null && process.isAlive();
  }

  int exitValue() {
    return process == null || process.isAlive() ? -1 : process.exitValue();
  }

  long pid() {
    return process == null ? -1 : process.pid();
  }

  private boolean waitExit() {
    try {
      return process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  HttpResponse<String> get(String path) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + path))
              .timeout(Duration.ofSeconds(5))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The Prometheus text of {@code /metrics}, or empty when the process does not answer. */
  String scrapeMetrics() {
    try {
      HttpResponse<String> r = get("/metrics");
      return r.statusCode() == 200 ? r.body() : "";
    } catch (RuntimeException e) {
      return "";
    }
  }

  Path currentLog() {
    return logFiles.isEmpty() ? null : logFiles.get(logFiles.size() - 1);
  }

  List<Path> logFiles() {
    return List.copyOf(logFiles);
  }

  @Override
  public void close() {
    stop();
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
