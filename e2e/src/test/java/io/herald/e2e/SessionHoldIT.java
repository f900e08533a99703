package io.herald.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.event.DeviceInfo;
import io.herald.contracts.topic.Topics;
import io.herald.scheduler.rule.CompiledSchedule;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 19 §3 end to end, through database rows only (ADR 0022, README "Devices"): a WhatsApp-Web
 * gateway reports its session lost, the sender's prober marks the device row, CDC carries the mark
 * to the scheduler, and the device's recurring messages fire nothing across two occurrences; when
 * the session works again the prober lifts the mark and what was held fires by each schedule's
 * catch-up policy — {@code fire_all} both occurrences, {@code fire_once} only the latest — once per
 * recipient. Its own tenant and device, so no other suite's sends are held.
 */
class SessionHoldIT {

  private static final Duration AWAIT = Duration.ofSeconds(90);

  private static final String LOST = "SCAN_QR_CODE";

  private final Pipeline pipeline = Pipeline.shared();

  @BeforeEach
  void start() {
    // outside the test's own timeout: a cold start of the shared pipeline is not the hold
    pipeline.ensureRunning();
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void lostSessionHoldsOccurrencesAndCatchUpPolicyDecidesOnReturn() throws Exception {
    Workload w = new Workload(pipeline);
    String session = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> phones = w.phones(3);
    String device;
    List<String> contacts = new ArrayList<>();
    try (Connection c = pipeline.db.connect()) {
      device = gatewayDevice(c, w.tenant, session);
      for (String phone : phones) {
        contacts.add(Rows.contact(c, w.tenant, phone, false));
      }
    }
    await("the scheduler knows the contacts and the device")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> Rows.seen(pipeline, Topics.CONTACTS.name(), contacts) && status(device) != null);

    // the session is lost: the prober marks the row, and the scheduler learns it through CDC
    pipeline.fake.sessionState(session, LOST);
    await("the prober marks the device")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> "disconnected".equals(deviceRow(device).get("status")));
    assertThat(deviceRow(device)).containsEntry("paused_reason", "session: " + LOST);
    await("the mark reaches the scheduler")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> "disconnected".equals(status(device)));

    // two occurrences a minute apart (the finest a rule fires), the first at the next minute; a
    // cron of exactly those two minutes, so the next one is far away and cannot blur the counts
    Instant o1 = Instant.now().plusSeconds(5).truncatedTo(ChronoUnit.MINUTES).plusSeconds(60);
    Instant o2 = o1.plusSeconds(60);
    String cron = cronAt(o1, o2);
    List<String> allContacts = contacts.subList(0, 2);
    List<String> onceContacts = contacts.subList(2, 3);
    String fireAll;
    String fireOnce;
    try (Connection c = pipeline.db.connect()) {
      fireAll = recurring(c, w, device, allContacts, cron, "fire_all");
      fireOnce = recurring(c, w, device, onceContacts, cron, "fire_once");
    }

    // both occurrences pass while the device is held, and it stays held until both are missed
    // rather than on time (older than 60 s): an on-time occurrence always fires, and fire_once
    // would fire the latest missed one besides it (TIME.md, CatchUpTest). The scheduler re-checks
    // a held timer every 15 s, so it has looked again well after the second occurrence: had the
    // hold let anything through, the rows would show it by now.
    await("both occurrences passed while held, and are missed")
        .atMost(Duration.ofSeconds(210))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                Instant.now().isAfter(o2.plus(CompiledSchedule.ON_TIME_TOLERANCE).plusSeconds(2)));
    assertThat(deviceRow(device))
        .as("the tenant sees why nothing goes out")
        .containsEntry("status", "disconnected")
        .containsEntry("paused_reason", "session: " + LOST);
    for (String id : List.of(fireAll, fireOnce)) {
      assertThat(logs(id)).as("no occurrence of %s fired while held", id).isEmpty();
      assertThat(deliveries(id)).as("no delivery of %s while held", id).isEmpty();
      Map<String, Object> row = Rows.row(pipeline, "recurring_messages", id);
      assertThat(row).containsEntry("status", "active").containsEntry("execution_count", 0);
      assertThat(row.get("last_error")).as("a held schedule is not in error").isNull();
    }
    assertThat(parked(device)).as("nothing fired, so nothing parked in the sender").isZero();
    for (String phone : phones) {
      assertThat(pipeline.fake.requestsTo(phone)).as("nothing sent to %s", phone).isEmpty();
    }

    // the session is back: the prober lifts its mark, and within a re-check the catch-up fires
    pipeline.fake.sessionState(session, "WORKING");
    await("the prober lifts the mark")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> "active".equals(deviceRow(device).get("status")));
    assertThat(deviceRow(device).get("paused_reason")).isNull();

    await("fire_all sends both held occurrences")
        .atMost(AWAIT)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> completed(fireAll, 2));
    await("fire_once sends the latest")
        .atMost(AWAIT)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> completed(fireOnce, 1));

    assertThat(occurrences(logs(fireAll))).containsExactly(o1, o2);
    assertThat(occurrences(logs(fireOnce))).as("fire_once: only the latest").containsExactly(o2);
    // one delivery per recipient and occurrence, every one sent: none failed into the dead session
    assertThat(perRecipient(deliveries(fireAll)))
        .containsOnlyKeys(digits(phones.get(0)), digits(phones.get(1)))
        .allSatisfy((to, at) -> assertThat(at).containsExactly(o1 + " sent", o2 + " sent"));
    assertThat(perRecipient(deliveries(fireOnce)))
        .containsExactly(Map.entry(digits(phones.get(2)), List.of(o2 + " sent")));
    // and the gateway received exactly those: one message per kept occurrence, no duplicates
    for (String phone : phones.subList(0, 2)) {
      assertThat(commandIds(phone)).as("messages to %s", phone).hasSize(2).doesNotHaveDuplicates();
    }
    assertThat(commandIds(phones.get(2))).as("messages to the fire_once contact").hasSize(1);
    assertThat(Rows.row(pipeline, "recurring_messages", fireAll))
        .containsEntry("execution_count", 2)
        .containsEntry("total_sent", 4)
        .containsEntry("total_failed", 0);
    assertThat(Rows.row(pipeline, "recurring_messages", fireOnce))
        .containsEntry("execution_count", 1)
        .containsEntry("total_sent", 1)
        .containsEntry("total_failed", 0);
  }

  // ---------------------------------------------------------------------------------------------

  /** A WAHA-style gateway device of {@code tenant} on the fake, session {@code session}. */
  private String gatewayDevice(Connection c, String tenant, String session) throws SQLException {
    String id = UUID.randomUUID().toString();
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO devices (id, user_id, name, transport, transport_config, status,"
                + " max_per_second) VALUES (?, ?, 'e2e gateway', 'http_gateway', ?::jsonb,"
                + " 'active', 50)")) {
      ps.setObject(1, UUID.fromString(id), Types.OTHER);
      ps.setObject(2, UUID.fromString(tenant), Types.OTHER);
      ps.setString(
          3,
          "{\"base_url\":\""
              + pipeline.fake.baseUrl()
              + "\",\"api_key_env\":\""
              + Pipeline.GATEWAY_KEY_ENV
              + "\",\"gateway_kind\":\"waha\",\"session\":\""
              + session
              + "\"}");
      ps.executeUpdate();
    }
    return id;
  }

  /** A recurring message on {@code cron} (UTC) with {@code catchUp}, no pacing delay. */
  private static String recurring(
      Connection c, Workload w, String device, List<String> to, String cron, String catchUp)
      throws SQLException {
    String id = UUID.randomUUID().toString();
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO recurring_messages (id, user_id, device_id, name, message,"
                + " target_contacts, frequency, cron_expression, timezone, start_date, catch_up,"
                + " catch_up_grace_seconds, is_active, delay_type, delay_seconds, randomize_delay)"
                + " VALUES (?, ?, ?, 'session hold', ?, ?::jsonb, 'custom', ?, 'UTC', ?::date, ?,"
                + " 3600, true, 'manual', 0, false)")) {
      ps.setObject(1, UUID.fromString(id), Types.OTHER);
      ps.setObject(2, UUID.fromString(w.tenant), Types.OTHER);
      ps.setObject(3, UUID.fromString(device), Types.OTHER);
      ps.setString(4, "Hi {name}, " + catchUp + " " + w.textMarker);
      ps.setString(5, Workload.jsonArray(to));
      ps.setString(6, cron);
      ps.setString(7, LocalDate.now(ZoneOffset.UTC).toString());
      ps.setString(8, catchUp);
      ps.executeUpdate();
    }
    return id;
  }

  /** A 5-field cron (UTC) matching {@code a} and {@code b}, whole minutes; nothing else near. */
  private static String cronAt(Instant a, Instant b) {
    ZonedDateTime x = a.atZone(ZoneOffset.UTC);
    ZonedDateTime y = b.atZone(ZoneOffset.UTC);
    String hours = x.getHour() == y.getHour() ? "" + x.getHour() : x.getHour() + "," + y.getHour();
    return x.getMinute() + "," + y.getMinute() + " " + hours + " * * *";
  }

  /** The device's status in the latest record CDC produced for it, or null before the first. */
  private String status(String device) {
    String status = null;
    for (var r : pipeline.readAll(Topics.DEVICES.name())) {
      if (device.equals(r.key()) && r.value() != null) {
        DeviceInfo d = Topics.DEVICES.valueSerde().deserializer().deserialize(r.topic(), r.value());
        status = d.status();
      }
    }
    return status;
  }

  private Map<String, Object> deviceRow(String device) throws SQLException {
    return Rows.first(
        pipeline, "SELECT status, paused_reason FROM devices WHERE id = ?::uuid", device);
  }

  /** True once {@code n} occurrences of the recurring message are logged and completed. */
  private boolean completed(String recurringId, int n) throws SQLException {
    List<Map<String, Object>> logs = logs(recurringId);
    return logs.size() >= n && logs.stream().allMatch(l -> "completed".equals(l.get("status")));
  }

  private List<Map<String, Object>> logs(String recurringId) throws SQLException {
    return rows(
        "SELECT occurrence_at, status FROM recurring_message_logs"
            + " WHERE recurring_message_id = ?::uuid ORDER BY occurrence_at",
        recurringId);
  }

  private List<Map<String, Object>> deliveries(String scheduleId) throws SQLException {
    return rows(
        "SELECT recipient, occurrence_at, status FROM deliveries WHERE schedule_id = ?::uuid"
            + " ORDER BY recipient, occurrence_at",
        scheduleId);
  }

  private long parked(String device) throws SQLException {
    return ((Number)
            Rows.first(
                    pipeline,
                    "SELECT count(*) AS n FROM parked_commands WHERE device_id = ?",
                    device)
                .get("n"))
        .longValue();
  }

  /** Recipient digits to "occurrence status" in occurrence order. */
  private static Map<String, List<String>> perRecipient(List<Map<String, Object>> deliveries) {
    return deliveries.stream()
        .collect(
            Collectors.groupingBy(
                d -> digits((String) d.get("recipient")),
                LinkedHashMap::new,
                Collectors.mapping(
                    d -> ((Timestamp) d.get("occurrence_at")).toInstant() + " " + d.get("status"),
                    Collectors.toList())));
  }

  private static List<Instant> occurrences(List<Map<String, Object>> logs) {
    return logs.stream().map(l -> ((Timestamp) l.get("occurrence_at")).toInstant()).toList();
  }

  /** The command ids of the messages the gateway received for {@code phone}. */
  private List<String> commandIds(String phone) {
    return pipeline.fake.requestsTo(phone).stream()
        .map(r -> r.commandId().orElse("none:" + r.receivedAt()))
        .toList();
  }

  private List<Map<String, Object>> rows(String sql, String param) throws SQLException {
    try (Connection c = pipeline.db.connect();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, param);
      try (ResultSet rs = ps.executeQuery()) {
        List<Map<String, Object>> out = new ArrayList<>();
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
          }
          out.add(row);
        }
        return out;
      }
    }
  }

  private static String digits(String phone) {
    return phone.replaceAll("[^0-9]", "");
  }
}
