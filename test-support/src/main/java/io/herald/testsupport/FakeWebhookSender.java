package io.herald.testsupport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Plays the WhatsApp Cloud API's side of webhooks against a receiver: builds the bodies Meta sends
 * (message statuses, inbound text messages, {@code phone_number_quality_update}; shapes in {@code
 * WHATSAPP-NOTES.md}, "Webhooks"), signs them ({@code X-Hub-Signature-256}, HMAC-SHA256 of the
 * exact bytes with the app secret) and POSTs them, or performs the subscription handshake. It also
 * behaves like the provider does: it retries until 200, sends a delivery twice, and sends a list of
 * deliveries in a shuffled (seeded) order. Thread-safe; the sibling of {@link FakeWhatsAppApi},
 * which plays the sending side.
 */
public final class FakeWebhookSender {

  public static final String DEFAULT_APP_SECRET = "test-app-secret";
  public static final String DEFAULT_VERIFY_TOKEN = "test-verify-token";

  /** The business account (WABA) id the bodies carry in {@code entry[].id}. */
  public static final String WABA_ID = "102290129340398";

  /** The display number the bodies' {@code metadata} carries. */
  public static final String DISPLAY_PHONE_NUMBER = "15550001234";

  public static final String SIGNATURE_HEADER = "X-Hub-Signature-256";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A message status as the provider reports it. */
  public enum Status {
    SENT,
    DELIVERED,
    READ,
    FAILED;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** One webhook POST body, exactly the bytes that are signed and sent. */
  public record Delivery(String body) {
    public Delivery {
      Objects.requireNonNull(body, "body");
    }

    public byte[] bytes() {
      return body.getBytes(StandardCharsets.UTF_8);
    }
  }

  private final URI endpoint;
  private final String appSecret;
  private final HttpClient http;

  /**
   * @param endpoint the receiver's callback URL, e.g. {@code
   *     http://127.0.0.1:8088/webhooks/whatsapp}
   * @param appSecret the secret bodies are signed with
   */
  public FakeWebhookSender(URI endpoint, String appSecret) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.appSecret = Objects.requireNonNull(appSecret, "appSecret");
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  // ---- bodies ----------------------------------------------------------------------------------

  /** A status change of a message Herald sent ({@code sent}, {@code delivered}, {@code read}). */
  public static Delivery status(
      String phoneNumberId, String wamid, String recipientWaId, Status status, Instant at) {
    return statusBody(phoneNumberId, wamid, recipientWaId, status, at, null);
  }

  /** A {@code failed} status with one error, e.g. {@code 131026 "Message undeliverable"}. */
  public static Delivery failed(
      String phoneNumberId,
      String wamid,
      String recipientWaId,
      Instant at,
      int errorCode,
      String errorTitle) {
    ObjectNode error = JSON.createObjectNode();
    error.put("code", errorCode);
    error.put("title", errorTitle);
    error.put("message", errorTitle);
    error.putObject("error_data").put("details", errorTitle);
    return statusBody(phoneNumberId, wamid, recipientWaId, Status.FAILED, at, error);
  }

  private static Delivery statusBody(
      String phoneNumberId,
      String wamid,
      String recipientWaId,
      Status status,
      Instant at,
      ObjectNode error) {
    ObjectNode value = messagesValue(phoneNumberId);
    ObjectNode s = value.putArray("statuses").addObject();
    s.put("id", wamid);
    s.put("status", status.wire());
    s.put("timestamp", unixSeconds(at));
    s.put("recipient_id", recipientWaId);
    if (error != null) {
      s.putArray("errors").add(error);
    }
    return envelope("messages", value, at);
  }

  /** A text message a contact sent to the business number: opens the 24-hour window. */
  public static Delivery inboundText(
      String phoneNumberId,
      String fromWaId,
      String profileName,
      String wamid,
      String text,
      Instant at) {
    ObjectNode value = messagesValue(phoneNumberId);
    ObjectNode contact = value.putArray("contacts").addObject();
    contact.putObject("profile").put("name", profileName);
    contact.put("wa_id", fromWaId);
    ObjectNode m = value.putArray("messages").addObject();
    m.put("from", fromWaId);
    m.put("id", wamid);
    m.put("timestamp", unixSeconds(at));
    m.put("type", "text");
    m.putObject("text").put("body", text);
    return envelope("messages", value, at);
  }

  /**
   * A quality or messaging-limit change of a business number. Meta names the number by its display
   * number only: such a body has no {@code phone_number_id}.
   *
   * @param event e.g. {@code FLAGGED}, {@code UNFLAGGED}, {@code DOWNGRADE}, {@code UPGRADE}
   * @param currentLimit e.g. {@code TIER_250}, {@code TIER_1K}, {@code TIER_10K}, {@code
   *     TIER_100K}, {@code TIER_UNLIMITED}
   */
  public static Delivery qualityUpdate(
      String displayPhoneNumber, String event, String currentLimit, Instant at) {
    ObjectNode value = JSON.createObjectNode();
    value.put("display_phone_number", displayPhoneNumber);
    value.put("event", event);
    value.put("current_limit", currentLimit);
    return envelope("phone_number_quality_update", value, at);
  }

