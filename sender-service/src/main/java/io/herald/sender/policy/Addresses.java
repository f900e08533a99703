package io.herald.sender.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Host names and IP addresses as the policy compares them: one canonical spelling per host, and
 * which addresses a media URL must not point at (loopback, private, link-local, shared, multicast,
 * reserved; IPv6 forms that embed such an IPv4 address too).
 */
final class Addresses {

  private static final Pattern OCTET = Pattern.compile("25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]");
  private static final Pattern DOTTED_QUAD =
      Pattern.compile("(" + OCTET + ")\\.(" + OCTET + ")\\.(" + OCTET + ")\\.(" + OCTET + ")");

  /** A last label that makes a host an IPv4 address for browsers and curl (WHATWG URL). */
  private static final Pattern NUMERIC_LABEL = Pattern.compile("[0-9]+|0[xX][0-9a-fA-F]*");

  private Addresses() {}

  /**
   * The host of a parsed URI (its {@code getHost()}) in one spelling: lower case, without a
   * trailing dot, an IPv6 literal in full bracketed form (an IPv4-mapped one as its IPv4 address).
   *
   * @return null when {@code uriHost} is null or empty
   * @throws IllegalArgumentException when the host is an IPv6 literal that does not parse, or a
   *     numeric IPv4 host in another form than four decimal octets ({@code 2130706433}, {@code
   *     0177.0.0.1}, {@code 127.1}, {@code 0x7f.0.0.1}): clients disagree on what those mean
   */
  static String canonicalHost(String uriHost) {
    if (uriHost == null || uriHost.isEmpty()) {
      return null;
    }
    String h = uriHost.toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      InetAddress a = literal(h);
      String text = a.getHostAddress();
      return a.getAddress().length == 4 ? text : "[" + text + "]";
    }
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    if (numeric(h) && !DOTTED_QUAD.matcher(h).matches()) {
      throw new IllegalArgumentException(
          "host " + quote(h) + " is a numeric address not written as four decimal octets");
    }
    return h;
  }

  /** True when {@code canonical} (from {@link #canonicalHost}) is an IP address literal. */
  static boolean isLiteral(String canonical) {
    return canonical.startsWith("[") || DOTTED_QUAD.matcher(canonical).matches();
  }

  /** The address of a literal host from {@link #canonicalHost}; no DNS look-up. */
  static InetAddress literal(String host) {
    try {
      // a bracketed IPv6 literal or a dotted quad: parsed, never looked up
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("host " + quote(host) + " is not a valid IP address");
    }
  }

  private static boolean numeric(String host) {
    int dot = host.lastIndexOf('.');
    String last = dot < 0 ? host : host.substring(dot + 1);
    return NUMERIC_LABEL.matcher(last).matches();
  }

  /**
   * Why {@code a} is not a public address (its range), or null when it is. Covers IPv4
   * this-network, private, shared (CGNAT), loopback, link-local, IETF-assigned, benchmarking,
   * multicast and reserved ranges; IPv6 unspecified, loopback, unique-local, link-local,
   * site-local, multicast, and IPv4-mapped, IPv4-compatible, NAT64 and 6to4 addresses by the IPv4
   * address they embed.
   */
  static String nonPublicRange(InetAddress a) {
    byte[] b = a.getAddress();
    return b.length == 4 ? v4(b, 0) : v6(b);
  }

  private static String v4(byte[] b, int at) {
    int x = b[at] & 0xff;
    int y = b[at + 1] & 0xff;
    int z = b[at + 2] & 0xff;
    if (x == 0) {
      return "0.0.0.0/8 (this network)";
    }
    if (x == 10) {
      return "10.0.0.0/8 (private)";
    }
    if (x == 100 && (y & 0xc0) == 64) {
      return "100.64.0.0/10 (shared address space)";
    }
    if (x == 127) {
      return "127.0.0.0/8 (loopback)";
    }
    if (x == 169 && y == 254) {
      return "169.254.0.0/16 (link-local)";
    }
    if (x == 172 && (y & 0xf0) == 16) {
      return "172.16.0.0/12 (private)";
    }
    if (x == 192 && y == 0 && z == 0) {
      return "192.0.0.0/24 (IETF protocol assignments)";
    }
    if (x == 192 && y == 168) {
      return "192.168.0.0/16 (private)";
    }
    if (x == 198 && (y & 0xfe) == 18) {
      return "198.18.0.0/15 (benchmarking)";
    }
    if (x >= 224) {
      return "224.0.0.0/3 (multicast, reserved, broadcast)";
    }
    return null;
  }

  private static String v6(byte[] b) {
    int first = b[0] & 0xff;
    int second = b[1] & 0xff;
    if (zero(b, 0, 15)) {
      return (b[15] & 0xff) == 0
          ? ":: (unspecified)"
          : (b[15] & 0xff) == 1 ? "::1 (loopback)" : embedded("IPv4-compatible", b, 12);
    }
    if (zero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
      return embedded("IPv4-mapped", b, 12);
    }
    if (zero(b, 0, 12)) {
      return embedded("IPv4-compatible", b, 12);
    }
    if (first == 0x00
        && second == 0x64
        && (b[2] & 0xff) == 0xff
        && (b[3] & 0xff) == 0x9b
        && zero(b, 4, 12)) {
      return embedded("NAT64", b, 12);
    }
    if (first == 0x20 && second == 0x02) {
      return embedded("6to4", b, 2);
    }
    if ((first & 0xfe) == 0xfc) {
      return "fc00::/7 (unique local)";
    }
    if (first == 0xfe && (second & 0xc0) == 0x80) {
      return "fe80::/10 (link-local)";
    }
    if (first == 0xfe && (second & 0xc0) == 0xc0) {
      return "fec0::/10 (site-local)";
    }
    if (first == 0xff) {
      return "ff00::/8 (multicast)";
    }
    return null;
  }

  private static String embedded(String kind, byte[] b, int at) {
    String inner = v4(b, at);
    return inner == null ? null : kind + " address of " + inner;
  }

  private static boolean zero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** A host or name for a reason: at most 40 characters, quoted. */
  static String quote(String s) {
    return "'" + (s.length() <= 40 ? s : s.substring(0, 40) + "...") + "'";
  }
}
