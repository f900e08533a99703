package io.herald.sender.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.herald.contracts.command.CommandId;
import io.herald.contracts.command.RecipientType;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.ScheduleKind;
import io.herald.sender.delivery.Outcome;
import io.herald.testsupport.FakeWhatsAppApi;
import io.herald.testsupport.FakeWhatsAppApi.Answer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tenant isolation §2 (ADR 0014) over real HTTP on loopback: a device row naming a variable outside
 * the token namespace, a base URL outside the allowlist or a non-public media URL is refused with a
 * reason before anything leaves (the fake API receives nothing, the named variable is never read);
 * allowlisted ones go out; answers are read up to a cap and never carry the token back.
 */
class DeviceReachIT {

  private static final String TOKEN = "tok-7f3a9c2e1b-not-a-real-token";
  private static final String API_KEY = "key-51d0c9a7e4-not-a-real-key";
  private static final String DB_PASSWORD = "db-password-value";

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final OutcomeClassifier classifier = new OutcomeClassifier();
  private final Set<String> variablesRead = ConcurrentHashMap.newKeySet();
  private final Map<String, String> env =
      Map.of(
          "HERALD_TOKEN_ACME",
          TOKEN,
          "HERALD_TOKEN_GW",
          API_KEY,
          "HERALD_SENDER_JDBC_PASSWORD",
          DB_PASSWORD,
          "PGPASSWORD",
          DB_PASSWORD,
          "PATH",
          "/usr/bin");
  private final Function<String, String> lookup =
      name -> {
        variablesRead.add(name);
        return env.get(name);
      };
  private FakeWhatsAppApi fake;
  private FakeWhatsAppApi other;

  @BeforeEach
  void start() {
    fake = FakeWhatsAppApi.start(TOKEN, API_KEY);
    other = FakeWhatsAppApi.start(TOKEN, API_KEY);
  }

  @AfterEach
  void stop() {
    fake.close();
    other.close();
  }

  /** The fake is the operator's default base URL; the media allowlist holds a loopback path. */
  private DeviceReach reach() {
    return ReachFixtures.reach(
        List.of(fake.baseUrl()), // as SenderConfig.endpointAllowlist() adds the defaults
        List.of(fake.baseUrl() + "/media"),
        Map.of("cdn.public.example", "93.184.216.34", "cdn.rebound.example", "127.0.0.1"));
  }

  private WhatsAppCloudTransport cloud() {
    return new WhatsAppCloudTransport(
        http, fake.baseUrl(), "v21.0", Duration.ofSeconds(3), lookup, reach());
  }

  private HttpGatewayTransport gateway() {
    return new HttpGatewayTransport(http, fake.baseUrl(), Duration.ofSeconds(3), lookup, reach());
  }

  private static Map<String, String> cloudRow(String tokenEnv) {
    return Map.of("phone_number_id", "1234", "token_env", tokenEnv);
  }

  private static SendCommand cmd(String media) {
    Instant occ = Instant.parse("2026-01-01T00:00:00Z");
    return new SendCommand(
        1,
        CommandId.of("broadcast:b1", occ, "+628111"),
        "t",
        "d",
        "broadcast:b1",
        ScheduleKind.BROADCAST,
        occ,
        "+628111",
        RecipientType.INDIVIDUAL,
        null,
        "Hi",
        media,
        PacingSpec.none(),
        1,
        null);
  }

  private static TransportResponse get(java.util.concurrent.CompletableFuture<TransportResponse> f)
      throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  /** A permanent failure whose reason contains {@code reasonPart}, and nothing sent anywhere. */
  private void assertRefusedWithoutRequest(TransportResponse r, String code, String reasonPart) {
    assertThat(r.httpStatus()).isZero();
    assertThat(r.errorCode()).isEqualTo(code);
    assertThat(r.errorMessage()).contains(reasonPart).doesNotContain(DB_PASSWORD, TOKEN, API_KEY);
    Outcome o = classifier.classify(r);
    assertThat(o).isInstanceOf(Outcome.Permanent.class);
    assertThat(((Outcome.Permanent) o).reason()).contains(reasonPart);
    assertThat(fake.requestCount()).isZero();
    assertThat(other.requestCount()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"HERALD_SENDER_JDBC_PASSWORD", "PGPASSWORD", "PATH", "WA_TOKEN_ACME"})
  void shouldRefuseWithoutRequestWhenTokenEnvOutsideNamespace(String name) throws Exception {
    TransportResponse r = get(cloud().send(cloudRow(name), cmd(null)));
    assertRefusedWithoutRequest(r, "transport_config", "HERALD_TOKEN_");
    assertThat(variablesRead).isEmpty();
  }

  @Test
  void shouldRefuseWithoutRequestWhenApiKeyEnvOutsideNamespace() throws Exception {
    TransportResponse r =
        get(gateway().send(Map.of("api_key_env", "HERALD_SENDER_JDBC_PASSWORD"), cmd(null)));
    assertRefusedWithoutRequest(r, "transport_config", "api_key_env must name");
    assertThat(variablesRead).isEmpty();
  }

