package io.herald.webhook.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.event.WebhookDelivery;
import io.herald.webhook.check.SignatureCheck;
import io.herald.webhook.check.VerifyHandshake;
import io.herald.webhook.metrics.WebhookMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The handler over loopback HTTP with a scripted publisher instead of Kafka: the paths the IT does
 * not reach (a body without Content-Length, the publisher's refusal) and the answer to each.
 */
class WebhookHandlerTest {

  private static final String SECRET = "unit-secret";
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

  private final List<WebhookDelivery> published = new CopyOnWriteArrayList<>();
  private final AtomicBoolean acknowledge = new AtomicBoolean(true);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final SignatureCheck signature = new SignatureCheck(SECRET);
  private final HttpClient http = HttpClient.newHttpClient();
  private WebhookServer server;
  private URI endpoint;

  @BeforeEach
  void start() {
    WebhookHandler handler =
        new WebhookHandler(
            signature,
            new VerifyHandshake("token"),
            (delivery, timeout) -> {
              published.add(delivery);
              return acknowledge.get();
            },
            new WebhookMetrics(registry),
            1024,
            Duration.ofSeconds(1),
            Clock.fixed(NOW, ZoneOffset.UTC));
    server =
        new WebhookServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 2, handler)
            .start();
    endpoint = URI.create("http://127.0.0.1:" + server.port() + WebhookHandler.PATH);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private double count(String outcome) {
    return registry.get("herald.webhook.requests").tag("outcome", outcome).counter().count();
  }

  /** POSTs without a Content-Length (chunked), as a proxy may forward a body. */
  private HttpResponse<String> postChunked(byte[] body, String sig) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(endpoint)
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
    if (sig != null) {
      b.header(SignatureCheck.HEADER, sig);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldPublishTheExactBodyAtTheClocksInstantWhenChunkedAndSigned() throws Exception {
    byte[] body =
        "{\"entry\":[{\"changes\":[{\"value\":{\"metadata\":{\"phone_number_id\":\"55\"}}}]}]}"
            .getBytes(StandardCharsets.UTF_8);

    HttpResponse<String> r = postChunked(body, signature.header(body));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(published)
        .containsExactly(
            new WebhookDelivery(
                WebhookDelivery.SCHEMA_VERSION,
                NOW,
                "55",
                new String(body, StandardCharsets.UTF_8)));
    assertThat(count("accepted")).isEqualTo(1.0);
  }

  @Test
  void shouldAnswer413WithoutPublishingWhenAChunkedBodyPassesTheBound() throws Exception {
    byte[] body = ("{\"pad\":\"" + "x".repeat(1100) + "\"}").getBytes(StandardCharsets.UTF_8);

    HttpResponse<String> r = postChunked(body, signature.header(body));

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(published).isEmpty();
    assertThat(count("too_large")).isEqualTo(1.0);
  }

  @Test
  void shouldAcceptABodyOfExactlyTheBoundWhenSigned() throws Exception {
    String prefix = "{\"pad\":\"";
    String suffix = "\"}";
    byte[] body =
        (prefix + "x".repeat(1024 - prefix.length() - suffix.length()) + suffix)
            .getBytes(StandardCharsets.UTF_8);
    assertThat(body).hasSize(1024);
    assertThat(postChunked(body, signature.header(body)).statusCode()).isEqualTo(200);
  }

  @Test
  void shouldAnswer503AndCountItWhenThePublisherGetsNoAcknowledgement() throws Exception {
    acknowledge.set(false);
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);

    HttpResponse<String> r = postChunked(body, signature.header(body));

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(published).hasSize(1);
    assertThat(count("produce_failed")).isEqualTo(1.0);
    assertThat(count("accepted")).isZero();
    assertThat(registry.get("herald.webhook.accepted.bytes").counter().count()).isZero();
  }

  @Test
  void shouldCheckTheSignatureBeforeParsingWhenTheBodyIsNotJson() throws Exception {
    byte[] body = "not json".getBytes(StandardCharsets.UTF_8);

    assertThat(postChunked(body, "sha256=" + "0".repeat(64)).statusCode()).isEqualTo(401);
    assertThat(count("bad_signature")).isEqualTo(1.0);
    assertThat(count("bad_request")).isZero();
  }

  @Test
  void shouldAnswer405WhenTheMethodIsHead() throws Exception {
    HttpResponse<Void> r =
        http.send(
            HttpRequest.newBuilder(endpoint)
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.discarding());
    assertThat(r.statusCode()).isEqualTo(405);
  }
}
