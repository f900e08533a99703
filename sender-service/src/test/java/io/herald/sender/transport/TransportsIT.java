package io.herald.sender.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.command.RecipientType;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.ScheduleKind;
import io.herald.sender.delivery.Outcome;
import io.herald.testsupport.FakeWhatsAppApi;
import io.herald.testsupport.FakeWhatsAppApi.Answer;
import io.herald.testsupport.FakeWhatsAppApi.Request;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The HTTP adapters against the fake WhatsApp API over real HTTP on loopback (no broker, no DB).
 */
class TransportsIT {

  private static final Map<String, String> ENV =
      Map.of(
          "HERALD_TOKEN_WA",
          FakeWhatsAppApi.DEFAULT_ACCESS_TOKEN,
          "HERALD_TOKEN_GW",
          FakeWhatsAppApi.DEFAULT_API_KEY);
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final OutcomeClassifier classifier = new OutcomeClassifier();
  private FakeWhatsAppApi fake;

  @BeforeEach
  void start() {
    fake = FakeWhatsAppApi.start();
  }

  @AfterEach
  void stop() {
    fake.close();
  }

  private static SendCommand cmd(String recipient, RecipientType type, String text, String media) {
    Instant occ = Instant.parse("2026-01-01T00:00:00Z");
    return new SendCommand(
        1,
        CommandId.of("autopost:x", occ, recipient),
        "t",
        "d",
        "autopost:x",
        ScheduleKind.AUTOPOST,
        occ,
        recipient,
        type,
        null,
        text,
        media,
        PacingSpec.none(),
        1,
        null);
  }

