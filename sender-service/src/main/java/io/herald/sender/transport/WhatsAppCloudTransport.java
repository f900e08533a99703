package io.herald.sender.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.contracts.command.RecipientType;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.MessageTemplate;
import io.herald.contracts.limit.Limits;
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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The WhatsApp Business Cloud API: {@code POST {base}/{version}/{phone-number-id}/messages} with a
 * bearer token. {@code transport_config} keys: {@code phone_number_id} (required), {@code
 * token_env} (required: the environment variable holding the token), {@code api_version}, {@code
 * base_url}. Text, or media (image, document, video, audio) with the text as caption. The command
 * id travels in {@code biz_opaque_callback_data} and the {@code X-Herald-Command-Id} header.
 *
 * <p>Before any request the device's {@link DeviceReach} decides: {@code token_env} must name a
 * variable of the token namespace, the base URL must be allowlisted, a media URL must be https to a
 * public host; a refusal is a permanent failure with the reason and nothing leaves. Answers are
 * read up to {@link Limits#TRANSPORT_RESPONSE_MAX_BYTES}; the token never reaches an error text.
 */
public final class WhatsAppCloudTransport implements Transport {

  public static final String KIND = "whatsapp_cloud";
  public static final String COMMAND_ID_HEADER = "X-Herald-Command-Id";
  private static final int CAPTION_MAX = 1024;

  /** Error code of a device whose {@code transport_config} is refused: permanent, no request. */
  public static final String TRANSPORT_CONFIG = "transport_config";

  /** Error code of a group recipient on this transport: permanent, no request. */
  public static final String NO_GROUPS = "no_groups";

  /** A path segment a row gives ({@code phone_number_id}, {@code api_version}): no traversal. */
  private static final Pattern PATH_SEGMENT = Pattern.compile("(?!\\.{1,2}$)[A-Za-z0-9._-]{1,64}");

  private final HttpClient client;
  private final String defaultBaseUrl;
  private final String defaultApiVersion;
  private final Duration timeout;
  private final Function<String, String> env;
  private final DeviceReach reach;
  private final ObjectMapper json = Json.mapper();

  /**
   * @param env looks up environment variables (the tokens); {@code System::getenv} in production
   * @param reach what a device row may name and send to; checked before any request
   */
  public WhatsAppCloudTransport(
      HttpClient client,
      String defaultBaseUrl,
      String defaultApiVersion,
      Duration timeout,
      Function<String, String> env,
      DeviceReach reach) {
    this.client = Objects.requireNonNull(client, "client");
    this.defaultBaseUrl = stripSlash(Objects.requireNonNull(defaultBaseUrl, "defaultBaseUrl"));
    this.defaultApiVersion = Objects.requireNonNull(defaultApiVersion, "defaultApiVersion");
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
    return 80.0; // the Cloud API's default throughput per business number
  }

  @Override
  public Optional<String> configProblem(Map<String, String> config) {
    String phoneNumberId = config.get("phone_number_id");
    if (phoneNumberId == null || phoneNumberId.isBlank()) {
      return Optional.of("phone_number_id missing");
    }
    if (!PATH_SEGMENT.matcher(phoneNumberId).matches()) {
      return Optional.of("phone_number_id must be 1 to 64 characters of A-Z, a-z, 0-9, . _ -");
    }
    if (!PATH_SEGMENT.matcher(version(config)).matches()) {
      return Optional.of("api_version must be 1 to 64 characters of A-Z, a-z, 0-9, . _ -");
    }
    String tokenEnv = config.get("token_env");
    if (tokenEnv == null || tokenEnv.isBlank()) {
      return Optional.of("token_env missing");
    }
    Optional<String> badName = reach.policy().refuseVariable("token_env", tokenEnv);
    if (badName.isPresent()) {
      return badName;
    }
    Optional<String> badBase = reach.policy().refuseEndpoint("base_url", base(config));
    if (badBase.isPresent()) {
      return badBase;
    }
    try {
      URI.create(base(config) + "/" + version(config) + "/" + phoneNumberId + "/messages");
    } catch (IllegalArgumentException e) {
      return Optional.of("bad base_url");
    }
    return Optional.empty();
  }

  @Override
  public CompletableFuture<TransportResponse> send(Map<String, String> config, SendCommand cmd) {
    Optional<String> problem = configProblem(config);
    if (problem.isPresent()) {
      return done(refused(problem.get()));
    }
    if (cmd.recipientType() == RecipientType.GROUP) {
      // the scheduler rejects auto-posts on Cloud devices; a command produced straight onto the
      // topic, or a device moved to the Cloud API since, must not send a group id as a number
      return done(
          TransportResponse.error(
              0,
              NO_GROUPS,
              "the WhatsApp Cloud API has no groups: an auto-post needs a gateway device",
              null));
    }
    String token = env.apply(config.get("token_env"));
    if (token == null || token.isBlank()) {
      return done(refused("the variable token_env names is empty or not set"));
    }
    URI uri =
        URI.create(
            base(config)
                + "/"
                + version(config)
                + "/"
                + config.get("phone_number_id")
                + "/messages");
    byte[] body;
    try {
      body = json.writeValueAsBytes(body(cmd));
    } catch (IOException e) {
      return done(TransportResponse.error(0, "encode", "cannot encode request", null));
    }
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .header(COMMAND_ID_HEADER, cmd.commandId().value())
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    return HttpResponses.afterMediaCheck(
        reach,
        cmd.sendsTemplate() ? headerMedia(cmd.template()) : cmd.mediaUrl(),
        () ->
            client
                .sendAsync(request, BoundedBody.handler(Limits.TRANSPORT_RESPONSE_MAX_BYTES))
                .handle(
                    (resp, err) ->
                        err != null ? HttpResponses.failure(err, timeout) : parse(resp, token)));
  }

  private String version(Map<String, String> config) {
    return config.getOrDefault("api_version", defaultApiVersion);
  }

  private String base(Map<String, String> config) {
    return stripSlash(config.getOrDefault("base_url", defaultBaseUrl));
  }

  private static TransportResponse refused(String reason) {
    return TransportResponse.error(0, TRANSPORT_CONFIG, reason, null);
  }

  ObjectNode body(SendCommand cmd) {
    ObjectNode root = json.createObjectNode();
    root.put("messaging_product", "whatsapp");
    root.put("recipient_type", "individual");
    root.put("to", HttpResponses.digits(cmd.recipient()));
    root.put("biz_opaque_callback_data", cmd.commandId().value());
    if (cmd.sendsTemplate()) {
      root.put("type", "template");
      template(root.putObject("template"), cmd.template());
      return root;
    }
    String text = cmd.text() == null ? "" : cmd.text();
    if (cmd.mediaUrl() == null || cmd.mediaUrl().isBlank()) {
      root.put("type", "text");
      ObjectNode t = root.putObject("text");
      t.put("preview_url", false);
      t.put("body", text);
    } else {
      MediaKind kind = MediaKind.of(cmd.mediaUrl());
      root.put("type", kind.wire);
      ObjectNode media = root.putObject(kind.wire);
      media.put("link", cmd.mediaUrl());
      if (kind != MediaKind.AUDIO && !text.isEmpty()) {
        media.put("caption", HttpResponses.truncate(text, CAPTION_MAX));
      }
      if (kind == MediaKind.DOCUMENT) {
        String name = MediaKind.fileName(cmd.mediaUrl());
        if (name != null) {
          media.put("filename", name);
        }
      }
    }
    return root;
  }

  /** The Cloud API's template object: name, language code, components with their parameters. */
  private static void template(ObjectNode out, MessageTemplate t) {
    out.put("name", t.name());
    out.putObject("language").put("code", t.language());
    if (t.components().isEmpty()) {
      return;
    }
    ArrayNode components = out.putArray("components");
    for (MessageTemplate.Component c : t.components()) {
      ObjectNode component = components.addObject();
      component.put("type", c.type());
      if (c.subType() != null) {
        component.put("sub_type", c.subType());
      }
      if (c.index() != null) {
        component.put("index", Integer.toString(c.index())); // a string, as the API documents
      }
      ArrayNode parameters = component.putArray("parameters");
      for (MessageTemplate.Parameter p : c.parameters()) {
        ObjectNode parameter = parameters.addObject();
        parameter.put("type", p.type());
        switch (p.type()) {
          case "image", "video", "document" -> parameter.putObject(p.type()).put("link", p.link());
          case "payload" -> parameter.put("payload", p.text());
          default -> parameter.put("text", p.text());
        }
      }
    }
  }

  /** The header's media link of a template, checked like a message's media; null when none. */
  static String headerMedia(MessageTemplate t) {
    for (MessageTemplate.Component c : t.components()) {
      if ("header".equals(c.type())) {
        for (MessageTemplate.Parameter p : c.parameters()) {
          if (p.link() != null) {
            return p.link();
          }
        }
      }
    }
    return null;
  }

  @Override
  public boolean sendsTemplates() {
    return true;
  }

  private TransportResponse parse(HttpResponse<byte[]> resp, String token) {
    int status = resp.statusCode();
    JsonNode root = readTree(resp.body());
    if (status >= 200 && status < 300) {
      String id = root == null ? null : root.path("messages").path(0).path("id").asText(null);
      return TransportResponse.accepted(status, id);
    }
    JsonNode error = root == null ? null : root.get("error");
    String code = null;
    String message = null;
    if (error != null && error.isObject()) {
      JsonNode c = error.get("code");
      code = c == null || c.isNull() ? null : c.asText();
      message = error.path("message").asText(null);
    }
    return TransportResponse.error(
        status, code, HttpResponses.errorText(message, token), HttpResponses.retryAfter(resp));
  }

  private JsonNode readTree(byte[] body) {
    if (body == null || body.length == 0) {
      return null;
    }
    try {
      return json.readTree(new String(body, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return null;
    }
  }

  private static CompletableFuture<TransportResponse> done(TransportResponse r) {
    return CompletableFuture.completedFuture(r);
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
