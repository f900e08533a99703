package io.herald.sender.policy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a device row may reach (ADR 0014). A row's {@code transport_config} is tenant data: it may
 * name only environment variables of the operator's token namespace, send only to base URLs the
 * operator allowed, and its commands' media URLs go out only when they are https URLs of public
 * hosts (or operator-allowed ones). Each check answers with a refusal reason, or nothing when the
 * value may be used; reasons quote names and hosts, never a variable's value or a URL's user info.
 * Immutable and thread-safe.
 */
public final class DevicePolicy {

  /** Default of {@code HERALD_SENDER_TOKEN_ENV_PREFIX}. */
  public static final String DEFAULT_TOKEN_ENV_PREFIX = "HERALD_TOKEN_";

  /** Longest variable name a row may give. */
  public static final int VARIABLE_MAX_CHARS = 128;

  /**
   * Namespaces no token prefix may overlap: the services' own settings (database password, Kafka
   * credentials through {@code KAFKA_*}) and libpq's {@code PG*} variables.
   */
  public static final List<String> RESERVED_PREFIXES =
      List.of("HERALD_SENDER_", "HERALD_SCHEDULER_", "KAFKA_", "PG");

  private static final Pattern VARIABLE = Pattern.compile("[A-Z0-9_]{1,128}");
  private static final Pattern PREFIX = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");

  /** Host names that never name a public host (RFC 6761, mDNS, private-use TLDs). */
  private static final List<String> PRIVATE_SUFFIXES =
      List.of(".localhost", ".local", ".internal", ".home.arpa", ".localdomain");

  private final String tokenEnvPrefix;
  private final List<UrlRule> endpoints;
  private final List<UrlRule> media;

  /**
   * @param tokenEnvPrefix the namespace of variables rows may name ({@link #prefixProblem})
   * @param endpointAllowlist base URLs rows may send to (the operator's defaults included)
   * @param mediaAllowlist media URLs allowed even when not https or not public
   * @throws IllegalArgumentException on a bad prefix or entry
   */
  public DevicePolicy(
      String tokenEnvPrefix,
      Collection<String> endpointAllowlist,
      Collection<String> mediaAllowlist) {
    String p = prefixProblem(tokenEnvPrefix);
    if (p != null) {
      throw new IllegalArgumentException(p);
    }
    this.tokenEnvPrefix = tokenEnvPrefix;
    this.endpoints = rules(endpointAllowlist);
    this.media = rules(mediaAllowlist);
  }

  /** Why {@code prefix} cannot be the token namespace, or null when it can. */
  public static String prefixProblem(String prefix) {
    if (prefix == null || !PREFIX.matcher(prefix).matches()) {
      return "must be 1 to 64 characters of A-Z, 0-9 and _, starting with a letter";
    }
    for (String r : RESERVED_PREFIXES) {
      if (prefix.startsWith(r) || r.startsWith(prefix)) {
        return "overlaps " + r + "*, whose variables rows must never name";
      }
    }
    return null;
  }

