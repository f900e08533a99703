package io.herald.sender.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.contracts.command.RecipientType;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.serde.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A WAHA-style WhatsApp-Web gateway: {@code POST {base}/api/sendText | sendImage | sendFile} with
 * {@code session}, {@code chatId} ({@code <digits>@c.us} for people, {@code <id>@g.us} for groups)
 * and an API key header. {@code transport_config} keys: {@code base_url} (required unless the
 * sender has a default), {@code api_key_env} (the environment variable holding the key), {@code
 * api_key_header} (default {@code X-Api-Key}), {@code session} (default {@code default}). Groups
 * (auto-posts) go through this adapter.
 *
 * <p>Before any request the device's {@link DeviceReach} decides (base URL allowlisted, {@code
 * api_key_env} in the token namespace, media URL https to a public host); a refusal is a permanent
 * failure with the reason and nothing leaves. Answers are read up to {@link
 * Limits#TRANSPORT_RESPONSE_MAX_BYTES}; the key never reaches an error text.
 */
public final class HttpGatewayTransport implements Transport {

  public static final String KIND = "http_gateway";

  private final HttpClient client;
  private final String defaultBaseUrl;
  private final Duration timeout;
  private final Function<String, String> env;
  private final DeviceReach reach;
  private final ObjectMapper json = Json.mapper();

  /** An HTTP header name a row may choose for the key. */
  private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9-]{1,64}");

  /** Headers the key must not replace (the client's own, or ones that change the request). */
  private static final Set<String> RESERVED_HEADERS =
      Set.of(
          "host",
          "content-length",
          "content-type",
          "connection",
          "expect",
          "upgrade",
          "transfer-encoding",
          "x-herald-command-id");

  /**
   * @param defaultBaseUrl used when the device names none; may be null
   * @param reach what a device row may name and send to; checked before any request
   */
  public HttpGatewayTransport(
      HttpClient client,
      String defaultBaseUrl,
      Duration timeout,
      Function<String, String> env,
      DeviceReach reach) {
    this.client = Objects.requireNonNull(client, "client");
    this.defaultBaseUrl = defaultBaseUrl;
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.env = Objects.requireNonNull(env, "env");
    this.reach = Objects.requireNonNull(reach, "reach");
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
  public Optional<String> configProblem(Map<String, String> config) {
    String base = base(config);
    if (base == null || base.isBlank()) {
      return Optional.of("base_url missing");
    }
    Optional<String> badBase = reach.policy().refuseEndpoint("base_url", base);
    if (badBase.isPresent()) {
      return badBase;
    }
    String keyHeader = keyHeader(config);
    if (!HEADER_NAME.matcher(keyHeader).matches() || RESERVED_HEADERS.contains(lower(keyHeader))) {
      return Optional.of("api_key_header must be a plain header name (A-Z, a-z, 0-9, -)");
    }
    String keyEnv = config.get("api_key_env");
    return keyEnv == null ? Optional.empty() : reach.policy().refuseVariable("api_key_env", keyEnv);
  }

  @Override
  public CompletableFuture<TransportResponse> send(Map<String, String> config, SendCommand cmd) {
    Optional<String> problem = configProblem(config);
    if (problem.isPresent()) {
      return done(refused(problem.get()));
    }
    String base = base(config);
    String keyHeader = keyHeader(config);
    String keyEnv = config.get("api_key_env");
    String key = null;
    if (keyEnv != null) {
      key = env.apply(keyEnv);
      if (key == null || key.isBlank()) {
        return done(refused("the variable api_key_env names is empty or not set"));
      }
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
    HttpRequest request;
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(base + path))
              .timeout(timeout)
              .header("Content-Type", "application/json")
              .header(WhatsAppCloudTransport.COMMAND_ID_HEADER, cmd.commandId().value())
              .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
      if (key != null) {
        b.header(keyHeader, key);
      }
      request = b.build();
    } catch (IOException | IllegalArgumentException e) {
      return done(refused("bad base_url, api_key_header or body"));
    }
    String secret = key;
    return HttpResponses.afterMediaCheck(
        reach,
        cmd.mediaUrl(),
        () ->
            client
                .sendAsync(request, BoundedBody.handler(Limits.TRANSPORT_RESPONSE_MAX_BYTES))
                .handle(
                    (resp, err) ->
                        err != null ? HttpResponses.failure(err, timeout) : parse(resp, secret)));
  }

  /** The device's base URL without a trailing slash, else the sender's default (may be null). */
  private String base(Map<String, String> config) {
    String base = config.getOrDefault("base_url", defaultBaseUrl);
    return base != null && base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }

  private static String keyHeader(Map<String, String> config) {
    return config.getOrDefault("api_key_header", "X-Api-Key");
  }

  private static TransportResponse refused(String reason) {
    return TransportResponse.error(0, WhatsAppCloudTransport.TRANSPORT_CONFIG, reason, null);
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
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

  private TransportResponse parse(HttpResponse<byte[]> resp, String key) {
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
        status, null, HttpResponses.errorText(message, key), HttpResponses.retryAfter(resp));
  }

  private static CompletableFuture<TransportResponse> done(TransportResponse r) {
    return CompletableFuture.completedFuture(r);
  }
}
