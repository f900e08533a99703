package io.herald.scheduler.cdc;

import static io.herald.scheduler.cdc.DebeziumColumns.bool;
import static io.herald.scheduler.cdc.DebeziumColumns.codePoints;
import static io.herald.scheduler.cdc.DebeziumColumns.decimal;
import static io.herald.scheduler.cdc.DebeziumColumns.jsonb;
import static io.herald.scheduler.cdc.DebeziumColumns.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.contracts.event.ContactInfo;
import io.herald.contracts.event.DeviceInfo;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.topic.Topics;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps a {@code devices} or {@code contacts} row to its event, always bounded ({@link Limits}:
 * contact name, field count, field names and values, device status and transport) so that no
 * tenant's row can grow those events past what the topics accept.
 */
final class DirectoryRows {

  private final ObjectMapper json;

  DirectoryRows(ObjectMapper json) {
    this.json = json;
  }

  /** The device event of {@code row}, bounded, counting what was cut. */
  CdcMapping deviceEmit(
      String table, String op, String id, JsonNode row, boolean deleted, long tsMs) {
    Cuts cuts = new Cuts();
    return new CdcMapping.Emit<>(
        table, op, Topics.DEVICES, id, device(id, row, deleted, cuts), tsMs, cuts.count);
  }

  /** The contact event of {@code row}, bounded, counting what was cut. */
  CdcMapping contactEmit(
      String table, String op, String id, JsonNode row, boolean deleted, long tsMs) {
    Cuts cuts = new Cuts();
    return new CdcMapping.Emit<>(
        table, op, Topics.CONTACTS, id, contact(id, row, deleted, cuts), tsMs, cuts.count);
  }

  private static DeviceInfo device(String id, JsonNode row, boolean deleted, Cuts cuts) {
    return new DeviceInfo(
        DeviceInfo.SCHEMA_VERSION,
        id,
        text(row, "user_id"),
        cuts.clip(text(row, "transport"), Limits.STATUS_MAX_CHARS),
        cuts.clip(text(row, "status"), Limits.STATUS_MAX_CHARS),
        decimal(row, "max_per_second"),
        deleted);
  }

  private ContactInfo contact(String id, JsonNode row, boolean deleted, Cuts cuts) {
    Boolean optedOut = bool(row, "opted_out");
    // The phone number is never cut: a shortened number is somebody else's.
    return new ContactInfo(
        ContactInfo.SCHEMA_VERSION,
        id,
        text(row, "user_id"),
        text(row, "phone_number"),
        cuts.clip(text(row, "name"), Limits.CONTACT_NAME_MAX_CHARS),
        fields(row.get("fields"), cuts),
        Boolean.TRUE.equals(optedOut),
        deleted);
  }

  /**
   * {@code fields} jsonb: an object of template variables; other shapes carry none. Bounded in
   * source order: a name over {@link Limits#CONTACT_FIELD_KEY_MAX_CHARS} drops its field, fields
   * beyond {@link Limits#CONTACT_FIELDS_MAX_ENTRIES} are dropped, values are cut to {@link
   * Limits#CONTACT_FIELD_VALUE_MAX_CHARS}.
   */
  private Map<String, String> fields(JsonNode raw, Cuts cuts) {
    JsonNode node = jsonb(json, raw);
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

  /** Counts the values cut or dropped while bounding one event. */
  private static final class Cuts {
    int count;

    /**
     * {@code s} cut to at most {@code max} code points, never inside a surrogate pair; the content
     * is otherwise kept as it is (line breaks in a field value are the user's).
     */
    String clip(String s, int max) {
      if (s == null || s.length() <= max || codePoints(s) <= max) {
        return s;
      }
      count++;
      return s.substring(0, s.offsetByCodePoints(0, max));
    }
  }
}
