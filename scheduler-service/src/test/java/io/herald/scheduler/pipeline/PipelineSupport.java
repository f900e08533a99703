package io.herald.scheduler.pipeline;

import static org.awaitility.Awaitility.await;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.topic.Topics;
import io.herald.scheduler.app.SchedulerApp;
import io.herald.testsupport.KafkaTestBroker;
import io.herald.testsupport.PostgresTestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Plumbing of the pipeline ITs: a scheduler's environment with its own application id, slot,
 * offsets and lease topics; JDBC helpers; a {@code read_committed} reader of send-commands.
 */
final class PipelineSupport {

  /** Streams on a busy 2-core machine: generous, a healthy start takes a few seconds. */
  static final Duration START_WAIT = Duration.ofSeconds(120);

  private PipelineSupport() {}

  static String unique(String prefix) {
    return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  /** What makes one scheduler deployment: instances of it share all of these. */
  record Deployment(String applicationId, String slot, String offsetsTopic, String leaderTopic) {
    static Deployment unique() {
      return new Deployment(
          PipelineSupport.unique("herald-pipeline-"),
          PipelineSupport.unique("herald_pipeline_"),
          PipelineSupport.unique("herald.cdc-offsets-pipeline-"),
          PipelineSupport.unique("herald.cdc-leader-pipeline-"));
    }
  }

  /** The environment of one instance of {@code deployment}, CDC and projector on. */
  static Map<String, String> env(
      KafkaTestBroker broker,
      PostgresTestDatabase db,
      Deployment deployment,
      Path stateDir,
      int metricsPort) {
    Map<String, String> env = new HashMap<>();
    env.put("HERALD_SCHEDULER_BOOTSTRAP_SERVERS", broker.bootstrapServers());
    env.put("HERALD_SCHEDULER_APPLICATION_ID", deployment.applicationId());
    env.put("HERALD_SCHEDULER_STATE_DIR", stateDir.toString());
    env.put("HERALD_SCHEDULER_METRICS_PORT", Integer.toString(metricsPort));
    // Same partition count as the other ITs of the module create for the shared topic names.
    env.put("HERALD_SCHEDULER_PARTITIONS", "2");
    env.put("HERALD_SCHEDULER_PUNCTUATE_INTERVAL", "PT0.1S");
    env.put("HERALD_SCHEDULER_JDBC_URL", db.jdbcUrl());
    if (db.user() != null) {
      env.put("HERALD_SCHEDULER_JDBC_USER", db.user());
    }
    if (!db.password().isEmpty()) {
      env.put("HERALD_SCHEDULER_JDBC_PASSWORD", db.password());
    }
    env.put("HERALD_SCHEDULER_CDC_ENABLED", "true");
    env.put("HERALD_SCHEDULER_PROJECTOR_ENABLED", "true");
    env.put("HERALD_SCHEDULER_CDC_SLOT", deployment.slot());
    env.put("HERALD_SCHEDULER_CDC_OFFSETS_TOPIC", deployment.offsetsTopic());
    env.put("HERALD_SCHEDULER_CDC_LEADER_TOPIC", deployment.leaderTopic());
    env.put("HERALD_SCHEDULER_CDC_LEADER_SESSION_TIMEOUT", "PT6S");
    // A killed Streams member must leave the group quickly (the default is 45 s).
    env.put("KAFKA_SESSION_TIMEOUT_MS", "6000");
    env.put("KAFKA_HEARTBEAT_INTERVAL_MS", "1000");
    return env;
  }

  /** A started in-JVM instance whose Streams reached RUNNING; fails on a fatal Streams error. */
  static final class Instance implements AutoCloseable {
    final SchedulerApp app;
    final AtomicBoolean streamsDied = new AtomicBoolean();

    private Instance(Map<String, String> env) {
      app = SchedulerApp.create(env, () -> streamsDied.set(true));
    }

    static Instance start(Map<String, String> env) {
      Instance i = new Instance(env);
      try {
        i.app.start();
        await("Kafka Streams RUNNING")
            .atMost(START_WAIT)
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> {
                  if (i.streamsDied.get()) {
                    throw new AssertionError("Kafka Streams reached ERROR");
                  }
                  return i.app.isReady();
                });
      } catch (RuntimeException | AssertionError e) {
        i.close();
        throw e;
      }
      return i;
    }

    /** The value of a gauge on this instance's {@code /metrics}, if exported. */
    Optional<Double> metric(String name) {
      return PipelineSupport.metric(app.adminPort(), name);
    }

    @Override
    public void close() {
      app.close();
    }
  }

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** Reads one un-labelled sample from a Prometheus endpoint; empty when absent or unreachable. */
  static Optional<Double> metric(int port, String name) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      Matcher m =
          Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*})? (\\S+)$")
              .matcher(r.body());
      return m.find() ? Optional.of(Double.parseDouble(m.group(1))) : Optional.empty();
    } catch (java.io.IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** HTTP status of {@code /health/ready}, or -1 when unreachable. */
  static int readiness(int port) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (java.io.IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  // ---- database -------------------------------------------------------------------------------

  static int execute(PostgresTestDatabase db, String sql, Object... params) throws SQLException {
    try (Connection c = db.connection()) {
      return execute(c, sql, params);
    }
  }

  static int execute(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      return ps.executeUpdate();
    }
  }

  /** Every row of a query as column → value maps; timestamptz values become {@link Instant}s. */
  static List<Map<String, Object>> query(PostgresTestDatabase db, String sql, Object... params)
      throws SQLException {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      List<Map<String, Object>> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        ResultSetMetaData md = rs.getMetaData();
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int i = 1; i <= md.getColumnCount(); i++) {
            Object v =
                md.getColumnTypeName(i).equals("timestamptz")
                    ? Optional.ofNullable(rs.getObject(i, OffsetDateTime.class))
                        .map(OffsetDateTime::toInstant)
                        .orElse(null)
                    : rs.getObject(i);
            row.put(md.getColumnLabel(i), v);
          }
          rows.add(row);
        }
      }
      return rows;
    }
  }

  /** The one row of a query, or an empty map when there is none. */
  static Map<String, Object> row(PostgresTestDatabase db, String sql, Object... params)
      throws SQLException {
    List<Map<String, Object>> rows = query(db, sql, params);
    return rows.isEmpty() ? Map.of() : rows.get(0);
  }

  /** Pid of the connection streaming from {@code slot}, or null while none does. */
  static Integer activeSlotPid(PostgresTestDatabase db, String slot) throws SQLException {
    Map<String, Object> r =
        row(db, "SELECT active_pid FROM pg_replication_slots WHERE slot_name = ? AND active", slot);
    return (Integer) r.get("active_pid");
  }

  /** An instant {@code seconds} ahead, on a whole second (time_of_day keeps whole seconds). */
  static Instant wholeSecondsAhead(int seconds) {
    return Instant.now().plusSeconds(seconds).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
  }

  // ---- send-commands --------------------------------------------------------------------------

  /** A command as read, with its record key and when this reader first saw it. */
  record Received(String key, SendCommand command, Instant seenAt) {}

  /**
   * Reads {@code herald.send-commands} with {@code read_committed} from the beginning and keeps the
   * commands of schedule keys with one of the given prefixes. Test thread only.
   */
  static final class CommandReader implements AutoCloseable {
    private final KafkaConsumer<String, SendCommand> consumer;
    private final List<Received> seen = new ArrayList<>();
    private Supplier<String> health = () -> null;

    CommandReader(KafkaTestBroker broker) {
      Map<String, Object> props = new HashMap<>(broker.clientConfig());
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      consumer =
          new KafkaConsumer<>(
              props, new StringDeserializer(), Topics.SEND_COMMANDS.valueSerde().deserializer());
      List<TopicPartition> partitions =
          consumer.partitionsFor(Topics.SEND_COMMANDS.name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
    }

    /**
     * Makes every wait fail at once with the returned message when it is not null (a scheduler
     * whose Streams died would otherwise show as a timeout much later).
     */
    void failFastWhen(Supplier<String> problem) {
      this.health = problem;
    }

    void poll() {
      String problem = health.get();
      if (problem != null) {
        throw new AssertionError(problem);
      }
      for (ConsumerRecord<String, SendCommand> r : consumer.poll(Duration.ofMillis(100))) {
        if (r.value() != null) {
          seen.add(new Received(r.key(), r.value(), Instant.now()));
        }
      }
    }

    /** Polls once, then returns everything seen so far of {@code scheduleKey}. */
    List<Received> of(String scheduleKey) {
      poll();
      return seen.stream().filter(r -> scheduleKey.equals(r.command().scheduleKey())).toList();
    }

    List<SendCommand> commands(String scheduleKey) {
      return of(scheduleKey).stream().map(Received::command).toList();
    }

    /** Waits until the commands of {@code scheduleKey} satisfy {@code condition}. */
    List<Received> await(String scheduleKey, Predicate<List<Received>> condition, Duration atMost) {
      return org.awaitility.Awaitility.await("send-commands of " + scheduleKey)
          .atMost(atMost)
          .pollInSameThread() // a consumer belongs to one thread
          .pollInterval(Duration.ofMillis(50))
          .until(() -> of(scheduleKey), condition);
    }

    /** Waits until {@code scheduleKey} has at least {@code n} commands. */
    List<Received> awaitAtLeast(String scheduleKey, int n, Duration atMost) {
      return await(scheduleKey, l -> l.size() >= n, atMost);
    }

    /**
     * Keeps reading for {@code period} and fails if the count of any of {@code expected}'s keys
     * ever differs from its expected count: no late duplicate, no late command.
     */
    void assertStableFor(Duration period, Map<String, Integer> expected) {
      org.awaitility.Awaitility.await("no further send-commands for " + expected.keySet())
          .during(period)
          .atMost(period.plusSeconds(10))
          .pollInSameThread()
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                poll();
                return expected.entrySet().stream()
                    .allMatch(e -> count(e.getKey()) == e.getValue());
              });
    }

    private long count(String scheduleKey) {
      return seen.stream().filter(r -> scheduleKey.equals(r.command().scheduleKey())).count();
    }

    @Override
    public void close() {
      consumer.close();
    }
  }
}
