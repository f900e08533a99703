package io.herald.webhook.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.event.WebhookDelivery;
import io.herald.contracts.topic.Topics;
import io.herald.testsupport.FakeWebhookSender;
import io.herald.testsupport.FakeWebhookSender.Delivery;
import io.herald.testsupport.FakeWebhookSender.Status;
import io.herald.testsupport.KafkaTestBroker;
import io.herald.webhook.app.WebhookApp;
import io.herald.webhook.config.WebhookConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The receiver over real loopback HTTP against the in-JVM broker: the handshake, a signed POST that
 * lands on {@code herald.whatsapp-webhooks} with its key and exact body, and every refusal — which
 * must produce nothing and be counted.
 */
class WebhookIT {

  private static final String SECRET = "it-app-secret";
  private static final String VERIFY = "it-verify-token";
  private static final int PARTITIONS = 3;
  private static final String TOPIC = Topics.WHATSAPP_WEBHOOKS.name();

  private static KafkaTestBroker broker;
  private static KafkaConsumer<String, WebhookDelivery> consumer;
  private static List<TopicPartition> partitions;

  private final List<WebhookApp> apps = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private WebhookApp app;
  private FakeWebhookSender provider;

  @BeforeAll
  static void setUpInfra() {
    broker = KafkaTestBroker.shared();
    broker.createTopic(TOPIC, PARTITIONS);
    Map<String, Object> cc = broker.clientConfig();
    cc.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumer =
        new KafkaConsumer<>(
            cc, new StringDeserializer(), Topics.WHATSAPP_WEBHOOKS.valueSerde().deserializer());
    partitions = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      partitions.add(new TopicPartition(TOPIC, p));
    }
    consumer.assign(partitions);
  }

  @AfterAll
  static void tearDownInfra() {
    if (consumer != null) {
      consumer.close();
    }
  }

  @BeforeEach
  void startReceiver() {
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // resolve the lazy seek now, before the test produces
    app = start(env(broker.bootstrapServers()));
    provider = new FakeWebhookSender(endpoint(app), SECRET);
  }

  @AfterEach
  void stopReceivers() {
    apps.forEach(WebhookApp::close);
    apps.clear();
  }

  private static Map<String, String> env(String bootstrap) {
    Map<String, String> env = new HashMap<>();
    env.put("HERALD_WEBHOOK_BOOTSTRAP_SERVERS", bootstrap);
    env.put("HERALD_WEBHOOK_BIND", "127.0.0.1");
    env.put("HERALD_WEBHOOK_PORT", "0");
    env.put("HERALD_WEBHOOK_METRICS_PORT", "0");
    env.put("HERALD_WEBHOOK_MAX_BODY_BYTES", "4096");
    env.put(WebhookConfig.DEFAULT_APP_SECRET_ENV, SECRET);
    env.put(WebhookConfig.DEFAULT_VERIFY_TOKEN_ENV, VERIFY);
    return env;
  }

  private WebhookApp start(Map<String, String> env) {
    WebhookApp a = WebhookApp.start(WebhookConfig.fromEnv(env), Clock.systemUTC());
    apps.add(a);
    return a;
  }

  private static URI endpoint(WebhookApp a) {
    return URI.create("http://127.0.0.1:" + a.port() + "/webhooks/whatsapp");
  }

  private static String phoneNumberId() {
    return Long.toString(Math.abs(UUID.randomUUID().getMostSignificantBits()));
  }

  private double requests(WebhookApp a, String outcome) {
    return a.registry().get("herald.webhook.requests").tag("outcome", outcome).counter().count();
  }

  private Map<TopicPartition, Long> endOffsets() {
    return consumer.endOffsets(partitions);
  }

  /** Records that arrived since the test started, until {@code expected} are there. */
  private List<ConsumerRecord<String, WebhookDelivery>> awaitRecords(int expected) {
    List<ConsumerRecord<String, WebhookDelivery>> out = new ArrayList<>();
    await("records on " + TOPIC)
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              consumer.poll(Duration.ofMillis(200)).forEach(out::add);
              return out.size() >= expected;
            });
    return out;
  }

  @Test
  void shouldEchoTheChallengeWhenTheVerifyTokenIsOurs() {
    HttpResponse<String> ok = provider.verify("subscribe", VERIFY, "1158201444");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("1158201444");
    assertThat(ok.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    assertThat(requests(app, "verify_ok")).isEqualTo(1.0);
  }

  @Test
  void shouldRefuseTheHandshakeWhenTheVerifyTokenIsWrong() {
    HttpResponse<String> refused = provider.verify("subscribe", "not-ours", "1158201444");
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.body()).doesNotContain("1158201444");
    assertThat(requests(app, "verify_refused")).isEqualTo(1.0);
  }

  @Test
  void shouldProduceTheExactBodyKeyedByPhoneNumberIdWhenTheSignatureIsRight() {
    String pnid = phoneNumberId();
    Instant before = Instant.now();
    Delivery d =
        FakeWebhookSender.failed(
            pnid, "wamid.X1", "6281200000001", before, 131026, "Undeliverable");

    HttpResponse<String> r = provider.post(d);

    assertThat(r.statusCode()).isEqualTo(200);
    List<ConsumerRecord<String, WebhookDelivery>> records = awaitRecords(1);
    assertThat(records).hasSize(1);
    ConsumerRecord<String, WebhookDelivery> rec = records.get(0);
    assertThat(rec.key()).isEqualTo(pnid);
    assertThat(rec.value().schemaVersion()).isEqualTo(WebhookDelivery.SCHEMA_VERSION);
    assertThat(rec.value().phoneNumberId()).isEqualTo(pnid);
    assertThat(rec.value().body()).isEqualTo(d.body());
    assertThat(rec.value().receivedAt()).isBetween(before.minusSeconds(1), Instant.now());
    assertThat(requests(app, "accepted")).isEqualTo(1.0);
    assertThat(app.registry().get("herald.webhook.accepted.bytes").counter().count())
        .isEqualTo(d.bytes().length);
    assertThat(app.registry().get("herald.webhook.produce.latency").timer().count()).isEqualTo(1);
  }

  @Test
  void shouldKeepEveryDeliveryWhenTheProviderRepeatsAndReorders() {
    String pnid = phoneNumberId();
    Instant at = Instant.now();
    List<Delivery> ds =
        FakeWebhookSender.shuffled(
            List.of(
                FakeWebhookSender.status(pnid, "wamid.R", "1", Status.SENT, at),
                FakeWebhookSender.status(pnid, "wamid.R", "1", Status.READ, at),
                FakeWebhookSender.inboundText(pnid, "1", "Ana", "wamid.I", "halo", at)),
            42);
    assertThat(provider.postAll(ds)).allMatch(r -> r.statusCode() == 200);
    assertThat(provider.postTwice(ds.get(0))).allMatch(r -> r.statusCode() == 200);

    List<ConsumerRecord<String, WebhookDelivery>> records = awaitRecords(5);
    assertThat(records).extracting(ConsumerRecord::key).containsOnly(pnid);
    // one key, one partition: the topic keeps the order the receiver accepted them in
    assertThat(records)
        .extracting(rec -> rec.value().body())
        .containsExactly(
            ds.get(0).body(),
            ds.get(1).body(),
            ds.get(2).body(),
            ds.get(0).body(),
            ds.get(0).body());
  }

  @Test
  void shouldProduceWithoutKeyWhenTheBodyNamesNoPhoneNumberId() {
    Delivery d =
        FakeWebhookSender.qualityUpdate("15550001234", "DOWNGRADE", "TIER_1K", Instant.now());
    assertThat(provider.post(d).statusCode()).isEqualTo(200);
    ConsumerRecord<String, WebhookDelivery> rec = awaitRecords(1).get(0);
    assertThat(rec.key()).isNull();
    assertThat(rec.value().body()).isEqualTo(d.body());
  }

  @Test
  void shouldRefuseAndProduceNothingWhenTheSignatureIsForgedOrMissing() {
    Map<TopicPartition, Long> ends = endOffsets();
    Delivery d =
        FakeWebhookSender.status(phoneNumberId(), "wamid.F", "1", Status.READ, Instant.now());

    HttpResponse<String> forged =
        provider.post(d.bytes(), FakeWebhookSender.signature(d.bytes(), "wrong-secret"));
    HttpResponse<String> missing = provider.post(d.bytes(), null);
    HttpResponse<String> malformed = provider.post(d.bytes(), "sha256=xyz");

    assertThat(List.of(forged, missing, malformed)).allMatch(r -> r.statusCode() == 401);
    assertThat(requests(app, "bad_signature")).isEqualTo(3.0);
    assertThat(requests(app, "accepted")).isZero();
    // the answer comes after the produce would have been acknowledged: nothing more will come
    assertThat(endOffsets()).isEqualTo(ends);
  }

  @Test
  void shouldAnswer413AndProduceNothingWhenTheBodyIsOverTheBound() {
    Map<TopicPartition, Long> ends = endOffsets();
    byte[] big = ("{\"pad\":\"" + "x".repeat(5000) + "\"}").getBytes(StandardCharsets.UTF_8);

    HttpResponse<String> r = provider.post(big, provider.signature(big));

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(requests(app, "too_large")).isEqualTo(1.0);
    assertThat(endOffsets()).isEqualTo(ends);
  }

  @Test
  void shouldAnswer400WhenASignedBodyIsNotAJsonObject() {
    byte[] array = "[1,2]".getBytes(StandardCharsets.UTF_8);
    assertThat(provider.post(array, provider.signature(array)).statusCode()).isEqualTo(400);
    assertThat(requests(app, "bad_request")).isEqualTo(1.0);
  }

  @Test
  void shouldAnswer405And404WhenMethodOrPathIsOther() throws Exception {
    HttpResponse<String> put =
        http.send(
            HttpRequest.newBuilder(endpoint(app))
                .PUT(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> other =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> below =
        http.send(
            HttpRequest.newBuilder(URI.create(endpoint(app) + "/x")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).isEqualTo(405);
    assertThat(put.headers().firstValue("Allow")).hasValue("GET, POST");
    assertThat(other.statusCode()).isEqualTo(404);
    assertThat(below.statusCode()).isEqualTo(404);
  }

  @Test
  void shouldAnswer503WhenTheBrokerIsUnreachable() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Map<String, String> env = env("127.0.0.1:" + closedPort);
    env.put("HERALD_WEBHOOK_PRODUCE_TIMEOUT", "PT1S");
    WebhookApp down = start(env);
    FakeWebhookSender toDown = new FakeWebhookSender(endpoint(down), SECRET);
    Delivery d =
        FakeWebhookSender.status(phoneNumberId(), "wamid.D", "1", Status.SENT, Instant.now());

    long started = System.nanoTime();
    HttpResponse<String> r = toDown.post(d);

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    assertThat(requests(down, "produce_failed")).isEqualTo(1.0);
    assertThat(requests(down, "accepted")).isZero();
  }

  @Test
  void shouldAnswer503WhenTheBrokerStopsAfterAccepting() {
    String pnid = phoneNumberId();
    Delivery first = FakeWebhookSender.status(pnid, "wamid.S1", "1", Status.SENT, Instant.now());
    Delivery second = FakeWebhookSender.status(pnid, "wamid.S1", "1", Status.READ, Instant.now());
    WebhookApp alone;
    try (KafkaTestBroker own = KafkaTestBroker.startPrivate()) {
      own.createTopic(TOPIC, 1);
      Map<String, String> env = env(own.bootstrapServers());
      env.put("HERALD_WEBHOOK_PRODUCE_TIMEOUT", "PT1S");
      alone = start(env);
      FakeWebhookSender toAlone = new FakeWebhookSender(endpoint(alone), SECRET);
      assertThat(toAlone.post(first).statusCode()).isEqualTo(200);
      own.close();

      // metadata is cached now: the record waits in the producer until the answer's deadline
      HttpResponse<String> r = toAlone.post(second);

      assertThat(r.statusCode()).isEqualTo(503);
    }
    assertThat(requests(alone, "accepted")).isEqualTo(1.0);
    assertThat(requests(alone, "produce_failed")).isEqualTo(1.0);
  }

  @Test
  void shouldExportTheCountersAndBeReadyWhenScraped() throws Exception {
    provider.verify("subscribe", "wrong", "1");
    String base = "http://127.0.0.1:" + app.adminPort();
    HttpResponse<String> metrics =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> ready =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(ready.statusCode()).isEqualTo(200);
    String lines =
        metrics
            .body()
            .lines()
            .filter(l -> l.startsWith("herald_webhook_"))
            .collect(Collectors.joining("\n"));
    assertThat(lines)
        .contains(
            "herald_webhook_requests_total{outcome=\"verify_refused\",service=\"webhook\"} 1.0")
        .contains("herald_webhook_requests_total{outcome=\"accepted\",service=\"webhook\"} 0.0")
        .contains("herald_webhook_accepted_bytes_total{service=\"webhook\"}")
        .contains("herald_webhook_produce_latency_seconds_count{service=\"webhook\"}")
        .doesNotContain(SECRET)
        .doesNotContain(VERIFY);
  }
}