  /** Why {@code entry} cannot be an allowlist entry, or null when it can. */
  public static String entryProblem(String entry) {
    try {
      UrlRule.parse(entry);
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  public String tokenEnvPrefix() {
    return tokenEnvPrefix;
  }

  public List<UrlRule> endpoints() {
    return endpoints;
  }

  public List<UrlRule> mediaAllowlist() {
    return media;
  }

  /**
   * Why a row's {@code key} (e.g. {@code token_env}) may not name {@code name}, or empty when it
   * may. The name is quoted only when it looks like a variable name (so a token pasted by mistake
   * into the row is not echoed).
   */
  public Optional<String> refuseVariable(String key, String name) {
    String rule =
        key
            + " must name a variable of the token namespace: "
            + tokenEnvPrefix
            + " followed by A-Z, 0-9 or _, at most "
            + VARIABLE_MAX_CHARS
            + " characters";
    if (name == null || !VARIABLE.matcher(name).matches()) {
      return Optional.of(rule + " (the value given is not such a name)");
    }
    for (String r : RESERVED_PREFIXES) {
      if (name.startsWith(r)) {
        return Optional.of(rule + "; " + Addresses.quote(name) + " is a reserved variable");
      }
    }
    if (!name.startsWith(tokenEnvPrefix) || name.length() == tokenEnvPrefix.length()) {
      return Optional.of(rule + "; " + Addresses.quote(name) + " is outside it");
    }
    return Optional.empty();
  }

  /**
   * Why a row may not send to {@code url} (its {@code key}, e.g. {@code base_url}), or empty when
   * an allowlist entry covers it.
   */
  public Optional<String> refuseEndpoint(String key, String url) {
    UrlRule u;
    try {
      u = UrlRule.parse(url);
    } catch (IllegalArgumentException e) {
      return Optional.of(key + " refused: " + e.getMessage());
    }
    for (UrlRule r : endpoints) {
      if (r.covers(u)) {
        return Optional.empty();
      }
    }
    return Optional.of(
        key
            + " "
            + Addresses.quote(u.origin() + u.path())
            + " is not in HERALD_SENDER_URL_ALLOWLIST (nor a configured default base URL)");
  }

  /**
   * The checks of a media URL that need no DNS: refused, allowed (an allowlist entry covers it, or
   * it is an https URL of a public IP literal), or allowed once its host name resolves to public
   * addresses only ({@link #refuseResolved}).
   */
  public MediaVerdict checkMedia(String url) {
    UrlRule u;
    try {
      u = UrlRule.parts(url);
    } catch (IllegalArgumentException e) {
      return MediaVerdict.refused("media URL refused: " + e.getMessage());
    }
    for (UrlRule r : media) {
      if (r.covers(u)) {
        return MediaVerdict.ALLOWED;
      }
    }
    if (!u.scheme().equals("https")) {
      return MediaVerdict.refused(
          "media URL refused: it must be https (or match HERALD_SENDER_MEDIA_URL_ALLOWLIST)");
    }
    String host = u.host();
    if (Addresses.isLiteral(host)) {
      String range = Addresses.nonPublicRange(Addresses.literal(host));
      return range == null ? MediaVerdict.ALLOWED : MediaVerdict.refused(refusal(host, range));
    }
    if (host.equals("localhost") || !host.contains(".") || privateSuffix(host)) {
      return MediaVerdict.refused(
          "media URL refused: host "
              + Addresses.quote(host)
              + " is not a public name (allow it with HERALD_SENDER_MEDIA_URL_ALLOWLIST)");
    }
    return MediaVerdict.resolve(host);
  }

  /**
   * Why a media URL whose host {@code host} resolved to {@code addresses} may not go out (one of
   * them is not public), or empty.
   */
  public Optional<String> refuseResolved(String host, List<InetAddress> addresses) {
    for (InetAddress a : addresses) {
      String range = Addresses.nonPublicRange(a);
      if (range != null) {
        return Optional.of(refusal(host + " (" + a.getHostAddress() + ")", range));
      }
    }
    return Optional.empty();
  }

  private static String refusal(String host, String range) {
    return "media URL refused: host "
        + Addresses.quote(host)
        + " is in "
        + range
        + " (allow it with HERALD_SENDER_MEDIA_URL_ALLOWLIST)";
  }

  private static boolean privateSuffix(String host) {
    for (String s : PRIVATE_SUFFIXES) {
      if (host.endsWith(s)) {
        return true;
      }
    }
    return false;
  }

  private static List<UrlRule> rules(Collection<String> entries) {
    List<UrlRule> out = new ArrayList<>();
    for (String e : Objects.requireNonNull(entries, "allowlist")) {
      if (e == null || e.isBlank()) {
        continue;
      }
      try {
        out.add(UrlRule.parse(e));
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException("allowlist entry refused: " + ex.getMessage());
      }
    }
    return List.copyOf(out);
  }
}