  private static TransportResponse get(CompletableFuture<TransportResponse> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  @Nested
  class Cloud {
    private WhatsAppCloudTransport transport() {
      return transport(ReachFixtures.reach(fake.baseUrl()));
    }

    private WhatsAppCloudTransport transport(DeviceReach reach) {
      return new WhatsAppCloudTransport(
          http, fake.baseUrl(), "v21.0", Duration.ofSeconds(2), ENV::get, reach);
    }

    private final Map<String, String> config =
        Map.of("phone_number_id", "1234", "token_env", "HERALD_TOKEN_WA");

    @Test
    void shouldSendTextWithCommandIdWhenAccepted() throws Exception {
      SendCommand c = cmd("+628111", RecipientType.INDIVIDUAL, "Hi there", null);
      TransportResponse r = get(transport().send(config, c));
      assertThat(classifier.classify(r)).isInstanceOf(Outcome.Sent.class);
      assertThat(r.messageId()).startsWith("wamid.");
      Request req = fake.requests().get(0);
      assertThat(req.path()).isEqualTo("/v21.0/1234/messages");
      assertThat(req.to()).isEqualTo("628111");
      assertThat(req.type()).isEqualTo("text");
      assertThat(req.text()).isEqualTo("Hi there");
      assertThat(req.commandId()).contains(c.commandId().value());
      assertThat(req.header("X-Herald-Command-Id")).contains(c.commandId().value());
      assertThat(req.body())
          .contains("\"biz_opaque_callback_data\":\"" + c.commandId().value() + "\"");
    }

    @Test
    void shouldSendImageAndDocumentWithCaptionWhenMediaGiven() throws Exception {
      get(
          transport()
              .send(
                  config,
                  cmd("+628111", RecipientType.INDIVIDUAL, "Look", "https://x.test/a.jpg")));
      get(
          transport()
              .send(
                  config,
                  cmd("+628112", RecipientType.INDIVIDUAL, "Read", "https://x.test/menu.pdf")));
      Request image = fake.requests().get(0);
      Request doc = fake.requests().get(1);
      assertThat(image.type()).isEqualTo("image");
      assertThat(image.mediaLink()).isEqualTo("https://x.test/a.jpg");
      assertThat(image.caption()).isEqualTo("Look");
      assertThat(doc.type()).isEqualTo("document");
      assertThat(doc.caption()).isEqualTo("Read");
      assertThat(doc.body()).contains("\"filename\":\"menu.pdf\"");
    }

    @Test
    void shouldParseErrorCodeAndRetryAfterWhenRejected() throws Exception {
      fake.enqueue(
          Answer.rateLimited(Duration.ofSeconds(3)),
          Answer.undeliverable(),
          Answer.spamRateLimited());
      SendCommand c = cmd("+628111", RecipientType.INDIVIDUAL, "x", null);
      TransportResponse throttled = get(transport().send(config, c));
      assertThat(throttled.httpStatus()).isEqualTo(429);
      assertThat(throttled.errorCode()).isEqualTo("130429");
      assertThat(throttled.retryAfter()).isEqualTo(Duration.ofSeconds(3));
      assertThat(classifier.classify(get(transport().send(config, c))))
          .isInstanceOf(Outcome.Permanent.class);
      assertThat(classifier.classify(get(transport().send(config, c))))
          .isInstanceOf(Outcome.AccountDanger.class);
    }

    @Test
    void shouldFailPermanentlyWithoutCallWhenTokenVariableMissing() throws Exception {
      TransportResponse r =
          get(
              transport()
                  .send(
                      Map.of("phone_number_id", "1", "token_env", "HERALD_TOKEN_NOPE"),
                      cmd("+628111", RecipientType.INDIVIDUAL, "x", null)));
      assertThat(classifier.classify(r)).isInstanceOf(Outcome.Permanent.class);
      assertThat(fake.requestCount()).isZero();
    }

    @Test
    void shouldFailPermanentlyWithoutCallWhenRecipientIsAGroup() throws Exception {
      // the Cloud API has no groups: a group id must never go out as a phone number
      TransportResponse r =
          get(
              transport()
                  .send(
                      Map.of("phone_number_id", "1", "token_env", "HERALD_TOKEN_WA"),
                      cmd("120363012345@g.us", RecipientType.GROUP, "Daily post", null)));
      assertThat(r.errorCode()).isEqualTo(WhatsAppCloudTransport.NO_GROUPS);
      assertThat(classifier.classify(r)).isInstanceOf(Outcome.Permanent.class);
      assertThat(fake.requestCount()).isZero();
    }

    @Test
    void shouldBeUnknownWhenNoAnswerInTime() throws Exception {
      // the request reached the server: resending could deliver it twice
      fake.enqueue(Answer.ok().withDelay(Duration.ofSeconds(5)));
      TransportResponse r =
          get(transport().send(config, cmd("+628111", RecipientType.INDIVIDUAL, "x", null)));
      assertThat(r.failure()).isEqualTo(TransportResponse.Failure.TIMEOUT);
      assertThat(classifier.classify(r))
          .isEqualTo(new Outcome.Unknown("timeout", "no answer within PT2S", null));
      assertThat(fake.requestCount()).isEqualTo(1);
    }

    @Test
    void shouldBeUnknownWhenConnectionDropsAfterRequestReceived() throws Exception {
      fake.enqueue(Answer.hang());
      CompletableFuture<TransportResponse> call =
          transport().send(config, cmd("+628111", RecipientType.INDIVIDUAL, "x", null));
      await().atMost(Duration.ofSeconds(5)).until(() -> fake.requestCount() == 1);
      fake.close(); // drops the hung connection without an answer
      TransportResponse r = get(call);
      assertThat(r.failure()).isEqualTo(TransportResponse.Failure.CONNECTION_LOST);
      assertThat(classifier.classify(r)).isInstanceOf(Outcome.Unknown.class);
    }

    @Test
    void shouldBeTransientWhenConnectionRefused() throws Exception {
      int closedPort;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        closedPort = s.getLocalPort();
      }
      Map<String, String> refused =
          Map.of(
              "phone_number_id",
              "1234",
              "token_env",
              "HERALD_TOKEN_WA",
              "base_url",
              "http://127.0.0.1:" + closedPort);
      TransportResponse r =
          get(
              transport(ReachFixtures.reach("http://127.0.0.1:" + closedPort))
                  .send(refused, cmd("+628111", RecipientType.INDIVIDUAL, "x", null)));
      assertThat(r.failure()).isEqualTo(TransportResponse.Failure.CONNECTION);
      assertThat(classifier.classify(r))
          .isEqualTo(new Outcome.Transient("connection", "connection refused", null, false));
    }

    @Test
    void shouldBeTransientWhenServerUnavailable() throws Exception {
      fake.enqueue(Answer.serviceUnavailable());
      TransportResponse r =
          get(transport().send(config, cmd("+628111", RecipientType.INDIVIDUAL, "x", null)));
      assertThat(classifier.classify(r)).isInstanceOf(Outcome.Transient.class);
    }
  }

