package io.herald.scheduler.cdc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.contracts.event.ChangeOp;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.limit.ErrorTexts;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.topic.DeadLetters;
import io.herald.contracts.topic.Topics;
import io.herald.scheduler.schedule.ScheduleValidator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * What the CDC engine produces instead of a row whose event cannot travel as it is, so that no row
 * of one tenant can stop the stream or hold the replication slot back:
 *
 * <ul>
 *   <li>a schedule definition that is too large or cannot be read becomes a small {@link
 *       ScheduleChange} for the same key with no content and one mapping error: the scheduler
 *       rejects it (row {@code invalid}, readable {@code last_error}, earlier timer cancelled);
 *   <li>the raw Debezium change of an unreadable row, and a contact or device event that does not
 *       fit, go to the dead-letter topic with {@link DeadLetters} headers (topic {@code
 *       postgres.<table>}, partition -1, offset = the source LSN or -1).
 * </ul>
 *
 * Pure; never throws for bad input.
 */
final class PoisonRows {

  private PoisonRows() {}

  /**
   * Where a change came from, as far as its envelope tells; null fields when it does not.
   *
   * @param lsn the change's source LSN, or -1 when unknown
   * @param debeziumKey the Debezium record key (the primary key as JSON), may be null
   */
  record Source(
      String table,
      String op,
      String id,
      String tenantId,
      String deviceId,
      long lsn,
      String debeziumKey) {

    /** The schedule kind of the table, or null for devices, contacts and unknown tables. */
    ScheduleKind kind() {
      return kindOf(table);
    }

    /** The Kafka key the row's event has: schedule key, device or contact id; else Debezium's. */
    String eventKey() {
      if (id == null) {
        return debeziumKey;
      }
      ScheduleKind kind = kind();
      return kind == null ? id : kind.keyFor(id);
    }

    /** {@code <topic>.dlq} of the topic the row's event goes to. */
    String deadLetterTopic() {
      return deadLetterTopicOf(table);
    }
  }

  /** The source of a Debezium change value; never throws (unknown parts stay null / -1). */
  static Source source(ObjectMapper json, String debeziumValue, String debeziumKey) {
    JsonNode envelope = null;
    try {
      envelope = debeziumValue == null ? null : json.readTree(debeziumValue);
    } catch (Exception e) {
      // Not JSON: only the Debezium key is known.
    }
    if (envelope == null || !envelope.isObject()) {
      return new Source(null, null, null, null, null, -1, debeziumKey);
    }
    if (envelope.has("payload") && envelope.has("schema")) {
      envelope = envelope.get("payload");
    }
    JsonNode src = envelope.path("source");
    String op = textOrNull(envelope.get("op"));
    JsonNode row = "d".equals(op) ? envelope.get("before") : envelope.get("after");
    if (row == null || !row.isObject()) {
      row = envelope.path("before");
    }
    long lsn = src.path("lsn").canConvertToLong() ? src.path("lsn").asLong(-1) : -1;
    return new Source(
        textOrNull(src.get("table")),
        op,
        textOrNull(row.get("id")),
        textOrNull(row.get("user_id")),
        textOrNull(row.get("device_id")),
        lsn > 0 ? lsn : -1,
        debeziumKey);
  }

  /** "definition too large: 5,242,990 bytes, limit 4,194,304". */
  static String tooLargeError(long bytes) {
    return ScheduleValidator.tooLargeReason(bytes);
  }

  /**
   * For a definition within {@link Limits#MAX_DEFINITION_BYTES} that the topic still refused (its
   * {@code max.message.bytes} was set lower): the limit Herald knows would be misleading.
   */
  static String refusedError(long bytes) {
    return String.format(
        Locale.ROOT,
        "definition too large: %,d bytes, more than the schedule-changes topic accepts",
        bytes);
  }

  /** "row could not be read: " and the first line of what went wrong, clipped. */
  static String unreadableError(Throwable e) {
    String what =
        e == null
            ? "unknown error"
            : e.getMessage() == null
                ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    return ErrorTexts.reason("row could not be read: " + DeadLetters.firstLine(what));
  }

  /**
   * The stand-in for {@code original}: same key, kind, tenant, device and version, no content,
   * active (so the scheduler validates, and rejects, it instead of treating it as paused), and
   * {@code error} as its only mapping error.
   */
  static ScheduleChange stub(ScheduleChange original, String error) {
    return stub(
        original.scheduleKey(),
        original.kind(),
        original.tenantId(),
        original.deviceId(),
        original.sourceVersion(),
        error);
  }

  /**
   * The change to produce for an unreadable schedule row: a stub carrying {@code error}, or a plain
   * delete when the row was deleted (a delete needs nothing of the row but its key). Null when the
   * row is not a schedule definition or its id is unknown.
   */
  static ScheduleChange unreadable(Source source, String error) {
    ScheduleKind kind = source.kind();
    if (kind == null || source.id() == null) {
      return null;
    }
    long version = Math.max(0, source.lsn());
    if ("d".equals(source.op())) {
      return ScheduleChange.delete(kind.keyFor(source.id()), kind, version);
    }
    return stub(
        kind.keyFor(source.id()), kind, source.tenantId(), source.deviceId(), version, error);
  }

  private static ScheduleChange stub(
      String key,
      ScheduleKind kind,
      String tenantId,
      String deviceId,
      long sourceVersion,
      String error) {
    return new ScheduleChange(
        ScheduleChange.SCHEMA_VERSION,
        ChangeOp.UPSERT,
        key,
        kind,
        clipId(tenantId),
        clipId(deviceId),
        null,
        null,
        null,
        null,
        null,
        null,
        true,
        null,
        sourceVersion,
        null,
        List.of(error));
  }

  /**
   * The dead letter of one change: the raw Debezium change JSON (cut to {@link DeadLetters#value}),
   * keyed like the row's event, with the row's coordinates in headers.
   */
  static ProducerRecord<String, byte[]> deadLetter(
      Source source, String debeziumValue, String reason, Exception cause) {
    byte[] raw =
        debeziumValue == null ? new byte[0] : debeziumValue.getBytes(StandardCharsets.UTF_8);
    RecordHeaders headers =
        DeadLetters.headers(
            null,
            "postgres." + (source.table() == null ? "unknown" : source.table()),
            -1,
            source.lsn(),
            reason,
            cause);
    DeadLetters.truncatedHeader(headers, raw);
    return new ProducerRecord<>(
        source.deadLetterTopic(), null, source.eventKey(), DeadLetters.value(raw), headers);
  }

  /** {@code <topic>.dlq} of the topic that {@code table}'s events go to. */
  static String deadLetterTopicOf(String table) {
    if (RowMapper.CONTACTS.equals(table)) {
      return Topics.CONTACTS.dlqName();
    }
    if (RowMapper.DEVICES.equals(table)) {
      return Topics.DEVICES.dlqName();
    }
    return Topics.SCHEDULE_CHANGES.dlqName();
  }

  static ScheduleKind kindOf(String table) {
    if (table == null) {
      return null;
    }
    switch (table) {
      case RowMapper.RECURRING_MESSAGES:
        return ScheduleKind.RECURRING;
      case RowMapper.BROADCASTS:
        return ScheduleKind.BROADCAST;
      case RowMapper.AUTO_POST_SCHEDULES:
        return ScheduleKind.AUTOPOST;
      default:
        return null;
    }
  }

  private static String clipId(String id) {
    return id == null ? null : ErrorTexts.clip(id, Limits.ID_MAX_CHARS);
  }

  private static String textOrNull(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }
}
