package io.herald.sender.policy;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One allowed URL of an allowlist: scheme, host, effective port and a path prefix, compared as
 * parsed parts, never as strings: {@code https://api.example} covers {@code
 * https://API.example:443/v1} but not {@code https://api.example.evil}, {@code http://api.example}
 * or {@code https://api.example:8443}; {@code https://gw.example/t1} covers {@code /t1} and {@code
 * /t1/x}, not {@code /t10}.
 *
 * @param scheme {@code http} or {@code https}
 * @param host canonical host ({@link Addresses#canonicalHost})
 * @param port the effective port (80/443 when the URL names none)
 * @param path the path prefix without a trailing slash, {@code ""} for the whole host
 */
public record UrlRule(String scheme, String host, int port, String path) {

  /**
   * Parses a base URL: an allowlist entry, or a device's {@code base_url}. Strict: http or https, a
   * host, no user info, no query or fragment, no percent-encoding and no {@code .}/{@code ..}
   * segments in the path.
   *
   * @throws IllegalArgumentException with a reason that never quotes user info
   */
  public static UrlRule parse(String text) {
    URI u = uri(text);
    if (u.getRawQuery() != null || u.getRawFragment() != null) {
      throw new IllegalArgumentException("a query or fragment is not allowed");
    }
    String raw = u.getRawPath() == null ? "" : u.getRawPath();
    if (raw.contains("%")) {
      throw new IllegalArgumentException("percent-encoding in the path is not allowed");
    }
    List<String> segments = segments(raw);
    if (segments.contains(".") || segments.contains("..")) {
      throw new IllegalArgumentException("'.' and '..' path segments are not allowed");
    }
    return new UrlRule(scheme(u), host(u), port(u), String.join("", prefixed(segments)));
  }

  /**
   * The parts of any URL (a media URL): like {@link #parse} but any query is ignored and the path
   * is decoded and resolved ({@code /a/../b} is {@code /b}), as a server would read it.
   *
   * @throws IllegalArgumentException when it is no http(s) URL with a host, has user info, or its
   *     path climbs above the root
   */
  static UrlRule parts(String text) {
    URI u = uri(text);
    String decoded = u.getPath() == null ? "" : u.getPath();
    List<String> resolved = new ArrayList<>();
    for (String s : segments(decoded)) {
      if (s.equals("..")) {
        if (resolved.isEmpty()) {
          throw new IllegalArgumentException("the path climbs above the root");
        }
        resolved.remove(resolved.size() - 1);
      } else if (!s.equals(".")) {
        resolved.add(s);
      }
    }
    return new UrlRule(scheme(u), host(u), port(u), String.join("", prefixed(resolved)));
  }

  /** True when {@code url} is at or under this rule: same scheme, host and port, path within. */
  public boolean covers(UrlRule url) {
    return scheme.equals(url.scheme)
        && host.equals(url.host)
        && port == url.port
        && (path.isEmpty() || url.path.equals(path) || url.path.startsWith(path + "/"));
  }

  /** {@code scheme://host:port/path}, for reasons and the startup echo. */
  @Override
  public String toString() {
    return scheme + "://" + host + ":" + port + path;
  }

  /** {@code scheme://host:port}, safe to quote: no user info, no path. */
  public String origin() {
    return scheme + "://" + host + ":" + port;
  }

  private static URI uri(String text) {
    URI u;
    try {
      u = new URI(text == null ? "" : text.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a valid URL");
    }
    if (u.getScheme() == null || u.isOpaque()) {
      throw new IllegalArgumentException("not an absolute http(s) URL");
    }
    if (u.getRawUserInfo() != null) {
      throw new IllegalArgumentException("user info (user:password@) is not allowed in a URL");
    }
    if (u.getHost() == null) {
      // java.net.URI leaves the host null when the authority is no valid host[:port]
      throw new IllegalArgumentException("the URL has no valid host");
    }
    return u;
  }

  private static String scheme(URI u) {
    String s = u.getScheme().toLowerCase(Locale.ROOT);
    if (!s.equals("http") && !s.equals("https")) {
      throw new IllegalArgumentException("the scheme must be http or https");
    }
    return s;
  }

  private static String host(URI u) {
    String h = Addresses.canonicalHost(u.getHost());
    if (h == null || h.isEmpty()) {
      throw new IllegalArgumentException("the URL has no valid host");
    }
    return h;
  }

  private static int port(URI u) {
    if (u.getPort() > 65535) {
      throw new IllegalArgumentException("the port must be at most 65535");
    }
    if (u.getPort() >= 0) {
      return u.getPort();
    }
    return u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
  }

  /** The non-empty segments of a path ({@code //} and a trailing slash add none). */
  private static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }

  private static List<String> prefixed(List<String> segments) {
    List<String> out = new ArrayList<>();
    for (String s : segments) {
      out.add("/" + s);
    }
    return out;
  }
}
