package io.herald.console.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a handler needs of an exchange: method, path, query and form fields, cookie, bearer. */
final class Request {

  /** Most bytes of a form body read; a larger body is refused (413). */
  static final int MAX_FORM_BYTES = 16 * 1024;

  static final class TooLarge extends IOException {
    TooLarge() {
      super("request body too large");
    }
  }

  final HttpExchange exchange;
  final String method;
  final String path;
  final Map<String, String> query;
  private Map<String, String> form;

  Request(HttpExchange exchange) {
    this.exchange = exchange;
    this.method = exchange.getRequestMethod();
    this.path = exchange.getRequestURI().getRawPath();
    this.query = parse(exchange.getRequestURI().getRawQuery());
  }

  /** The url-encoded form body's fields (read once, bounded). */
  Map<String, String> form() throws IOException {
    if (form == null) {
      try (InputStream in = exchange.getRequestBody()) {
        byte[] body = in.readNBytes(MAX_FORM_BYTES + 1);
        if (body.length > MAX_FORM_BYTES) {
          throw new TooLarge();
        }
        form = parse(new String(body, StandardCharsets.US_ASCII));
      }
    }
    return form;
  }

  /** A query parameter, blank as absent. */
  Optional<String> param(String name) {
    String v = query.get(name);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
  }

  Optional<String> cookie(String name) {
    List<String> headers = exchange.getRequestHeaders().get("Cookie");
    if (headers == null) {
      return Optional.empty();
    }
    for (String header : headers) {
      for (String part : header.split(";")) {
        int eq = part.indexOf('=');
        if (eq > 0 && part.substring(0, eq).strip().equals(name)) {
          return Optional.of(part.substring(eq + 1).strip());
        }
      }
    }
    return Optional.empty();
  }

  Optional<String> bearer() {
    String h = exchange.getRequestHeaders().getFirst("Authorization");
    if (h != null && h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.of(h.substring(7).strip());
    }
    return Optional.empty();
  }

  /** Path segments after the leading slash, decoded; {@code "/"} has none. */
  List<String> segments() {
    String p = path.startsWith("/") ? path.substring(1) : path;
    if (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    if (p.isEmpty()) {
      return List.of();
    }
    String[] raw = p.split("/", -1);
    String[] out = new String[raw.length];
    for (int i = 0; i < raw.length; i++) {
      out[i] = URLDecoder.decode(raw[i].replace("+", "%2B"), StandardCharsets.UTF_8);
    }
    return List.of(out);
  }

  private static Map<String, String> parse(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        out.putIfAbsent(
            URLDecoder.decode(k, StandardCharsets.UTF_8),
            URLDecoder.decode(v, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException malformed) {
        // a malformed escape: the field is ignored, as a missing one
      }
    }
    return out;
  }
}
