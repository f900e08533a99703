package io.herald.scheduler.cdc;

import static io.herald.scheduler.cdc.DebeziumColumns.objectOrNull;
import static io.herald.scheduler.cdc.DebeziumColumns.textOrNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.topic.Topics;
import java.util.List;
import java.util.Set;

/**
 * Maps one Debezium change event (the JSON envelope without schemas: {@code before}, {@code after},
 * {@code source}, {@code op}) to Herald's canonical events. Pure apart from Jackson and
 * thread-safe; it never throws for bad row content: problems a user can fix travel in {@link
 * ScheduleChange#mappingErrors()} so the scheduler reports them on the row.
 *
 * <p>Debezium encodings it decodes (connector defaults plus {@code decimal.handling.mode=double}):
 * {@code time} → microseconds since midnight ({@code time.precision.mode=adaptive}), {@code date} →
 * days since the epoch, {@code int[]} → JSON array, {@code jsonb} → JSON text, {@code timestamptz}
 * → ISO-8601 text, {@code numeric} → JSON number.
 *
 * <p>Devices and contacts are always bounded here ({@link Limits}: contact name, field count, field
 * names and values, device status and transport), so that no tenant's row can grow those events
 * past what the topics accept; {@link CdcMapping.Emit#cutValues()} counts what was cut. Schedule
 * definitions are not cut (a cut message would be sent as something the user did not write): the
 * engine rejects an oversized one as a whole ({@link PoisonRows}).
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

  private final ObjectMapper json;
  private final ScheduleRows schedules;
  private final DirectoryRows directory;

  /** A mapper with seed compatibility on (the default). */
  public RowMapper(ObjectMapper json) {
    this(json, true);
  }

  /**
   * @param seedCompat read rows the way the seed's app writes them ({@link SeedDefaults})
   */
  public RowMapper(ObjectMapper json, boolean seedCompat) {
    this.json = json;
    this.schedules = new ScheduleRows(json, seedCompat);
    this.directory = new DirectoryRows(json);
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
          ObjectNode effective = StateOnlyUpdates.withUnavailableFromBefore(before, after);
          Set<String> changed = StateOnlyUpdates.changedColumns(before, effective);
          if (StateOnlyUpdates.isStateOnly(table, changed, effective)) {
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

  private CdcMapping upsert(String table, String op, JsonNode row, long lsn, long tsMs) {
    String id = textOrNull(row.get("id"));
    if (id == null) {
      return new CdcMapping.Ignored(table, "row without id");
    }
    switch (table) {
      case RECURRING_MESSAGES:
        return scheduleEmit(table, op, schedules.recurring(id, row, lsn), tsMs);
      case AUTO_POST_SCHEDULES:
        return scheduleEmit(table, op, schedules.autopost(id, row, lsn), tsMs);
      case BROADCASTS:
        return scheduleEmit(table, op, schedules.broadcast(id, row, lsn), tsMs);
      case DEVICES:
        return directory.deviceEmit(table, op, id, row, false, tsMs);
      case CONTACTS:
        return directory.contactEmit(table, op, id, row, false, tsMs);
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
        return scheduleEmit(
            table,
            "delete",
            ScheduleChange.delete(ScheduleKind.RECURRING.keyFor(id), ScheduleKind.RECURRING, lsn),
            tsMs);
      case AUTO_POST_SCHEDULES:
        return scheduleEmit(
            table,
            "delete",
            ScheduleChange.delete(ScheduleKind.AUTOPOST.keyFor(id), ScheduleKind.AUTOPOST, lsn),
            tsMs);
      case BROADCASTS:
        return scheduleEmit(
            table,
            "delete",
            ScheduleChange.delete(ScheduleKind.BROADCAST.keyFor(id), ScheduleKind.BROADCAST, lsn),
            tsMs);
      case DEVICES:
        return directory.deviceEmit(table, "delete", id, before, true, tsMs);
      case CONTACTS:
        return directory.contactEmit(table, "delete", id, before, true, tsMs);
      default:
        return new CdcMapping.Ignored(table, "table not captured by Herald");
    }
  }

  private static CdcMapping scheduleEmit(String table, String op, ScheduleChange c, long tsMs) {
    return new CdcMapping.Emit<>(table, op, Topics.SCHEDULE_CHANGES, c.scheduleKey(), c, tsMs);
  }

  /**
   * {@code time}: microseconds since midnight (MicroTime), as {@link DebeziumColumns} reads it;
   * PostgreSQL's {@code 24:00:00} survives to reach the validator.
   */
  static String timeOfDay(JsonNode row, String column) {
    return DebeziumColumns.timeOfDay(row, column);
  }

  /** {@code date}: days since 1970-01-01 ({@code io.debezium.time.Date}). */
  static String date(JsonNode row, String column) {
    return DebeziumColumns.date(row, column);
  }
}
