package io.herald.scheduler.cdc;

import io.herald.runtime.config.EnvReader;
import io.herald.scheduler.config.SchedulerConnection;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of the CDC engine and its leadership lease.
 *
 * @param enabled false: the scheduler runs without CDC (definitions arrive on {@code
 *     herald.schedule-changes} from other producers only)
 * @param applicationId the scheduler's application id; the lease group is {@code
 *     <applicationId>-cdc-leader}
 * @param bootstrapServers Kafka bootstrap servers (events, offsets and the lease)
 * @param jdbcUrl {@code jdbc:postgresql://host[:port]/database}
 * @param jdbcUser database user with the REPLICATION attribute
 * @param jdbcPassword the user's password, may be null (trust authentication); never logged
 * @param slotName PostgreSQL logical replication slot; the slot also fences a second reader
 * @param pollInterval how long Debezium waits for new changes when idle (the latency floor)
 * @param offsetsTopic compacted topic holding the engine's source offsets
 * @param offsetsReplicationFactor replication factor used when the offsets topic is created
 * @param leaderTopic one-partition topic whose assignment is the lease
 * @param leaderSessionTimeout how long a silent leader keeps the lease (failover time)
 * @param stopTimeout bound on a synchronous engine stop when the lease is lost
 * @param kafkaProperties {@code KAFKA_*} passthrough properties (security etc.)
 * @param seedCompat rows are read as the seed's app writes them ({@code HERALD_SEED_COMPAT},
 *     default true): a {@code draft} broadcast with {@code scheduled_at} fires, null pacing columns
 *     take the seed's defaults ({@link io.herald.scheduler.cdc.SeedDefaults})
 */
