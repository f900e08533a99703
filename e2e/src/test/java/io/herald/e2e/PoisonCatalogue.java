package io.herald.e2e;

import static io.herald.e2e.PoisonCase.Expect.CARRIED;
import static io.herald.e2e.PoisonCase.Expect.DEAD_LETTER;
import static io.herald.e2e.PoisonCase.Expect.ERROR;
import static io.herald.e2e.PoisonCase.Expect.ERROR_OR_DEAD_LETTER;
import static io.herald.e2e.PoisonCase.Expect.INVALID;
import static io.herald.e2e.PoisonCase.Expect.SENT_BOUNDED;
import static io.herald.e2e.PoisonCase.Expect.SURVIVES;
import static java.util.Map.entry;

import io.herald.contracts.event.ChangeOp;
import io.herald.contracts.event.ContactInfo;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The poison catalogue as data: one {@link PoisonCase} per class of input that once stopped, or
 * could stop, a part of Herald for every tenant. Sizes derive from {@link Limits} (one past a
 * bound, or far past it), so the catalogue follows the bounds when they change. Every poison
 * belongs to tenant A; every definition, if it were wrongly accepted, would fire a few seconds
 * after it was fed, so fire-time failures (rendering, fan-out, send) are exercised as well as
 * validation.
 */
final class PoisonCatalogue {

  private PoisonCatalogue() {}

  /** Seconds between feeding a definition and the instant it would fire if accepted. */
  static final int FIRE_AFTER_SECONDS = 3;

