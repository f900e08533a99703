package io.herald.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.topic.Topics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 19's sending policies as a tenant uses them, through database rows only (ADR 0022): quiet
 * hours evaluated in each recipient's own zone, and per-contact frequency caps across schedules.
 * Each case has its own tenant and device, so that one tenant's policies never reach the other's
 * sends, nor another suite's.
 */
class SendingPoliciesIT {

  private static final Duration AWAIT = Duration.ofSeconds(90);
  private static final ZoneId JAKARTA = ZoneId.of("Asia/Jakarta");
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

  /** An entry of a flat jsonb object of counts, as PostgreSQL prints it. */
  private static final Pattern COUNT = Pattern.compile("\"([a-z_]+)\": ?(\\d+)");

  private final Pipeline pipeline = Pipeline.shared();

  /**
   * A window around "now" in Jakarta is night there and daytime in New York (11–12 h behind), so
   * one broadcast shows both sides at once without waiting for a real night: the New York contact
   * gets it, the Jakarta one is deferred to the window's end, visibly and without losing its claim
   * row to a failure or an expiry.
   */
  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void quietHoursAreTheRecipientsOwnAndDeferToTheWindowsEnd() throws Exception {
    pipeline.ensureRunning();
    Workload w = new Workload(pipeline);
    Workload.Device device = w.device();

    // minutes only: the columns are `time` and the tenant's app would write HH:MM
    ZonedDateTime jakartaNow = ZonedDateTime.now(JAKARTA).truncatedTo(ChronoUnit.MINUTES);
    LocalTime start = jakartaNow.toLocalTime().minusHours(1);
    LocalTime end = jakartaNow.toLocalTime().plusHours(2);
    Instant expectedUntil = jakartaNow.plusHours(2).toInstant();
    // the premise of the case, checked rather than assumed: New York is outside the same window
    assertThat(inside(start, end, ZonedDateTime.now(NEW_YORK).toLocalTime()))
        .as("New York outside %s-%s", start, end)
        .isFalse();

    // the Jakarta contact's zone comes from its number (libphonenumber: +62 812 is Asia/Jakarta);
    // the New York one has a German number, so only its `timezone` field can make it New York
    String jakartaPhone = "+62812" + randomDigits(8);
    String newYorkPhone = w.phones(1).get(0);
    String jakarta;
    String newYork;
    try (Connection c = pipeline.db.connect()) {
      quietHours(c, w.tenant, start, end);
      jakarta = contact(c, w.tenant, jakartaPhone, null);
      newYork = contact(c, w.tenant, newYorkPhone, "{\"timezone\": \"America/New_York\"}");
    }
    await("the scheduler knows the contacts")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> Rows.seen(pipeline, Topics.CONTACTS.name(), List.of(jakarta, newYork)));

    String broadcastId = UUID.randomUUID().toString();
    try (Connection c = pipeline.db.connect()) {
      Workload.insertBroadcastRow(
          c,
          broadcastId,
          w.tenant,
          device,
          List.of(jakarta, newYork),
          Workload.in(3),
          "scheduled",
          "Hi {name}, quiet hours " + w.textMarker);
    }

