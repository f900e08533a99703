package io.herald.console.app;

import io.herald.runtime.config.EnvReader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The console's settings, from the environment.
 *
 * @param enabled HERALD_CONSOLE_ENABLED (default false: a deployment runs no console unless asked)
 * @param port HERALD_CONSOLE_PORT (default 9404; 0 = any free port)
 * @param metricsPort HERALD_CONSOLE_METRICS_PORT (default 9414): /metrics, /health/live and
 *     /health/ready, as every Herald service (probes and scrapes never need a console token)
 * @param migrate HERALD_CONSOLE_MIGRATE (default true): apply the schema migrations at start (the
 *     console's own two tables are among them); false where another role owns the schema
 * @param bindAddress HERALD_CONSOLE_BIND_ADDRESS (default 127.0.0.1)
 * @param tokensFile HERALD_CONSOLE_TOKENS_FILE (required when enabled): lines name:scope:token
 * @param tlsKeystore HERALD_CONSOLE_TLS_KEYSTORE (PKCS#12): with it, HTTPS and a required client
 *     certificate
 * @param tlsPasswordFile HERALD_CONSOLE_TLS_PASSWORD_FILE: the key store's (and trust store's)
 *     password, in a file so it stays out of the environment
 * @param tlsTruststore HERALD_CONSOLE_TLS_TRUSTSTORE (PKCS#12): the CAs client certificates must
 *     chain to
 * @param bootstrapServers HERALD_CONSOLE_BOOTSTRAP_SERVERS (required when enabled)
 * @param jdbcUrl HERALD_CONSOLE_JDBC_URL (required when enabled), with _USER and _PASSWORD
 * @param consumerGroups HERALD_CONSOLE_CONSUMER_GROUPS: the groups whose lag the overview sums
 *     (default: the scheduler's and the sender's groups under their default ids)
 * @param kafka {@code KAFKA_*} client properties (security settings and the like)
 */
public record ConsoleConfig(
    boolean enabled,
    int port,
    int metricsPort,
    boolean migrate,
    String bindAddress,
    Path tokensFile,
    Path tlsKeystore,
    Path tlsPasswordFile,
    Path tlsTruststore,
    String bootstrapServers,
    String jdbcUrl,
    String jdbcUser,
    String jdbcPassword,
    List<String> consumerGroups,
    Map<String, String> kafka,
    String echo) {

  public static final int DEFAULT_PORT = 9404;
  public static final int DEFAULT_METRICS_PORT = 9414;

  /** Herald's consumer groups under their default names (scheduler and sender). */
  public static final String DEFAULT_GROUPS =
      "herald-scheduler,herald-scheduler-projector,herald-sender,herald-sender-projector,"
          + "herald-sender-webhooks";

  /**
   * @throws io.herald.runtime.config.ConfigException naming every bad variable
   */
  public static ConsoleConfig fromEnv(Map<String, String> env) {
    EnvReader r = new EnvReader(env);
    boolean enabled = r.bool("HERALD_CONSOLE_ENABLED", false);
    int port = r.intAtLeast("HERALD_CONSOLE_PORT", DEFAULT_PORT, 0);
    if (port > 65535) {
      r.problem("HERALD_CONSOLE_PORT=" + port + ": must be <= 65535");
    }
    int metricsPort = r.intAtLeast("HERALD_CONSOLE_METRICS_PORT", DEFAULT_METRICS_PORT, 0);
    if (metricsPort > 65535) {
      r.problem("HERALD_CONSOLE_METRICS_PORT=" + metricsPort + ": must be <= 65535");
    }
    boolean migrate = r.bool("HERALD_CONSOLE_MIGRATE", true);
    String bind = r.optional("HERALD_CONSOLE_BIND_ADDRESS", "127.0.0.1");
    String tokens = r.optional("HERALD_CONSOLE_TOKENS_FILE", null);
    String keystore = r.optional("HERALD_CONSOLE_TLS_KEYSTORE", null);
    String passwordFile = r.optional("HERALD_CONSOLE_TLS_PASSWORD_FILE", null);
    String truststore = r.optional("HERALD_CONSOLE_TLS_TRUSTSTORE", null);
    String bootstrap = r.optional("HERALD_CONSOLE_BOOTSTRAP_SERVERS", null);
    String jdbcUrl = r.optional("HERALD_CONSOLE_JDBC_URL", null);
    String user = r.optional("HERALD_CONSOLE_JDBC_USER", null);
    String password = r.secret("HERALD_CONSOLE_JDBC_PASSWORD", "");
    List<String> groups =
        Arrays.stream(r.optional("HERALD_CONSOLE_CONSUMER_GROUPS", DEFAULT_GROUPS).split(","))
            .map(String::strip)
            .filter(s -> !s.isEmpty())
            .toList();
    Map<String, String> kafka =
        r.kafkaPassthrough(
            Set.of(
                "bootstrap.servers",
                "key.serializer",
                "value.serializer",
                "key.deserializer",
                "value.deserializer",
                "acks",
                "enable.idempotence",
                "isolation.level",
                "enable.auto.commit"));
    if (enabled) {
      r.requirePresent("HERALD_CONSOLE_TOKENS_FILE", tokens);
      r.requirePresent("HERALD_CONSOLE_BOOTSTRAP_SERVERS", bootstrap);
      r.requirePresent("HERALD_CONSOLE_JDBC_URL", jdbcUrl);
    }
    if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql:")) {
      r.problem("HERALD_CONSOLE_JDBC_URL=" + jdbcUrl + ": must start with jdbc:postgresql:");
    }
    boolean anyTls = keystore != null || passwordFile != null || truststore != null;
    if (anyTls && (keystore == null || passwordFile == null || truststore == null)) {
      r.problem(
          "mTLS needs all of HERALD_CONSOLE_TLS_KEYSTORE, HERALD_CONSOLE_TLS_PASSWORD_FILE and"
              + " HERALD_CONSOLE_TLS_TRUSTSTORE");
    }
    r.failIfInvalid();
    return new ConsoleConfig(
        enabled,
        port,
        metricsPort,
        migrate,
        bind,
        path(tokens),
        path(keystore),
        path(passwordFile),
        path(truststore),
        bootstrap,
        jdbcUrl,
        user,
        password,
        groups,
        kafka,
        r.echo());
  }

  public boolean tls() {
    return tlsKeystore != null;
  }

  private static Path path(String s) {
    return s == null ? null : Path.of(s);
  }

  @Override
  public String toString() {
    return "ConsoleConfig[" + echo + "]";
  }
}
