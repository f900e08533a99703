package io.herald.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.topic.Topics;
import io.herald.testsupport.FakeWebhookSender;
import io.herald.testsupport.FakeWebhookSender.Delivery;
import io.herald.testsupport.FakeWebhookSender.Status;
import io.herald.testsupport.FakeWhatsAppApi;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 18 (ADR 0021) as a tenant uses it, through database rows and HTTP only: a Cloud API device
 * whose fake enforces the 24-hour window and knows one approved template; a contact who wrote first
 * (a signed inbound webhook through the real receiver) gets the broadcast as free text, one who did
 * not gets the template with their own name as the body parameter. The provider's statuses for the
 * template arrive read-first, duplicated and shuffled, and end as one read delivery counted once; a
 * forged POST is refused and changes nothing; a contact who writes "stop" is opted out and skipped
 * by the next broadcast.
 *
 * <p>The webhook projection reads one partition per {@code phone_number_id} in order, so a signed
 * POST applied after others for the same number proves those were applied too: the barriers below
 * use that instead of sleeping.
 */
class CloudApiIT {

  private static final String TEMPLATE = "appointment_reminder";
  private static final String LANGUAGE = "en_US";
  private static final Duration AWAIT = Duration.ofSeconds(90);
  private static final Pattern BAD_SIGNATURES =
      Pattern.compile(
          "herald_webhook_requests_total\\{[^}]*outcome=\"bad_signature\"[^}]*\\} ([0-9.eE+]+)");
  private static final Pattern COUNT = Pattern.compile("\"([a-z_]+)\": ?(\\d+)");

  private final Pipeline pipeline = Pipeline.shared();

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void templatesByTheWindowSignedStatusesAndOptOutByKeyword() throws Exception {
    pipeline.ensureRunning();
    ServiceProcess receiver = pipeline.startWebhook();
    FakeWebhookSender provider =
        new FakeWebhookSender(pipeline.webhookUrl(), pipeline.webhookAppSecret);
    FakeWhatsAppApi fake = pipeline.fake;
    // The fake is the suite's: its rules are on for this test only, so that later suites'
    // free-text sends are not refused as outside a window.
    fake.enforceWindows().approveTemplate(TEMPLATE, LANGUAGE, 1);
    try {
      run(receiver, provider, fake);
    } finally {
      fake.clearRules();
    }
  }

  private void run(ServiceProcess receiver, FakeWebhookSender provider, FakeWhatsAppApi fake)
      throws Exception {
    // 1. the tenant's Cloud API number and three contacts
    Workload w = new Workload(pipeline);
    Workload.Device device = w.device();
    String pnid = device.phoneNumberId();
    List<String> phones = w.phones(3);
    String phoneA = phones.get(0);
    String phoneB = phones.get(1);
    String phoneC = phones.get(2);
    String a;
    String b;
    String c;
    try (Connection conn = pipeline.db.connect()) {
      a = contact(conn, w.tenant, phoneA, "Ana");
      b = contact(conn, w.tenant, phoneB, "Budi");
      c = contact(conn, w.tenant, phoneC, "Citra");
    }
    await("the scheduler knows the contacts")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> Rows.seen(pipeline, Topics.CONTACTS.name(), List.of(a, b, c)));

    // Meta's subscription handshake with the verify token the receiver got from its environment
    HttpResponse<String> handshake =
        provider.verify("subscribe", pipeline.webhookVerifyToken, "1158201444");
    assertThat(handshake.statusCode()).isEqualTo(200);
    assertThat(handshake.body()).isEqualTo("1158201444");