    await("the New York contact is sent to")
        .atMost(AWAIT)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> "sent".equals(delivery(broadcastId, newYorkPhone).get("status")));
    assertThat(pipeline.fake.requestsTo(newYorkPhone)).hasSize(1);

    await("the Jakarta send is deferred by quiet hours")
        .atMost(AWAIT)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> !deferred(broadcastId, jakartaPhone).isEmpty());
    Map<String, Object> deferral = deferred(broadcastId, jakartaPhone);
    assertThat(deferral).containsEntry("reason", "quiet_hours");
    assertThat((String) deferral.get("detail"))
        .contains("Asia/Jakarta")
        .contains(start + "-" + end);
    Instant until = ((Timestamp) deferral.get("until_at")).toInstant();
    assertThat(Duration.between(expectedUntil, until).abs())
        .as("until_at %s against the window's end in Jakarta %s", until, expectedUntil)
        .isLessThanOrEqualTo(Duration.ofMinutes(1));
    assertThat(deferred(broadcastId, newYorkPhone)).as("New York was never deferred").isEmpty();

    // the claim is released while held (a crash meanwhile leaves a send, not an unknown), and the
    // row stays claimed: neither failed nor expired for the time Herald itself holds it
    await("the Jakarta claim is released")
        .atMost(AWAIT)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> delivery(broadcastId, jakartaPhone).get("claimed_at") == null);
    Map<String, Object> held = delivery(broadcastId, jakartaPhone);
    assertThat(held).containsEntry("status", "claimed").containsEntry("error_code", "quiet_hours");
    assertThat(pipeline.fake.requestsTo(jakartaPhone)).as("nothing sent into the night").isEmpty();
    Map<String, Object> b = Rows.row(pipeline, "broadcasts", broadcastId);
    assertThat(b.get("status")).as("a broadcast with a held recipient").isNotEqualTo("completed");
    assertThat(b.get("failed_count")).isIn(null, 0);
    assertThat(b.get("expired_count")).isIn(null, 0);
  }

  /**
   * Two messages per contact per 24 h across the tenant's schedules: three broadcasts to the same
   * contact within a minute send two and skip one {@code frequency_cap}, counted like every skip.
   * The three go out concurrently, so which one loses is not fixed: the totals are.
   */
  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void frequencyCapsSkipTheSendsOverTheCapAcrossSchedules() throws Exception {
    pipeline.ensureRunning();
    Workload w = new Workload(pipeline);
    Workload.Device device = w.device();
    String phone = w.phones(1).get(0);
    String contactId;
    try (Connection c = pipeline.db.connect()) {
      frequencyCaps(c, w.tenant, "[{\"max\": 2, \"hours\": 24}]");
      contactId = contact(c, w.tenant, phone, null);
    }
    await("the scheduler knows the contact")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> Rows.seen(pipeline, Topics.CONTACTS.name(), List.of(contactId)));

    Instant at = Workload.in(3);
    List<String> broadcasts = new ArrayList<>();
    try (Connection c = pipeline.db.connect()) {
      for (int i = 0; i < 3; i++) {
        String id = UUID.randomUUID().toString();
        Workload.insertBroadcastRow(
            c,
            id,
            w.tenant,
            device,
            List.of(contactId),
            at.plusSeconds(i),
            "scheduled",
            "Hi {name}, capped " + i + " " + w.textMarker);
        broadcasts.add(id);
      }
    }
    for (String id : broadcasts) {
      await("broadcast " + id + " completes")
          .atMost(AWAIT)
          .pollInterval(Duration.ofMillis(500))
          .until(() -> "completed".equals(Rows.row(pipeline, "broadcasts", id).get("status")));
    }

    int sent = 0;
    int skipped = 0;
    List<Map<String, Integer>> lost = new ArrayList<>();
    for (String id : broadcasts) {
      Map<String, Object> b = Rows.row(pipeline, "broadcasts", id);
      assertThat(b).containsEntry("total_count", 1).containsEntry("failed_count", 0);
      sent += (Integer) b.get("sent_count");
      skipped += (Integer) b.get("skipped_count");
      if ((Integer) b.get("skipped_count") > 0) {
        lost.add(reasonsOf(b));
      }
    }
    assertThat(sent).as("sent across the three").isEqualTo(2);
    assertThat(skipped).as("skipped across the three").isEqualTo(1);
    assertThat(lost).containsExactly(Map.of("frequency_cap", 1));
    assertThat(skippedCodes(broadcasts)).containsExactly("frequency_cap");
    assertThat(pipeline.fake.requestsTo(phone)).as("the contact got two messages").hasSize(2);
    // counted in durable state, once per admitted send; the row was usable (no last_error)
    assertThat(contactSends(w.tenant)).isEqualTo(2);
    assertThat(
            Rows.first(pipeline, "SELECT * FROM tenant_policies WHERE user_id = ?::uuid", w.tenant))
        .containsEntry("last_error", null);
  }

  // ---------------------------------------------------------------------------------------------

  private static boolean inside(LocalTime start, LocalTime end, LocalTime t) {
    return start.isAfter(end)
        ? !t.isBefore(start) || t.isBefore(end)
        : !t.isBefore(start) && t.isBefore(end);
  }

  private static String randomDigits(int n) {
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      b.append(ThreadLocalRandom.current().nextInt(10));
    }
    return b.toString();
  }

  private static void quietHours(Connection c, String tenant, LocalTime start, LocalTime end)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO tenant_policies (user_id, quiet_hours_start, quiet_hours_end)"
                + " VALUES (?::uuid, ?::time, ?::time)")) {
      ps.setString(1, tenant);
      ps.setString(2, start.toString());
      ps.setString(3, end.toString());
      ps.executeUpdate();
    }
  }

  private static void frequencyCaps(Connection c, String tenant, String caps) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO tenant_policies (user_id, frequency_caps) VALUES (?::uuid, ?::jsonb)")) {
      ps.setString(1, tenant);
      ps.setString(2, caps);
      ps.executeUpdate();
    }
  }

  /** A contact of {@code tenant}, with {@code fields} (a JSON object) or none. */
  private static String contact(Connection c, String tenant, String phone, String fields)
      throws SQLException {
    String id = UUID.randomUUID().toString();
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO contacts (id, user_id, phone_number, name, fields)"
                + " VALUES (?::uuid, ?::uuid, ?, 'Ana', ?::jsonb)")) {
      ps.setString(1, id);
      ps.setString(2, tenant);
      ps.setString(3, phone);
      ps.setString(4, fields);
      ps.executeUpdate();
    }
    return id;
  }

  /** The delivery of {@code broadcastId} to {@code phone} (matched on its digits), or empty. */
  private Map<String, Object> delivery(String broadcastId, String phone) throws SQLException {
    return first(
        "SELECT command_id, status, error_code, claimed_at FROM deliveries"
            + " WHERE schedule_id = ?::uuid AND regexp_replace(recipient, '[^0-9]', '', 'g') = ?",
        broadcastId,
        digits(phone));
  }

  /** The deferred_sends row of the delivery of {@code broadcastId} to {@code phone}, or empty. */
  private Map<String, Object> deferred(String broadcastId, String phone) throws SQLException {
    return first(
        "SELECT s.reason, s.detail, s.until_at FROM deferred_sends s JOIN deliveries d"
            + " ON d.command_id = s.command_id WHERE d.schedule_id = ?::uuid"
            + " AND regexp_replace(d.recipient, '[^0-9]', '', 'g') = ?",
        broadcastId,
        digits(phone));
  }

  private List<String> skippedCodes(List<String> broadcastIds) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = pipeline.db.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT error_code FROM deliveries WHERE schedule_id = ANY (?::uuid[])"
                    + " AND status = 'skipped'")) {
      ps.setArray(1, c.createArrayOf("text", broadcastIds.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  private int contactSends(String tenant) throws SQLException {
    Object n =
        Rows.first(
                pipeline,
                "SELECT count(*)::int AS n FROM contact_sends WHERE user_id = ?::uuid",
                tenant)
            .get("n");
    return (Integer) n;
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

  private static Map<String, Integer> reasonsOf(Map<String, Object> row) {
    Object v = row.get("skipped_reasons");
    Map<String, Integer> out = new HashMap<>();
    if (v != null) {
      Matcher m = COUNT.matcher(v.toString());
      while (m.find()) {
        out.put(m.group(1), Integer.parseInt(m.group(2)));
      }
    }
    return out;
  }

  private static String digits(String phone) {
    return phone.replaceAll("[^0-9]", "");
  }
}