  /** Tenant A (the poisoner) and what its cases address. */
  record Ctx(
      Pipeline pipeline,
      Workload tenantA,
      Workload.Device device,
      List<String> contactIds,
      String poisonContactId,
      String poisonContactPhone) {

    static Ctx create(Pipeline pipeline) {
      Workload a = new Workload(pipeline);
      Workload.Device d = a.device();
      List<String> contacts = new ArrayList<>();
      List<String> phones = a.phones(3);
      try (Connection c = pipeline.db.connect()) {
        for (int i = 0; i < 2; i++) {
          String id = UUID.randomUUID().toString();
          insert(
              c,
              "contacts",
              Map.of(
                  "id",
                  id,
                  "user_id",
                  a.tenant,
                  "phone_number",
                  phones.get(i),
                  "name",
                  "Contact " + i));
          contacts.add(id);
        }
      } catch (SQLException e) {
        throw new IllegalStateException("Cannot insert tenant A's contacts", e);
      }
      return new Ctx(pipeline, a, d, contacts, UUID.randomUUID().toString(), phones.get(2));
    }

    String tenant() {
      return tenantA.tenant;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // the catalogue

  static List<PoisonCase> cases() {
    List<PoisonCase> out = new ArrayList<>();
    String braces40k = "{".repeat(40 * 1024);
    String spintax5000 = "{a|".repeat(5_000);
    String overMessage = "Hello " + "x".repeat(Limits.MESSAGE_MAX_CHARS + 1 - 6);
    String overCaption = "Look " + "x".repeat(Limits.CAPTION_MAX_CHARS + 1 - 5);
    String media = "https://example.org/a.png";
    String name10k = "n".repeat(10 * 1024);
    String cron20k = "61 ".repeat(20 * 1024 / 3);
    String zone1k = "Europe/" + "x".repeat(1024 - 7);
    String url10k = "https://example.org/" + "a".repeat(10 * 1024);
    String tooDeep =
        "{a|".repeat(Limits.TEMPLATE_MAX_DEPTH + 1)
            + "b"
            + "}".repeat(Limits.TEMPLATE_MAX_DEPTH + 1);
    String groupsOver = "{name}".repeat(Limits.TEMPLATE_MAX_GROUPS + 1);
    String renderedOver = "{name}".repeat(Limits.TEMPLATE_MAX_GROUPS);
    String groups100k = "{name}".repeat(100_000);
    String delay10k = "d".repeat(10 * 1024);

    // ---- through rows (CDC) ----
    out.add(
        row(
            "message: 40 KB of nested braces",
            "recurring_messages",
            INVALID,
            null,
            ctx -> Map.of("message", braces40k)));
    out.add(
        row(
            "message: 5,000 nested spintax groups {a|",
            "recurring_messages",
            INVALID,
            null,
            ctx -> Map.of("message", spintax5000)));
    out.add(
        row(
            "message: nesting depth TEMPLATE_MAX_DEPTH + 1 in a short text",
            "recurring_messages",
            INVALID,
            null,
            ctx -> Map.of("message", tooDeep)));
    out.add(
        row(
            "message: MESSAGE_MAX_CHARS + 1 characters",
            "recurring_messages",
            INVALID,
            null,
            ctx -> Map.of("message", overMessage)));
    out.add(
        row(
            "caption: CAPTION_MAX_CHARS + 1 with a media_url",
            "recurring_messages",
            INVALID,
            null,
            ctx -> Map.of("message", overCaption, "media_url", media)));
    out.add(
        row(
            "message: 100,000 {name} groups",
            "recurring_messages",
            INVALID,
            null,
            ctx -> Map.of("message", groups100k)));
    out.add(
        row(
            "message: TEMPLATE_MAX_GROUPS + 1 {name} groups within MESSAGE_MAX_CHARS",
            "recurring_messages",
            INVALID,
            null,
            ctx -> Map.of("message", groupsOver)));
    out.add(
        row(
            "message: TEMPLATE_MAX_GROUPS {name} groups, rendered length over "
                + "MESSAGE_MAX_CHARS",
            "recurring_messages",
            INVALID,
            null,
            ctx -> Map.of("message", renderedOver)));
    out.add(
        row("name: 10 KB", "recurring_messages", INVALID, null, ctx -> Map.of("name", name10k)));
    out.add(
        row(
            "cron_expression: 20 KB",
            "recurring_messages",
            INVALID,
            null,
            ctx -> custom(Map.of("cron_expression", cron20k))));
    out.add(
        row(
            "timezone: 1 KB",
            "recurring_messages",
            INVALID,
            null,
            ctx -> Map.of("timezone", zone1k)));
    out.add(
        row(
            "media_url: 10 KB",
            "recurring_messages",
            INVALID,
            null,
            ctx -> Map.of("media_url", url10k)));
    out.add(
        row(
            "media_url: javascript: scheme",
            "recurring_messages",
            INVALID,
            null,
            ctx -> Map.of("media_url", "javascript:alert(1)")));
    out.add(
        row(
            "media_url: file: scheme",
            "recurring_messages",
            INVALID,
            null,
            ctx -> Map.of("media_url", "file:///etc/passwd")));
    out.add(
        row(
            "target_contacts: 60,000 entries",
            "recurring_messages",
            INVALID,
            null,
            ctx -> Map.of("target_contacts", Workload.jsonArray(ctx.tenantA().phones(60_000)))));
    out.add(
        row(
            "target_contacts: one entry of 1 MB",
            "recurring_messages",
            INVALID,
            null,
            ctx -> Map.of("target_contacts", "[\"+" + "1".repeat(1 << 20) + "\"]")));
    out.add(
        row(
            "target_contacts: JSON nested 5,000 deep",
            "recurring_messages",
            INVALID,
            null,
            ctx -> Map.of("target_contacts", "[".repeat(5_000) + "]".repeat(5_000))));
    out.add(
        row(
            "days_of_week: 100,000 entries",
            "recurring_messages",
            INVALID,
            null,
            ctx ->
                Map.of(
                    "frequency",
                    "weekly",
                    "days_of_week",
                    "{" + String.join(",", Collections.nCopies(100_000, "1")) + "}")));
    out.add(
        row(
            "delay_type: 10 KB",
            "recurring_messages",
            INVALID,
            null,
            ctx -> Map.of("delay_type", delay10k)));
    out.add(
        row(
            "auto-post message: 40 KB of nested braces",
            "auto_post_schedules",
            INVALID,
            null,
            ctx -> Map.of("message", braces40k)));
    out.add(
        row(
            "broadcast to contact ids, message: 40 KB of nested braces",
            "broadcasts",
            INVALID,
            null,
            ctx -> Map.of("message", braces40k)));
    out.add(contactRow());
    out.add(renderWithPoisonContact());
    out.add(
        deviceRow(
            "device: transport_config over TRANSPORT_CONFIG_MAX_BYTES (1 MB)",
            "{\"phone_number_id\":\"1\",\"pad\":\"" + "p".repeat(1 << 20) + "\"}"));
    out.add(
        deviceRow(
            "device: transport_config JSON nested 5,000 deep",
            "{\"phone_number_id\":\"1\",\"x\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}"));

    // ---- through events produced straight onto herald.schedule-changes ----
    out.add(event("message: 40 KB of nested braces", ERROR, null, d -> d.message = braces40k));
    out.add(
        event(
            "message: 5,000 nested spintax groups {a|", ERROR, null, d -> d.message = spintax5000));
    out.add(
        event(
            "message: nesting depth TEMPLATE_MAX_DEPTH + 1 in a short text",
            ERROR,
            null,
            d -> d.message = tooDeep));
    out.add(
        event(
            "message: MESSAGE_MAX_CHARS + 1 characters",
            ERROR,
            null,
            d -> d.message = overMessage));
    out.add(
        event(
            "caption: CAPTION_MAX_CHARS + 1 with a mediaUrl",
            ERROR,
            null,
            d -> {
              d.message = overCaption;
              d.mediaUrl = media;
            }));
    out.add(event("message: 100,000 {name} groups", ERROR, null, d -> d.message = groups100k));
    out.add(
        event(
            "message: TEMPLATE_MAX_GROUPS + 1 {name} groups within MESSAGE_MAX_CHARS",
            ERROR,
            null,
            d -> d.message = groupsOver));
    out.add(event("message: NUL character", ERROR, null, d -> d.message = "Hello\u0000world"));
    out.add(event("name: 10 KB", ERROR, null, d -> d.name = name10k));
    out.add(
        event(
            "rule.cronExpression: 20 KB",
            ERROR,
            null,
            d -> {
              d.frequency = "custom";
              d.timeOfDay = null;
              d.cron = cron20k;
            }));
    out.add(event("rule.timezone: 1 KB", ERROR, null, d -> d.timezone = zone1k));
    out.add(event("rule.frequency: 10 KB", ERROR, null, d -> d.frequency = delay10k));
    out.add(
        event(
            "rule.daysOfWeek: 1,000,000 entries",
            ERROR,
            null,
            d -> {
              d.frequency = "weekly";
              d.days = Collections.nCopies(1_000_000, 1);
            }));
    out.add(event("mediaUrl: 10 KB", ERROR, null, d -> d.mediaUrl = url10k));
    out.add(
        event(
            "mediaUrl: javascript: scheme", ERROR, null, d -> d.mediaUrl = "javascript:alert(1)"));
    out.add(event("mediaUrl: file: scheme", ERROR, null, d -> d.mediaUrl = "file:///etc/passwd"));
    out.add(
        event(
            "recipients: 60,000 entries",
            ERROR,
            null,
            d -> d.recipients = d.ctx.tenantA().phones(60_000)));
    out.add(
        event(
            "recipients: one entry of 1 MB",
            ERROR,
            null,
            d -> d.recipients = List.of("+" + "1".repeat(1 << 20))));
    out.add(
        event(
            "pacing.delayType: 10 KB",
            ERROR,
            null,
            d -> d.pacing = new PacingSpec(delay10k, 0, false, null, null)));
    out.add(event("tenantId: NUL character", ERROR, null, d -> d.tenant = d.tenant + "\u0000"));
    out.add(event("tenantId: 10 KB", ERROR, null, d -> d.tenant = name10k));
    out.add(event("deviceId: 10 KB", ERROR, null, d -> d.device = name10k));
    out.add(
        event(
            "mappingErrors: 100,000 entries",
            ERROR,
            null,
            d -> d.mappingErrors = Collections.nCopies(100_000, "target_contacts[0] is wrong")));
    out.add(
        event(
            "record key: 1 MB",
            ERROR_OR_DEAD_LETTER,
            null,
            d -> d.key = d.key + "k".repeat(1 << 20)));
    out.add(
        rawEvent(
            "value: 8 MB of garbage",
            DEAD_LETTER,
            key -> {
              byte[] b = new byte[8_000_000];
              new java.util.Random(42).nextBytes(b);
              return b;
            }));
    out.add(
        rawEvent(
            "value: JSON nested 5,000 deep",
            DEAD_LETTER,
            key ->
                ("{\"schemaVersion\":1,\"op\":\"upsert\",\"scheduleKey\":\""
                        + key
                        + "\",\"kind\":\"recurring\",\"recipients\":"
                        + "[".repeat(5_000)
                        + "]".repeat(5_000)
                        + "}")
                    .getBytes(StandardCharsets.UTF_8)));
    out.add(contactEvent());

    // ---- the definitions too large for a record or a store: last, because on a pipeline
    // without the fix they take the scheduler down for good (a crash loop) and every case after
    // them could not be judged ----
    out.add(
        event(
            "message over MAX_DEFINITION_BYTES (+1 MiB)",
            ERROR,
            "too large",
            d -> d.message = "x".repeat(Limits.MAX_DEFINITION_BYTES + (1 << 20))));
    out.add(
        row(
            "message over MAX_DEFINITION_BYTES (+1 MiB)",
            "recurring_messages",
            INVALID,
            "too large",
            ctx -> Map.of("message", "x".repeat(Limits.MAX_DEFINITION_BYTES + (1 << 20)))));
    out.add(
        row(
            "message over MAX_RECORD_BYTES (+1 MiB): change event too large for Kafka",
            "recurring_messages",
            INVALID,
            "too large",
            ctx -> Map.of("message", "x".repeat(Limits.MAX_RECORD_BYTES + (1 << 20)))));
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // rows

  /** Column casts; every value is bound as text and cast by PostgreSQL. */
  private static final Map<String, String> CASTS =
      Map.ofEntries(
          entry("id", "uuid"),
          entry("user_id", "uuid"),
          entry("device_id", "uuid"),
          entry("target_contacts", "jsonb"),
          entry("target_groups", "jsonb"),
          entry("fields", "jsonb"),
          entry("transport_config", "jsonb"),
          entry("time_of_day", "time"),
          entry("days_of_week", "integer[]"),
          entry("start_date", "date"),
          entry("end_date", "date"),
          entry("scheduled_at", "timestamptz"),
          entry("interval_value", "integer"),
          entry("max_executions", "integer"),
          entry("catch_up_grace_seconds", "integer"),
          entry("delay_seconds", "integer"),
          entry("is_active", "boolean"),
          entry("randomize_delay", "boolean"),
          entry("max_per_second", "numeric"),
          entry("opted_out", "boolean"));

  static void insert(Connection c, String table, Map<String, String> columns) throws SQLException {
    List<String> names = new ArrayList<>(columns.keySet());
    List<String> marks =
        names.stream().map(n -> CASTS.containsKey(n) ? "?::" + CASTS.get(n) : "?").toList();
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + table
                + " ("
                + String.join(", ", names)
                + ") VALUES ("
                + String.join(", ", marks)
                + ")")) {
      for (int i = 0; i < names.size(); i++) {
        String v = columns.get(names.get(i));
        if (v == null) {
          ps.setNull(i + 1, Types.VARCHAR);
        } else {
          ps.setString(i + 1, v);
        }
      }
      ps.executeUpdate();
    }
  }

  /** A custom rule instead of the base daily one (for cron cases). */
  private static Map<String, String> custom(Map<String, String> overrides) {
    Map<String, String> m = new LinkedHashMap<>(overrides);
    m.put("frequency", "custom");
    m.put("time_of_day", null);
    return m;
  }

  /** A valid definition of tenant A due {@link #FIRE_AFTER_SECONDS} from now, then overrides. */
  private static PoisonCase row(
      String label,
      String table,
      PoisonCase.Expect expect,
      String mention,
      Function<Ctx, Map<String, String>> overrides) {
    return new PoisonCase(
        label,
        PoisonCase.Path.ROW,
        expect,
        mention,
        ctx -> {
          String id = UUID.randomUUID().toString();
          Instant fireAt = Workload.in(FIRE_AFTER_SECONDS);
          Map<String, String> cols = baseScheduleRow(ctx, table, id, fireAt);
          cols.putAll(overrides.apply(ctx));
          insertRow(ctx, table, cols);
          return PoisonCase.Fed.row(table, id, kindOf(table).keyFor(id), fireAt);
        });
  }

  static Map<String, String> baseScheduleRow(Ctx ctx, String table, String id, Instant fireAt) {
    Map<String, String> cols = new LinkedHashMap<>();
    cols.put("id", id);
    cols.put("user_id", ctx.tenant());
    cols.put("device_id", ctx.device().id());
    cols.put("name", "poison " + table);
    cols.put("message", "Hello {name}, " + ctx.tenantA().textMarker);
    cols.put("delay_type", "manual");
    cols.put("delay_seconds", "0");
    cols.put("randomize_delay", "false");
    if (table.equals("broadcasts")) {
      cols.put("target_contacts", Workload.jsonArray(ctx.contactIds()));
      cols.put("status", "scheduled");
      cols.put("scheduled_at", fireAt.toString());
      return cols;
    }
    LocalDateTime t = LocalDateTime.ofInstant(fireAt, ZoneOffset.UTC);
    cols.put(
        table.equals("auto_post_schedules") ? "target_groups" : "target_contacts",
        table.equals("auto_post_schedules")
            ? "[\"120363000000000001@g.us\"]"
            : Workload.jsonArray(ctx.tenantA().phones(2)));
    cols.put("frequency", "daily");
    cols.put(
        "time_of_day", String.format("%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond()));
    cols.put("timezone", "UTC");
    cols.put("start_date", t.toLocalDate().toString());
    cols.put("max_executions", "1");
    cols.put("catch_up", "fire_all");
    cols.put("is_active", "true");
    return cols;
  }

  private static void insertRow(Ctx ctx, String table, Map<String, String> cols) {
    try (Connection c = ctx.pipeline().db.connect()) {
      insert(c, table, cols);
    } catch (SQLException e) {
      throw new RefusedByDatabase(e);
    }
  }

  static ScheduleKind kindOf(String table) {
    return switch (table) {
      case "broadcasts" -> ScheduleKind.BROADCAST;
      case "auto_post_schedules" -> ScheduleKind.AUTOPOST;
      default -> ScheduleKind.RECURRING;
    };
  }

  /** PostgreSQL itself refused the row: the poison cannot reach Herald that way. */
  static final class RefusedByDatabase extends RuntimeException {
    RefusedByDatabase(SQLException cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** Tenant A's contact with a 1 MB name and 1,000 fields (each field value 1 KB + 1). */
  private static PoisonCase contactRow() {
    return new PoisonCase(
        "contact: 1 MB name and 1,000 fields",
        PoisonCase.Path.ROW,
        CARRIED,
        null,
        ctx -> {
          StringBuilder fields = new StringBuilder("{");
          for (int i = 0; i < 1_000; i++) {
            fields
                .append(i == 0 ? "" : ",")
                .append("\"f")
                .append(i)
                .append("\":\"")
                .append("v".repeat(Limits.CONTACT_FIELD_VALUE_MAX_CHARS + 1))
                .append('"');
          }
          insertRow(
              ctx,
              "contacts",
              Map.of(
                  "id",
                  ctx.poisonContactId(),
                  "user_id",
                  ctx.tenant(),
                  "phone_number",
                  ctx.poisonContactPhone(),
                  "name",
                  "N".repeat(1 << 20),
                  "fields",
                  fields.append('}').toString()));
          return PoisonCase.Fed.carried("contacts", ctx.poisonContactId(), Topics.CONTACTS.name());
        });
  }

  /** A valid broadcast to the contact above: rendering must cut its name and fields. */
  private static PoisonCase renderWithPoisonContact() {
    return new PoisonCase(
        "broadcast {name} {f1} to that contact (valid template, oversized " + "contact data)",
        PoisonCase.Path.ROW,
        SENT_BOUNDED,
        null,
        ctx -> {
          String id = UUID.randomUUID().toString();
          Instant fireAt = Workload.in(FIRE_AFTER_SECONDS);
          Map<String, String> cols = baseScheduleRow(ctx, "broadcasts", id, fireAt);
          cols.put("message", "Hi {name}, {f1}");
          cols.put("target_contacts", Workload.jsonArray(List.of(ctx.poisonContactId())));
          insertRow(ctx, "broadcasts", cols);
          return PoisonCase.Fed.sent(
              "broadcasts",
              id,
              ScheduleKind.BROADCAST.keyFor(id),
              ctx.poisonContactPhone(),
              fireAt);
        });
  }

  private static PoisonCase deviceRow(String label, String transportConfig) {
    return new PoisonCase(
        label,
        PoisonCase.Path.ROW,
        CARRIED,
        null,
        ctx -> {
          String id = UUID.randomUUID().toString();
          insertRow(
              ctx,
              "devices",
              Map.of(
                  "id",
                  id,
                  "user_id",
                  ctx.tenant(),
                  "name",
                  "poison",
                  "transport",
                  "whatsapp_cloud",
                  "transport_config",
                  transportConfig,
                  "status",
                  "active"));
          return PoisonCase.Fed.carried("devices", id, Topics.DEVICES.name());
        });
  }

  // ---------------------------------------------------------------------------------------------
  // events

  /** A valid ScheduleChange of tenant A, due a few seconds from now, before a case changes it. */
  static final class Def {
    final Ctx ctx;
    String key = "recurring:" + UUID.randomUUID();
    String tenant;
    String device;
    String name = "poison event";
    String message;
    String mediaUrl;
    List<String> recipients;
    String frequency = "daily";
    String cron;
    String timeOfDay;
    String timezone = "UTC";
    List<Integer> days;
    String startDate;
    PacingSpec pacing = PacingSpec.none();
    List<String> mappingErrors = List.of();
    final Instant fireAt = Workload.in(FIRE_AFTER_SECONDS);

    Def(Ctx ctx) {
      this.ctx = ctx;
      this.tenant = ctx.tenant();
      this.device = ctx.device().id();
      this.message = "Hello {name}, " + ctx.tenantA().textMarker;
      this.recipients = ctx.tenantA().phones(2);
      LocalDateTime t = LocalDateTime.ofInstant(fireAt, ZoneOffset.UTC);
      this.timeOfDay = String.format("%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond());
      this.startDate = t.toLocalDate().toString();
    }

    /** The key without anything a case appended: unique, and a prefix of every form of it. */
    final String prefix = key;

    ScheduleChange build() {
      RuleSpec rule =
          new RuleSpec(
              frequency,
              1,
              null,
              cron,
              timeOfDay,
              days,
              null,
              timezone,
              startDate,
              null,
              1,
              "fire_all",
              3600,
              null);
      return new ScheduleChange(
          ScheduleChange.SCHEMA_VERSION,
          ChangeOp.UPSERT,
          key,
          ScheduleKind.RECURRING,
          tenant,
          device,
          name,
          message,
          mediaUrl,
          recipients,
          rule,
          pacing,
          true,
          null,
          1L,
          Instant.now(),
          mappingErrors);
    }
  }

  private static PoisonCase event(
      String label, PoisonCase.Expect expect, String mention, Consumer<Def> poison) {
    return new PoisonCase(
        label,
        PoisonCase.Path.EVENT,
        expect,
        mention,
        ctx -> {
          Def d = new Def(ctx);
          poison.accept(d);
          ScheduleChange change = d.build();
          ctx.pipeline()
              .produceRaw(
                  Topics.SCHEDULE_CHANGES.name(),
                  d.key,
                  Topics.SCHEDULE_CHANGES
                      .valueSerde()
                      .serializer()
                      .serialize(Topics.SCHEDULE_CHANGES.name(), change));
          return PoisonCase.Fed.event(d.prefix, d.fireAt);
        });
  }

  /** Raw bytes under a fresh schedule key. */
  private static PoisonCase rawEvent(
      String label, PoisonCase.Expect expect, Function<String, byte[]> value) {
    return new PoisonCase(
        label,
        PoisonCase.Path.EVENT,
        expect,
        null,
        ctx -> {
          String key = "recurring:" + UUID.randomUUID();
          ctx.pipeline().produceRaw(Topics.SCHEDULE_CHANGES.name(), key, value.apply(key));
          return PoisonCase.Fed.event(key, null);
        });
  }

  /** The contact poison produced directly onto herald.contacts. */
  private static PoisonCase contactEvent() {
    return new PoisonCase(
        "herald.contacts: ContactInfo with 1 MB name and 1,000 fields",
        PoisonCase.Path.EVENT,
        SURVIVES,
        null,
        ctx -> {
          Map<String, String> fields = new LinkedHashMap<>();
          for (int i = 0; i < 1_000; i++) {
            fields.put("f" + i, "v".repeat(Limits.CONTACT_FIELD_VALUE_MAX_CHARS + 1));
          }
          ctx.pipeline()
              .produceContact(
                  new ContactInfo(
                      ContactInfo.SCHEMA_VERSION,
                      UUID.randomUUID().toString(),
                      ctx.tenant(),
                      ctx.tenantA().phones(1).get(0),
                      "N".repeat(1 << 20),
                      fields,
                      false,
                      false));
          return PoisonCase.Fed.nothing();
        });
  }
}
