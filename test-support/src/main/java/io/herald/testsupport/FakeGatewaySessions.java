package io.herald.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The session-state endpoints of the WhatsApp-Web gateways, scriptable per session: WAHA-style
 * {@code GET /api/sessions/{session}} → {@code {"name":…,"status":…}} (default {@code WORKING}) and
 * Evolution-style {@code GET /instance/connectionState/{instance}} → {@code
 * {"instance":{"instanceName":…,"state":…}}} (default {@code open}). Both need the gateway's key
 * ({@code X-Api-Key} or {@code apikey}). Kept apart from the send handler so the two evolve alone.
 */
final class FakeGatewaySessions implements HttpHandler {

  static final String WAHA_PREFIX = "/api/sessions/";
  static final String EVOLUTION_PREFIX = "/instance/connectionState/";

  private final String apiKey;
  private final Map<String, String> states = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> probes = new ConcurrentHashMap<>();

  FakeGatewaySessions(String apiKey) {
    this.apiKey = apiKey;
  }

  void state(String session, String state) {
    states.put(session, state);
  }

  int probes(String session) {
    AtomicInteger n = probes.get(session);
    return n == null ? 0 : n.get();
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      boolean waha = path.startsWith(WAHA_PREFIX);
      String name = path.substring(waha ? WAHA_PREFIX.length() : EVOLUTION_PREFIX.length());
      probes.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
      String key = exchange.getRequestHeaders().getFirst(waha ? "X-Api-Key" : "apikey");
      int status;
      String body;
      if (!"GET".equals(exchange.getRequestMethod())) {
        status = 405;
        body = "{\"message\":\"method not allowed\"}";
      } else if (key == null || !key.equals(apiKey)) {
        status = 401;
        body = "{\"message\":\"Unauthorized\"}";
      } else if (waha) {
        status = 200;
        body =
            "{\"name\":\""
                + name
                + "\",\"status\":\""
                + states.getOrDefault(name, "WORKING")
                + "\"}";
      } else {
        status = 200;
        body =
            "{\"instance\":{\"instanceName\":\""
                + name
                + "\",\"state\":\""
                + states.getOrDefault(name, "open")
                + "\"}}";
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
