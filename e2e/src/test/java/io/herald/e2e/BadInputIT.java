package io.herald.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.event.ChangeOp;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.ErrorReason;
import io.herald.contracts.outcome.ScheduleError;
import io.herald.contracts.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bad input on both paths. Directly produced events (the path other services use): every bad
 * definition yields a {@code ScheduleError} with a readable reason on {@code
 * herald.schedule-errors}, every unreadable record lands on a dead-letter topic with its
 * coordinates. Database rows (CDC): every invalid row shows {@code status='invalid'} (a broadcast:
 * {@code failed}) and a readable {@code last_error}. On both, valid schedules in the same burst
 * still fire on time.
 */
class BadInputIT {

  private final Pipeline pipeline = Pipeline.shared();

  private ScheduleChange change(
      Workload w,
      Workload.Device d,
      RuleSpec rule,
      List<String> to,
      String message,
      String mediaUrl) {
    return new ScheduleChange(
        ScheduleChange.SCHEMA_VERSION,
        ChangeOp.UPSERT,
        "recurring:" + UUID.randomUUID(),
        ScheduleKind.RECURRING,
        w.tenant,
        d == null ? null : d.id(),
        "bad input",
        message,
        mediaUrl,
        to,
        rule,
        PacingSpec.none(),
        true,
        null,
        1L,
        Instant.now(),
        List.of());
  }