    // 2. A writes first: Meta opens A's window (the fake) and tells Herald (a signed webhook)
    Instant aWrote = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    fake.inbound(phoneA, aWrote);
    assertThat(
            provider
                .postUntilOk(
                    FakeWebhookSender.inboundText(
                        pnid, digits(phoneA), "Ana", wamid("in-a"), "Is the clinic open?", aWrote),
                    5,
                    Duration.ofSeconds(1))
                .statusCode())
        .isEqualTo(200);
    await("A's window reaches contact_windows")
        .atMost(AWAIT)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> lastInbound(device.id(), digits(phoneA)) != null);
    assertThat(lastInbound(device.id(), digits(phoneA))).isEqualTo(aWrote);

    // 3. a broadcast row with a message and a template, window_policy left null
    // (fallback_template): text inside A's window, the template for B, who never wrote
    String first = UUID.randomUUID().toString();
    try (Connection conn = pipeline.db.connect()) {
      broadcast(conn, first, w.tenant, device, List.of(a, b), Workload.in(3));
    }
    awaitCompleted(first);
    assertThat(Rows.row(pipeline, "broadcasts", first))
        .containsEntry("total_count", 2)
        .containsEntry("sent_count", 2)
        .containsEntry("failed_count", 0)
        .containsEntry("skipped_count", 0);

    List<FakeWhatsAppApi.Request> toA = fake.requestsTo(phoneA);
    assertThat(toA).hasSize(1);
    assertThat(toA.get(0).type()).isEqualTo("text");
    assertThat(toA.get(0).text()).isEqualTo("Hi Ana, see you tomorrow at 09:00.");
    assertThat(toA.get(0).status()).isEqualTo(200);

    List<FakeWhatsAppApi.Request> toB = fake.requestsTo(phoneB);
    assertThat(toB).hasSize(1);
    FakeWhatsAppApi.Request template = toB.get(0);
    assertThat(template.type()).isEqualTo("template");
    assertThat(template.text()).isEqualTo(TEMPLATE);
    // the fake refuses a count other than the approved one (132000): 200 means one parameter
    assertThat(template.status()).isEqualTo(200);
    assertThat(template.body())
        .contains("\"language\":{\"code\":\"" + LANGUAGE + "\"}")
        .contains(
            "\"components\":[{\"type\":\"body\",\"parameters\":[{\"type\":\"text\",\"text\":\"Budi\"}]}]")
        .doesNotContain("{name}");

    Map<String, Object> deliveryA = delivery(first, phoneA);
    Map<String, Object> deliveryB = delivery(first, phoneB);
    assertThat(deliveryA).containsEntry("status", "sent").containsEntry("sent_as", "text");
    assertThat(deliveryB).containsEntry("status", "sent").containsEntry("sent_as", "template");
    String wamidA = toA.get(0).messageId();
    String wamidB = template.messageId();
    assertThat(deliveryA).containsEntry("transport_message_id", wamidA);
    assertThat(deliveryB).containsEntry("transport_message_id", wamidB);

    // 4. B's statuses as the provider delivers them: read first, delivered twice, sent last,
    // then all of them again in a shuffled order
    Instant sentAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant deliveredAt = sentAt.plusSeconds(1);
    Instant readAt = sentAt.plusSeconds(2);
    Delivery read = FakeWebhookSender.status(pnid, wamidB, digits(phoneB), Status.READ, readAt);
    Delivery delivered =
        FakeWebhookSender.status(pnid, wamidB, digits(phoneB), Status.DELIVERED, deliveredAt);
    Delivery sent = FakeWebhookSender.status(pnid, wamidB, digits(phoneB), Status.SENT, sentAt);
    List<Delivery> adversarial = new ArrayList<>(List.of(read, delivered, delivered, sent));
    adversarial.addAll(FakeWebhookSender.shuffled(List.of(read, delivered, sent, delivered), 18L));
    for (Delivery d : adversarial) {
      assertThat(provider.postUntilOk(d, 5, Duration.ofSeconds(1)).statusCode()).isEqualTo(200);
    }
    // barrier: B answers; once its window is in, every status before it was applied
    Instant bWrote = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    provider.postUntilOk(
        FakeWebhookSender.inboundText(
            pnid, digits(phoneB), "Budi", wamid("in-b"), "Thanks!", bWrote),
        5,
        Duration.ofSeconds(1));
    await("B's statuses and reply applied")
        .atMost(AWAIT)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> lastInbound(device.id(), digits(phoneB)) != null);
    deliveryB = delivery(first, phoneB);
    assertThat(deliveryB).containsEntry("provider_status", "read");
    assertThat(instant(deliveryB.get("read_at"))).isEqualTo(readAt);
    // read came first and implies delivered: delivered_at is set, at the latest when read
    assertThat(instant(deliveryB.get("delivered_at"))).isNotNull().isBeforeOrEqualTo(readAt);
    assertThat(Rows.row(pipeline, "broadcasts", first))
        .as("counted once each, whatever the order and repeats")
        .containsEntry("delivered_count", 1)
        .containsEntry("read_count", 1);
    assertThat(delivery(first, phoneA).get("provider_status")).isNull();

    // 5. a forged POST (signed with another secret) of a failure for A's message: refused
    double forgedBefore = badSignatures(receiver);
    Delivery forged =
        FakeWebhookSender.failed(
            pnid, wamidA, digits(phoneA), Instant.now(), 131026, "Message undeliverable");
    HttpResponse<String> refused =
        provider.post(
            forged.bytes(), FakeWebhookSender.signature(forged.bytes(), "not-the-app-secret"));
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(badSignatures(receiver)).isEqualTo(forgedBefore + 1);

    // 6. C writes "  stop ": opted out (case and spaces do not matter); being applied after the
    // forged POST would have been, it is also the barrier for step 5
    provider.postUntilOk(
        FakeWebhookSender.inboundText(
            pnid, digits(phoneC), "Citra", wamid("in-c"), "  stop ", Instant.now()),
        5,
        Duration.ofSeconds(1));
    await("C opted out by keyword")
        .atMost(AWAIT)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> Boolean.TRUE.equals(Rows.row(pipeline, "contacts", c).get("opted_out")));
    Map<String, Object> stillA = delivery(first, phoneA);
    assertThat(stillA.get("provider_status")).as("A after the forged failure").isNull();
    assertThat(stillA.get("provider_error_code")).isNull();
    assertThat(stillA).containsEntry("status", "sent");
    // refused before Kafka: no record on the topic names A's message
    assertThat(pipeline.readAll(Topics.WHATSAPP_WEBHOOKS.name()))
        .noneMatch(r -> r.value() != null && Pipeline.utf8(r.value()).contains(wamidA));

    // the next broadcast to A and C: A gets it, C is skipped as opted out
    String second = UUID.randomUUID().toString();
    try (Connection conn = pipeline.db.connect()) {
      broadcast(conn, second, w.tenant, device, List.of(a, c), Workload.in(3));
    }
    awaitCompleted(second);
    Map<String, Object> after = Rows.row(pipeline, "broadcasts", second);
    assertThat(after)
        .containsEntry("total_count", 2)
        .containsEntry("sent_count", 1)
        .containsEntry("skipped_count", 1)
        .containsEntry("failed_count", 0);
    assertThat(reasonsOf(after)).isEqualTo(Map.of("opted_out", 1));
    assertThat(skipped(second)).containsExactly("opted_out");
    assertThat(fake.requestsTo(phoneC)).as("nothing ever sent to C").isEmpty();
    assertThat(fake.requestsTo(phoneA)).hasSize(2);

    // the receiver's secrets are in its environment only, never in its log
    String receiverLog = Files.readString(receiver.currentLog());
    assertThat(receiverLog).contains("Webhook receiver started");
    assertThat(receiverLog)
        .doesNotContain(pipeline.webhookAppSecret)
        .doesNotContain(pipeline.webhookVerifyToken);
  }

  // ---------------------------------------------------------------------------------------------

  private static String contact(Connection c, String tenant, String phone, String name)
      throws SQLException {
    String id = UUID.randomUUID().toString();
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO contacts (id, user_id, phone_number, name)"
                + " VALUES (?::uuid, ?::uuid, ?, ?)")) {
      ps.setString(1, id);
      ps.setString(2, tenant);
      ps.setString(3, phone);
      ps.setString(4, name);
      ps.executeUpdate();
    }
    return id;
  }

  /**
   * A broadcast row as a tenant's app writes one with a template: the message for recipients inside
   * their window, the template (its body parameter the contact's name) for the others.
   */
  private static void broadcast(
      Connection c,
      String id,
      String tenant,
      Workload.Device device,
      List<String> recipients,
      Instant at)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO broadcasts (id, user_id, device_id, name, message, target_contacts,"
                + " scheduled_at, status, delay_type, delay_seconds, randomize_delay,"
                + " template_name, template_language, template_components) VALUES (?::uuid,"
                + " ?::uuid, ?::uuid, 'e2e cloud api', 'Hi {name}, see you tomorrow at 09:00.',"
                + " ?::jsonb, ?, 'scheduled', 'manual', 0, false, ?, ?, ?::jsonb)")) {
      ps.setString(1, id);
      ps.setString(2, tenant);
      ps.setString(3, device.id());
      ps.setString(4, Workload.jsonArray(recipients));
      ps.setObject(5, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
      ps.setString(6, TEMPLATE);
      ps.setString(7, LANGUAGE);
      ps.setString(
          8, "[{\"type\":\"body\",\"parameters\":[{\"type\":\"text\",\"text\":\"{name}\"}]}]");
      ps.executeUpdate();
    }
  }

  private void awaitCompleted(String broadcastId) {
    await("broadcast " + broadcastId + " completes")
        .atMost(AWAIT)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> "completed".equals(Rows.row(pipeline, "broadcasts", broadcastId).get("status")));
  }

  /** The delivery of {@code broadcastId} to {@code phone} (matched on its digits). */
  private Map<String, Object> delivery(String broadcastId, String phone) throws SQLException {
    return first(
        "SELECT status, error_code, sent_as, transport_message_id, provider_status,"
            + " provider_error_code, delivered_at, read_at FROM deliveries"
            + " WHERE schedule_id = ?::uuid AND regexp_replace(recipient, '[^0-9]', '', 'g') = ?",
        broadcastId,
        digits(phone));
  }

  private Instant lastInbound(String deviceId, String waId) throws SQLException {
    return instant(
        first(
                "SELECT last_inbound_at FROM contact_windows WHERE device_id = ?::uuid"
                    + " AND wa_id = ?",
                deviceId,
                waId)
            .get("last_inbound_at"));
  }

  private List<String> skipped(String broadcastId) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = pipeline.db.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT error_code FROM deliveries WHERE schedule_id = ?::uuid"
                    + " AND status = 'skipped'")) {
      ps.setString(1, broadcastId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  private Map<String, Object> first(String sql, String... params) throws SQLException {
    try (Connection c = pipeline.db.connect();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setString(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (rs.next()) {
          for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            out.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
          }
        }
        return out;
      }
    }
  }

  /** The receiver's 401 count, from its own /metrics. */
  private static double badSignatures(ServiceProcess receiver) {
    Matcher m = BAD_SIGNATURES.matcher(receiver.scrapeMetrics());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private static Map<String, Integer> reasonsOf(Map<String, Object> row) {
    Map<String, Integer> out = new LinkedHashMap<>();
    Object v = row.get("skipped_reasons");
    if (v != null) {
      Matcher m = COUNT.matcher(v.toString());
      while (m.find()) {
        out.put(m.group(1), Integer.parseInt(m.group(2)));
      }
    }
    return out;
  }

  private static Instant instant(Object timestamp) {
    return timestamp == null ? null : ((Timestamp) timestamp).toInstant();
  }

  /** A number as the webhooks name it: E.164 digits without the '+'. */
  private static String digits(String phone) {
    return phone.replaceAll("[^0-9]", "");
  }

  private static String wamid(String what) {
    return "wamid.e2e-" + what + "-" + UUID.randomUUID();
  }
}
