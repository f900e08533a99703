package io.herald.runtime.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Reads typed settings from an environment map, collecting every problem instead of failing at the
 * first, so a user fixes a bad deployment in one round. Remembers what it read for the startup
 * echo; secrets are echoed as {@code [hidden]}.
 */
public final class EnvReader {

  private static final String HIDDEN = "[hidden]";
  private static final String KAFKA_PREFIX = "KAFKA_";

  private final Map<String, String> env;
  // Several config records of one service may read the same variable: report each problem once.
  private final java.util.Set<String> problems = new java.util.LinkedHashSet<>();
  private final Map<String, String> echo = new LinkedHashMap<>();

  public EnvReader(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  /** A setting that has no sensible default. */
  public String required(String name) {
    String v = raw(name);
    if (v == null) {
      problems.add(name + " is required but not set");
      return null;
    }
    echo.put(name, v);
    return v;
  }

  /**
   * Reports {@code name} as required but not set when {@code value} (read earlier, e.g. with {@link
   * #optional}) is null: for a setting only some configurations need.
   */
  public void requirePresent(String name, Object value) {
    if (value == null) {
      problems.add(name + " is required but not set");
    }
  }

  public String optional(String name, String def) {
    String v = raw(name);
    String effective = v == null ? def : v;
    echo.put(name, effective == null ? "" : effective);
    return effective;
  }

  /** Like {@link #optional} but never echoed in clear. */
  public String secret(String name, String def) {
    String v = raw(name);
    String effective = v == null ? def : v;
    echo.put(name, effective == null ? "" : HIDDEN);
    return effective;
  }

  public int intAtLeast(String name, int def, int min) {
    return (int) longBetween(name, def, min, Integer.MAX_VALUE);
  }

  public long longAtLeast(String name, long def, long min) {
    return longBetween(name, def, min, Long.MAX_VALUE);
  }

  private long longBetween(String name, long def, long min, long max) {
    String v = raw(name);
    if (v == null) {
      echo.put(name, Long.toString(def));
      return def;
    }
    echo.put(name, v);
    try {
      long parsed = Long.parseLong(v);
      if (parsed < min || parsed > max) {
        problems.add(
            name
                + "="
                + v
                + ": must be >= "
                + min
                + (max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? "" : " and <= " + max));
        return def;
      }
      return parsed;
    } catch (NumberFormatException e) {
      problems.add(name + "=" + v + ": not a whole number");
      return def;
    }
  }

  public double doubleBetween(String name, double def, double min, double max) {
    String v = raw(name);
    if (v == null) {
      echo.put(name, Double.toString(def));
      return def;
    }
    echo.put(name, v);
    try {
      double parsed = Double.parseDouble(v);
      if (!(parsed >= min && parsed <= max)) {
        problems.add(name + "=" + v + ": must be between " + min + " and " + max);
        return def;
      }
      return parsed;
    } catch (NumberFormatException e) {
      problems.add(name + "=" + v + ": not a number");
      return def;
    }
  }

  public boolean bool(String name, boolean def) {
    String v = raw(name);
    if (v == null) {
      echo.put(name, Boolean.toString(def));
      return def;
    }
    echo.put(name, v);
    switch (v.toLowerCase(Locale.ROOT)) {
      case "true":
      case "yes":
      case "1":
        return true;
      case "false":
      case "no":
      case "0":
        return false;
      default:
        problems.add(name + "=" + v + ": expected true or false");
        return def;
    }
  }

  /** An ISO-8601 duration such as {@code PT30S}; negative durations are rejected. */
  public Duration duration(String name, Duration def) {
    String v = raw(name);
    if (v == null) {
      echo.put(name, def == null ? "" : def.toString());
      return def;
    }
    echo.put(name, v);
    try {
      Duration d = Duration.parse(v);
      if (d.isNegative()) {
        problems.add(name + "=" + v + ": must not be negative");
        return def;
      }
      return d;
    } catch (DateTimeParseException e) {
      problems.add(name + "=" + v + ": not an ISO-8601 duration (e.g. PT30S, PT5M)");
      return def;
    }
  }

  /** One of an enum's constants, case-insensitive; {@code -} and {@code _} are interchangeable. */
  public <E extends Enum<E>> E oneOf(String name, Class<E> type, E def) {
    String v = raw(name);
    if (v == null) {
      echo.put(name, def == null ? "" : wire(def));
      return def;
    }
    echo.put(name, v);
    String wanted = v.trim().replace('-', '_').toUpperCase(Locale.ROOT);
    for (E c : type.getEnumConstants()) {
      if (c.name().equals(wanted)) {
        return c;
      }
    }
    problems.add(
        name
            + "="
            + v
            + ": expected one of "
            + Arrays.stream(type.getEnumConstants())
                .map(EnvReader::wire)
                .collect(Collectors.joining(", ")));
    return def;
  }

  /**
   * {@code KAFKA_*} variables as Kafka client properties: {@code KAFKA_SECURITY_PROTOCOL} becomes
   * {@code security.protocol}. Keys the service owns (e.g. {@code processing.guarantee}) may not be
   * overridden: that is a configuration error, not a silent override. Values whose key looks secret
   * (password, secret, jaas) are echoed hidden.
   */
  public Map<String, String> kafkaPassthrough(Set<String> ownedKeys) {
    Map<String, String> props = new TreeMap<>();
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      String k = e.getKey();
      if (!k.startsWith(KAFKA_PREFIX) || k.length() == KAFKA_PREFIX.length()) {
        continue;
      }
      String prop = k.substring(KAFKA_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
      if (ownedKeys.contains(prop)) {
        problems.add(k + ": Herald sets " + prop + " itself; remove this variable");
        continue;
      }
      props.put(prop, e.getValue());
      echo.put(k, looksSecret(prop) ? HIDDEN : e.getValue());
    }
    return props;
  }

  /** Adds a problem found by the caller's own cross-field checks. */
  public void problem(String message) {
    problems.add(message);
  }

  public List<String> problems() {
    return List.copyOf(problems);
  }

  /** Throws {@link ConfigException} naming every problem, if there is any. */
  public void failIfInvalid() {
    if (!problems.isEmpty()) {
      throw new ConfigException(List.copyOf(problems));
    }
  }

  /** {@code key=value} pairs of every setting read, secrets hidden: log this once at start. */
  public String echo() {
    return echo.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(" "));
  }

  private String raw(String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static boolean looksSecret(String prop) {
    return prop.contains("password")
        || prop.contains("secret")
        || prop.contains("jaas")
        || prop.contains("token")
        || prop.contains("key");
  }

  private static String wire(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
