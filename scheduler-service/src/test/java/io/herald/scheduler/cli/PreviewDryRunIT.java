package io.herald.scheduler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.command.CommandId;
import io.herald.scheduler.render.RenderContext;
import io.herald.scheduler.render.TemplateRenderer;
import io.herald.testsupport.PostgresTestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code preview --id X --dry-run} against the real schema: rows of a tenant, its contacts,
 * devices, windows, messaging-limit usage and backlog, and the printed lines.
 */
class PreviewDryRunIT {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);
  private static final Instant OCCURRENCE = Instant.parse("2026-03-02T09:00:00Z");

  private static PostgresTestDatabase db;

  @BeforeAll
  static void database() {
    db = PostgresTestDatabase.shared();
  }

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("HERALD_JDBC_URL", db.jdbcUrl());
    if (db.user() != null) {
      env.put("HERALD_JDBC_USER", db.user());
    }
    env.put("HERALD_JDBC_PASSWORD", db.password());
    return env;
  }

  private static String[] run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        PreviewCommand.run(
            List.of(args),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            env(),
            CLOCK);
    return new String[] {
      String.valueOf(status),
      out.toString(StandardCharsets.UTF_8),
      err.toString(StandardCharsets.UTF_8)
    };
  }

  private static void sql(String statement, Object... values) throws SQLException {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement(statement)) {
      for (int i = 0; i < values.length; i++) {
        ps.setObject(i + 1, values[i]);
      }
      ps.executeUpdate();
    }
  }

  private static UUID contact(UUID tenant, String phone, String name, String fields, boolean out)
      throws SQLException {
    UUID id = UUID.randomUUID();
    sql(
        "INSERT INTO contacts (id, user_id, phone_number, name, fields, opted_out)"
            + " VALUES (?, ?, ?, ?, ?::jsonb, ?)",
        id,
        tenant,
        phone,
        name,
        fields,
        out);
    return id;
  }

  private static UUID device(UUID tenant, String transport, Integer messagingLimit)
      throws SQLException {
    UUID id = UUID.randomUUID();
    sql(
        "INSERT INTO devices (id, user_id, transport, transport_config, status, messaging_limit)"
            + " VALUES (?, ?, ?, '{\"phone_number_id\":\"1\"}'::jsonb, 'active', ?)",
        id,
        tenant,
        transport,
        messagingLimit);
    return id;
  }

  /** A daily 09:00 UTC recurring message created before the fixed clock. */
  private static UUID recurring(
      UUID tenant, UUID device, String message, String targets, String pacing, String template)
      throws SQLException {
    UUID id = UUID.randomUUID();
    sql(
        "INSERT INTO recurring_messages (id, user_id, device_id, message, target_contacts,"
            + " frequency, time_of_day, timezone, start_date, created_at, is_active, delay_type,"
            + " delay_seconds, randomize_delay, batch_size, pause_between_batches,"
            + " template_name, template_language, template_components, window_policy)"
            + " SELECT ?, ?, ?, ?, ?::jsonb, 'daily', '09:00', 'UTC', '2026-03-01',"
            + " '2026-02-01T00:00:00Z', true, p.t, p.d, p.r, p.b, p.p, t.n, t.l, t.c::jsonb, t.w"
            + " FROM (SELECT "
            + pacing
            + ") p, (SELECT "
            + template
            + ") t",
        id,
        tenant,
        device,
        message,
        targets);
    return id;
  }

  private static String spun(UUID schedule, String recipientIdentity, String name, String text) {
    String seed = CommandId.of("recurring:" + schedule, OCCURRENCE, recipientIdentity).value();
    return TemplateRenderer.render(
        text, new RenderContext(name, null, Map.of(), OCCURRENCE, ZoneOffset.UTC, seed));
  }

  @Test
  void shouldPrintSendsSkipsAndCompletionWhenRecurringMessageGoesToContacts() throws SQLException {
    UUID tenant = UUID.randomUUID();
    UUID gateway = device(tenant, "http_gateway", null);
    UUID ann = contact(tenant, "+1 555 010 0001", "Ann Lee", "{\"city\":\"Oslo\"}", false);
    UUID bob = contact(tenant, "+15550100002", "Bob", null, false);
    UUID optedOut = contact(tenant, "+15550100003", "Olga", null, true);
    UUID badPhone = contact(tenant, "12345", "Xavier", null, false);
    UUID foreign = contact(UUID.randomUUID(), "+15550100009", "Zed", null, false);
    UUID unknown = UUID.randomUUID();
    String targets =
        "[\""
            + String.join(
                "\", \"",
                ann.toString(),
                "+1-555-010-0002",
                optedOut.toString(),
                foreign.toString(),
                ann.toString(),
                badPhone.toString(),
                unknown.toString())
            + "\"]";
    UUID id =
        recurring(
            tenant,
            gateway,
            "{Hi|Hello} {first_name} from {city}",
            targets,
            "'manual'::text AS t, 10 AS d, false AS r, 2 AS b, 60 AS p",
            "NULL::text AS n, NULL::text AS l, NULL::text AS c, NULL::text AS w");
    // the device's backlog: one claimed delivery, one parked command, one deferred send
    sql(
        "INSERT INTO deliveries (command_id, device_id, status) VALUES (?, ?, 'claimed')",
        "c1-backlog-" + id,
        gateway);
    sql(
        "INSERT INTO parked_commands (consumer_group, command_id, device_id, source_partition,"
            + " schedule_key, source_offset, command) VALUES ('g', ?, ?, 0, 'k', 1, '\\x00')",
        "c1-parked-" + id,
        gateway.toString());
    sql(
        "INSERT INTO deferred_sends (command_id, device_id, reason) VALUES (?, ?, 'test')",
        "c1-deferred-" + id,
        gateway);

    String[] result = run("--id", id.toString(), "--dry-run");

    assertThat(result[2]).isEmpty();
    assertThat(result[0]).isEqualTo("0");
    assertThat(result[1].lines().toList())
        .containsExactly(
            "Dry run:    recurring_messages " + id + " (read only: nothing is written or sent)",
            "Occurrence: 2026-03-02T09:00:00Z  Mon 2026-03-02 09:00 +00:00 (UTC)",
            "Device:     " + gateway + " http_gateway, status active",
            "Recipients: 7 listed: 2 to send, 5 skipped",
            "Skipped:    duplicate_recipient=1 invalid_recipient=1 not_tenant_contact=1"
                + " opted_out=1 unknown_contact=1",
            "Sends (first 2 of 2):",
            "   1  +*******0001  contact "
                + ann
                + "  text \""
                + spun(id, ann.toString(), "Ann Lee", "{Hi|Hello} Ann from Oslo")
                + "\"",
            "   2  +*******0002  contact "
                + bob
                + "  text \""
                + spun(id, "+15550100002", "Bob", "{Hi|Hello} Bob from {city}")
                + "\"",
            "Skipped (first 5 of 5):",
            "   1  contact " + optedOut + "  opted_out",
            "   2  contact " + foreign + "  not_tenant_contact",
            "   3  contact " + ann + "  duplicate_recipient",
            "   4  contact " + badPhone + "  invalid_recipient",
            "   5  contact " + unknown + "  unknown_contact",
            "Completion: starts about 2026-03-02T09:00:30Z, ends about 2026-03-02T09:00:50Z"
                + " (2 sends, 10 s each, 0 batch pauses; backlog 3: 1 claimed, 1 parked,"
                + " 1 deferred)",
            "Assumes:    manual delay 10 s; batches of 2, 60 s pause; device cap 1/s; backlog of 3"
                + " paced the same; no retries, rate limits or slow-down");

    String[] limited = run("--id", id.toString(), "--dry-run", "--limit", "1");
    assertThat(limited[1].lines().filter(l -> l.startsWith("   2"))).isEmpty();
    assertThat(limited[1]).contains("Skipped (first 1 of 5):");
  }

  @Test
  void shouldSkipOutsideWindowAndDeferByMessagingLimitWhenCloudDevice() throws SQLException {
    UUID tenant = UUID.randomUUID();
    UUID cloud = device(tenant, "whatsapp_cloud", 1);
    UUID pia = contact(tenant, "+15550200001", "Pia", null, false);
    UUID quin = contact(tenant, "+15550200002", "Quin", null, false);
    UUID longName = contact(tenant, "+15550200003", "L".repeat(80), null, false);
    UUID rex = contact(tenant, "+15550200004", "Rex", null, false);
    for (UUID inside : List.of(pia, longName)) {
      String waId = inside.equals(pia) ? "15550200001" : "15550200003";
      sql(
          "INSERT INTO contact_windows (device_id, wa_id, last_inbound_at)"
              + " VALUES (?, ?, '2026-03-02T08:00:00Z')",
          cloud,
          waId);
    }
    // one recipient already counted against the limit of 1 in the last 24 hours
    sql(
        "INSERT INTO messaging_limit_recipients (device_id, recipient, first_at)"
            + " VALUES (?, '15550209999', '2026-03-01T11:00:00Z')",
        cloud);
    String template =
        "'promo'::text AS n, 'en'::text AS l, '[{\"type\":\"header\",\"parameters\":"
            + "[{\"type\":\"text\",\"text\":\"{name}\"}]},{\"type\":\"body\",\"parameters\":"
            + "[{\"type\":\"text\",\"text\":\"{first_name}\"}]}]'::text AS c, ";
    String autoPacing =
        "'auto'::text AS t, NULL::int AS d, false AS r, NULL::int AS b, NULL::int AS p";
    UUID skipOutside =
        recurring(
            tenant,
            cloud,
            "Hello {first_name}",
            "[\"" + pia + "\", \"" + quin + "\", \"" + longName + "\"]",
            autoPacing,
            template + "'skip_outside'::text AS w");

    String[] result = run("--id", skipOutside.toString(), "--dry-run");

    assertThat(result[2]).isEmpty();
    assertThat(result[1].lines().toList())
        .containsExactly(
            "Dry run:    recurring_messages "
                + skipOutside
                + " (read only: nothing is written or sent)",
            "Occurrence: 2026-03-02T09:00:00Z  Mon 2026-03-02 09:00 +00:00 (UTC)",
            "Device:     " + cloud + " whatsapp_cloud, status active",
            "Recipients: 3 listed: 1 to send, 2 skipped",
            "Skipped:    outside_window=1 unrenderable=1",
            "Messaging limit: 1 unique recipients outside their window per 24 h, 1 used: 0 of"
                + " these sends would be deferred by it now",
            "Sends (first 1 of 1):",
            "   1  +*******0001  contact " + pia + "  text \"Hello Pia\"",
            "Skipped (first 2 of 2):",
            "   1  +*******0002  contact " + quin + "  outside_window",
            "   2  +*******0003  contact " + longName + "  unrenderable",
            "Completion: starts about 2026-03-02T09:00:00Z, ends about 2026-03-02T09:00:05Z"
                + " (1 sends, 5 s each, 0 batch pauses; backlog 0: 0 claimed, 0 parked,"
                + " 0 deferred)",
            "Assumes:    auto delay 5 s (sender default, quiet device); batches of 50, 60 s pause;"
                + " device cap 80/s; backlog of 0 paced the same; no retries, rate limits or"
                + " slow-down");

    UUID fallback =
        recurring(
            tenant,
            cloud,
            "Hello {first_name}",
            "[\"" + pia + "\", \"" + quin + "\", \"" + rex + "\"]",
            autoPacing,
            template + "'fallback_template'::text AS w");

    String[] deferred = run("--id", fallback.toString(), "--dry-run");

    assertThat(deferred[1].lines().toList())
        .contains(
            "Messaging limit: 1 unique recipients outside their window per 24 h, 1 used: 2 of"
                + " these sends would be deferred by it now",
            "   1  +*******0001  contact " + pia + "  text \"Hello Pia\"",
            "   2  +*******0002  contact "
                + quin
                + "  template promo/en header[\"Quin\"] body[\"Quin\"]  (outside the window)"
                + "  [deferred by the messaging limit]");
    assertThat(deferred[1]).contains("(1 sends, 5 s each");
  }

  @Test
  void shouldSayTheSendsAreHeldWhenAutoPostDeviceIsPaused() throws SQLException {
    UUID tenant = UUID.randomUUID();
    UUID gateway = device(tenant, "http_gateway", null);
    sql(
        "UPDATE devices SET status = 'paused', paused_reason = 'session lost' WHERE id = ?",
        gateway);
    UUID id = UUID.randomUUID();
    sql(
        "INSERT INTO auto_post_schedules (id, user_id, device_id, message, target_groups,"
            + " frequency, time_of_day, timezone, start_date, created_at, is_active)"
            + " VALUES (?, ?, ?, 'Menu of {day}', '[\"1203@g.us\", \"1203@g.us\"]'::jsonb,"
            + " 'daily', '09:00', 'Asia/Jakarta', '2026-03-01', '2026-02-01T00:00:00Z', false)",
        id,
        tenant,
        gateway);

    String[] result = run("--id", id.toString(), "--dry-run");

    assertThat(result[2]).isEmpty();
    assertThat(result[1].lines().toList())
        .containsExactly(
            "Dry run:    auto_post_schedules " + id + " (read only: nothing is written or sent)",
            "Status:     inactive: this occurrence fires only once the definition is active",
            "Occurrence: 2026-03-02T02:00:00Z  Mon 2026-03-02 09:00 +07:00 (Asia/Jakarta)",
            "Device:     "
                + gateway
                + " http_gateway, status paused (session lost): not active, the sends would be"
                + " held until it is active again",
            "Recipients: 2 listed: 1 to send, 1 skipped",
            "Skipped:    duplicate_recipient=1",
            "Sends (first 1 of 1):",
            "   1  group 1203@g.us  text \"Menu of Monday\"",
            "Skipped (first 1 of 1):",
            "   1  group 1203@g.us  duplicate_recipient",
            "Completion: not estimated: the device would not send (see Device)");
  }

  @Test
  void shouldPrintTheValidatorsReasonsAndExitTwoWhenBroadcastIsInvalid() throws SQLException {
    UUID tenant = UUID.randomUUID();
    UUID gateway = device(tenant, "http_gateway", null);
    UUID id = UUID.randomUUID();
    sql(
        "INSERT INTO broadcasts (id, user_id, device_id, message, target_contacts, scheduled_at,"
            + " status) VALUES (?, ?, ?, 'Hi', '[\"+15550300001\", \"0800 not a number\"]'::jsonb,"
            + " '2026-03-08T07:30:00Z', 'scheduled')",
        id,
        tenant,
        gateway);

    String[] result = run("--id", id.toString(), "--dry-run");

    assertThat(result[0]).isEqualTo("2");
    assertThat(result[1].lines().toList())
        .startsWith(
            "Dry run:    broadcasts " + id,
            "Invalid:    the scheduler rejects this definition; nothing would go out:");
    assertThat(result[1]).contains("recipients[1]").doesNotContain("0800");
  }

  @Test
  void shouldExitTwoWhenDryRunInputIsBad() {
    assertThat(run("--id", UUID.randomUUID().toString(), "--dry-run")[0]).isEqualTo("2");
    assertThat(run("--id", "nope", "--dry-run")[0]).isEqualTo("2");
    String[] outOfRange = run("--id", UUID.randomUUID().toString(), "--dry-run", "--limit", "101");
    assertThat(outOfRange[0]).isEqualTo("2");
    assertThat(outOfRange[2]).startsWith("preview: --limit 101 must be between 1 and 100");
  }
}
