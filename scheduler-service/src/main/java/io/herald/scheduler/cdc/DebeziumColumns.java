package io.herald.scheduler.cdc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads one column of a Debezium row image (the JSON {@code before} / {@code after} object) in the
 * encoding the connector uses for its PostgreSQL type. Readers of user-fixable content add a
 * readable problem to {@code errors} instead of throwing; the others fall back to null.
 */
final class DebeziumColumns {

  private DebeziumColumns() {}

  static int codePoints(String s) {
    return s.codePointCount(0, s.length());
  }

  /** A jsonb column: Debezium sends its JSON text; tolerate an already parsed value. */
  static JsonNode jsonb(ObjectMapper json, JsonNode raw) {
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

  static List<String> stringArray(
      ObjectMapper json,
      JsonNode row,
      String column,
      String expected,
      String elementExpected,
      List<String> errors) {
    JsonNode raw = row.get(column);
    if (raw == null || raw.isNull()) {
      return null; // missing recipients are the validator's to report, with its own reason
    }
    JsonNode node = jsonb(json, raw);
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
        errors.add(
            column + "[" + i + "] must be a string (" + elementExpected + "), got " + describe(e));
      }
    }
    return out;
  }

  static List<Integer> intArray(JsonNode row, String column, List<String> errors) {
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

  static String describe(JsonNode n) {
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
    return n.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  /**
   * {@code time}: microseconds since midnight (MicroTime). Formatted by hand so that PostgreSQL's
   * {@code 24:00:00} survives and reaches the validator instead of failing here.
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
    return String.format(
        Locale.ROOT, "%02d:%02d:%02d", seconds / 3600, (seconds / 60) % 60, seconds % 60);
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
  static Instant instant(JsonNode row, String column, List<String> errors) {
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

  static String text(JsonNode row, String column) {
    return textOrNull(row.get(column));
  }

  static Integer integer(JsonNode row, String column) {
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

  static Double decimal(JsonNode row, String column) {
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

  static Boolean bool(JsonNode row, String column) {
    JsonNode n = row.get(column);
    return n == null || n.isNull() ? null : n.asBoolean();
  }

  static String textOrNull(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  static JsonNode objectOrNull(JsonNode n) {
    return n == null || !n.isObject() ? null : n;
  }
}
