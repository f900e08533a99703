package io.herald.sender.config;

import io.herald.runtime.config.EnvReader;
import io.herald.sender.backlog.ReadAhead;
import io.herald.sender.delivery.DeliveryMode;
import io.herald.sender.delivery.ErrorClass;
import io.herald.sender.lane.LaneSettings;
import io.herald.sender.policy.DevicePolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The sender's configuration, from environment variables. Precedence: defaults below, then {@code
 * KAFKA_*} passthrough client properties, then the values the code owns ({@link #OWNED_KAFKA_KEYS},
 * which may not be overridden).
 *
 * @param bootstrapServers HERALD_SENDER_BOOTSTRAP_SERVERS (required)
 * @param jdbcUrl HERALD_SENDER_JDBC_URL (required)
 * @param jdbcUser HERALD_SENDER_JDBC_USER (default: the driver's, or the URL's {@code user})
 * @param jdbcPassword HERALD_SENDER_JDBC_PASSWORD (secret, default empty)
 * @param jdbcPoolSize HERALD_SENDER_JDBC_POOL_SIZE (default 8)
 * @param groupId HERALD_SENDER_GROUP_ID (default herald-sender); the projector uses {@code
 *     <groupId>-projector}
 * @param maxAttempts HERALD_SENDER_MAX_ATTEMPTS transport calls per command (default 3)
 * @param deliveryMode HERALD_SENDER_DELIVERY_MODE at_most_once | at_least_once
 * @param metricsPort HERALD_SENDER_METRICS_PORT (default 9402, 0 = any free port)
 * @param whatsappBaseUrl HERALD_SENDER_WHATSAPP_BASE_URL (default https://graph.facebook.com)
 * @param whatsappApiVersion HERALD_SENDER_WHATSAPP_API_VERSION (default v21.0)
 * @param gatewayBaseUrl HERALD_SENDER_GATEWAY_BASE_URL, default of http_gateway devices (optional)
 * @param tokenEnvPrefix HERALD_SENDER_TOKEN_ENV_PREFIX, the only namespace of variables a device's
 *     {@code token_env}/{@code api_key_env} may name (default HERALD_TOKEN_; ADR 0014)
 * @param urlAllowlist HERALD_SENDER_URL_ALLOWLIST, comma-separated base URLs a device's {@code
 *     base_url} may use, on top of the two default base URLs above (default none)
 * @param mediaUrlAllowlist HERALD_SENDER_MEDIA_URL_ALLOWLIST, comma-separated URLs under which
 *     media URLs may be http or point at non-public addresses (default none)
 * @param httpTimeout HERALD_SENDER_HTTP_TIMEOUT per transport call (default PT15S)
 * @param defaultTransport HERALD_SENDER_DEFAULT_TRANSPORT for devices whose transport is null
 * @param simulatedLatency HERALD_SENDER_SIMULATED_LATENCY (default PT0.05S)
 * @param simulatedFailureRate HERALD_SENDER_SIMULATED_FAILURE_RATE 0..1 (default 0)
 * @param simulatedSeed HERALD_SENDER_SIMULATED_SEED (default 42)
 * @param pairGap HERALD_SENDER_PAIR_GAP between two messages to one recipient (default PT6S)
 * @param autoDelay HERALD_SENDER_AUTO_DELAY base of auto pacing (default PT5S)
 * @param autoFloor HERALD_SENDER_AUTO_FLOOR lowest auto gap (default PT3S, at least PT1S)
 * @param adaptiveMaxFactor HERALD_SENDER_ADAPTIVE_MAX_FACTOR (default 16)
 * @param retryBase HERALD_SENDER_RETRY_BASE first backoff (default PT1S)
 * @param retryMax HERALD_SENDER_RETRY_MAX longest backoff (default PT60S)
 * @param laneThreads HERALD_SENDER_LANE_THREADS (default 4)
 * @param maxInFlightPerPartition HERALD_SENDER_MAX_IN_FLIGHT_PER_PARTITION (default 5000)
 * @param maxInFlightPerDevice HERALD_SENDER_DEVICE_MAX_IN_FLIGHT transport calls of one device in
 *     flight at once, at most (default 256; its rate and latency set the window below that)
 * @param readAhead HERALD_SENDER_DEVICE_READ_AHEAD commands of one device kept in memory (default
 *     2000) and HERALD_SENDER_SCHEDULE_READ_AHEAD of one of its schedules (default 1000); the rest,
 *     and a held device's queue, are parked in PostgreSQL (ADR 0014)
 * @param deviceRefresh HERALD_SENDER_DEVICE_REFRESH cache age of device rows (default PT3S)
 * @param activeDeviceStatuses device status words that send ({@code active}; with
 *     HERALD_SEED_COMPAT, default true, also the seed's words: {@link #SEED_ACTIVE_STATUSES})
 * @param deviceProbeInterval HERALD_SENDER_DEVICE_PROBE_INTERVAL between gateway session probes
 *     (default PT10S; zero, {@code 0} or {@code PT0S}, turns the prober off)
 * @param revokeTimeout HERALD_SENDER_REVOKE_TIMEOUT wait for calls in flight on rebalance (default
 *     PT20S; keep it above the HTTP timeout)
 * @param projectorEnabled HERALD_SENDER_PROJECTOR_ENABLED (default true)
 * @param migrate HERALD_SENDER_MIGRATE apply the schema migrations at start (default false)
 * @param retention HERALD_SENDER_RETENTION_* purge of old deliveries and history rows
 * @param webhooks HERALD_SENDER_WEBHOOK_PROJECTION and HERALD_OPT_OUT_KEYWORDS: the webhook
 *     projection ({@code <groupId>-webhooks})
 * @param errorClasses HERALD_SENDER_ERROR_CLASSES overrides, e.g. {@code
 *     131049=transient,470=permanent,timeout=permanent}; classes transient, rate_limited, unknown
 *     (not resent in at-most-once), permanent, account_danger
 * @param kafka KAFKA_* passthrough client properties
 */
public record SenderConfig(
    String bootstrapServers,
    String jdbcUrl,
    String jdbcUser,
    String jdbcPassword,
    int jdbcPoolSize,
    String groupId,
    int maxAttempts,
    DeliveryMode deliveryMode,
    int metricsPort,
    String whatsappBaseUrl,
    String whatsappApiVersion,
    String gatewayBaseUrl,
    String tokenEnvPrefix,
    List<String> urlAllowlist,
    List<String> mediaUrlAllowlist,
    Duration httpTimeout,
    String defaultTransport,
    Duration simulatedLatency,
    double simulatedFailureRate,
    long simulatedSeed,
    Duration pairGap,
    Duration autoDelay,
    Duration autoFloor,
    double adaptiveMaxFactor,
    Duration retryBase,
    Duration retryMax,
    int laneThreads,
    int maxInFlightPerPartition,
    int maxInFlightPerDevice,
    ReadAhead readAhead,
    Duration deviceRefresh,
    Set<String> activeDeviceStatuses,
    Duration deviceProbeInterval,
    Duration revokeTimeout,
    boolean projectorEnabled,
    boolean migrate,
    RetentionSettings retention,
    WebhookSettings webhooks,
    Map<String, ErrorClass> errorClasses,
    Map<String, String> kafka,
    String echo) {

  /** Client properties the sender sets itself. */
  public static final Set<String> OWNED_KAFKA_KEYS =
      Set.of(
          "bootstrap.servers",
          "group.id",
          "enable.auto.commit",
          "isolation.level",
          "key.deserializer",
          "value.deserializer",
          "key.serializer",
          "value.serializer",
          "max.request.size");

  /**
   * Device status words the seed's app writes for a device that can send (its gateway session is
   * up); with {@code HERALD_SEED_COMPAT} on (the default) they send like {@code active}. Any other
   * word (paused, disconnected, banned, invalid, ...) holds the device's commands.
   */
  public static final Set<String> SEED_ACTIVE_STATUSES =
      Set.of("active", "connected", "online", "ready", "authenticated", "working", "open");

  private static final Set<String> TRANSPORTS =
      Set.of("whatsapp_cloud", "http_gateway", "simulated");

  /**
   * Parses {@code env}, collecting every problem.
   *
   * @throws io.herald.runtime.config.ConfigException naming every bad variable
   */
  public static SenderConfig fromEnv(Map<String, String> env) {
    EnvReader r = new EnvReader(env);
    String bootstrap = r.required("HERALD_SENDER_BOOTSTRAP_SERVERS");
    String jdbcUrl = r.required("HERALD_SENDER_JDBC_URL");
    if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql:")) {
      r.problem("HERALD_SENDER_JDBC_URL=" + jdbcUrl + ": must start with jdbc:postgresql:");
    }
    String user = r.optional("HERALD_SENDER_JDBC_USER", null);
    String password = r.secret("HERALD_SENDER_JDBC_PASSWORD", "");
    int pool = r.intAtLeast("HERALD_SENDER_JDBC_POOL_SIZE", 8, 2);
    String groupId = r.optional("HERALD_SENDER_GROUP_ID", "herald-sender");
    int maxAttempts = r.intAtLeast("HERALD_SENDER_MAX_ATTEMPTS", 3, 1);
    DeliveryMode mode =
        r.oneOf("HERALD_SENDER_DELIVERY_MODE", DeliveryMode.class, DeliveryMode.AT_MOST_ONCE);
    int metricsPort = r.intAtLeast("HERALD_SENDER_METRICS_PORT", 9402, 0);
    if (metricsPort > 65535) {
      r.problem("HERALD_SENDER_METRICS_PORT=" + metricsPort + ": must be <= 65535");
    }
    String waBase = url(r, "HERALD_SENDER_WHATSAPP_BASE_URL", "https://graph.facebook.com");
    String waVersion = r.optional("HERALD_SENDER_WHATSAPP_API_VERSION", "v21.0");
    String gwBase = url(r, "HERALD_SENDER_GATEWAY_BASE_URL", null);
    String tokenPrefix =
        r.optional("HERALD_SENDER_TOKEN_ENV_PREFIX", DevicePolicy.DEFAULT_TOKEN_ENV_PREFIX);
    String prefixProblem = DevicePolicy.prefixProblem(tokenPrefix);
    if (prefixProblem != null) {
      r.problem("HERALD_SENDER_TOKEN_ENV_PREFIX=" + tokenPrefix + ": " + prefixProblem);
    }
    List<String> urlAllowlist = allowlist(r, "HERALD_SENDER_URL_ALLOWLIST");
    defaultBaseProblem(r, "HERALD_SENDER_WHATSAPP_BASE_URL", waBase);
    defaultBaseProblem(r, "HERALD_SENDER_GATEWAY_BASE_URL", gwBase);
    List<String> mediaAllowlist = allowlist(r, "HERALD_SENDER_MEDIA_URL_ALLOWLIST");
    Duration httpTimeout = positive(r, "HERALD_SENDER_HTTP_TIMEOUT", Duration.ofSeconds(15));
    String defaultTransport =
        r.optional("HERALD_SENDER_DEFAULT_TRANSPORT", "whatsapp_cloud").toLowerCase(Locale.ROOT);
    if (!TRANSPORTS.contains(defaultTransport)) {
      r.problem(
          "HERALD_SENDER_DEFAULT_TRANSPORT="
              + defaultTransport
              + ": expected one of whatsapp_cloud, http_gateway, simulated");
    }
    Duration simLatency = r.duration("HERALD_SENDER_SIMULATED_LATENCY", Duration.ofMillis(50));
    double simFailure = r.doubleBetween("HERALD_SENDER_SIMULATED_FAILURE_RATE", 0.0, 0.0, 1.0);
    long simSeed = r.longAtLeast("HERALD_SENDER_SIMULATED_SEED", 42, Long.MIN_VALUE);
    Duration pairGap = r.duration("HERALD_SENDER_PAIR_GAP", Duration.ofSeconds(6));
    Duration autoDelay = positive(r, "HERALD_SENDER_AUTO_DELAY", Duration.ofSeconds(5));
    Duration autoFloor = r.duration("HERALD_SENDER_AUTO_FLOOR", Duration.ofSeconds(3));
    if (autoFloor != null && autoFloor.compareTo(Duration.ofSeconds(1)) < 0) {
      r.problem(
          "HERALD_SENDER_AUTO_FLOOR=" + autoFloor + ": must be at least PT1S (the safe floor)");
    }
    double adaptiveMax = r.doubleBetween("HERALD_SENDER_ADAPTIVE_MAX_FACTOR", 16.0, 1.0, 1000.0);
    Duration retryBase = positive(r, "HERALD_SENDER_RETRY_BASE", Duration.ofSeconds(1));
    Duration retryMax = positive(r, "HERALD_SENDER_RETRY_MAX", Duration.ofSeconds(60));
    if (retryBase != null && retryMax != null && retryMax.compareTo(retryBase) < 0) {
      r.problem("HERALD_SENDER_RETRY_MAX=" + retryMax + ": must be >= HERALD_SENDER_RETRY_BASE");
    }
    int laneThreads = r.intAtLeast("HERALD_SENDER_LANE_THREADS", 4, 1);
    int maxInFlight = r.intAtLeast("HERALD_SENDER_MAX_IN_FLIGHT_PER_PARTITION", 5000, 10);
    int deviceInFlight =
        r.intAtLeast(
            "HERALD_SENDER_DEVICE_MAX_IN_FLIGHT", LaneSettings.DEFAULT_MAX_IN_FLIGHT_PER_DEVICE, 1);
    int deviceReadAhead = r.intAtLeast("HERALD_SENDER_DEVICE_READ_AHEAD", 2000, 1);
    int scheduleReadAhead = r.intAtLeast("HERALD_SENDER_SCHEDULE_READ_AHEAD", 1000, 1);
    if (deviceReadAhead > maxInFlight) {
      r.problem(
          "HERALD_SENDER_DEVICE_READ_AHEAD="
              + deviceReadAhead
              + ": must be <= HERALD_SENDER_MAX_IN_FLIGHT_PER_PARTITION ("
              + maxInFlight
              + "), or one device can stop its partition's fetching");
    }
    Duration deviceRefresh = positive(r, "HERALD_SENDER_DEVICE_REFRESH", Duration.ofSeconds(3));
    // one switch for both services (the scheduler reads it too): not HERALD_SENDER_-prefixed
    Set<String> activeStatuses =
        r.bool("HERALD_SEED_COMPAT", true) ? SEED_ACTIVE_STATUSES : Set.of("active");
    // issue 19 §3: the system Herald replaces checked devices every 10 s
    Duration probeInterval =
        "0".equals(env.getOrDefault("HERALD_SENDER_DEVICE_PROBE_INTERVAL", "").trim())
            ? Duration.ZERO
            : r.duration("HERALD_SENDER_DEVICE_PROBE_INTERVAL", Duration.ofSeconds(10));
    Duration revokeTimeout = r.duration("HERALD_SENDER_REVOKE_TIMEOUT", Duration.ofSeconds(20));
    boolean projector = r.bool("HERALD_SENDER_PROJECTOR_ENABLED", true);
    boolean migrate = r.bool("HERALD_SENDER_MIGRATE", false);
    RetentionSettings retention = RetentionSettings.parse(r);
    WebhookSettings webhooks = WebhookSettings.parse(r);
    Map<String, ErrorClass> errorClasses =
        errorClasses(r, r.optional("HERALD_SENDER_ERROR_CLASSES", ""));
    Map<String, String> kafka = r.kafkaPassthrough(OWNED_KAFKA_KEYS);
    r.failIfInvalid();
    return new SenderConfig(
        bootstrap,
        jdbcUrl,
        user,
        password,
        pool,
        groupId,
        maxAttempts,
        mode,
        metricsPort,
        waBase,
        waVersion,
        gwBase,
        tokenPrefix,
        urlAllowlist,
        mediaAllowlist,
        httpTimeout,
        defaultTransport,
        simLatency,
        simFailure,
        simSeed,
        pairGap,
        autoDelay,
        autoFloor,
        adaptiveMax,
        retryBase,
        retryMax,
        laneThreads,
        maxInFlight,
        deviceInFlight,
        new ReadAhead(Math.max(1, deviceReadAhead), Math.max(1, scheduleReadAhead), true),
        deviceRefresh,
        activeStatuses,
        probeInterval,
        revokeTimeout,
        projector,
        migrate,
        retention,
        webhooks,
        errorClasses,
        kafka,
        r.echo());
  }

  private static String url(EnvReader r, String name, String def) {
    String v = r.optional(name, def);
    if (v != null && !(v.startsWith("http://") || v.startsWith("https://"))) {
      r.problem(name + "=" + v + ": must be an http:// or https:// URL");
    }
    return v;
  }

  /** A default base URL is always allowed, so it must be a valid allowlist entry itself. */
  private static void defaultBaseProblem(EnvReader r, String name, String value) {
    if (value == null || !(value.startsWith("http://") || value.startsWith("https://"))) {
      return; // missing, or already reported by url()
    }
    String problem = DevicePolicy.entryProblem(value);
    if (problem != null) {
      r.problem(name + ": " + problem);
    }
  }

  /** A comma-separated list of base URLs; each bad entry is a problem (user info never echoed). */
  private static List<String> allowlist(EnvReader r, String name) {
    List<String> out = new ArrayList<>();
    String spec = r.optional(name, "");
    for (String part : spec.split(",")) {
      String entry = part.trim();
      if (entry.isEmpty()) {
        continue;
      }
      String problem = DevicePolicy.entryProblem(entry);
      if (problem != null) {
        r.problem(name + ": entry " + (out.size() + 1) + " refused: " + problem);
      } else {
        out.add(entry);
      }
    }
    return List.copyOf(out);
  }

  /**
   * Base URLs a device row may send to: {@link #urlAllowlist()} and the operator's own defaults
   * ({@link #whatsappBaseUrl()}, {@link #gatewayBaseUrl()}), which are always allowed.
   */
  public List<String> endpointAllowlist() {
    List<String> out = new ArrayList<>(urlAllowlist);
    out.add(whatsappBaseUrl);
    if (gatewayBaseUrl != null) {
      out.add(gatewayBaseUrl);
    }
    return List.copyOf(out);
  }

  private static Duration positive(EnvReader r, String name, Duration def) {
    Duration d = r.duration(name, def);
    if (d != null && d.isZero()) {
      r.problem(name + "=" + d + ": must be longer than zero");
    }
    return d;
  }

  private static Map<String, ErrorClass> errorClasses(EnvReader r, String spec) {
    Map<String, ErrorClass> out = new LinkedHashMap<>();
    if (spec == null || spec.isBlank()) {
      return out;
    }
    for (String part : spec.split(",")) {
      String p = part.trim();
      int eq = p.indexOf('=');
      if (eq <= 0) {
        r.problem("HERALD_SENDER_ERROR_CLASSES: '" + p + "' is not code=class");
        continue;
      }
      try {
        out.put(p.substring(0, eq).trim(), ErrorClass.parse(p.substring(eq + 1)));
      } catch (IllegalArgumentException e) {
        r.problem(
            "HERALD_SENDER_ERROR_CLASSES: '"
                + p
                + "': class must be transient, rate_limited, unknown, permanent or"
                + " account_danger");
      }
    }
    return Collections.unmodifiableMap(out);
  }

  @Override
  public String toString() {
    return echo; // never the password
  }
}