  @Nested
  class Gateway {
    private HttpGatewayTransport transport;

    @BeforeEach
    void create() {
      transport =
          new HttpGatewayTransport(
              http, null, Duration.ofSeconds(2), ENV::get, ReachFixtures.reach(fake.baseUrl()));
    }

    private Map<String, String> config() {
      return Map.of("base_url", fake.baseUrl(), "api_key_env", "HERALD_TOKEN_GW", "session", "s1");
    }

    @Test
    void shouldPostGroupTextWhenRecipientIsGroup() throws Exception {
      SendCommand c = cmd("120363@g.us", RecipientType.GROUP, "Daily post", null);
      TransportResponse r = get(transport.send(config(), c));
      assertThat(classifier.classify(r)).isInstanceOf(Outcome.Sent.class);
      Request req = fake.requests().get(0);
      assertThat(req.path()).isEqualTo("/api/sendText");
      assertThat(req.to()).isEqualTo("120363@g.us");
      assertThat(req.text()).isEqualTo("Daily post");
      assertThat(req.body()).contains("\"session\":\"s1\"");
      assertThat(req.header("X-Herald-Command-Id")).contains(c.commandId().value());
    }

    @Test
    void shouldUseContactChatIdAndImageEndpointWhenPersonWithImage() throws Exception {
      get(
          transport.send(
              config(),
              cmd("+62 811-22", RecipientType.INDIVIDUAL, "cap", "https://x.test/p.png")));
      Request req = fake.requests().get(0);
      assertThat(req.path()).isEqualTo("/api/sendImage");
      assertThat(req.to()).isEqualTo("6281122@c.us");
      assertThat(req.mediaLink()).isEqualTo("https://x.test/p.png");
      assertThat(req.caption()).isEqualTo("cap");
    }

    @Test
    void shouldBeUnknownWhenNoAnswerInTime() throws Exception {
      fake.enqueue(Answer.ok().withDelay(Duration.ofSeconds(5)));
      TransportResponse r =
          get(transport.send(config(), cmd("120363@g.us", RecipientType.GROUP, "x", null)));
      assertThat(r.failure()).isEqualTo(TransportResponse.Failure.TIMEOUT);
      assertThat(classifier.classify(r)).isInstanceOf(Outcome.Unknown.class);
      assertThat(fake.requestCount()).isEqualTo(1);
    }

    @Test
    void shouldFailPermanentlyWhenApiKeyWrong() throws Exception {
      TransportResponse r =
          get(
              new HttpGatewayTransport(
                      http,
                      null,
                      Duration.ofSeconds(2),
                      Map.of("HERALD_TOKEN_GW", "bad")::get,
                      ReachFixtures.reach(fake.baseUrl()))
                  .send(config(), cmd("+628111", RecipientType.INDIVIDUAL, "x", null)));
      assertThat(r.httpStatus()).isEqualTo(401);
      assertThat(classifier.classify(r)).isInstanceOf(Outcome.Permanent.class);
    }
  }

  @Test
  void shouldAnswerAfterLatencyAndFailSeededFractionWhenSimulated() throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      SimulatedTransport sim = new SimulatedTransport(Duration.ofMillis(20), 0.3, 7, timer);
      int failures = 0;
      for (int i = 0; i < 200; i++) {
        TransportResponse r =
            get(sim.send(Map.of(), cmd("+62" + i, RecipientType.INDIVIDUAL, "x", null)));
        if (!(classifier.classify(r) instanceof Outcome.Sent)) {
          failures++;
          assertThat(classifier.classify(r)).isInstanceOf(Outcome.Transient.class);
        }
      }
      assertThat(failures).isBetween(40, 80);
    } finally {
      timer.shutdownNow();
    }
  }
}
