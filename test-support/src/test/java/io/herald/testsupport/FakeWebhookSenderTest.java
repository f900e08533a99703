package io.herald.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.herald.testsupport.FakeWebhookSender.Delivery;
import io.herald.testsupport.FakeWebhookSender.Status;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FakeWebhookSenderTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant AT = Instant.parse("2026-12-07T09:00:00Z");
  private static final String PNID = "106540352242922";

  private static JsonNode parse(Delivery d) throws Exception {
    return JSON.readTree(d.body());
  }

  /** The one change of a built body, after checking the envelope every body shares. */
  private static JsonNode change(JsonNode root, String field) {
    assertThat(root.path("object").asText()).isEqualTo("whatsapp_business_account");
    assertThat(root.path("entry")).hasSize(1);
    JsonNode entry = root.path("entry").get(0);
    assertThat(entry.path("id").asText()).isEqualTo(FakeWebhookSender.WABA_ID);
    assertThat(entry.path("changes")).hasSize(1);
    JsonNode change = entry.path("changes").get(0);
    assertThat(change.path("field").asText()).isEqualTo(field);
    return change.path("value");
  }

  @Nested
  class Bodies {

    @Test
    void shouldCarryTheStatusWithMetadataWhenAMessageWasDelivered() throws Exception {
      JsonNode value =
          change(
              parse(
                  FakeWebhookSender.status(PNID, "wamid.A", "6281200000001", Status.DELIVERED, AT)),
              "messages");
      assertThat(value.path("messaging_product").asText()).isEqualTo("whatsapp");
      assertThat(value.path("metadata").path("phone_number_id").asText()).isEqualTo(PNID);
      assertThat(value.path("metadata").path("display_phone_number").asText())
          .isEqualTo(FakeWebhookSender.DISPLAY_PHONE_NUMBER);
      assertThat(value.has("messages")).isFalse(); // statuses and messages come in separate changes
      JsonNode s = value.path("statuses").get(0);
      assertThat(s.path("id").asText()).isEqualTo("wamid.A");
      assertThat(s.path("status").asText()).isEqualTo("delivered");
      assertThat(s.path("timestamp").asText()).isEqualTo(Long.toString(AT.getEpochSecond()));
      assertThat(s.path("recipient_id").asText()).isEqualTo("6281200000001");
      assertThat(s.has("errors")).isFalse();
    }

    @Test
    void shouldUseTheWireWordsWhenEachStatusIsBuilt() throws Exception {
      for (Status st : List.of(Status.SENT, Status.DELIVERED, Status.READ)) {
        JsonNode value =
            change(parse(FakeWebhookSender.status(PNID, "w", "1", st, AT)), "messages");
        assertThat(value.path("statuses").get(0).path("status").asText())
            .isIn("sent", "delivered", "read")
            .isEqualTo(st.wire());
      }
    }

    @Test
    void shouldCarryTheErrorWhenAMessageFailed() throws Exception {
      JsonNode s =
          change(
                  parse(
                      FakeWebhookSender.failed(
                          PNID, "wamid.B", "6281200000002", AT, 131026, "Message undeliverable")),
                  "messages")
              .path("statuses")
              .get(0);
      assertThat(s.path("status").asText()).isEqualTo("failed");
      JsonNode error = s.path("errors").get(0);
      assertThat(error.path("code").asInt()).isEqualTo(131026);
      assertThat(error.path("title").asText()).isEqualTo("Message undeliverable");
    }

    @Test
    void shouldCarryTheContactAndTheTextWhenAContactWrites() throws Exception {
      JsonNode value =
          change(
              parse(
                  FakeWebhookSender.inboundText(
                      PNID, "6281200000003", "Ana", "wamid.C", "STOP", AT)),
              "messages");
      assertThat(value.path("metadata").path("phone_number_id").asText()).isEqualTo(PNID);
      JsonNode contact = value.path("contacts").get(0);
      assertThat(contact.path("profile").path("name").asText()).isEqualTo("Ana");
      assertThat(contact.path("wa_id").asText()).isEqualTo("6281200000003");
      JsonNode m = value.path("messages").get(0);
      assertThat(m.path("from").asText()).isEqualTo("6281200000003");
      assertThat(m.path("id").asText()).isEqualTo("wamid.C");
      assertThat(m.path("timestamp").asText()).isEqualTo(Long.toString(AT.getEpochSecond()));
      assertThat(m.path("type").asText()).isEqualTo("text");
      assertThat(m.path("text").path("body").asText()).isEqualTo("STOP");
      assertThat(value.has("statuses")).isFalse();
    }

    @Test
    void shouldNameTheDisplayNumberAndTheLimitWhenTheQualityChanges() throws Exception {
      JsonNode value =
          change(
              parse(
                  FakeWebhookSender.qualityUpdate(
                      FakeWebhookSender.DISPLAY_PHONE_NUMBER, "DOWNGRADE", "TIER_1K", AT)),
              "phone_number_quality_update");
      assertThat(value.path("display_phone_number").asText())
          .isEqualTo(FakeWebhookSender.DISPLAY_PHONE_NUMBER);
      assertThat(value.path("event").asText()).isEqualTo("DOWNGRADE");
      assertThat(value.path("current_limit").asText()).isEqualTo("TIER_1K");
      assertThat(value.has("metadata")).isFalse();
    }

    @Test
    void shouldShuffleTheSameWayWhenTheSeedIsTheSame() {
      List<Delivery> ds =
          List.of(new Delivery("1"), new Delivery("2"), new Delivery("3"), new Delivery("4"));
      List<Delivery> a = FakeWebhookSender.shuffled(ds, 7);
      assertThat(a).containsExactlyInAnyOrderElementsOf(ds);
      assertThat(FakeWebhookSender.shuffled(ds, 7)).isEqualTo(a);
      assertThat(ds).extracting(Delivery::body).containsExactly("1", "2", "3", "4");
    }

    @Test
    void shouldSignTheKnownAnswerWhenTheSecretIsKey() {
      // HMAC-SHA256(key="key", "The quick brown fox jumps over the lazy dog")
      assertThat(
              FakeWebhookSender.signature(
                  "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8),
                  "key"))
          .isEqualTo("sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
    }
  }

  @Nested
  class Sending {
    private HttpServer server;
    private final AtomicInteger answered = new AtomicInteger();
    private final List<String> signatures = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();

    /** A receiver that answers 503 to the first {@code failures} POSTs, then 200. */
    private FakeWebhookSender receiver(int failures) throws Exception {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
      server.createContext(
          "/webhooks/whatsapp",
          ex -> {
            try (ex) {
              bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
              signatures.add(ex.getRequestHeaders().getFirst("X-Hub-Signature-256"));
              int status = answered.incrementAndGet() <= failures ? 503 : 200;
              ex.sendResponseHeaders(status, -1);
            }
          });
      server.start();
      return new FakeWebhookSender(
          URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/webhooks/whatsapp"),
          "secret");
    }

    @AfterEach
    void stop() {
      if (server != null) {
        server.stop(0);
      }
    }

    @Test
    void shouldRetryUntilOkWhenTheReceiverFailsTwice() throws Exception {
      FakeWebhookSender sender = receiver(2);
      Delivery d = FakeWebhookSender.status(PNID, "wamid.D", "1", Status.READ, AT);
      assertThat(sender.postUntilOk(d, 5, Duration.ofMillis(10)).statusCode()).isEqualTo(200);
      assertThat(answered).hasValue(3);
      assertThat(bodies).containsOnly(d.body());
      assertThat(signatures).containsOnly(FakeWebhookSender.signature(d.bytes(), "secret"));
    }

    @Test
    void shouldGiveUpWithTheLastAnswerWhenAttemptsRunOut() throws Exception {
      FakeWebhookSender sender = receiver(10);
      Delivery d = FakeWebhookSender.status(PNID, "wamid.E", "1", Status.SENT, AT);
      assertThat(sender.postUntilOk(d, 2, Duration.ofMillis(1)).statusCode()).isEqualTo(503);
      assertThat(answered).hasValue(2);
    }

    @Test
    void shouldSendTheSameBytesTwiceWhenADeliveryIsRepeated() throws Exception {
      FakeWebhookSender sender = receiver(0);
      Delivery d = FakeWebhookSender.inboundText(PNID, "1", "Ana", "wamid.F", "hi", AT);
      assertThat(sender.postTwice(d)).extracting(r -> r.statusCode()).containsExactly(200, 200);
      assertThat(bodies).containsExactly(d.body(), d.body());
    }

    @Test
    void shouldSendNoSignatureWhenTheHeaderIsNull() throws Exception {
      FakeWebhookSender sender = receiver(0);
      sender.post("{}".getBytes(StandardCharsets.UTF_8), null);
      assertThat(signatures).hasSize(1).containsOnlyNulls();
    }
  }
}