public record CdcConfig(
    boolean enabled,
    String applicationId,
    String bootstrapServers,
    String jdbcUrl,
    String jdbcUser,
    String jdbcPassword,
    String slotName,
    Duration pollInterval,
    String offsetsTopic,
    short offsetsReplicationFactor,
    String leaderTopic,
    Duration leaderSessionTimeout,
    Duration stopTimeout,
    Map<String, String> kafkaProperties,
    boolean seedCompat) {

  /** Must match the scheduler's own default application id. */
  public static final String DEFAULT_APPLICATION_ID = "herald-scheduler";

  /**
   * One switch for both services: rows are read, and device status words understood, the way the
   * seed's app writes them (ADR 0018). Not prefixed by a service: an operator sets it once.
   */
  public static final String SEED_COMPAT = "HERALD_SEED_COMPAT";

  public static final String DEFAULT_SLOT = "herald_cdc";
  public static final String DEFAULT_OFFSETS_TOPIC = "herald.cdc-offsets";
  public static final String DEFAULT_LEADER_TOPIC = "herald.cdc-leader";

  /**
   * 50 ms measured here as p50 57 ms commit-to-callback (500 ms, Debezium's default, gives 712 ms);
   * lower values buy little and cost an idle wake-up per interval.
   */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(50);

  /** Broker minimum is 6 s ({@code group.min.session.timeout.ms}); 10 s keeps failover short. */
  public static final Duration DEFAULT_LEADER_SESSION_TIMEOUT = Duration.ofSeconds(10);

  public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Client properties the CDC code sets itself; {@code KAFKA_*} may not override them. Tuning keys
   * that the service's other clients share (e.g. {@code session.timeout.ms} for Streams) are not
   * listed: the lease sets its own from {@link #leaderSessionTimeout()} regardless.
   */
  public static final Set<String> OWNED_KAFKA_KEYS =
      Set.of(
          "bootstrap.servers",
          "acks",
          "enable.idempotence",
          "key.serializer",
          "value.serializer",
          // One record size end to end (Limits.MAX_RECORD_BYTES); the size checks rely on it.
          "max.request.size",
          "key.deserializer",
          "value.deserializer",
          "group.id",
          "enable.auto.commit");

  public CdcConfig {
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(slotName, "slotName");
    Objects.requireNonNull(pollInterval, "pollInterval");
    Objects.requireNonNull(offsetsTopic, "offsetsTopic");
    Objects.requireNonNull(leaderTopic, "leaderTopic");
    Objects.requireNonNull(leaderSessionTimeout, "leaderSessionTimeout");
    Objects.requireNonNull(stopTimeout, "stopTimeout");
    kafkaProperties = kafkaProperties == null ? Map.of() : Map.copyOf(kafkaProperties);
  }

  /**
   * Reads the CDC settings; problems go to {@code env} (call {@link EnvReader#failIfInvalid()} once
   * after reading every config of the service).
   */
  public static CdcConfig fromEnv(EnvReader env) {
    return fromEnv(env, SchedulerConnection.read(env));
  }

  /** Like {@link #fromEnv(EnvReader)} with the connection settings the service read once. */
  public static CdcConfig fromEnv(EnvReader env, SchedulerConnection connection) {
    boolean enabled = env.bool("HERALD_SCHEDULER_CDC_ENABLED", true);
    String appId = connection.applicationId();
    String bootstrap = connection.bootstrapServers();
    // Without CDC nothing here needs a database, so only an enabled engine requires one.
    if (enabled) {
      connection.requireJdbcUrl(env);
      connection.requireJdbcUser(env);
    }
    String jdbcUrl = connection.jdbcUrl();
    String user = connection.jdbcUser();
    String password = connection.jdbcPassword();
    String slot = env.optional("HERALD_SCHEDULER_CDC_SLOT", DEFAULT_SLOT);
    Duration poll = env.duration("HERALD_SCHEDULER_CDC_POLL_INTERVAL", DEFAULT_POLL_INTERVAL);
    String offsetsTopic = env.optional("HERALD_SCHEDULER_CDC_OFFSETS_TOPIC", DEFAULT_OFFSETS_TOPIC);
    int replication = env.intAtLeast("HERALD_SCHEDULER_CDC_OFFSETS_REPLICATION_FACTOR", 1, 1);
    String leaderTopic = env.optional("HERALD_SCHEDULER_CDC_LEADER_TOPIC", DEFAULT_LEADER_TOPIC);
    Duration session =
        env.duration("HERALD_SCHEDULER_CDC_LEADER_SESSION_TIMEOUT", DEFAULT_LEADER_SESSION_TIMEOUT);
    Duration stop = env.duration("HERALD_SCHEDULER_CDC_STOP_TIMEOUT", DEFAULT_STOP_TIMEOUT);
    Map<String, String> kafka = env.kafkaPassthrough(OWNED_KAFKA_KEYS);

    if (enabled && jdbcUrl != null) {
      try {
        JdbcTarget.parse(jdbcUrl);
      } catch (IllegalArgumentException e) {
        env.problem("HERALD_SCHEDULER_JDBC_URL: " + e.getMessage());
      }
    }
    if (slot != null && !slot.matches("[a-z0-9_]{1,63}")) {
      env.problem(
          "HERALD_SCHEDULER_CDC_SLOT="
              + slot
              + ": PostgreSQL slot names use only lower-case letters, digits and '_' (max 63)");
    }
    if (poll != null && (poll.isZero() || poll.compareTo(Duration.ofSeconds(10)) > 0)) {
      env.problem(
          "HERALD_SCHEDULER_CDC_POLL_INTERVAL=" + poll + ": must be between PT0.001S and PT10S");
    }
    if (session != null
        && (session.compareTo(Duration.ofSeconds(6)) < 0
            || session.compareTo(Duration.ofMinutes(5)) > 0)) {
      env.problem(
          "HERALD_SCHEDULER_CDC_LEADER_SESSION_TIMEOUT="
              + session
              + ": must be between PT6S (the broker's minimum) and PT5M");
    }
    if (replication > Short.MAX_VALUE) {
      env.problem("HERALD_SCHEDULER_CDC_OFFSETS_REPLICATION_FACTOR=" + replication + ": too large");
      replication = 1;
    }
    return new CdcConfig(
        enabled,
        appId == null ? DEFAULT_APPLICATION_ID : appId,
        bootstrap,
        jdbcUrl,
        user,
        password,
        slot == null ? DEFAULT_SLOT : slot,
        poll == null ? DEFAULT_POLL_INTERVAL : poll,
        offsetsTopic,
        (short) replication,
        leaderTopic,
        session == null ? DEFAULT_LEADER_SESSION_TIMEOUT : session,
        stop == null ? DEFAULT_STOP_TIMEOUT : stop,
        kafka,
        env.bool(SEED_COMPAT, true));
  }

  /** Defaults for everything but the connection settings: the shape tests start from. */
  public static CdcConfig of(
      String applicationId,
      String bootstrapServers,
      String jdbcUrl,
      String jdbcUser,
      String jdbcPassword,
      String slotName) {
    return new CdcConfig(
        true,
        applicationId,
        bootstrapServers,
        jdbcUrl,
        jdbcUser,
        jdbcPassword,
        slotName,
        DEFAULT_POLL_INTERVAL,
        DEFAULT_OFFSETS_TOPIC,
        (short) 1,
        DEFAULT_LEADER_TOPIC,
        DEFAULT_LEADER_SESSION_TIMEOUT,
        DEFAULT_STOP_TIMEOUT,
        Map.of(),
        true);
  }

  public CdcConfig withOffsetsTopic(String topic) {
    return copy(topic, leaderTopic, leaderSessionTimeout, seedCompat);
  }

  public CdcConfig withLeaderTopic(String topic, Duration sessionTimeout) {
    return copy(offsetsTopic, topic, sessionTimeout, seedCompat);
  }

  /** The same settings with seed compatibility {@code on} or off. */
  public CdcConfig withSeedCompat(boolean on) {
    return copy(offsetsTopic, leaderTopic, leaderSessionTimeout, on);
  }

  /** These settings with the ones the {@code with…} methods change replaced. */
  private CdcConfig copy(String offsets, String leader, Duration sessionTimeout, boolean compat) {
    return new CdcConfig(
        enabled,
        applicationId,
        bootstrapServers,
        jdbcUrl,
        jdbcUser,
        jdbcPassword,
        slotName,
        pollInterval,
        offsets,
        offsetsReplicationFactor,
        leader,
        sessionTimeout,
        stopTimeout,
        kafkaProperties,
        compat);
  }

  /** The lease's consumer group. */
  public String leaderGroupId() {
    return applicationId + "-cdc-leader";
  }

  /** Keeps the password out of logs and exception messages. */
  @Override
  public String toString() {
    return "CdcConfig[enabled="
        + enabled
        + ", applicationId="
        + applicationId
        + ", bootstrapServers="
        + bootstrapServers
        + ", jdbcUrl="
        + jdbcUrl
        + ", jdbcUser="
        + jdbcUser
        + ", jdbcPassword="
        + (jdbcPassword == null ? "" : "[hidden]")
        + ", slotName="
        + slotName
        + ", pollInterval="
        + pollInterval
        + ", offsetsTopic="
        + offsetsTopic
        + ", offsetsReplicationFactor="
        + offsetsReplicationFactor
        + ", leaderTopic="
        + leaderTopic
        + ", leaderSessionTimeout="
        + leaderSessionTimeout
        + ", stopTimeout="
        + stopTimeout
        + ", kafkaProperties="
        + kafkaProperties.keySet()
        + "]";
  }

  /** Host, port and database of a {@code jdbc:postgresql:} URL, as Debezium wants them. */
  record JdbcTarget(String host, int port, String database) {

    static JdbcTarget parse(String jdbcUrl) {
      String prefix = "jdbc:postgresql://";
      if (jdbcUrl == null || !jdbcUrl.startsWith(prefix)) {
        throw new IllegalArgumentException(
            "expected jdbc:postgresql://host[:port]/database, got " + redact(jdbcUrl));
      }
      URI uri;
      try {
        uri = URI.create("postgresql://" + jdbcUrl.substring(prefix.length()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("not a valid URL: " + redact(jdbcUrl), e);
      }
      String path = uri.getPath();
      if (uri.getHost() == null || path == null || path.length() < 2) {
        throw new IllegalArgumentException(
            "expected jdbc:postgresql://host[:port]/database, got " + redact(jdbcUrl));
      }
      return new JdbcTarget(
          uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), path.substring(1));
    }

    private static String redact(String url) {
      return url == null ? "null" : url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }
  }
}