  private static ObjectNode messagesValue(String phoneNumberId) {
    ObjectNode value = JSON.createObjectNode();
    value.put("messaging_product", "whatsapp");
    ObjectNode metadata = value.putObject("metadata");
    metadata.put("display_phone_number", DISPLAY_PHONE_NUMBER);
    metadata.put("phone_number_id", phoneNumberId);
    return value;
  }

  private static Delivery envelope(String field, ObjectNode value, Instant at) {
    ObjectNode root = JSON.createObjectNode();
    root.put("object", "whatsapp_business_account");
    ArrayNode entries = root.putArray("entry");
    ObjectNode entry = entries.addObject();
    entry.put("id", WABA_ID);
    entry.put("time", at.getEpochSecond());
    ObjectNode change = entry.putArray("changes").addObject();
    change.set("value", value);
    change.put("field", field);
    try {
      return new Delivery(JSON.writeValueAsString(root));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a webhook body", e);
    }
  }

  private static String unixSeconds(Instant at) {
    return Long.toString(at.getEpochSecond());
  }

  /** The deliveries in an order a seeded {@link Random} chose: the provider keeps no order. */
  public static List<Delivery> shuffled(List<Delivery> deliveries, long seed) {
    List<Delivery> out = new ArrayList<>(deliveries);
    Collections.shuffle(out, new Random(seed));
    return out;
  }

  // ---- signing and sending ---------------------------------------------------------------------

  /** {@code sha256=<hex>} of {@code body} with this sender's app secret. */
  public String signature(byte[] body) {
    return signature(body, appSecret);
  }

  /** {@code sha256=<hex>} of {@code body} with {@code secret}: for forging with a wrong one. */
  public static String signature(byte[] body, String secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      StringBuilder hex = new StringBuilder("sha256=");
      for (byte b : mac.doFinal(body)) {
        hex.append(String.format(Locale.ROOT, "%02x", b));
      }
      return hex.toString();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** POSTs {@code delivery} signed, once. */
  public HttpResponse<String> post(Delivery delivery) {
    return post(delivery.bytes(), signature(delivery.bytes()));
  }

  /**
   * POSTs {@code body} with {@code signatureHeader} as given (null: no header), for forged, stale
   * or malformed signatures and for bodies no builder makes.
   */
  public HttpResponse<String> post(byte[] body, String signatureHeader) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(endpoint)
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (signatureHeader != null) {
      b.header(SIGNATURE_HEADER, signatureHeader);
    }
    return send(b.build());
  }

  /**
   * POSTs {@code delivery} until it is answered 200, as the provider retries, at most {@code
   * maxAttempts} times with {@code pause} between; a connection failure counts as an attempt.
   *
   * @return the last answer (200, or what the last attempt got)
   * @throws UncheckedIOException when the last attempt could not connect
   */
  public HttpResponse<String> postUntilOk(Delivery delivery, int maxAttempts, Duration pause) {
    UncheckedIOException lastFailure = null;
    HttpResponse<String> last = null;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        last = post(delivery);
        lastFailure = null;
        if (last.statusCode() == 200) {
          return last;
        }
      } catch (UncheckedIOException e) {
        lastFailure = e;
      }
      if (attempt < maxAttempts) {
        sleep(pause);
      }
    }
    if (lastFailure != null) {
      throw lastFailure;
    }
    return last;
  }

  /** POSTs {@code delivery} twice, as a provider does whose first 200 got lost. */
  public List<HttpResponse<String>> postTwice(Delivery delivery) {
    return List.of(post(delivery), post(delivery));
  }

  /** POSTs each delivery once, in the order given; the answers in the same order. */
  public List<HttpResponse<String>> postAll(List<Delivery> deliveries) {
    List<HttpResponse<String>> out = new ArrayList<>();
    for (Delivery d : deliveries) {
      out.add(post(d));
    }
    return out;
  }

  /** The subscription handshake: {@code GET ?hub.mode=..&hub.verify_token=..&hub.challenge=..}. */
  public HttpResponse<String> verify(String mode, String verifyToken, String challenge) {
    String query =
        "hub.mode="
            + encode(mode)
            + "&hub.verify_token="
            + encode(verifyToken)
            + "&hub.challenge="
            + encode(challenge);
    return send(
        HttpRequest.newBuilder(URI.create(endpoint + "?" + query))
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build());
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Webhook request to " + request.uri() + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while sending a webhook request", e);
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static void sleep(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted between webhook retries", e);
    }
  }
}
