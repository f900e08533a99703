package io.herald.console.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.console.app.ConsoleApp;
import io.herald.console.app.ConsoleConfig;
import io.herald.contracts.topic.DeadLetters;
import io.herald.testsupport.KafkaTestBroker;
import io.herald.testsupport.PostgresTestDatabase;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console over real HTTP against a real PostgreSQL (Herald's migrations) and the in-JVM broker:
 * rows and records written here as Herald's services would write them, then read back through the
 * pages — numbers, scoping, the resume and the replay, and every refusal.
 */
class ConsoleIT {

  static final String ORIGINAL = "console-it.commands";
  static final String DLQ = ORIGINAL + ".dlq";
  static final String GROUP = "console-it-group";
  static final String OPERATOR_TOKEN = "op-" + "o".repeat(40);
  static final String TENANT_TOKEN = "tenant-" + "t".repeat(40);
  static final String PHONE = "+6281234567812";

  @TempDir static Path dir;

  static PostgresTestDatabase db;
  static KafkaTestBroker broker;
  static ConsoleApp app;
  static Seed seed;
  static Instant now;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    db = PostgresTestDatabase.shared();
    broker = KafkaTestBroker.shared();
    db.truncateAll();
    broker.createTopic(ORIGINAL, 1);
    broker.createTopic(DLQ, 1);
    // a fixed clock: "today" and "the next hour" mean the same to the rows and to the pages
    now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    seed = Seed.write(db, now);
    produceOriginalsAndCommit();
    Path tokens = dir.resolve("tokens");
    Files.writeString(
        tokens,
        "# it\noperator:*:" + OPERATOR_TOKEN + "\ntenant-a:" + Seed.TENANT_A + ":" + TENANT_TOKEN);
    Map<String, String> env = new HashMap<>();
    env.put("HERALD_CONSOLE_ENABLED", "true");
    env.put("HERALD_CONSOLE_PORT", "0");
    env.put("HERALD_CONSOLE_METRICS_PORT", "0");
    env.put("HERALD_CONSOLE_TOKENS_FILE", tokens.toString());
    env.put("HERALD_CONSOLE_BOOTSTRAP_SERVERS", broker.bootstrapServers());
    env.put("HERALD_CONSOLE_JDBC_URL", db.jdbcUrl());
    env.put("HERALD_CONSOLE_JDBC_USER", db.user());
    env.put("HERALD_CONSOLE_JDBC_PASSWORD", db.password() == null ? "" : db.password());
    env.put("HERALD_CONSOLE_CONSUMER_GROUPS", GROUP);
    app = ConsoleApp.start(ConsoleConfig.fromEnv(env), Clock.fixed(now, ZoneOffset.UTC));
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  // ---- overview ----

  @Test
  void overviewNumbersAreWhatTheRowsSay() throws Exception {
    DeadLetter.produce(broker, DLQ, "{\"n\":1}".getBytes(), null, now.minus(Duration.ofHours(2)));
    DeadLetter.produce(broker, DLQ, "{\"n\":2}".getBytes(), null, now.minus(Duration.ofDays(2)));
    Session op = Session.login(base(), OPERATOR_TOKEN);
    String page = op.get("/").body();

    Map<String, String> expected = Seed.expectedOverview(db, now, null);
    // the seed is built so that none of these is a trivial zero
    assertThat(expected)
        .containsEntry("active-definitions", "4")
        .containsEntry("due-next-hour", "2")
        .containsEntry("sent-today", "3")
        .containsEntry("failed-today", "1")
        .containsEntry("skipped-today", "2")
        .containsEntry("unknown-today", "1")
        .containsEntry("avg-queue-time-ms", "2000")
        .containsEntry("avg-send-time-ms", "500");
    // device A may have been resumed by another test already; B stays paused
    assertThat(Long.parseLong(expected.get("devices-paused"))).isGreaterThanOrEqualTo(1);
    expected.forEach((key, value) -> assertThat(metric(page, key)).as(key).isEqualTo(value));

    long dlqIn24h = DeadLetter.countSince(broker, now.minus(Duration.ofHours(24)));
    assertThat(dlqIn24h).isGreaterThanOrEqualTo(1);
    assertThat(metric(page, "dead-letters-24h")).isEqualTo(Long.toString(dlqIn24h));
    long lag = lagOf(GROUP);
    assertThat(lag).isGreaterThan(0);
    assertThat(metric(page, "consumer-lag")).isEqualTo(Long.toString(lag));
  }

  @Test
  void aTenantsOverviewCountsOnlyItsRows() throws Exception {
    String page = Session.login(base(), TENANT_TOKEN).get("/").body();
    Map<String, String> expected = Seed.expectedOverview(db, now, Seed.TENANT_A);
    // its recurring message and its auto-post; of today's deliveries its 2 sent
    assertThat(expected).containsEntry("active-definitions", "2").containsEntry("sent-today", "2");
    expected.forEach((key, value) -> assertThat(metric(page, key)).as(key).isEqualTo(value));
    assertThat(page).doesNotContain("data-metric=\"dead-letters-24h\"");
  }

  // ---- definitions ----

  @Test
  void aBroadcastsPageShowsItsSkipReasons() throws Exception {
    String page =
        Session.login(base(), OPERATOR_TOKEN).get("/definitions/" + Seed.BROADCAST_A).body();
    assertThat(page).contains("id=\"rule\">once at ");
    assertThat(reason(page, "opted_out")).isEqualTo("2");
    assertThat(reason(page, "invalid_recipient")).isEqualTo("1");
    assertThat(page).contains("data-outcome=\"sent\">5<");
  }

  @Test
  void aRecurringPageShowsRuleNextOccurrencesAndHistoryWithReasonsSummed() throws Exception {
    Session op = Session.login(base(), OPERATOR_TOKEN);
    String page = op.get("/definitions/" + Seed.RECURRING_A).body();
    assertThat(page).contains("id=\"rule\">").contains("Asia/Jakarta");
    assertThat(count(page, "<li>\\d{4}-\\d{2}-\\d{2} ")).isEqualTo(5);
    assertThat(count(page, "<tr data-occurrence=")).isEqualTo(2);
    // summed over both occurrences in #skip-reasons: 3 + 1 opted out, 2 not tenant contacts
    String summed = page.substring(page.indexOf("id=\"skip-reasons\""));
    assertThat(reason(summed, "opted_out")).isEqualTo("4");
    assertThat(reason(summed, "not_tenant_contact")).isEqualTo("2");
    String list = op.get("/definitions?kind=recurring").body();
    assertThat(list)
        .contains("data-definition-id=\"" + Seed.RECURRING_A + "\"")
        .contains("data-definition-id=\"" + Seed.RECURRING_B + "\"")
        .doesNotContain("data-definition-id=\"" + Seed.BROADCAST_A + "\"");
  }

  // ---- tenant scoping ----

  @Test
  void aTenantSessionCannotReachAnotherTenantsRows() throws Exception {
    Session tenant = Session.login(base(), TENANT_TOKEN);
    HttpResponse<String> other = tenant.get("/definitions/" + Seed.RECURRING_B);
    HttpResponse<String> missing = tenant.get("/definitions/" + java.util.UUID.randomUUID());
    assertThat(other.statusCode()).isEqualTo(404);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(other.body())
        .doesNotContain(Seed.RECURRING_B.toString())
        .doesNotContain("nightly-b");
    assertThat(tenant.get("/definitions/" + Seed.RECURRING_A).statusCode()).isEqualTo(200);

    assertThat(tenant.get("/devices/" + Seed.DEVICE_B + "/resume").statusCode()).isEqualTo(404);
    HttpResponse<String> post =
        tenant.post("/devices/" + Seed.DEVICE_B + "/resume", Map.of("confirm", "yes"));
    assertThat(post.statusCode()).isEqualTo(404);
    assertThat(Seed.deviceStatus(db, Seed.DEVICE_B)).isEqualTo("paused");

    String list = tenant.get("/definitions?tenant=" + Seed.TENANT_B).body();
    assertThat(list)
        .contains("data-definition-id=\"" + Seed.RECURRING_A + "\"")
        .doesNotContain(Seed.RECURRING_B.toString());
    assertThat(tenant.get("/devices").body())
        .contains(Seed.DEVICE_A.toString())
        .doesNotContain(Seed.DEVICE_B.toString());
    assertThat(tenant.get("/dead-letters").statusCode()).isEqualTo(403);
  }

  // ---- resume ----

  @Test
  void resumeNeedsTheConfirmationAndIsAudited() throws Exception {
    Session op = Session.login(base(), OPERATOR_TOKEN);
    assertThat(op.get("/devices").body())
        .contains("href=\"/devices/" + Seed.DEVICE_A + "/resume\"");
    String confirm = op.get("/devices/" + Seed.DEVICE_A + "/resume").body();
    assertThat(confirm).contains("id=\"resume-confirm\"").contains("account&#39;s standing");

    HttpResponse<String> refused = op.post("/devices/" + Seed.DEVICE_A + "/resume", Map.of());
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).contains("Not resumed");
    assertThat(Seed.deviceStatus(db, Seed.DEVICE_A)).isEqualTo("paused");

    HttpResponse<String> done =
        op.post("/devices/" + Seed.DEVICE_A + "/resume", Map.of("confirm", "yes"));
    assertThat(done.statusCode()).isEqualTo(303);
    assertThat(done.headers().firstValue("Location")).contains("/devices");
    try (Connection c = db.connection();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT status, paused_reason, updated_at FROM devices WHERE id = '"
                    + Seed.DEVICE_A
                    + "'")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("active");
      assertThat(rs.getString(2)).isNull();
      assertThat(rs.getTimestamp(3).toInstant()).isAfter(Seed.UPDATED_AT);
    }
    assertThat(audit("resume-device", Seed.DEVICE_A.toString())).containsExactly("operator");
    assertThat(op.get("/devices").body()).contains("id=\"flash\"").contains("resumed");
  }

  // ---- dead letters ----

  @Test
  void aDeadLetterIsShownMaskedAndReplaysExactlyOnce() throws Exception {
    byte[] value = ("{\"recipient\":\"" + PHONE + "\",\"text\":\"hello\"}").getBytes();
    RecordMetadata m = DeadLetter.produce(broker, DLQ, value, null, now);
    String id = DLQ + "/" + m.partition() + "/" + m.offset();
    Session op = Session.login(base(), OPERATOR_TOKEN);

    assertThat(op.get("/dead-letters").body()).contains("data-dead-letter=\"" + id + "\"");
    String page = op.get("/dead-letters/" + id).body();
    String payload = page.substring(page.indexOf("id=\"payload\""), page.indexOf("</pre>"));
    assertThat(payload).contains("+62•••••••••12").contains("hello");
    assertThat(page).doesNotContain(PHONE).doesNotContain("81234567");
    assertThat(page).contains("id=\"replay\"");

    long before = endOffset(ORIGINAL);
    // twice, at once: the second waits on the first's guard row and then sends nothing
    CompletableFuture<HttpResponse<String>> a = op.postAsync("/dead-letters/" + id + "/replay");
    CompletableFuture<HttpResponse<String>> b = op.postAsync("/dead-letters/" + id + "/replay");
    assertThat(a.join().statusCode()).isEqualTo(303);
    assertThat(b.join().statusCode()).isEqualTo(303);
    assertThat(op.post("/dead-letters/" + id + "/replay", Map.of()).statusCode()).isEqualTo(303);

    assertThat(endOffset(ORIGINAL) - before).isEqualTo(1);
    ConsumerRecord<byte[], byte[]> replayed = DeadLetter.read(broker, ORIGINAL, before);
    assertThat(replayed.value()).isEqualTo(value);
    assertThat(new String(replayed.headers().lastHeader("trace").value())).isEqualTo("t-1");
    for (Header h : replayed.headers()) {
      assertThat(h.key()).doesNotStartWith("herald.dlq.");
    }
    String after = op.get("/dead-letters/" + id).body();
    assertThat(after).contains("id=\"replayed\"").contains("by operator");
    assertThat(after).doesNotContain("id=\"replay\"");
    assertThat(audit("replay-dead-letter", id)).containsExactly("operator");
  }

  @Test
  void aTruncatedDeadLetterIsNotReplayed() throws Exception {
    RecordMetadata m = DeadLetter.produce(broker, DLQ, "{\"cut".getBytes(), "9000000", now);
    String id = DLQ + "/" + m.partition() + "/" + m.offset();
    Session op = Session.login(base(), OPERATOR_TOKEN);
    assertThat(op.get("/dead-letters/" + id).body()).contains("id=\"not-replayable\"");
    long before = endOffset(ORIGINAL);
    HttpResponse<String> r = op.post("/dead-letters/" + id + "/replay", Map.of());
    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(r.body()).contains("cannot be replayed");
    assertThat(endOffset(ORIGINAL)).isEqualTo(before);
  }

  // ---- access ----

  @Test
  void strangersAreSentToTheLoginPage() throws Exception {
    for (String path : List.of("/", "/definitions", "/devices", "/dead-letters", "/audit")) {
      HttpResponse<String> r = send(HttpRequest.newBuilder(base().resolve(path)).GET());
      assertThat(r.statusCode()).as(path).isEqualTo(303);
      assertThat(r.headers().firstValue("Location")).as(path).contains("/login");
    }
    HttpResponse<String> wrong =
        send(
            HttpRequest.newBuilder(base().resolve("/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + "x".repeat(40))));
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();
    assertThat(send(HttpRequest.newBuilder(base().resolve("/health")).GET()).statusCode())
        .isEqualTo(200);
  }

  @Test
  void aPostWithoutTheCsrfTokenIsRefused() throws Exception {
    Session op = Session.login(base(), OPERATOR_TOKEN);
    HttpResponse<String> r = op.postRaw("/devices/" + Seed.DEVICE_B + "/resume", "confirm=yes");
    assertThat(r.statusCode()).isEqualTo(403);
    HttpResponse<String> forged =
        op.postRaw("/devices/" + Seed.DEVICE_B + "/resume", "confirm=yes&csrf=forged");
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(Seed.deviceStatus(db, Seed.DEVICE_B)).isEqualTo("paused");
  }

  @Test
  void everyPageCarriesTheSecurityHeaders() throws Exception {
    HttpResponse<String> r = Session.login(base(), OPERATOR_TOKEN).get("/devices");
    assertThat(r.headers().firstValue("Content-Security-Policy"))
        .contains(
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self';"
                + " frame-ancestors 'none'");
    assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
    HttpResponse<String> bearer =
        send(
            HttpRequest.newBuilder(base().resolve("/devices"))
                .header("Authorization", "Bearer " + OPERATOR_TOKEN)
                .GET());
    assertThat(bearer.statusCode()).isEqualTo(200);
    assertThat(bearer.body()).contains("data-device-id=\"" + Seed.DEVICE_B + "\"");
  }

  // ---- helpers ----

  static URI base() {
    return URI.create(app.url());
  }

  static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String metric(String page, String key) {
    Matcher m = Pattern.compile("data-metric=\"" + key + "\">([^<]*)<").matcher(page);
    assertThat(m.find()).as("metric " + key).isTrue();
    return m.group(1);
  }

  static String reason(String page, String reason) {
    Matcher m = Pattern.compile("data-skip-reason=\"" + reason + "\">([^<]*)<").matcher(page);
    assertThat(m.find()).as("skip reason " + reason).isTrue();
    return m.group(1);
  }

  static int count(String page, String regex) {
    Matcher m = Pattern.compile(regex).matcher(page);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  static List<String> audit(String action, String target) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = db.connection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT principal FROM console_audit WHERE action = ? AND target = ?")) {
      ps.setString(1, action);
      ps.setString(2, target);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  static void produceOriginalsAndCommit() throws Exception {
    try (KafkaProducer<byte[], byte[]> p =
        new KafkaProducer<>(
            broker.clientConfig(), new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < 3; i++) {
        p.send(new ProducerRecord<>(ORIGINAL, ("k" + i).getBytes(), ("v" + i).getBytes())).get();
      }
    }
    Map<String, Object> cc = broker.clientConfig();
    cc.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(cc, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.commitSync(Map.of(new TopicPartition(ORIGINAL, 0), new OffsetAndMetadata(1)));
    }
  }

  static long endOffset(String topic) {
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(
            broker.clientConfig(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      return c.endOffsets(List.of(tp)).get(tp);
    }
  }

  static long lagOf(String group) {
    Map<String, Object> cc = broker.clientConfig();
    cc.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(cc, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(ORIGINAL, 0);
      OffsetAndMetadata committed = c.committed(java.util.Set.of(tp)).get(tp);
      return c.endOffsets(List.of(tp)).get(tp) - committed.offset();
    }
  }

  /** A dead letter as Herald's services write one (contracts' {@link DeadLetters} headers). */
  static final class DeadLetter {
    static RecordMetadata produce(
        KafkaTestBroker broker, String dlq, byte[] value, String originalBytes, Instant at)
        throws Exception {
      RecordHeaders headers =
          DeadLetters.headers(
              new Header[] {new RecordHeader("trace", "t-1".getBytes())},
              ORIGINAL,
              0,
              7,
              "cannot read the command",
              null);
      if (originalBytes != null) {
        headers.add(DeadLetters.HEADER_ORIGINAL_BYTES, originalBytes.getBytes());
      }
      try (KafkaProducer<byte[], byte[]> p =
          new KafkaProducer<>(
              broker.clientConfig(), new ByteArraySerializer(), new ByteArraySerializer())) {
        return p.send(
                new ProducerRecord<>(dlq, 0, at.toEpochMilli(), "key-1".getBytes(), value, headers))
            .get();
      }
    }

    static long countSince(KafkaTestBroker broker, Instant since) {
      long n = 0;
      try (KafkaConsumer<byte[], byte[]> c =
          new KafkaConsumer<>(
              broker.clientConfig(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        TopicPartition tp = new TopicPartition(DLQ, 0);
        c.assign(List.of(tp));
        c.seekToBeginning(List.of(tp));
        long end = c.endOffsets(List.of(tp)).get(tp);
        while (c.position(tp) < end) {
          for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
            if (r.timestamp() >= since.toEpochMilli()) {
              n++;
            }
          }
        }
      }
      return n;
    }

    static ConsumerRecord<byte[], byte[]> read(KafkaTestBroker broker, String topic, long offset) {
      try (KafkaConsumer<byte[], byte[]> c =
          new KafkaConsumer<>(
              broker.clientConfig(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        TopicPartition tp = new TopicPartition(topic, 0);
        c.assign(List.of(tp));
        c.seek(tp, offset);
        while (true) {
          for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
            if (r.offset() == offset) {
              return r;
            }
          }
        }
      }
    }
  }

  /** A signed-in browser: the session cookie and the CSRF token its pages carry. */
  static final class Session {
    final URI base;
    final String cookie;
    final String csrf;

    private Session(URI base, String cookie, String csrf) {
      this.base = base;
      this.cookie = cookie;
      this.csrf = csrf;
    }

    static Session login(URI base, String token) throws Exception {
      HttpResponse<String> r =
          send(
              HttpRequest.newBuilder(base.resolve("/login"))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(HttpRequest.BodyPublishers.ofString("token=" + enc(token))));
      assertThat(r.statusCode()).isEqualTo(303);
      String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
      assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/");
      String cookie = setCookie.substring(0, setCookie.indexOf(';'));
      HttpResponse<String> home =
          send(HttpRequest.newBuilder(base.resolve("/")).header("Cookie", cookie).GET());
      Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(home.body());
      assertThat(m.find()).isTrue();
      return new Session(base, cookie, m.group(1));
    }

    HttpResponse<String> get(String path) throws Exception {
      return send(HttpRequest.newBuilder(base.resolve(path)).header("Cookie", cookie).GET());
    }

    HttpResponse<String> post(String path, Map<String, String> fields) throws Exception {
      StringBuilder body = new StringBuilder("csrf=" + enc(csrf));
      fields.forEach((k, v) -> body.append('&').append(enc(k)).append('=').append(enc(v)));
      return postRaw(path, body.toString());
    }

    CompletableFuture<HttpResponse<String>> postAsync(String path) {
      return http.sendAsync(
          request(path, "csrf=" + enc(csrf)), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postRaw(String path, String body) throws Exception {
      return http.send(request(path, body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String path, String body) {
      return HttpRequest.newBuilder(base.resolve(path))
          .header("Cookie", cookie)
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(body))
          .build();
    }

    private static String enc(String s) {
      return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
  }
}
