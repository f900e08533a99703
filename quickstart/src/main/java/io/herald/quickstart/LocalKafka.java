package io.herald.quickstart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft broker in a child JVM, started from the Maven jars already on this
 * process's classpath (no Kafka distribution to download). Its log directory lives under the quick
 * start's data folder so a second start reuses the topics and offsets.
 */
public final class LocalKafka implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LocalKafka.class);

  /** util-linux; when the caller is no group leader (a JVM's child never is) it execs in place. */
  private static final Path SETSID = Path.of("/usr/bin/setsid");

  private final Path dir;
  private final int port;
  private final int controllerPort;
  private Process process;

  public LocalKafka(Path dir, int port) {
    this.dir = dir;
    this.port = port;
    this.controllerPort = port + 1;
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public LocalKafka start(Duration timeout) {
    try {
      Files.createDirectories(dir);
      requireFree(port, "the broker");
      requireFree(controllerPort, "the broker's controller");
      Path props = dir.resolve("server.properties");
      Files.writeString(props, serverProperties());
      Path logs = dir.resolve("data");
      if (!Files.exists(logs.resolve("meta.properties"))) {
        // Formatting once is what makes a second start reuse the data instead of failing.
        format(props);
      }
      process =
          java("kafka.Kafka", props.toString())
              .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile()))
              .redirectErrorStream(true)
              .start();
      log.info(
          "Kafka broker starting: pid={} bootstrap={} log={}",
          process.pid(),
          bootstrapServers(),
          dir.resolve("broker.log"));
      awaitReady(timeout);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting Kafka", e);
    }
  }

  /**
   * Formats the fresh log dir. The error names the log and carries its last lines, because the
   * quick start's data folder may be gone by the time someone reads it.
   *
   * <p>The cluster id is Kafka's own {@link Uuid#randomUuid()}: a plain base64url UUID starts with
   * '-' once in 64, and the storage tool then reads it as an option ("argument --cluster-id/-t:
   * expected one argument") — that was the quick start's occasional failed format, which an earlier
   * retry of the same id could not cure.
   */
  private void format(Path props) throws IOException, InterruptedException {
    Path formatLog = dir.resolve("format.log");
    int rc =
        java(
                "kafka.tools.StorageTool",
                "format",
                "--standalone",
                "-t",
                clusterId(),
                "-c",
                props.toString())
            .redirectOutput(formatLog.toFile())
            .redirectErrorStream(true)
            .start()
            .waitFor();
    if (rc != 0) {
      throw new IllegalStateException(
          "Formatting the Kafka log dir failed (exit "
              + rc
              + "); see "
              + formatLog
              + "; its last lines: "
              + tail(formatLog, 5));
    }
  }

  private static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file);
      return String.join(" | ", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | RuntimeException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  private void awaitReady(Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "Kafka broker exited with "
                + process.exitValue()
                + "; see "
                + dir.resolve("broker.log"));
      }
      try (Admin admin = Admin.create(p)) {
        admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
        return;
      } catch (Exception notYet) {
        Thread.sleep(300); // polling a child process we do not control; no event to wait on
      }
    }
    throw new IllegalStateException(
        "Kafka broker not ready after " + timeout + "; see " + dir.resolve("broker.log"));
  }

  private ProcessBuilder java(String main, String... args) {
    List<String> cmd = new ArrayList<>();
    // Its own session: a terminal's Ctrl-C goes to the whole foreground process group, and a
    // broker that stops first leaves the services retrying it for tens of seconds. In its own
    // session it gets only the SIGTERM close() sends, after the services have stopped.
    if (Files.isExecutable(SETSID)) {
      cmd.add(SETSID.toString());
    }
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx768m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main);
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> env = pb.environment();
    env.keySet()
        .removeIf(k -> k.startsWith("KAFKA_")); // our passthrough vars are not broker settings
    return pb;
  }

  private String serverProperties() {
    return String.join(
        "\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners=PLAINTEXT://127.0.0.1:"
            + port
            + ",CONTROLLER://127.0.0.1:"
            + controllerPort,
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "inter.broker.listener.name=PLAINTEXT",
        "log.dirs=" + dir.resolve("data"),
        "num.partitions=6",
        "offsets.topic.replication.factor=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "min.insync.replicas=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
        "");
  }

  private static void requireFree(int port, String what) {
    try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
    } catch (IOException e) {
      throw new IllegalStateException(
          "Port "
              + port
              + " for "
              + what
              + " is taken; stop what uses it or set HERALD_KAFKA_PORT");
    }
  }

  /** A new cluster id that the storage tool's argument parser takes as a value. */
  static String clusterId() {
    return Uuid.randomUuid().toString();
  }

  public long pid() {
    return process == null ? -1 : process.pid();
  }

  @Override
  public void close() {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy(); // SIGTERM: the broker shuts down cleanly
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        log.warn("Kafka broker did not stop within 20 s; killing pid={}", process.pid());
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    log.info("Kafka broker stopped");
  }
}