  @Test
  void shouldRefuseWithoutRequestWhenCloudBaseUrlNotAllowlisted() throws Exception {
    Map<String, String> row =
        Map.of(
            "phone_number_id",
            "1234",
            "token_env",
            "HERALD_TOKEN_ACME",
            "base_url",
            other.baseUrl());
    TransportResponse r = get(cloud().send(row, cmd(null)));
    assertRefusedWithoutRequest(r, "transport_config", "HERALD_SENDER_URL_ALLOWLIST");
  }

  @Test
  void shouldRefuseWithoutRequestWhenGatewayBaseUrlNotAllowlistedOrCarriesUserInfo()
      throws Exception {
    TransportResponse r =
        get(
            gateway()
                .send(
                    Map.of("base_url", other.baseUrl(), "api_key_env", "HERALD_TOKEN_GW"),
                    cmd(null)));
    assertRefusedWithoutRequest(r, "transport_config", "HERALD_SENDER_URL_ALLOWLIST");
    String withUser = fake.baseUrl().replace("http://", "http://admin:s3cret@");
    TransportResponse u =
        get(
            gateway()
                .send(Map.of("base_url", withUser, "api_key_env", "HERALD_TOKEN_GW"), cmd(null)));
    assertRefusedWithoutRequest(u, "transport_config", "user info");
    assertThat(u.errorMessage()).doesNotContain("s3cret");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://10.0.0.7/a.png",
        "https://169.254.169.254/latest/meta-data/iam",
        "https://[::1]/a.png",
        "https://cdn.rebound.example/a.png", // a public-looking name that resolves to loopback
        "http://cdn.public.example/a.png", // not https
        "https://localhost/a.png"
      })
  void shouldRefuseWithoutRequestWhenMediaUrlNotPublicHttps(String media) throws Exception {
    TransportResponse cloud = get(cloud().send(cloudRow("HERALD_TOKEN_ACME"), cmd(media)));
    assertRefusedWithoutRequest(cloud, "media_url", "media URL refused");
    TransportResponse gw =
        get(gateway().send(Map.of("api_key_env", "HERALD_TOKEN_GW"), cmd(media)));
    assertRefusedWithoutRequest(gw, "media_url", "media URL refused");
  }

  @Test
  void shouldSendWhenMediaUrlAllowlistedOrPublic() throws Exception {
    String loopbackMedia = fake.baseUrl() + "/media/menu.png";
    TransportResponse r = get(cloud().send(cloudRow("HERALD_TOKEN_ACME"), cmd(loopbackMedia)));
    assertThat(classifier.classify(r)).isInstanceOf(Outcome.Sent.class);
    TransportResponse p =
        get(
            gateway()
                .send(
                    Map.of("api_key_env", "HERALD_TOKEN_GW"),
                    cmd("https://cdn.public.example/a.png")));
    assertThat(classifier.classify(p)).isInstanceOf(Outcome.Sent.class);
    assertThat(fake.requests()).hasSize(2);
    assertThat(fake.requests().get(0).mediaLink()).isEqualTo(loopbackMedia);
    assertThat(fake.requests().get(1).mediaLink()).isEqualTo("https://cdn.public.example/a.png");
    assertThat(variablesRead).containsExactlyInAnyOrder("HERALD_TOKEN_ACME", "HERALD_TOKEN_GW");
  }

  @Test
  void shouldNotLeakTokenWhenApiEchoesItInError() throws Exception {
    fake.enqueue(
        Answer.error(401, 190, "Invalid OAuth access token: " + TOKEN + " (Bearer " + TOKEN + ")"));
    TransportResponse r = get(cloud().send(cloudRow("HERALD_TOKEN_ACME"), cmd(null)));
    assertThat(r.httpStatus()).isEqualTo(401);
    assertThat(r.errorMessage()).startsWith("Invalid OAuth access token: [hidden]");
    Outcome o = classifier.classify(r);
    assertThat(o).isInstanceOf(Outcome.Permanent.class);
    assertThat(o.toString()).doesNotContain(TOKEN);
    assertThat(fake.requestCount()).isEqualTo(1); // it was a real call, answered
  }

  @Test
  void shouldReadAnswerOnlyUpToCapWhenServerSendsEndlessBody() throws Exception {
    AtomicLong written = new AtomicLong();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(400, 0); // chunked, no length
          byte[] chunk = ("{\"error\":{\"message\":\"" + TOKEN + "x".repeat(1000)).getBytes();
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
          try (OutputStream out = exchange.getResponseBody()) {
            while (System.nanoTime() < deadline) {
              out.write(chunk);
              written.addAndGet(chunk.length);
            }
          } catch (IOException closedByClient) {
            // the client stopped reading: what the cap is for
          }
        });
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      WhatsAppCloudTransport t =
          new WhatsAppCloudTransport(
              http, base, "v21.0", Duration.ofSeconds(3), lookup, ReachFixtures.reach(base));
      long started = System.nanoTime();
      TransportResponse r = get(t.send(cloudRow("HERALD_TOKEN_ACME"), cmd(null)));
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
      assertThat(r.httpStatus()).isEqualTo(400);
      assertThat(r.failure()).isEqualTo(TransportResponse.Failure.NONE);
      assertThat(String.valueOf(r.errorMessage())).doesNotContain(TOKEN);
      assertThat(classifier.classify(r)).isInstanceOf(Outcome.Permanent.class);
    } finally {
      server.stop(0);
    }
  }
}
