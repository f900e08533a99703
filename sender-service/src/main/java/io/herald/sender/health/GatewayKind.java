package io.herald.sender.health;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How each WhatsApp-Web gateway is asked for its session state, and what its words mean. Chosen by
 * {@code transport_config.gateway_kind}: {@code waha} (the default, as the transport speaks WAHA)
 * or {@code evolution}. Pure.
 */
public enum GatewayKind {
  /** {@code GET {base}/api/sessions/{session}} → {@code {"status":"WORKING"}}. */
  WAHA("X-Api-Key") {
    @Override
    String path(String name) {
      return "/api/sessions/" + name;
    }

    @Override
    String word(JsonNode root) {
      return root.path("status").asText(null);
    }

    @Override
    SessionHealth health(String word) {
      switch (word) {
        case "WORKING":
          return SessionHealth.HEALTHY;
        case "STOPPED":
        case "STARTING":
        case "SCAN_QR_CODE":
          // STARTING cannot send yet either; holding for a few seconds costs nothing
          return SessionHealth.DISCONNECTED;
        case "FAILED":
          return SessionHealth.BANNED;
        default:
          return SessionHealth.UNKNOWN;
      }
    }

    @Override
    String sessionName(Map<String, String> config) {
      return config.getOrDefault("session", "default");
    }
  },
  /** {@code GET {base}/instance/connectionState/{instance}} → {@code {"instance":{"state":…}}}. */
  EVOLUTION("apikey") {
    @Override
    String path(String name) {
      return "/instance/connectionState/" + name;
    }

    @Override
    String word(JsonNode root) {
      return root.path("instance").path("state").asText(null);
    }

    @Override
    SessionHealth health(String word) {
      switch (word) {
        case "OPEN":
          return SessionHealth.HEALTHY;
        case "CLOSE":
        case "CONNECTING":
          return SessionHealth.DISCONNECTED;
        default:
          return SessionHealth.UNKNOWN;
      }
    }

    @Override
    String sessionName(Map<String, String> config) {
      String instance = config.get("instance");
      return instance != null ? instance : config.getOrDefault("session", "default");
    }
  };

  /** A session or instance name as it may go into a path segment unescaped. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  /** A word is kept in {@code paused_reason}: letters and underscores, bounded. */
  private static final Pattern WORD = Pattern.compile("[A-Za-z_]{1,32}");

  private final String defaultKeyHeader;

  GatewayKind(String defaultKeyHeader) {
    this.defaultKeyHeader = defaultKeyHeader;
  }

  abstract String path(String name);

  abstract String word(JsonNode root);

  /** The health of an upper-case word. */
  abstract SessionHealth health(String word);

  abstract String sessionName(Map<String, String> config);

  /** The {@code kind} tag of the probe metric. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }

  String keyHeader(Map<String, String> config) {
    return config.getOrDefault("api_key_header", defaultKeyHeader);
  }

  /** The device's kind, or empty when {@code gateway_kind} names none Herald knows. */
  public static Optional<GatewayKind> of(Map<String, String> config) {
    String v = config.get("gateway_kind");
    if (v == null || v.isBlank()) {
      return Optional.of(WAHA);
    }
    switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "waha":
        return Optional.of(WAHA);
      case "evolution":
        return Optional.of(EVOLUTION);
      default:
        return Optional.empty();
    }
  }

  /** The request path for the device's session, or empty when its name is not a plain name. */
  public Optional<String> pathFor(Map<String, String> config) {
    String name = sessionName(config);
    return name != null && NAME.matcher(name).matches()
        ? Optional.of(path(name))
        : Optional.empty();
  }

  /** Maps a 2xx answer's JSON ({@code null}: unreadable) to a result. */
  public ProbeResult read(JsonNode root) {
    String word = root == null ? null : word(root);
    if (word == null || !WORD.matcher(word).matches()) {
      return ProbeResult.unknown("no session state in the answer");
    }
    String upper = word.toUpperCase(Locale.ROOT);
    SessionHealth h = health(upper);
    return new ProbeResult(
        h, upper, h == SessionHealth.UNKNOWN ? "state word not known to Herald" : null);
  }
}
