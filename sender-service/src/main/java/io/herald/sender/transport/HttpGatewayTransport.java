package io.herald.sender.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.contracts.command.RecipientType;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.serde.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A WAHA-style WhatsApp-Web gateway: {@code POST {base}/api/sendText | sendImage | sendFile} with
 * {@code session}, {@code chatId} ({@code <digits>@c.us} for people, {@code <id>@g.us} for groups)
 * and an API key header. {@code transport_config} keys: {@code base_url} (required unless the
 * sender has a default), {@code api_key_env} (the environment variable holding the key), {@code
 * api_key_header} (default {@code X-Api-Key}), {@code session} (default {@code default}). Groups
 * (auto-posts) go through this adapter.
 */
public final class HttpGatewayTransport implements Transport {

  public static final String KIND = "http_gateway";

  private final HttpClient client;
  private final String defaultBaseUrl;
  private final Duration timeout;
  private final Function<String, String> env;
  private final ObjectMapper json = Json.mapper();

  /**
   * @param defaultBaseUrl used when the device names none; may be null
   */
  public HttpGatewayTransport(
      HttpClient client, String defaultBaseUrl, Duration timeout, Function<String, String> env) {
    this.client = Objects.requireNonNull(client, "client");
    this.defaultBaseUrl = defaultBaseUrl;
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.env = Objects.requireNonNull(env, "env");
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Double defaultMaxPerSecond() {
    return 1.0; // web sessions are banned quickly when they burst
  }

  @Override
  public CompletableFuture<TransportResponse> send(Map<String, String> config, SendCommand cmd) {
    String base = config.getOrDefault("base_url", defaultBaseUrl);
    if (base == null || base.isBlank()) {
      return done(TransportResponse.error(0, "transport_config", "base_url missing", null));
    }
    base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    String keyEnv = config.get("api_key_env");
    String key = keyEnv == null ? null : env.apply(keyEnv);
    if (keyEnv != null && (key == null || key.isBlank())) {
      return done(
          TransportResponse.error(
              0, "transport_config", "the variable api_key_env names is empty", null));
    }
    boolean media = cmd.mediaUrl() != null && !cmd.mediaUrl().isBlank();
    String path;
    ObjectNode body = json.createObjectNode();
    body.put("session", config.getOrDefault("session", "default"));
    body.put("chatId", chatId(cmd));
    String text = cmd.text() == null ? "" : cmd.text();
    if (!media) {
      path = "/api/sendText";
      body.put("text", text);
    } else {
      MediaKind kind = MediaKind.of(cmd.mediaUrl());
      path = kind == MediaKind.IMAGE ? "/api/sendImage" : "/api/sendFile";
      ObjectNode file = body.putObject("file");
      file.put("url", cmd.mediaUrl());
      String name = MediaKind.fileName(cmd.mediaUrl());
      if (name != null) {
        file.put("filename", name);
      }
      if (!text.isEmpty()) {
        body.put("caption", HttpResponses.truncate(text, 1024));
      }
    }
    HttpRequest.Builder b;
    try {
      b =
          HttpRequest.newBuilder(URI.create(base + path))
              .timeout(timeout)
              .header("Content-Type", "application/json")
              .header(WhatsAppCloudTransport.COMMAND_ID_HEADER, cmd.commandId().value())
              .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
    } catch (IOException | IllegalArgumentException e) {
      return done(TransportResponse.error(0, "transport_config", "bad base_url or body", null));
    }
    if (key != null) {
      b.header(config.getOrDefault("api_key_header", "X-Api-Key"), key);
    }
    return client
        .sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray())
        .handle((resp, err) -> err != null ? HttpResponses.failure(err, timeout) : parse(resp));
  }

  static String chatId(SendCommand cmd) {
    String r = cmd.recipient() == null ? "" : cmd.recipient().trim();
    if (r.contains("@")) {
      return r;
    }
    if (cmd.recipientType() == RecipientType.GROUP) {
      return r + "@g.us";
    }
    return HttpResponses.digits(r) + "@c.us";
  }

  private TransportResponse parse(HttpResponse<byte[]> resp) {
    int status = resp.statusCode();
    JsonNode root = null;
    try {
      byte[] bytes = resp.body();
      root =
          bytes == null || bytes.length == 0
              ? null
              : json.readTree(new String(bytes, StandardCharsets.UTF_8));
    } catch (IOException e) {
      root = null;
    }
    if (status >= 200 && status < 300) {
      String id = null;
      if (root != null) {
        JsonNode idNode = root.get("id");
        if (idNode != null && idNode.isObject()) {
          id = idNode.path("_serialized").asText(null);
        } else if (idNode != null && !idNode.isNull()) {
          id = idNode.asText();
        }
      }
      return TransportResponse.accepted(status, id);
    }
    String message = root == null ? null : root.path("message").asText(null);
    return TransportResponse.error(
        status, null, HttpResponses.truncate(message, 300), HttpResponses.retryAfter(resp));
  }

  private static CompletableFuture<TransportResponse> done(TransportResponse r) {
    return CompletableFuture.completedFuture(r);
  }
}
