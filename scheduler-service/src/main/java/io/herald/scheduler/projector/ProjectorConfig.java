package io.herald.scheduler.projector;

import io.herald.runtime.config.EnvReader;
import io.herald.scheduler.config.SchedulerConnection;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of the {@link ScheduleStateProjector}.
 *
 * @param enabled false: nothing is written back (the rows show no next_send_at or status)
 * @param applicationId the scheduler's application id; the group is {@code
 *     <applicationId>-projector}
 * @param bootstrapServers Kafka bootstrap servers
 * @param jdbcUrl {@code jdbc:postgresql://host[:port]/database}
 * @param jdbcUser database user allowed to update the definition tables
 * @param jdbcPassword the user's password, may be null; never logged
 * @param maxBatch records per poll, hence per database transaction
 * @param retryBackoffMax longest pause between attempts when PostgreSQL fails
 * @param kafkaProperties {@code KAFKA_*} passthrough properties (security etc.)
 */
public record ProjectorConfig(
    boolean enabled,
    String applicationId,
    String bootstrapServers,
    String jdbcUrl,
    String jdbcUser,
    String jdbcPassword,
    int maxBatch,
    Duration retryBackoffMax,
    Map<String, String> kafkaProperties) {

  /** Must match the scheduler's own default application id. */
  public static final String DEFAULT_APPLICATION_ID = "herald-scheduler";

  public static final int DEFAULT_MAX_BATCH = 500;
  public static final Duration DEFAULT_RETRY_BACKOFF_MAX = Duration.ofSeconds(30);

  /** Client properties the projector sets itself; {@code KAFKA_*} may not override them. */
  public static final Set<String> OWNED_KAFKA_KEYS =
      Set.of(
          "bootstrap.servers",
          "group.id",
          "enable.auto.commit",
          "isolation.level",
          "key.deserializer",
          "value.deserializer");

  public ProjectorConfig {
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(retryBackoffMax, "retryBackoffMax");
    kafkaProperties = kafkaProperties == null ? Map.of() : Map.copyOf(kafkaProperties);
  }

  /**
   * Reads the projector settings; problems go to {@code env} (call {@link
   * EnvReader#failIfInvalid()} once after reading every config of the service).
   */
  public static ProjectorConfig fromEnv(EnvReader env) {
    return fromEnv(env, SchedulerConnection.read(env));
  }

  /** Like {@link #fromEnv(EnvReader)} with the connection settings the service read once. */
  public static ProjectorConfig fromEnv(EnvReader env, SchedulerConnection connection) {
    boolean enabled = env.bool("HERALD_SCHEDULER_PROJECTOR_ENABLED", true);
    String appId = connection.applicationId();
    String bootstrap = connection.bootstrapServers();
    String jdbcUrl = connection.jdbcUrl();
    if (enabled) {
      connection.requireJdbcUrl(env);
    }
    String user = connection.jdbcUser();
    String password = connection.jdbcPassword();
    int maxBatch = env.intAtLeast("HERALD_SCHEDULER_PROJECTOR_MAX_BATCH", DEFAULT_MAX_BATCH, 1);
    Duration backoff =
        env.duration("HERALD_SCHEDULER_PROJECTOR_RETRY_BACKOFF_MAX", DEFAULT_RETRY_BACKOFF_MAX);
    Map<String, String> kafka = env.kafkaPassthrough(OWNED_KAFKA_KEYS);
    if (enabled && jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql:")) {
      env.problem("HERALD_SCHEDULER_JDBC_URL: must start with jdbc:postgresql:");
    }
    if (backoff != null && backoff.isZero()) {
      env.problem("HERALD_SCHEDULER_PROJECTOR_RETRY_BACKOFF_MAX=PT0S: must be positive");
    }
    return new ProjectorConfig(
        enabled,
        appId == null ? DEFAULT_APPLICATION_ID : appId,
        bootstrap,
        jdbcUrl,
        user,
        password,
        maxBatch,
        backoff == null || backoff.isZero() ? DEFAULT_RETRY_BACKOFF_MAX : backoff,
        kafka);
  }

  /** Defaults for everything but the connection settings: the shape tests start from. */
  public static ProjectorConfig of(
      String applicationId,
      String bootstrapServers,
      String jdbcUrl,
      String jdbcUser,
      String jdbcPassword) {
    return new ProjectorConfig(
        true,
        applicationId,
        bootstrapServers,
        jdbcUrl,
        jdbcUser,
        jdbcPassword,
        DEFAULT_MAX_BATCH,
        DEFAULT_RETRY_BACKOFF_MAX,
        Map.of());
  }

  /** The projector's consumer group. */
  public String groupId() {
    return applicationId + "-projector";
  }

  /** Keeps the password out of logs and exception messages. */
  @Override
  public String toString() {
    return "ProjectorConfig[enabled="
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
        + ", maxBatch="
        + maxBatch
        + ", retryBackoffMax="
        + retryBackoffMax
        + ", kafkaProperties="
        + kafkaProperties.keySet()
        + "]";
  }
}