  private static RuleSpec rule(
      String frequency,
      Integer interval,
      String unit,
      String cron,
      List<Integer> days,
      Integer dayOfMonth,
      String tz,
      String start,
      String end) {
    return new RuleSpec(
        frequency,
        interval,
        unit,
        cron,
        "09:00",
        days,
        dayOfMonth,
        tz,
        start,
        end,
        null,
        null,
        null,
        null);
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void badDefinitionsAreRejectedWithReasonsAndDisturbNothingElse() {
    pipeline.ensureRunning();
    Workload w = new Workload(pipeline);
    Workload.Device d = w.device();
    String otherTenant = UUID.randomUUID().toString();
    Workload.Device foreign = w.device(otherTenant, true);
    List<String> two = w.phones(2);
    String ok = "Hello {name}, " + w.textMarker;

    Map<String, ErrorReason> cases = new LinkedHashMap<>();
    Map<String, String> labels = new LinkedHashMap<>();
    List<ScheduleChange> changes = new ArrayList<>();
    java.util.function.BiConsumer<String, Object[]> add =
        (label, spec) -> {
          ScheduleChange c = (ScheduleChange) spec[0];
          cases.put(c.scheduleKey(), (ErrorReason) spec[1]);
          labels.put(c.scheduleKey(), label);
          changes.add(c);
        };
    add.accept(
        "unknown time zone",
        new Object[] {
          change(
              w,
              d,
              rule("daily", 1, null, null, null, null, "Mars/Olympus_Mons", "2026-01-01", null),
              two,
              ok,
              null),
          ErrorReason.UNKNOWN_TIMEZONE
        });
    add.accept(
        "weekly with no days",
        new Object[] {
          change(
              w,
              d,
              rule("weekly", 1, null, null, List.of(), null, "UTC", "2026-01-01", null),
              two,
              ok,
              null),
          ErrorReason.INVALID_RULE
        });
    add.accept(
        "day_of_month 0",
        new Object[] {
          change(
              w,
              d,
              rule("monthly", 1, null, null, null, 0, "UTC", "2026-01-01", null),
              two,
              ok,
              null),
          ErrorReason.INVALID_RULE
        });
    add.accept(
        "day_of_month 32",
        new Object[] {
          change(
              w,
              d,
              rule("monthly", 1, null, null, null, 32, "UTC", "2026-01-01", null),
              two,
              ok,
              null),
          ErrorReason.INVALID_RULE
        });
    add.accept(
        "bad cron",
        new Object[] {
          change(
              w,
              d,
              rule("custom", null, null, "61 25 * * *", null, null, "UTC", "2026-01-01", null),
              two,
              ok,
              null),
          ErrorReason.INVALID_RULE
        });
    add.accept(
        "end before start",
        new Object[] {
          change(
              w,
              d,
              rule("daily", 1, null, null, null, null, "UTC", "2026-05-10", "2026-05-01"),
              two,
              ok,
              null),
          ErrorReason.INVALID_RULE
        });
    add.accept(
        "zero interval",
        new Object[] {
          change(
              w,
              d,
              rule("custom", 0, "minutes", null, null, null, "UTC", "2026-01-01", null),
              two,
              ok,
              null),
          ErrorReason.INVALID_RULE
        });
    add.accept(
        "negative interval",
        new Object[] {
          change(
              w,
              d,
              rule("custom", -5, "hours", null, null, null, "UTC", "2026-01-01", null),
              two,
              ok,
              null),
          ErrorReason.INVALID_RULE
        });
    RuleSpec good = rule("daily", 1, null, null, null, null, "UTC", "2026-01-01", null);
    add.accept(
        "malformed phone numbers",
        new Object[] {
          change(w, d, good, List.of("12345", "+12", "+49 abc 123", "0049151234567"), ok, null),
          ErrorReason.INVALID_RECIPIENTS
        });
    add.accept(
        "empty message without media",
        new Object[] {change(w, d, good, two, "", null), ErrorReason.INVALID_CONTENT});
    add.accept(
        "media URL not http(s)",
        new Object[] {
          change(w, d, good, two, ok, "ftp://example.org/a.png"), ErrorReason.INVALID_CONTENT
        });
    add.accept(
        "unknown device",
        new Object[] {
          change(w, d, good, two, ok, null).withDeviceId(UUID.randomUUID().toString()),
          ErrorReason.UNKNOWN_DEVICE
        });
    add.accept(
        "another tenant's device",
        new Object[] {change(w, foreign, good, two, ok, null), ErrorReason.FOREIGN_DEVICE});
    ScheduleChange missing =
        new ScheduleChange(
            ScheduleChange.SCHEMA_VERSION,
            ChangeOp.UPSERT,
            "recurring:" + UUID.randomUUID(),
            ScheduleKind.RECURRING,
            null,
            null,
            null,
            ok,
            null,
            two,
            null,
            null,
            true,
            null,
            0L,
            null,
            List.of());
    add.accept(
        "missing fields (direct producer)", new Object[] {missing, ErrorReason.MISSING_FIELD});
    add.accept(
        "100,000 recipients in one definition",
        new Object[] {
          change(w, d, good, w.phones(100_000), ok, null), ErrorReason.INVALID_RECIPIENTS
        });

    // Poison: not JSON, JSON of the wrong shape, a wrong type (recipients not an array).
    Map<String, String> poison = new LinkedHashMap<>();
    poison.put("recurring:" + UUID.randomUUID(), "this is {not json");
    poison.put("recurring:" + UUID.randomUUID(), "[\"an\",\"array\"]");
    poison.put(
        "recurring:" + UUID.randomUUID(),
        "{\"schemaVersion\":1,\"op\":\"upsert\",\"kind\":\"spaceship\",\"active\":true}");
    String notArrayKey = "recurring:" + UUID.randomUUID();
    poison.put(
        notArrayKey,
        "{\"schemaVersion\":1,\"op\":\"upsert\",\"scheduleKey\":\""
            + notArrayKey
            + "\",\"kind\":\"recurring\",\"tenantId\":\""
            + w.tenant
            + "\",\"deviceId\":\""
            + d.id()
            + "\",\"message\":\"x\",\"recipients\":\"+4915112345678\","
            + "\"rule\":{\"frequency\":\"daily\",\"timeOfDay\":\"09:00\",\"timezone\":\"UTC\"},"
            + "\"active\":true}");

    long t0 = System.nanoTime();
    changes.forEach(pipeline::produceChange);
    poison.forEach(
        (k, v) ->
            pipeline.produceRaw(
                Topics.SCHEDULE_CHANGES.name(), k, v.getBytes(StandardCharsets.UTF_8)));
    // The sentinel: valid, produced after all of the above, due 3 s from now.
    Instant at = Workload.in(3);
    w.broadcastAt(d, w.phones(5), at);
    w.produceAll();

    Map<String, ScheduleError> errors = new HashMap<>();
    await("a schedule error for every bad definition")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              for (ConsumerRecord<String, byte[]> r :
                  pipeline.readAll(Topics.SCHEDULE_ERRORS.name())) {
                if (cases.containsKey(r.key())) {
                  errors.put(
                      r.key(),
                      Topics.SCHEDULE_ERRORS
                          .valueSerde()
                          .deserializer()
                          .deserialize(r.topic(), r.value()));
                }
              }
              return errors.keySet().containsAll(cases.keySet());
            });
    StringBuilder table = new StringBuilder();
    cases.forEach(
        (key, reason) -> {
          ScheduleError e = errors.get(key);
          table
              .append("| ")
              .append(labels.get(key))
              .append(" | ")
              .append(e.reason().wire())
              .append(" | ")
              .append(String.join("; ", e.reasons()))
              .append(" |\n");
          assertThat(e.reason()).as(labels.get(key) + ": " + e.reasons()).isEqualTo(reason);
          assertThat(e.reasons()).as(labels.get(key)).isNotEmpty().allMatch(s -> !s.isBlank());
          // Readable, and never the whole recipient list.
          assertThat(e.message()).as(labels.get(key)).hasSizeLessThan(2_000);
        });
    BadInputReport.write("events", table.toString());

