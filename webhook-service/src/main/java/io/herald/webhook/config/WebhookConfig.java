package io.herald.webhook.config;

import io.herald.contracts.limit.Limits;
import io.herald.runtime.config.EnvReader;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The webhook receiver's configuration, from environment variables. Precedence: defaults below,
 * then {@code KAFKA_*} passthrough client properties, then the values the code owns ({@link
 * #OWNED_KAFKA_KEYS}, which may not be overridden).
 *
 * <p>The two secrets are read the way the sender reads device tokens: a setting names the variable
 * that holds each one, by default in the operator's {@code HERALD_TOKEN_} namespace, so every
 * WhatsApp credential of a deployment lives in one secret and no secret value is a {@code
 * HERALD_WEBHOOK_*} setting (which are echoed in the log).
 *
 * @param bootstrapServers HERALD_WEBHOOK_BOOTSTRAP_SERVERS (required)
 * @param bindAddress HERALD_WEBHOOK_BIND address the webhook endpoint listens on (default 0.0.0.0)
 * @param port HERALD_WEBHOOK_PORT of the webhook endpoint (default 8088, 0 = any free port)
 * @param metricsPort HERALD_WEBHOOK_METRICS_PORT of /metrics and /health (default 9403, 0 = any)
 * @param maxBodyBytes HERALD_WEBHOOK_MAX_BODY_BYTES largest POST body accepted (default 262144)
 * @param produceTimeout HERALD_WEBHOOK_PRODUCE_TIMEOUT wait for the broker's acknowledgement before
 *     answering 503 (default PT5S)
 * @param threads HERALD_WEBHOOK_THREADS requests handled at once (default 16)
 * @param appSecretEnv HERALD_WEBHOOK_APP_SECRET_ENV, the variable holding the app secret (default
 *     HERALD_TOKEN_WHATSAPP_APP_SECRET)
 * @param verifyTokenEnv HERALD_WEBHOOK_VERIFY_TOKEN_ENV, the variable holding the verify token
 *     (default HERALD_TOKEN_WHATSAPP_VERIFY_TOKEN)
 * @param appSecret the value of the variable {@code appSecretEnv} names (secret, required)
 * @param verifyToken the value of the variable {@code verifyTokenEnv} names (secret, required)
 * @param kafka KAFKA_* passthrough client properties
 */
public record WebhookConfig(
    String bootstrapServers,
    String bindAddress,
    int port,
    int metricsPort,
    int maxBodyBytes,
    Duration produceTimeout,
    int threads,
    String appSecretEnv,
    String verifyTokenEnv,
    String appSecret,
    String verifyToken,
    Map<String, String> kafka,
    String echo) {

  public static final String DEFAULT_APP_SECRET_ENV = "HERALD_TOKEN_WHATSAPP_APP_SECRET";
  public static final String DEFAULT_VERIFY_TOKEN_ENV = "HERALD_TOKEN_WHATSAPP_VERIFY_TOKEN";
  public static final int DEFAULT_MAX_BODY_BYTES = 256 * 1024;

  /**
   * Largest body bound allowed: the record carries the body as a JSON string, where escaping can
   * grow it up to six times, and must stay under the record bound every Herald topic accepts.
   */
  public static final int MAX_BODY_BYTES_LIMIT = Limits.MAX_RECORD_BYTES / 8;

  /** Client properties the receiver sets itself: ADR 0021 requires acks=all and idempotence. */
  public static final Set<String> OWNED_KAFKA_KEYS =
      Set.of(
          "bootstrap.servers",
          "acks",
          "enable.idempotence",
          "max.block.ms",
          "key.serializer",
          "value.serializer",
          "max.request.size");

  private static final Pattern VARIABLE = Pattern.compile("[A-Z_][A-Z0-9_]{0,127}");

  /**
   * Parses {@code env}, collecting every problem; the secrets are read from the same map.
   *
   * @throws io.herald.runtime.config.ConfigException naming every bad variable, never a secret
   */
  public static WebhookConfig fromEnv(Map<String, String> env) {
    EnvReader r = new EnvReader(env);
    String bootstrap = r.required("HERALD_WEBHOOK_BOOTSTRAP_SERVERS");
    String bind = r.optional("HERALD_WEBHOOK_BIND", "0.0.0.0");
    int port = port(r, "HERALD_WEBHOOK_PORT", 8088);
    int metricsPort = port(r, "HERALD_WEBHOOK_METRICS_PORT", 9403);
    if (port != 0 && port == metricsPort) {
      r.problem(
          "HERALD_WEBHOOK_PORT="
              + port
              + ": must differ from HERALD_WEBHOOK_METRICS_PORT (the admin endpoints' port)");
    }
    int maxBody = r.intAtLeast("HERALD_WEBHOOK_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, 1024);
    if (maxBody > MAX_BODY_BYTES_LIMIT) {
      r.problem(
          "HERALD_WEBHOOK_MAX_BODY_BYTES="
              + maxBody
              + ": must be <= "
              + MAX_BODY_BYTES_LIMIT
              + " (an escaped body must fit one Kafka record)");
    }
    Duration produceTimeout = r.duration("HERALD_WEBHOOK_PRODUCE_TIMEOUT", Duration.ofSeconds(5));
    if (produceTimeout != null
        && (produceTimeout.isZero() || produceTimeout.compareTo(Duration.ofSeconds(60)) > 0)) {
      // Meta wants an answer within seconds and retries what is not answered 2xx
      r.problem(
          "HERALD_WEBHOOK_PRODUCE_TIMEOUT=" + produceTimeout + ": must be > PT0S and <= PT60S");
    }
    int threads = r.intAtLeast("HERALD_WEBHOOK_THREADS", 16, 1);
    String appSecretEnv = variableName(r, "HERALD_WEBHOOK_APP_SECRET_ENV", DEFAULT_APP_SECRET_ENV);
    String verifyTokenEnv =
        variableName(r, "HERALD_WEBHOOK_VERIFY_TOKEN_ENV", DEFAULT_VERIFY_TOKEN_ENV);
    String appSecret = secret(r, appSecretEnv, "HERALD_WEBHOOK_APP_SECRET_ENV");
    String verifyToken = secret(r, verifyTokenEnv, "HERALD_WEBHOOK_VERIFY_TOKEN_ENV");
    Map<String, String> kafka = r.kafkaPassthrough(OWNED_KAFKA_KEYS);
    r.failIfInvalid();
    return new WebhookConfig(
        bootstrap,
        bind,
        port,
        metricsPort,
        maxBody,
        produceTimeout,
        threads,
        appSecretEnv,
        verifyTokenEnv,
        appSecret,
        verifyToken,
        kafka,
        r.echo());
  }

  private static int port(EnvReader r, String name, int def) {
    int p = r.intAtLeast(name, def, 0);
    if (p > 65535) {
      r.problem(name + "=" + p + ": must be <= 65535");
    }
    return p;
  }

  private static String variableName(EnvReader r, String name, String def) {
    String v = r.optional(name, def);
    if (!VARIABLE.matcher(v).matches()) {
      r.problem(name + ": must name an environment variable (A-Z, 0-9 and _, at most 128)");
      return null;
    }
    if (v.startsWith("HERALD_WEBHOOK_") || v.startsWith("KAFKA_")) {
      r.problem(name + "=" + v + ": a secret may not live in a setting that is echoed in the log");
      return null;
    }
    return v;
  }

  /** The value of {@code variable}, echoed hidden; missing is reported with both names. */
  private static String secret(EnvReader r, String variable, String namedBy) {
    if (variable == null) {
      return null; // the name itself was reported
    }
    String v = r.secret(variable, null);
    if (v == null) {
      r.problem(variable + " (named by " + namedBy + ") is required but not set");
    }
    return v;
  }

  @Override
  public String toString() {
    return echo; // never the secrets
  }
}
