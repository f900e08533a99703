package io.herald.scheduler.config;

import io.herald.runtime.config.EnvReader;

/**
 * Where the scheduler's parts connect: Kafka, the application id its clients are named after, and
 * PostgreSQL. Read once from the environment and handed to {@link SchedulerConfig}, the CDC
 * engine's and the state projector's configs, so the three cannot read the same variables
 * differently. Whether the database settings are required is each part's own decision ({@link
 * #requireJdbcUrl}, {@link #requireJdbcUser}).
 *
 * @param bootstrapServers Kafka bootstrap servers; null only when missing (a problem is reported)
 * @param applicationId Streams application id, prefix of every client id
 * @param jdbcUrl {@code jdbc:postgresql://host[:port]/database}, or null when not set
 * @param jdbcUser database user, or null
 * @param jdbcPassword the user's password, or null; never logged
 */
public record SchedulerConnection(
    String bootstrapServers,
    String applicationId,
    String jdbcUrl,
    String jdbcUser,
    String jdbcPassword) {

  /** Reads the connection settings; problems go to {@code env}. */
  public static SchedulerConnection read(EnvReader env) {
    String bootstrap = env.required("HERALD_SCHEDULER_BOOTSTRAP_SERVERS");
    String appId =
        env.optional("HERALD_SCHEDULER_APPLICATION_ID", SchedulerConfig.DEFAULT_APPLICATION_ID);
    String jdbcUrl = env.optional("HERALD_SCHEDULER_JDBC_URL", null);
    String jdbcUser = env.optional("HERALD_SCHEDULER_JDBC_USER", null);
    String jdbcPassword = env.secret("HERALD_SCHEDULER_JDBC_PASSWORD", null);
    return new SchedulerConnection(bootstrap, appId, jdbcUrl, jdbcUser, jdbcPassword);
  }

  /** Reports a missing JDBC URL to {@code env} for a part that needs the database. */
  public void requireJdbcUrl(EnvReader env) {
    env.requirePresent("HERALD_SCHEDULER_JDBC_URL", jdbcUrl);
  }

  /** Reports a missing JDBC user to {@code env} for a part that needs one. */
  public void requireJdbcUser(EnvReader env) {
    env.requirePresent("HERALD_SCHEDULER_JDBC_USER", jdbcUser);
  }

  @Override
  public String toString() {
    // A record's generated toString would print the password.
    return "SchedulerConnection[bootstrapServers="
        + bootstrapServers
        + ", applicationId="
        + applicationId
        + ", jdbcUrl="
        + jdbcUrl
        + ", jdbcUser="
        + jdbcUser
        + ", jdbcPassword="
        + (jdbcPassword == null ? "" : "[hidden]")
        + "]";
  }
}
