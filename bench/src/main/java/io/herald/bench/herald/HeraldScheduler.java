package io.herald.bench.herald;

import io.herald.bench.infra.BenchInfra;
import io.herald.runtime.metrics.MetricsRegistries;
import io.herald.scheduler.app.Component;
import io.herald.scheduler.app.SchedulerApp;
import io.herald.scheduler.config.SchedulerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * One Herald scheduler as production runs it — {@link SchedulerApp}: topics, Kafka Streams with
 * exactly-once, the real topology — started on the bench broker with a fresh application id and
 * state directory, and the CDC slots empty (the bench produces schedule changes itself).
 *
 * <p>Herald's topic names are fixed, so every run starts by deleting what an earlier run left
 * ({@code herald.*} and the bench's Streams internal topics).
 */
public final class HeraldScheduler implements AutoCloseable {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

  private final SchedulerConfig config;
  private final Path stateDir;
  private final SchedulerApp app;
  private final AtomicBoolean fatal = new AtomicBoolean();
  private final BenchInfra infra;
  private final Map<String, String> env;
  private final boolean cdc;

  /** Wall time from {@code start()} to Kafka Streams RUNNING, ms. */
  private long startToReadyMillis;

  private HeraldScheduler(
      BenchInfra infra,
      SchedulerConfig config,
      Path stateDir,
      Map<String, String> env,
      boolean cdc) {
    this.infra = infra;
    this.config = config;
    this.stateDir = stateDir;
    this.env = env;
    this.cdc = cdc;
    Map<String, String> cdcEnv = cdc ? env : null;
    this.app =
        cdcEnv == null
            ? new SchedulerApp(
                config,
                MetricsRegistries.create("scheduler"),
                Component.none("cdc-engine"),
                Component.none("state-projector"),
                () -> fatal.set(true))
            // As production wires it: CDC engine behind its lease, and the state projector.
            : SchedulerApp.create(cdcEnv, () -> fatal.set(true));
  }

  /**
   * Cleans earlier topics, then starts Herald and waits for RUNNING.
   *
   * @param overrides HERALD_SCHEDULER_* settings on top of Herald's defaults
   */
  public static HeraldScheduler start(
      BenchInfra infra, String applicationId, Map<String, String> overrides)
      throws IOException, InterruptedException {
    return start(infra, applicationId, overrides, false);
  }

  /**
   * Like {@link #start(BenchInfra, String, Map)}, but built by {@link SchedulerApp#create} from the
   * environment with the Debezium engine and the state projector on the bench's PostgreSQL. {@code
   * overrides} must name the deployment's own slot, offsets and leader topics ({@code
   * HERALD_SCHEDULER_CDC_SLOT}, {@code ..._CDC_OFFSETS_TOPIC}, {@code ..._CDC_LEADER_TOPIC}).
   */
  public static HeraldScheduler startWithCdc(
      BenchInfra infra, String applicationId, Map<String, String> overrides)
      throws IOException, InterruptedException {
    return start(infra, applicationId, overrides, true);
  }

  private static HeraldScheduler start(
      BenchInfra infra, String applicationId, Map<String, String> overrides, boolean cdc)
      throws IOException, InterruptedException {
    deleteTopics(infra, applicationId);
    Path stateDir = Files.createTempDirectory("herald-bench-state-");
    Map<String, String> env = new LinkedHashMap<>(overrides);
    env.put("HERALD_SCHEDULER_BOOTSTRAP_SERVERS", infra.broker().bootstrapServers());
    env.put("HERALD_SCHEDULER_APPLICATION_ID", applicationId);
    env.put("HERALD_SCHEDULER_STATE_DIR", stateDir.toString());
    env.put("HERALD_SCHEDULER_METRICS_PORT", "0");
    if (cdc) {
      var db = infra.database();
      env.put("HERALD_SCHEDULER_CDC_ENABLED", "true");
      // On unless the operator turns it off for a diagnosis (HERALD_SCHEDULER_* pass through).
      env.putIfAbsent("HERALD_SCHEDULER_PROJECTOR_ENABLED", "true");
      env.put("HERALD_SCHEDULER_JDBC_URL", db.jdbcUrl());
      if (db.user() != null) {
        env.put("HERALD_SCHEDULER_JDBC_USER", db.user());
      }
      if (!db.password().isEmpty()) {
        env.put("HERALD_SCHEDULER_JDBC_PASSWORD", db.password());
      }
    }
    SchedulerConfig config = SchedulerConfig.fromEnv(env);
    return startAndAwait(new HeraldScheduler(infra, config, stateDir, env, cdc));
  }

  private static HeraldScheduler startAndAwait(HeraldScheduler herald) throws InterruptedException {
    long t0 = System.nanoTime();
    herald.app.start();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (!herald.app.isReady()) {
      if (herald.fatal.get() || System.nanoTime() > deadline) {
        String state = herald.app.streamsState();
        herald.close();
        throw new IllegalStateException(
            "Herald's Kafka Streams did not reach RUNNING within "
                + READY_TIMEOUT
                + " (state "
                + state
                + ")");
      }
      Thread.sleep(20);
    }
    herald.startToReadyMillis = (System.nanoTime() - t0) / 1_000_000;
    return herald;
  }

  /**
   * Stops this scheduler (Kafka Streams closed cleanly, CDC engine and lease left) and starts a new
   * {@link SchedulerApp} with the same environment: same application id, same CDC slot, same state
   * directory — emptied first when {@code wipeState}, so Streams restores every store from its
   * changelog. Topics are kept. This instance must not be used afterwards (its {@link #close()}
   * would delete the shared state directory).
   */
  public HeraldScheduler restart(boolean wipeState) throws IOException, InterruptedException {
    return restart(wipeState, false);
  }

  /**
   * Like {@link #restart(boolean)}; with {@code forgetMembers} the stopped instance's member is
   * removed from the Streams consumer group first ({@code Admin.removeMembersFromConsumerGroup}
   * with no member named removes every member, KIP-571), as a leave-group on close would. Kafka
   * Streams does not leave the group when it closes, so without this the new instance's first
   * rebalance waits for the old member's session to expire ({@code session.timeout.ms}, 45 s by
   * default). A diagnosis: it separates the state's cost from the group's timeout.
   */
  public HeraldScheduler restart(boolean wipeState, boolean forgetMembers)
      throws IOException, InterruptedException {
    stop();
    if (wipeState) {
      deleteContents(stateDir);
    }
    if (forgetMembers) {
      try (Admin admin = Admin.create(infra.broker().clientConfig())) {
        admin
            .removeMembersFromConsumerGroup(
                config.applicationId(),
                new org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions())
            .all()
            .get(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        // An empty group has nobody to remove; the start below shows any real problem.
      }
    }
    return startAndAwait(new HeraldScheduler(infra, config, stateDir, env, cdc));
  }

  /** Closes the app, keeping its state directory (the stores are flushed on a clean close). */
  public void stop() {
    app.close();
  }

  /** Wall time of the last start: {@code SchedulerApp.start()} → Kafka Streams RUNNING, ms. */
  public long startToReadyMillis() {
    return startToReadyMillis;
  }

  public Path stateDir() {
    return stateDir;
  }

  /** The admin server's port ({@code /metrics}, Prometheus text). */
  public int adminPort() {
    return app.adminPort();
  }

  /** Kafka Streams' state name. */
  public String streamsState() {
    return app.streamsState();
  }

  private static void deleteContents(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        if (!p.equals(dir)) {
          Files.delete(p);
        }
      }
    }
  }

  public SchedulerConfig config() {
    return config;
  }

  /** True once Kafka Streams reached ERROR. */
  public boolean failed() {
    return fatal.get();
  }

  /**
   * Records of {@code topic} not yet consumed and committed by Herald's Streams application (its
   * consumer group is the application id).
   */
  public long lag(String topic) throws Exception {
    return lag(infra, config.applicationId(), topic);
  }

  /** Records of {@code topic} not yet consumed and committed by consumer group {@code group}. */
  static long lag(BenchInfra infra, String group, String topic) throws Exception {
    try (Admin admin = Admin.create(infra.broker().clientConfig())) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(10, TimeUnit.SECONDS);
      var partitions =
          admin
              .describeTopics(List.of(topic))
              .allTopicNames()
              .get(10, TimeUnit.SECONDS)
              .get(topic)
              .partitions();
      Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
      partitions.forEach(
          p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin.listOffsets(request).all().get(10, TimeUnit.SECONDS);
      long lag = 0;
      for (var e : ends.entrySet()) {
        OffsetAndMetadata c = committed.get(e.getKey());
        lag += e.getValue().offset() - (c == null ? 0 : c.offset());
      }
      return lag;
    }
  }

  /** Waits until Herald has consumed every record of {@code topic}; false on timeout. */
  public boolean awaitCaughtUp(String topic, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (lag(topic) == 0) {
        return true;
      }
      if (fatal.get()) {
        throw new IllegalStateException("Herald's Kafka Streams reached ERROR");
      }
      Thread.sleep(100);
    }
    return false;
  }

  @Override
  public void close() {
    app.close();
    try (Stream<Path> files = Files.walk(stateDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp dir; the OS cleans it eventually
    }
  }

  /** Deletes {@code herald.*} topics and the application's internal topics; waits until gone. */
  public static void deleteTopics(BenchInfra infra, String applicationIdPrefix)
      throws InterruptedException {
    try (Admin admin = Admin.create(infra.broker().clientConfig())) {
      Set<String> names = admin.listTopics().names().get(10, TimeUnit.SECONDS);
      List<String> doomed =
          names.stream()
              .filter(n -> n.startsWith("herald.") || n.startsWith("bench-herald-"))
              .toList();
      if (doomed.isEmpty()) {
        return;
      }
      admin.deleteTopics(doomed).all().get(30, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) {
        Set<String> left = admin.listTopics().names().get(10, TimeUnit.SECONDS);
        if (doomed.stream().noneMatch(left::contains)) {
          return;
        }
        Thread.sleep(100);
      }
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Could not delete earlier Herald topics: " + e, e);
    }
  }
}
