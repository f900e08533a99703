package io.herald.scheduler.cdc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.contracts.event.ChangeOp;
import io.herald.contracts.event.ContactInfo;
import io.herald.contracts.event.DeviceInfo;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.topic.Topics;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps one Debezium change event (the JSON envelope without schemas: {@code before}, {@code
 * after}, {@code source}, {@code op}) to Herald's canonical events. Pure apart from Jackson and
 * thread-safe; it never throws for bad row content: problems a user can fix travel in {@link
 * ScheduleChange#mappingErrors()} so the scheduler reports them on the row.
 *
 * <p>Debezium encodings it decodes (connector defaults plus {@code decimal.handling.mode=double}):
 * {@code time} → microseconds since midnight ({@code time.precision.mode=adaptive}), {@code date}
 * → days since the epoch, {@code int[]} → JSON array, {@code jsonb} → JSON text, {@code
 * timestamptz} → ISO-8601 text, {@code numeric} → JSON number.
 *
 * <p>Devices and contacts are always bounded here ({@link Limits}: contact name, field count,
 * field names and values, device status and transport), so that no tenant's row can grow those
 * events past what the topics accept; {@link CdcMapping.Emit#cutValues()} counts what was cut.
 * Schedule definitions are not cut (a cut message would be sent as something the user did not
 * write): the engine rejects an oversized one as a whole ({@link PoisonRows}).
 */
public final class RowMapper {

  /** Debezium's stand-in for an unchanged TOASTed value it did not receive. */
  static final String UNAVAILABLE_PLACEHOLDER = "__debezium_unavailable_value";

  public static final String RECURRING_MESSAGES = "recurring_messages";
  public static final String BROADCASTS = "broadcasts";
  public static final String AUTO_POST_SCHEDULES = "auto_post_schedules";
  public static final String DEVICES = "devices";
  public static final String CONTACTS = "contacts";

  /** Every captured table, in the order of {@code table.include.list}. */
  public static final List<String> TABLES =
      List.of(RECURRING_MESSAGES, BROADCASTS, AUTO_POST_SCHEDULES, DEVICES, CONTACTS);

  /**
   * Columns only Herald writes (scheduler projector and sender results). An update that changes
   * nothing else is Herald's own write-back and is dropped. {@code scheduler_state_at} is the
   * projector's ordering column (V2 migration).
   */
  static final Set<String> SCHEDULE_STATE_COLUMNS =
      Set.of(
          "next_send_at",
          "last_sent_at",
          "total_sent",
          "total_failed",
          "execution_count",
          "status",
          "last_error",
          "updated_at",
          "scheduler_state_at");

  /** Broadcasts' state columns; {@code status} is handled apart (users write some values). */
  static final Set<String> BROADCAST_STATE_COLUMNS =
      Set.of(
          "sent_count",
          "failed_count",
          "total_count",
          "started_at",
          "completed_at",
          "last_error",
          "updated_at",
          "scheduler_state_at");

  /** Broadcast statuses only Herald sets; draft, scheduled and cancelled are the user's. */
  static final Set<String> BROADCAST_HERALD_STATUSES = Set.of("processing", "completed", "failed");

  /** Broadcast statuses in which the broadcast should fire (or is firing). */
  static final Set<String> BROADCAST_ACTIVE_STATUSES = Set.of("scheduled", "processing");

  static final Set<String> DEVICE_STATE_COLUMNS = Set.of("updated_at");

  private final ObjectMapper json;

  public RowMapper(ObjectMapper json) {
    this.json = json;
  }

  /** Maps the value of a Debezium change event; null (a tombstone) is ignored. */
  public CdcMapping map(String debeziumValue) {
    if (debeziumValue == null) {
      return new CdcMapping.Ignored(null, "tombstone");
    }
    JsonNode envelope;
    try {
      envelope = json.readTree(debeziumValue);
    } catch (JsonProcessingException e) {
      return new CdcMapping.Ignored(null, "not JSON: " + e.getOriginalMessage());
    }
    return map(envelope);
  }

  /** Maps a parsed Debezium change event envelope. */
  public CdcMapping map(JsonNode envelope) {
    if (envelope == null || envelope.isNull() || envelope.isMissingNode()) {
      return new CdcMapping.Ignored(null, "tombstone");
    }
    // Tolerate the schema-ful shape too: {"schema":..., "payload":{...}}.
    if (envelope.has("payload") && envelope.has("schema")) {
      envelope = envelope.get("payload");
    }
    JsonNode source = envelope.path("source");
    String table = textOrNull(source.get("table"));
    String opCode = textOrNull(envelope.get("op"));
    if (table == null || !TABLES.contains(table)) {
      return new CdcMapping.Ignored(table, "table not captured by Herald");
    }
    if (opCode == null) {
      return new CdcMapping.Ignored(table, "no op");
    }
    long lsn = source.path("lsn").asLong(0);
    long tsMs = source.path("ts_ms").asLong(0);
    JsonNode before = objectOrNull(envelope.get("before"));
    JsonNode after = objectOrNull(envelope.get("after"));

    switch (opCode) {
      case "c":
      case "r":
        if (after == null) {
          return new CdcMapping.Ignored(table, "create without after image");
        }
        return upsert(table, opCode.equals("c") ? "create" : "read", after, lsn, tsMs);
      case "u":
        if (after == null) {
          return new CdcMapping.Ignored(table, "update without after image");
        }
        if (before != null) {
          ObjectNode effective = withUnavailableFromBefore(before, after);
          Set<String> changed = changedColumns(before, effective);
          if (isStateOnly(table, changed, effective)) {
            return new CdcMapping.StateOnly(table, changed);
          }
          after = effective;
        }
        // Without a before image (REPLICA IDENTITY not FULL) a change cannot be told apart
        // from a write-back: pass it on, the scheduler treats a re-sent definition as idempotent.
        return upsert(table, "update", after, lsn, tsMs);
      case "d":
        if (before == null) {
          return new CdcMapping.Ignored(table, "delete without before image");
        }
        return delete(table, before, lsn, tsMs);
      case "t":
        return new CdcMapping.Ignored(table, "truncate is not propagated; delete rows instead");
      default:
        return new CdcMapping.Ignored(table, "op '" + opCode + "' not handled");
    }
  }

  /**
   * True when every changed column is one Herald writes: the update is a write-back. An update
   * that changed nothing at all is treated the same way (a replayed write-back).
   */
  static boolean isStateOnly(String table, Set<String> changed, JsonNode after) {
    for (String column : changed) {
      if (!isStateColumn(table, column, after)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isStateColumn(String table, String column, JsonNode after) {
    switch (table) {
      case RECURRING_MESSAGES:
      case AUTO_POST_SCHEDULES:
        return SCHEDULE_STATE_COLUMNS.contains(column);
      case BROADCASTS:
        if (column.equals("status")) {
          return BROADCAST_HERALD_STATUSES.contains(textOrNull(after.get("status")));
        }
        return BROADCAST_STATE_COLUMNS.contains(column);
      case DEVICES:
        return DEVICE_STATE_COLUMNS.contains(column);
      default:
        return false;
    }
  }

  static Set<String> changedColumns(JsonNode before, JsonNode after) {
    Set<String> changed = new LinkedHashSet<>();
    for (Iterator<String> it = after.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!nodeEquals(before.get(f), after.get(f))) {
        changed.add(f);
      }
    }
    for (Iterator<String> it = before.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!after.has(f)) {
        changed.add(f);
      }
    }
    return changed;
  }

  private static boolean nodeEquals(JsonNode a, JsonNode b) {
    boolean aNull = a == null || a.isNull();
    boolean bNull = b == null || b.isNull();
    if (aNull || bNull) {
      return aNull && bNull;
    }
    // 1 and 1.0 are the same numeric value after decimal.handling.mode=double.
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    return a.equals(b);
  }

  /**
   * An unchanged large (TOASTed) value arrives as a placeholder in the after image; with REPLICA
   * IDENTITY FULL the before image holds the real value, which is also the current one.
   */
  private static ObjectNode withUnavailableFromBefore(JsonNode before, JsonNode after) {
    ObjectNode effective = after.deepCopy();
    for (Iterator<Map.Entry<String, JsonNode>> it = after.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (isPlaceholder(e.getValue()) && before.has(e.getKey())
          && !isPlaceholder(before.get(e.getKey()))) {
        effective.set(e.getKey(), before.get(e.getKey()));
      }
    }
    return effective;
  }

  private static boolean isPlaceholder(JsonNode n) {
    if (n == null) {
      return false;
    }
    if (n.isTextual()) {
      return UNAVAILABLE_PLACEHOLDER.equals(n.asText());
    }
    // int[] columns carry the placeholder as their single element.
    return n.isArray() && n.size() == 1 && n.get(0).isTextual()
        && UNAVAILABLE_PLACEHOLDER.equals(n.get(0).asText());
  }

  private CdcMapping upsert(String table, String op, JsonNode row, long lsn, long tsMs) {
    String id = textOrNull(row.get("id"));
    if (id == null) {
      return new CdcMapping.Ignored(table, "row without id");
    }
    switch (table) {
      case RECURRING_MESSAGES:
        return scheduleEmit(table, op, recurring(id, row, lsn), tsMs);
      case AUTO_POST_SCHEDULES:
        return scheduleEmit(table, op, autopost(id, row, lsn), tsMs);
      case BROADCASTS:
        return scheduleEmit(table, op, broadcast(id, row, lsn), tsMs);
      case DEVICES: {
        Cuts cuts = new Cuts();
        return new CdcMapping.Emit<>(table, op, Topics.DEVICES, id, device(id, row, false, cuts),
            tsMs, cuts.count);
      }
      case CONTACTS: {
        Cuts cuts = new Cuts();
        return new CdcMapping.Emit<>(table, op, Topics.CONTACTS, id,
            contact(id, row, false, cuts), tsMs, cuts.count);
      }
      default:
        return new CdcMapping.Ignored(table, "table not captured by Herald");
    }
  }

  private CdcMapping delete(String table, JsonNode before, long lsn, long tsMs) {
    String id = textOrNull(before.get("id"));
    if (id == null) {
      return new CdcMapping.Ignored(table, "deleted row without id");
    }
    switch (table) {
      case RECURRING_MESSAGES:
        return scheduleEmit(table, "delete",
            ScheduleChange.delete(ScheduleKind.RECURRING.keyFor(id), ScheduleKind.RECURRING, lsn),
            tsMs);
      case AUTO_POST_SCHEDULES:
        return scheduleEmit(table, "delete",
            ScheduleChange.delete(ScheduleKind.AUTOPOST.keyFor(id), ScheduleKind.AUTOPOST, lsn),
            tsMs);
      case BROADCASTS:
        return scheduleEmit(table, "delete",
            ScheduleChange.delete(ScheduleKind.BROADCAST.keyFor(id), ScheduleKind.BROADCAST, lsn),
            tsMs);
      case DEVICES: {
        Cuts cuts = new Cuts();
        return new CdcMapping.Emit<>(table, "delete", Topics.DEVICES, id,
            device(id, before, true, cuts), tsMs, cuts.count);
      }
      case CONTACTS: {
        Cuts cuts = new Cuts();
        return new CdcMapping.Emit<>(table, "delete", Topics.CONTACTS, id,
            contact(id, before, true, cuts), tsMs, cuts.count);
      }
      default:
        return new CdcMapping.Ignored(table, "table not captured by Herald");
    }
  }

  private static CdcMapping scheduleEmit(String table, String op, ScheduleChange c, long tsMs) {
    return new CdcMapping.Emit<>(table, op, Topics.SCHEDULE_CHANGES, c.scheduleKey(), c, tsMs);
  }

  private ScheduleChange recurring(String id, JsonNode row, long lsn) {
    List<String> errors = new ArrayList<>();
    List<String> recipients = stringArray(row, "target_contacts",
        "a JSON array of E.164 numbers or contact ids", "an E.164 number or a contact id", errors);
    return new ScheduleChange(ScheduleChange.SCHEMA_VERSION, ChangeOp.UPSERT,
        ScheduleKind.RECURRING.keyFor(id), ScheduleKind.RECURRING, text(row, "user_id"),
        text(row, "device_id"), text(row, "name"), text(row, "message"), text(row, "media_url"),
        recipients, rule(row, errors), pacing(row), activeFlag(row), null, lsn,
        instant(row, "created_at", errors), errors);
  }

  private ScheduleChange autopost(String id, JsonNode row, long lsn) {
    List<String> errors = new ArrayList<>();
    List<String> groups = stringArray(row, "target_groups", "a JSON array of group ids",
        "a group id", errors);
    return new ScheduleChange(ScheduleChange.SCHEMA_VERSION, ChangeOp.UPSERT,
        ScheduleKind.AUTOPOST.keyFor(id), ScheduleKind.AUTOPOST, text(row, "user_id"),
        text(row, "device_id"), text(row, "name"), text(row, "message"), text(row, "media_url"),
        groups, rule(row, errors), pacing(row), activeFlag(row), null, lsn,
        instant(row, "created_at", errors), errors);
  }

  private ScheduleChange broadcast(String id, JsonNode row, long lsn) {
    List<String> errors = new ArrayList<>();
    List<String> recipients = stringArray(row, "target_contacts",
        "a JSON array of E.164 numbers or contact ids", "an E.164 number or a contact id", errors);
    Instant scheduledAt = instant(row, "scheduled_at", errors);
    String status = text(row, "status");
    // A broadcast without scheduled_at fires "now", i.e. at created_at (RuleSpec.once(null)).
    RuleSpec rule = RuleSpec.once(scheduledAt == null ? null : scheduledAt.toString());
    return new ScheduleChange(ScheduleChange.SCHEMA_VERSION, ChangeOp.UPSERT,
        ScheduleKind.BROADCAST.keyFor(id), ScheduleKind.BROADCAST, text(row, "user_id"),
        text(row, "device_id"), text(row, "name"), text(row, "message"), text(row, "media_url"),
        recipients, rule, pacing(row), status != null && BROADCAST_ACTIVE_STATUSES.contains(status),
        status, lsn, instant(row, "created_at", errors), errors);
  }

  /**
   * {@code is_active}; an explicit NULL counts as inactive: sending is the irreversible action,
   * so an unclear flag fails closed.
   */
  private static boolean activeFlag(JsonNode row) {
    JsonNode n = row.get("is_active");
    return n != null && n.isBoolean() && n.booleanValue();
  }

  private RuleSpec rule(JsonNode row, List<String> errors) {
    return new RuleSpec(
        text(row, "frequency"),
        integer(row, "interval_value"),
        text(row, "interval_unit"),
        text(row, "cron_expression"),
        timeOfDay(row, "time_of_day"),
        intArray(row, "days_of_week", errors),
        integer(row, "day_of_month"),
        text(row, "timezone"),
        date(row, "start_date"),
        date(row, "end_date"),
        integer(row, "max_executions"),
        text(row, "catch_up"),
        integer(row, "catch_up_grace_seconds"),
        null);
  }

  private static PacingSpec pacing(JsonNode row) {
    return new PacingSpec(
        text(row, "delay_type"),
        integer(row, "delay_seconds"),
        bool(row, "randomize_delay"),
        integer(row, "batch_size"),
        integer(row, "pause_between_batches"));
  }

  private static DeviceInfo device(String id, JsonNode row, boolean deleted, Cuts cuts) {
    return new DeviceInfo(DeviceInfo.SCHEMA_VERSION, id, text(row, "user_id"),
        cuts.clip(text(row, "transport"), Limits.STATUS_MAX_CHARS),
        cuts.clip(text(row, "status"), Limits.STATUS_MAX_CHARS), decimal(row, "max_per_second"),
        deleted);
  }

  private ContactInfo contact(String id, JsonNode row, boolean deleted, Cuts cuts) {
    Boolean optedOut = bool(row, "opted_out");
    // The phone number is never cut: a shortened number is somebody else's.
    return new ContactInfo(ContactInfo.SCHEMA_VERSION, id, text(row, "user_id"),
        text(row, "phone_number"), cuts.clip(text(row, "name"), Limits.CONTACT_NAME_MAX_CHARS),
        fields(row.get("fields"), cuts), Boolean.TRUE.equals(optedOut), deleted);
  }

  /**
   * {@code fields} jsonb: an object of template variables; other shapes carry none. Bounded in
   * source order: a name over {@link Limits#CONTACT_FIELD_KEY_MAX_CHARS} drops its field, fields
   * beyond {@link Limits#CONTACT_FIELDS_MAX_ENTRIES} are dropped, values are cut to {@link
   * Limits#CONTACT_FIELD_VALUE_MAX_CHARS}.
   */
  private Map<String, String> fields(JsonNode raw, Cuts cuts) {
    JsonNode node = jsonb(raw);
    Map<String, String> out = new LinkedHashMap<>();
    if (node == null || !node.isObject()) {
      return out;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (v == null || v.isNull()) {
        continue;
      }
      if (codePoints(e.getKey()) > Limits.CONTACT_FIELD_KEY_MAX_CHARS
          || out.size() >= Limits.CONTACT_FIELDS_MAX_ENTRIES) {
        cuts.count++;
        continue;
      }
      String value = v.isValueNode() ? v.asText() : v.toString();
      out.put(e.getKey(), cuts.clip(value, Limits.CONTACT_FIELD_VALUE_MAX_CHARS));
    }
    return out;
  }

  private static int codePoints(String s) {
    return s.codePointCount(0, s.length());
  }

  /** Counts the values cut or dropped while bounding one event. */
  private static final class Cuts {
    int count;

    /**
     * {@code s} cut to at most {@code max} code points, never inside a surrogate pair; the
     * content is otherwise kept as it is (line breaks in a field value are the user's).
     */
    String clip(String s, int max) {
      if (s == null || s.length() <= max || codePoints(s) <= max) {
        return s;
      }
      count++;
      return s.substring(0, s.offsetByCodePoints(0, max));
    }
  }

  /** A jsonb column: Debezium sends its JSON text; tolerate an already parsed value. */
  private JsonNode jsonb(JsonNode raw) {
    if (raw == null || raw.isNull()) {
      return null;
    }
    if (!raw.isTextual()) {
      return raw;
    }
    try {
      return json.readTree(raw.asText());
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private List<String> stringArray(JsonNode row, String column, String expected,
      String elementExpected, List<String> errors) {
    JsonNode raw = row.get(column);
    if (raw == null || raw.isNull()) {
      return null; // missing recipients are the validator's to report, with its own reason
    }
    JsonNode node = jsonb(raw);
    if (node == null) {
      errors.add(column + " must be " + expected + ", got text that is not JSON");
      return null;
    }
    if (!node.isArray()) {
      errors.add(column + " must be " + expected + ", got " + describe(node));
      return null;
    }
    List<String> out = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      JsonNode e = node.get(i);
      if (e != null && e.isTextual()) {
        out.add(e.asText());
      } else {
        // Names the index and the type, never the value: recipients are personal data.
        errors.add(column + "[" + i + "] must be a string (" + elementExpected + "), got "
            + describe(e));
      }
    }
    return out;
  }

  private static List<Integer> intArray(JsonNode row, String column, List<String> errors) {
    JsonNode node = row.get(column);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isArray()) {
      errors.add(column + " must be an array of whole numbers, got " + describe(node));
      return null;
    }
    List<Integer> out = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      JsonNode e = node.get(i);
      if (e != null && e.canConvertToInt() && e.isIntegralNumber()) {
        out.add(e.intValue());
      } else {
        errors.add(column + "[" + i + "] must be a whole number, got " + describe(e));
      }
    }
    return out;
  }

  private static String describe(JsonNode n) {
    if (n == null || n.isNull()) {
      return "null";
    }
    if (n.isObject()) {
      return "an object";
    }
    if (n.isArray()) {
      return "an array";
    }
    if (n.isTextual()) {
      return "a string";
    }
    if (n.isNumber()) {
      return "a number";
    }
    if (n.isBoolean()) {
      return "a boolean";
    }
    return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * {@code time}: microseconds since midnight (MicroTime). Formatted by hand so that
   * PostgreSQL's {@code 24:00:00} survives and reaches the validator instead of failing here.
   */
  static String timeOfDay(JsonNode row, String column) {
    JsonNode n = row.get(column);
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isTextual()) {
      return n.asText(); // already textual (e.g. a producer other than Debezium)
    }
    long micros = n.asLong();
    long seconds = micros / 1_000_000L;
    return String.format(java.util.Locale.ROOT, "%02d:%02d:%02d",
        seconds / 3600, (seconds / 60) % 60, seconds % 60);
  }

  /** {@code date}: days since 1970-01-01 ({@code io.debezium.time.Date}). */
  static String date(JsonNode row, String column) {
    JsonNode n = row.get(column);
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isTextual()) {
      return n.asText();
    }
    return LocalDate.ofEpochDay(n.asLong()).toString();
  }

  /** {@code timestamptz}: ISO-8601 text ({@code io.debezium.time.ZonedTimestamp}). */
  private static Instant instant(JsonNode row, String column, List<String> errors) {
    JsonNode n = row.get(column);
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isNumber()) {
      return Instant.ofEpochMilli(n.asLong());
    }
    String s = n.asText();
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return Instant.parse(s);
      } catch (DateTimeParseException e2) {
        errors.add(column + " is not a timestamp: " + s);
        return null;
      }
    }
  }

  private static String text(JsonNode row, String column) {
    return textOrNull(row.get(column));
  }

  private static Integer integer(JsonNode row, String column) {
    JsonNode n = row.get(column);
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isNumber()) {
      return n.intValue();
    }
    try {
      return Integer.valueOf(n.asText().trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Double decimal(JsonNode row, String column) {
    JsonNode n = row.get(column);
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isNumber()) {
      return n.doubleValue();
    }
    try {
      return Double.valueOf(n.asText().trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Boolean bool(JsonNode row, String column) {
    JsonNode n = row.get(column);
    return n == null || n.isNull() ? null : n.asBoolean();
  }

  private static String textOrNull(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  private static JsonNode objectOrNull(JsonNode n) {
    return n == null || !n.isObject() ? null : n;
  }
}