    Map<String, ConsumerRecord<String, byte[]>> dead = new HashMap<>();
    await("every poison record dead-lettered")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              for (ConsumerRecord<String, byte[]> r :
                  pipeline.readAll(Topics.SCHEDULE_CHANGES.dlqName())) {
                if (poison.containsKey(r.key())) {
                  dead.put(r.key(), r);
                }
              }
              return dead.keySet().containsAll(poison.keySet());
            });
    dead.values()
        .forEach(
            r -> {
              for (String h :
                  List.of(
                      "herald.dlq.topic",
                      "herald.dlq.partition",
                      "herald.dlq.offset",
                      "herald.dlq.reason")) {
                Header header = r.headers().lastHeader(h);
                assertThat(header).as(h + " on the dead letter of " + r.key()).isNotNull();
                assertThat(header.value()).isNotEmpty();
              }
              assertThat(Pipeline.utf8(r.headers().lastHeader("herald.dlq.topic").value()))
                  .isEqualTo(Topics.SCHEDULE_CHANGES.name());
              assertThat(Pipeline.utf8(r.value())).isEqualTo(poison.get(r.key()));
            });

    Verdict v =
        Verdict.settleAndMeasure(
            "bad input: valid schedule alongside", 1, w, Duration.ofSeconds(60), t0);
    E2e.assertClean(v, 0);
    assertThat(v.sent()).isEqualTo(5);
    Instant first =
        pipeline.fake.requests().stream()
            .filter(r -> d.phoneNumberId().equals(r.phoneNumberId()))
            .map(io.herald.testsupport.FakeWhatsAppApi.Request::receivedAt)
            .min(Instant::compareTo)
            .orElseThrow();
    assertThat(Duration.between(at, first))
        .as("the valid schedule fired on time")
        .isLessThan(Duration.ofSeconds(10));
    // Nothing was sent for any rejected definition.
    assertThat(
            pipeline.fake.requests().stream()
                .filter(r -> foreign.phoneNumberId().equals(r.phoneNumberId())))
        .isEmpty();
  }

  /** One bad row: table, label, column overrides (SQL literals) and the status it must show. */
  private record BadRow(String table, String label, Map<String, String> columns, String status) {}

  /**
   * Bad input through database rows (the CDC path): every invalid row ends with a visible status
   * ({@code invalid}; a broadcast: {@code failed}) and a readable {@code last_error} written back
   * by the scheduler, and valid rows inserted in the same burst fire on time.
   */
  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void badRowsShowInvalidStatusWithReasonAndDisturbNothingElse() throws Exception {
    pipeline.ensureRunning();
    Workload w = new Workload(pipeline);
    Workload.Device d = w.device();
    String two = "'" + Workload.jsonArray(w.phones(2)) + "'";
    List<BadRow> bad = new ArrayList<>();
    bad.add(
        new BadRow(
            "recurring_messages",
            "unknown time zone",
            Map.of("timezone", "'Mars/Olympus_Mons'"),
            "invalid"));
    bad.add(
        new BadRow(
            "recurring_messages",
            "weekly with no days",
            Map.of("frequency", "'weekly'", "days_of_week", "'{}'"),
            "invalid"));
    bad.add(
        new BadRow(
            "recurring_messages",
            "day_of_month 32",
            Map.of("frequency", "'monthly'", "day_of_month", "32"),
            "invalid"));
    bad.add(
        new BadRow(
            "recurring_messages",
            "bad cron",
            Map.of(
                "frequency", "'custom'", "cron_expression", "'61 25 * * *'", "time_of_day", "NULL"),
            "invalid"));
    bad.add(
        new BadRow(
            "recurring_messages",
            "end before start",
            Map.of("start_date", "'2026-05-10'", "end_date", "'2026-05-01'"),
            "invalid"));
    bad.add(
        new BadRow(
            "recurring_messages",
            "zero interval",
            Map.of("frequency", "'custom'", "interval_value", "0", "interval_unit", "'minutes'"),
            "invalid"));
    bad.add(
        new BadRow(
            "recurring_messages",
            "daily without time_of_day",
            Map.of("time_of_day", "NULL"),
            "invalid"));
    bad.add(
        new BadRow(
            "recurring_messages",
            "target_contacts not an array",
            Map.of("target_contacts", "'\"+4915112345678\"'"),
            "invalid"));
    bad.add(
        new BadRow(
            "recurring_messages",
            "malformed phone numbers",
            Map.of("target_contacts", "'[\"12345\", \"0049151234567\"]'"),
            "invalid"));
    bad.add(
        new BadRow(
            "recurring_messages",
            "empty message without media",
            Map.of("message", "''"),
            "invalid"));
    bad.add(
        new BadRow(
            "recurring_messages",
            "unknown device",
            Map.of("device_id", "'" + UUID.randomUUID() + "'"),
            "invalid"));
    bad.add(
        new BadRow(
            "auto_post_schedules",
            "auto-post with a bad time zone",
            Map.of("timezone", "'Europe/Atlantis'"),
            "invalid"));
    bad.add(
        new BadRow(
            "broadcasts",
            "broadcast, target_contacts not an array",
            Map.of("target_contacts", "'{\"to\": \"+4915112345678\"}'"),
            "failed"));
    bad.add(
        new BadRow(
            "broadcasts",
            "broadcast, malformed phone numbers",
            Map.of("target_contacts", "'[\"+12\"]'"),
            "failed"));

    long t0 = System.nanoTime();
    Map<String, BadRow> ids = new LinkedHashMap<>();
    try (java.sql.Connection c = pipeline.db.connect();
        java.sql.Statement st = c.createStatement()) {
      for (BadRow row : bad) {
        String id = UUID.randomUUID().toString();
        Map<String, String> cols = new LinkedHashMap<>();
        cols.put("id", "'" + id + "'");
        cols.put("user_id", "'" + w.tenant + "'");
        cols.put("device_id", "'" + d.id() + "'");
        cols.put("name", "'bad row'");
        cols.put("message", "'Hello {name}, " + w.textMarker + "'");
        cols.put("delay_type", "'manual'");
        cols.put("delay_seconds", "0");
        cols.put("randomize_delay", "false");
        if (row.table().equals("broadcasts")) {
          cols.put("target_contacts", two);
          cols.put("status", "'scheduled'");
          cols.put("scheduled_at", "now() + interval '5 seconds'");
        } else {
          cols.put(
              row.table().equals("auto_post_schedules") ? "target_groups" : "target_contacts",
              row.table().equals("auto_post_schedules") ? "'[\"group-1@g.us\"]'" : two);
          cols.put("frequency", "'daily'");
          cols.put("time_of_day", "'09:00'");
          cols.put("timezone", "'UTC'");
          cols.put("start_date", "'2026-01-01'");
          cols.put("is_active", "true");
        }
        row.columns()
            .forEach(
                (k, v) ->
                    cols.put(
                        row.table().equals("auto_post_schedules") && k.equals("target_contacts")
                            ? "target_groups"
                            : k,
                        v));
        st.executeUpdate(
            "INSERT INTO "
                + row.table()
                + " ("
                + String.join(", ", cols.keySet())
                + ") VALUES ("
                + String.join(", ", cols.values())
                + ")");
        ids.put(id, row);
      }
    }
    // Valid rows in the same burst: they fire on time.
    Instant at = Workload.in(4);
    w.recurringRow(d, w.phones(3), at);
    w.broadcastRow(d, w.phones(3), at);

    Map<String, String> shown = new LinkedHashMap<>();
    try {
      await("every bad row shows its status and a reason")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> {
                for (Map.Entry<String, BadRow> e : ids.entrySet()) {
                  shown.put(e.getKey(), rowState(e.getValue().table(), e.getKey()));
                }
                return ids.entrySet().stream()
                    .allMatch(
                        e -> {
                          String[] sl = shown.get(e.getKey()).split("\\|", 2);
                          return sl[0].equals(e.getValue().status())
                              && sl.length == 2
                              && !sl[1].isBlank();
                        });
              });
    } finally {
      StringBuilder table = new StringBuilder();
      ids.forEach(
          (id, row) ->
              table
                  .append("| ")
                  .append(row.table())
                  .append(": ")
                  .append(row.label())
                  .append(" | ")
                  .append(shown.getOrDefault(id, "").replace("|", " | "))
                  .append(" |\n"));
      BadInputReport.write("rows", table.toString());
    }
    shown.values().forEach(v -> assertThat(v).as("readable and bounded").hasSizeLessThan(2_000));

    Verdict v =
        Verdict.settleAndMeasure(
            "bad input (rows): valid rows alongside", 1, w, Duration.ofSeconds(60), t0);
    E2e.assertClean(v, 0);
    assertThat(v.sent()).isEqualTo(6);
    Instant first =
        pipeline.fake.requests().stream()
            .filter(r -> d.phoneNumberId().equals(r.phoneNumberId()))
            .map(io.herald.testsupport.FakeWhatsAppApi.Request::receivedAt)
            .min(Instant::compareTo)
            .orElseThrow();
    assertThat(Duration.between(at, first))
        .as("the valid rows fired on time")
        .isLessThan(Duration.ofSeconds(10));
  }

  /** {@code status|last_error} of a row, or empty. */
  private String rowState(String table, String id) {
    try (java.sql.Connection c = pipeline.db.connect();
        java.sql.PreparedStatement ps =
            c.prepareStatement("SELECT status, last_error FROM " + table + " WHERE id = ?::uuid")) {
      ps.setString(1, id);
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? rs.getString(1) + "|" + (rs.getString(2) == null ? "" : rs.getString(2))
            : "";
      }
    } catch (Exception e) {
      return "";
    }
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void poisonOnDeviceAndContactTopicsIsDeadLettered() {
    pipeline.ensureRunning();
    String deviceKey = UUID.randomUUID().toString();
    String contactKey = UUID.randomUUID().toString();
    pipeline.produceRaw(
        Topics.DEVICES.name(), deviceKey, "not a device {".getBytes(StandardCharsets.UTF_8));
    pipeline.produceRaw(
        Topics.CONTACTS.name(), contactKey, "[1,2,3]".getBytes(StandardCharsets.UTF_8));
    // The scheduler keeps working: a valid schedule still fires.
    Workload w = new Workload(pipeline);
    Workload.Device d = w.device();
    w.broadcastAt(d, w.phones(3), Workload.in(2));
    long t0 = System.nanoTime();
    w.produceAll();
    Verdict v =
        Verdict.settleAndMeasure(
            "bad input: poison on devices/contacts", 1, w, Duration.ofSeconds(60), t0);
    E2e.assertClean(v, 0);
    await("poison device and contact records on their dead-letter topics")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                pipeline.readAll(Topics.DEVICES.dlqName()).stream()
                        .anyMatch(r -> deviceKey.equals(r.key()))
                    && pipeline.readAll(Topics.CONTACTS.dlqName()).stream()
                        .anyMatch(r -> contactKey.equals(r.key())));
  }
}
