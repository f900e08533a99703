package io.herald.testsupport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.herald.testsupport.FakeWhatsAppApi.Answer;
import io.herald.testsupport.FakeWhatsAppApi.Api;
import java.io.IOException;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fake's wire formats: reading a Cloud API or gateway request body (with the problem the real
 * API would answer 400 for) and writing the success and error bodies each API answers with,
 * including the ids they mint.
 */
final class FakeWhatsAppWire {

  private static final Set<String> CLOUD_MEDIA_TYPES =
      Set.of("image", "document", "video", "audio");

  private final ObjectMapper json = new ObjectMapper();
  private final AtomicLong messageSequence = new AtomicLong();

  /** The body answering {@code reply}: the API's success or error shape, as JSON bytes. */
  byte[] responseBody(HttpExchange exchange, Reply reply) throws IOException {
    Answer answer = reply.answer();
    boolean cloud = reply.api() == Api.CLOUD;
    ObjectNode root;
    if (answer.isSuccess()) {
      root = cloud ? cloudSuccess(reply) : gatewaySuccess(exchange, reply);
    } else {
      root = cloud ? cloudErrorBody(answer) : gatewayErrorBody(answer);
    }
    return json.writeValueAsBytes(root);
  }

  private ObjectNode cloudSuccess(Reply reply) {
    ObjectNode root = json.createObjectNode();
    root.put("messaging_product", "whatsapp");
    ArrayNode contacts = root.putArray("contacts");
    String to = reply.parsed().to();
    contacts.addObject().put("input", to).put("wa_id", to.replaceAll("\\D", ""));
    root.putArray("messages").addObject().put("id", reply.messageId());
    return root;
  }

  private ObjectNode gatewaySuccess(HttpExchange exchange, Reply reply) {
    Parsed parsed = reply.parsed();
    ObjectNode root = json.createObjectNode();
    root.put("id", reply.messageId());
    root.put("timestamp", Instant.now().getEpochSecond());
    root.put("fromMe", true);
    root.put("to", parsed.to());
    root.put("body", parsed.text() != null ? parsed.text() : parsed.caption());
    root.put("hasMedia", !exchange.getRequestURI().getPath().equals("/api/sendText"));
    root.put("ack", 1);
    return root;
  }

  private ObjectNode cloudErrorBody(Answer answer) {
    ObjectNode root = json.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", answer.message());
    error.put("type", "OAuthException");
    error.put("code", answer.errorCode());
    if (answer.errorSubcode() != null) {
      error.put("error_subcode", answer.errorSubcode());
    }
    error
        .putObject("error_data")
        .put("messaging_product", "whatsapp")
        .put("details", answer.message());
    error.put("fbtrace_id", "A" + uniqueId().substring(0, 22));
    return root;
  }

  private ObjectNode gatewayErrorBody(Answer answer) {
    // WAHA is a NestJS application and answers errors in Nest's shape.
    ObjectNode root = json.createObjectNode();
    root.put("statusCode", answer.status());
    root.put("message", answer.message());
    root.put("error", reasonPhrase(answer.status()));
    return root;
  }

  Parsed parseCloud(String body) {
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (JsonProcessingException e) {
      return Parsed.problem("(#100) The request body is not valid JSON");
    }
    if (root == null || !root.isObject()) {
      return Parsed.problem("(#100) The request body is not valid JSON");
    }
    String to = text(root, "to");
    String type = Optional.ofNullable(text(root, "type")).orElse("text");
    String callback = text(root, "biz_opaque_callback_data");
    String bodyText = null;
    String link = null;
    String caption = null;
    String problem = null;
    if (!"whatsapp".equals(text(root, "messaging_product"))) {
      problem = "(#100) The parameter messaging_product is required.";
    } else if (to == null) {
      problem = "(#100) The parameter to is required.";
    } else if ("text".equals(type)) {
      bodyText = text(root.path("text"), "body");
      if (bodyText == null) {
        problem = "(#100) The parameter text['body'] is required.";
      }
    } else if (CLOUD_MEDIA_TYPES.contains(type)) {
      JsonNode media = root.path(type);
      link = text(media, "link");
      caption = text(media, "caption");
      if (link == null && text(media, "id") == null) {
        problem = "(#100) Param " + type + " must have either 'id' or 'link'";
      }
    } else if ("template".equals(type)) {
      bodyText = text(root.path("template"), "name");
      if (bodyText == null) {
        problem = "(#100) The parameter template['name'] is required.";
      }
    } else {
      problem = "(#100) Param type is not a supported message type: " + type;
    }
    return new Parsed(to, type, bodyText, link, caption, callback, problem);
  }

  Parsed parseGateway(String path, String body) {
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (JsonProcessingException e) {
      return Parsed.problem("Unexpected token in JSON");
    }
    if (root == null || !root.isObject()) {
      return Parsed.problem("Unexpected token in JSON");
    }
    String chatId = text(root, "chatId");
    boolean textCall = path.equals("/api/sendText");
    String bodyText = textCall ? text(root, "text") : null;
    String link = textCall ? null : text(root.path("file"), "url");
    String caption = textCall ? null : text(root, "caption");
    String problem = null;
    if (chatId == null) {
      problem = "chatId should not be empty";
    } else if (textCall && bodyText == null) {
      problem = "text should not be empty";
    } else if (!textCall && link == null && text(root.path("file"), "data") == null) {
      problem = "file.url or file.data is required";
    }
    String type = textCall ? "text" : path.substring("/api/send".length()).toLowerCase(Locale.ROOT);
    return new Parsed(chatId, type, bodyText, link, caption, null, problem);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node == null ? null : node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  String uniqueId() {
    return Long.toHexString(messageSequence.incrementAndGet()).toUpperCase(Locale.ROOT)
        + UUID.randomUUID().toString().replace("-", "").toUpperCase(Locale.ROOT);
  }

  private static String reasonPhrase(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      default -> "Error";
    };
  }

  record Parsed(
      String to,
      String type,
      String text,
      String mediaLink,
      String caption,
      String callbackData,
      String problem) {
    static final Parsed EMPTY = new Parsed(null, null, null, null, null, null, null);

    static Parsed problem(String problem) {
      return new Parsed(null, null, null, null, null, null, problem);
    }
  }

  record Reply(Api api, Answer answer, String messageId, Parsed parsed) {}
}
