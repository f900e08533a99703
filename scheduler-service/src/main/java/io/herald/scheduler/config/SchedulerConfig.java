package io.herald.scheduler.config;

import io.herald.runtime.config.EnvReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the scheduler reads from its environment. Precedence: code defaults &lt; {@code
 * KAFKA_*} passthrough &lt; keys the code owns ({@link #OWNED_KAFKA_KEYS}); setting an owned key
 * through {@code KAFKA_*} is a configuration error rather than a silent override.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param applicationId Streams application id (consumer group, prefix of internal topics)
 * @param stateDir Streams state directory; kept across restarts (never cleaned unconditionally)
 * @param jdbcUrl PostgreSQL URL for CDC and the projector, or null when not used
 * @param jdbcUser database user, or null
 * @param jdbcPassword database password, or null; echoed as [hidden]
 * @param metricsPort port of the admin server (/metrics, /health); 0 = ephemeral
 * @param punctuateInterval wall-clock punctuation interval, at most 1 s
 * @param maxCommandsPerTick send-commands emitted per punctuation, across all fan-outs
 * @param maxRecipients recipients allowed in one definition
 * @param deviceWait how long a schedule with an unknown device waits for it before it is rejected
 * @param numStandbyReplicas Streams standby replicas
 * @param replicationFactor replication factor of internal and created topics
 * @param partitions partition count of created topics
 * @param recurringExpiry notAfter = occurrence + this, for recurring messages and auto-posts
 * @param broadcastExpiry notAfter = occurrence + this, for broadcasts
 * @param kafkaPassthrough {@code KAFKA_*} variables as client properties
 */
public record SchedulerConfig(
    String bootstrapServers,
    String applicationId,
    Path stateDir,
    String jdbcUrl,
    String jdbcUser,
    String jdbcPassword,
    int metricsPort,
    Duration punctuateInterval,
    int maxCommandsPerTick,
    int maxRecipients,
    Duration deviceWait,
    int numStandbyReplicas,
    short replicationFactor,
    int partitions,
    Duration recurringExpiry,
    Duration broadcastExpiry,
    Map<String, String> kafkaPassthrough) {

  /** Client properties the code sets itself; KAFKA_* may not override them. */
  public static final Set<String> OWNED_KAFKA_KEYS =
      Set.of(
          "application.id",
          "processing.guarantee",
          "default.key.serde",
          "default.value.serde",
          "bootstrap.servers",
          "state.dir");

  public static final String DEFAULT_APPLICATION_ID = "herald-scheduler";

  /**
   * Send-commands per punctuation and task. 25,000 per 250 ms tick is 100,000/s per task: above
   * what a stream thread produces transactionally on a small machine (the 100,000-recipient
   * benchmark ran at exactly the former 10,000's 40,000/s cap), while one tick's work stays in the
   * order of its interval, so other schedules' timers are not held up for long.
   */
  public static final int DEFAULT_MAX_COMMANDS_PER_TICK = 25_000;

  public static final Duration MAX_PUNCTUATE_INTERVAL = Duration.ofSeconds(1);

  public SchedulerConfig {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(punctuateInterval, "punctuateInterval");
    Objects.requireNonNull(deviceWait, "deviceWait");
    Objects.requireNonNull(recurringExpiry, "recurringExpiry");
    Objects.requireNonNull(broadcastExpiry, "broadcastExpiry");
    kafkaPassthrough = kafkaPassthrough == null ? Map.of() : Map.copyOf(kafkaPassthrough);
  }

  /**
   * Reads every setting, collects every problem, and throws one {@link
   * io.herald.runtime.config.ConfigException} naming each bad variable.
   */
  public static SchedulerConfig fromEnv(Map<String, String> env) {
    return read(new EnvReader(env));
  }

  /** Like {@link #fromEnv} but leaves the reader to the caller, for the startup echo. */
  public static SchedulerConfig read(EnvReader env) {
    return read(env, SchedulerConnection.read(env));
  }

  /**
   * Like {@link #read(EnvReader)} with the connection settings the service read once; throws once
   * for every problem {@code env} collected, this config's and any read before.
   */
  public static SchedulerConfig read(EnvReader env, SchedulerConnection connection) {
    String bootstrap = connection.bootstrapServers();
    String appId = connection.applicationId();
    if (appId != null && (appId.isBlank() || !appId.matches("[A-Za-z0-9._-]+"))) {
      env.problem(
          "HERALD_SCHEDULER_APPLICATION_ID="
              + appId
              + ": must be non-empty and use only letters, digits, '.', '_' and '-'");
    }
    String stateDir = env.optional("HERALD_SCHEDULER_STATE_DIR", "./.herald/state/scheduler");
    String jdbcUrl = connection.jdbcUrl();
    if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql:")) {
      env.problem("HERALD_SCHEDULER_JDBC_URL=" + jdbcUrl + ": must start with jdbc:postgresql:");
    }
    String jdbcUser = connection.jdbcUser();
    String jdbcPassword = connection.jdbcPassword();
    int port = env.intAtLeast("HERALD_SCHEDULER_METRICS_PORT", 9401, 0);
    if (port > 65_535) {
      env.problem("HERALD_SCHEDULER_METRICS_PORT=" + port + ": must be <= 65535");
    }
    Duration tick = env.duration("HERALD_SCHEDULER_PUNCTUATE_INTERVAL", Duration.ofMillis(250));
    if (tick != null
        && (tick.isNegative()
            || tick.isZero()
            || tick.compareTo(MAX_PUNCTUATE_INTERVAL) > 0
            || tick.toMillis() < 1)) {
      env.problem(
          "HERALD_SCHEDULER_PUNCTUATE_INTERVAL="
              + tick
              + ": must be between PT0.001S and PT1S (timers fire at most one interval late)");
    }
    int maxPerTick =
        env.intAtLeast("HERALD_SCHEDULER_MAX_COMMANDS_PER_TICK", DEFAULT_MAX_COMMANDS_PER_TICK, 1);
    int maxRecipients = env.intAtLeast("HERALD_SCHEDULER_MAX_RECIPIENTS", 50_000, 1);
    Duration deviceWait = env.duration("HERALD_SCHEDULER_DEVICE_WAIT", Duration.ofSeconds(30));
    if (deviceWait != null && deviceWait.isNegative()) {
      env.problem("HERALD_SCHEDULER_DEVICE_WAIT=" + deviceWait + ": must not be negative");
    }
    int standbys = env.intAtLeast("HERALD_SCHEDULER_NUM_STANDBY_REPLICAS", 0, 0);
    int replication = env.intAtLeast("HERALD_SCHEDULER_REPLICATION_FACTOR", 1, 1);
    if (replication > Short.MAX_VALUE) {
      env.problem("HERALD_SCHEDULER_REPLICATION_FACTOR=" + replication + ": too large");
    }
    int partitions = env.intAtLeast("HERALD_SCHEDULER_PARTITIONS", 6, 1);
    Duration recurringExpiry =
        positive(env, "HERALD_SCHEDULER_RECURRING_EXPIRY", Duration.ofHours(6));
    Duration broadcastExpiry =
        positive(env, "HERALD_SCHEDULER_BROADCAST_EXPIRY", Duration.ofHours(24));
    Map<String, String> passthrough = env.kafkaPassthrough(OWNED_KAFKA_KEYS);

    env.failIfInvalid();
    return new SchedulerConfig(
        bootstrap,
        appId,
        Path.of(stateDir),
        jdbcUrl,
        jdbcUser,
        jdbcPassword,
        port,
        tick,
        maxPerTick,
        maxRecipients,
        deviceWait,
        standbys,
        (short) replication,
        partitions,
        recurringExpiry,
        broadcastExpiry,
        passthrough);
  }

  private static Duration positive(EnvReader env, String name, Duration def) {
    Duration d = env.duration(name, def);
    if (d != null && (d.isNegative() || d.isZero())) {
      env.problem(name + "=" + d + ": must be positive");
    }
    return d;
  }

  /** A config for tests and tools: defaults everywhere except the bootstrap servers. */
  public static SchedulerConfig defaults(String bootstrapServers) {
    return fromEnv(Map.of("HERALD_SCHEDULER_BOOTSTRAP_SERVERS", bootstrapServers));
  }

  /** Copy with another punctuation interval, max commands per tick and device wait. */
  public SchedulerConfig withTuning(
      Duration punctuateInterval, int maxCommandsPerTick, int maxRecipients, Duration deviceWait) {
    return new SchedulerConfig(
        bootstrapServers,
        applicationId,
        stateDir,
        jdbcUrl,
        jdbcUser,
        jdbcPassword,
        metricsPort,
        punctuateInterval,
        maxCommandsPerTick,
        maxRecipients,
        deviceWait,
        numStandbyReplicas,
        replicationFactor,
        partitions,
        recurringExpiry,
        broadcastExpiry,
        kafkaPassthrough);
  }

  /** Copy with another application id and state dir (ITs run several instances). */
  public SchedulerConfig withInstance(String applicationId, Path stateDir) {
    return new SchedulerConfig(
        bootstrapServers,
        applicationId,
        stateDir,
        jdbcUrl,
        jdbcUser,
        jdbcPassword,
        metricsPort,
        punctuateInterval,
        maxCommandsPerTick,
        maxRecipients,
        deviceWait,
        numStandbyReplicas,
        replicationFactor,
        partitions,
        recurringExpiry,
        broadcastExpiry,
        kafkaPassthrough);
  }

  @Override
  public String toString() {
    // A record's generated toString would print the password.
    return "SchedulerConfig[bootstrapServers="
        + bootstrapServers
        + ", applicationId="
        + applicationId
        + ", stateDir="
        + stateDir
        + ", jdbcUrl="
        + jdbcUrl
        + ", jdbcUser="
        + jdbcUser
        + ", jdbcPassword="
        + (jdbcPassword == null ? "" : "[hidden]")
        + ", metricsPort="
        + metricsPort
        + ", punctuateInterval="
        + punctuateInterval
        + ", maxCommandsPerTick="
        + maxCommandsPerTick
        + ", maxRecipients="
        + maxRecipients
        + ", deviceWait="
        + deviceWait
        + ", numStandbyReplicas="
        + numStandbyReplicas
        + ", replicationFactor="
        + replicationFactor
        + ", partitions="
        + partitions
        + ", recurringExpiry="
        + recurringExpiry
        + ", broadcastExpiry="
        + broadcastExpiry
        + ", kafkaPassthrough="
        + kafkaPassthrough.keySet()
        + "]";
  }
}
