package io.herald.scheduler.cdc;

import static io.herald.scheduler.cdc.DebeziumColumns.textOrNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Tells Herald's own write-backs (projector state, sender results) from a user's change, so that an
 * update touching only columns Herald writes is not fed back into the scheduler; and restores
 * unchanged TOASTed values that Debezium sends as a placeholder.
 */
final class StateOnlyUpdates {

  private StateOnlyUpdates() {}

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
          "total_skipped",
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
          "unknown_count",
          "expired_count",
          "skipped_count",
          "skipped_reasons",
          // counted by the sender's webhook projection (ADR 0021)
          "delivered_count",
          "read_count",
          "total_count",
          "started_at",
          "completed_at",
          "last_error",
          "updated_at",
          "scheduler_state_at");

  /** Broadcast statuses only Herald sets; draft, scheduled and cancelled are the user's. */
  static final Set<String> BROADCAST_HERALD_STATUSES =
      Set.of("processing", "completed", "partially_failed", "failed");

  /**
   * Devices' state columns: the provider's word on the number's quality and messaging limit,
   * written by the sender's webhook projection (ADR 0021), must not reload the device's schedules.
   * {@code status} and {@code paused_reason} are left out on purpose, also when the sender's
   * gateway prober writes them (issue 19 §3): a device update only refreshes the global {@code
   * devices} store, and its status there must follow an operator's pause as much as Herald's mark.
   */
  static final Set<String> DEVICE_STATE_COLUMNS =
      Set.of("updated_at", "messaging_limit_reported", "quality_rating");

  /**
   * True when every changed column is one Herald writes: the update is a write-back. An update that
   * changed nothing at all is treated the same way (a replayed write-back).
   */
  static boolean isStateOnly(String table, Set<String> changed, JsonNode after) {
    for (String column : changed) {
      if (!isStateColumn(table, column, after)) {
        return false;
      }
    }
    return true;
  }

  static boolean isStateColumn(String table, String column, JsonNode after) {
    switch (table) {
      case RowMapper.RECURRING_MESSAGES:
      case RowMapper.AUTO_POST_SCHEDULES:
        return SCHEDULE_STATE_COLUMNS.contains(column);
      case RowMapper.BROADCASTS:
        if (column.equals("status")) {
          return BROADCAST_HERALD_STATUSES.contains(textOrNull(after.get("status")));
        }
        return BROADCAST_STATE_COLUMNS.contains(column);
      case RowMapper.DEVICES:
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

  static boolean nodeEquals(JsonNode a, JsonNode b) {
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
  static ObjectNode withUnavailableFromBefore(JsonNode before, JsonNode after) {
    ObjectNode effective = after.deepCopy();
    for (Iterator<Map.Entry<String, JsonNode>> it = after.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (isPlaceholder(e.getValue())
          && before.has(e.getKey())
          && !isPlaceholder(before.get(e.getKey()))) {
        effective.set(e.getKey(), before.get(e.getKey()));
      }
    }
    return effective;
  }

  static boolean isPlaceholder(JsonNode n) {
    if (n == null) {
      return false;
    }
    if (n.isTextual()) {
      return RowMapper.UNAVAILABLE_PLACEHOLDER.equals(n.asText());
    }
    // int[] columns carry the placeholder as their single element.
    return n.isArray()
        && n.size() == 1
        && n.get(0).isTextual()
        && RowMapper.UNAVAILABLE_PLACEHOLDER.equals(n.get(0).asText());
  }
}
