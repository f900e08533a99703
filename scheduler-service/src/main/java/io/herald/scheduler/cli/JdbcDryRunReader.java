package io.herald.scheduler.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.contracts.event.ContactInfo;
import io.herald.contracts.event.PacingSpec;
import io.herald.scheduler.cdc.ColumnMapping;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Reads, read-only, what a dry run needs besides the rule ({@link JdbcRuleReader}): the rest of the
 * definition's row, its device, the tenant's contacts, the device's windows, messaging-limit usage
 * and backlog. Rows are put in the shape CDC gives them and mapped by {@link ColumnMapping}, so the
 * dry run reads them exactly as the scheduler does.
 */
final class JdbcDryRunReader {

  /** The definition's columns besides the rule, as the CDC mapping would get them. */
  record Row(
      String tenantId,
      String deviceId,
      String name,
      String message,
      String mediaUrl,
      List<String> recipients,
      PacingSpec rawPacing,
      Boolean isActive,
      String status,
      Instant scheduledAt,
      ObjectNode templateColumns,
      List<String> errors) {}

  /** The device row; null fields when the column is null. */
  record DeviceRow(
      String id,
      String tenantId,
      String transport,
      String status,
      String pausedReason,
      Double maxPerSecond,
      Integer messagingLimit) {}

  private final ObjectMapper json;

  JdbcDryRunReader(ObjectMapper json) {
    this.json = json;
  }

  Row definition(Connection c, String table, UUID id) throws SQLException {
    boolean autopost = table.equals("auto_post_schedules");
    boolean broadcast = table.equals("broadcasts");
    String targets = autopost ? "target_groups" : "target_contacts";
    // The table name comes from StoredRule.table(), one of three constants, never from the user.
    String sql =
        "SELECT user_id::text AS user_id, device_id::text AS device_id, name, message, media_url, "
            + targets
            + "::text AS targets, delay_type, delay_seconds, randomize_delay, batch_size,"
            + " pause_between_batches, "
            + (broadcast ? "NULL::boolean AS is_active, status, scheduled_at" : "is_active,")
            + (broadcast ? "" : " NULL::text AS status, NULL::timestamptz AS scheduled_at")
            + (autopost
                ? ", NULL::text AS template_name, NULL::text AS template_language,"
                    + " NULL::text AS template_components, NULL::text AS window_policy"
                : ", template_name, template_language, template_components::text AS"
                    + " template_components, window_policy")
            + " FROM "
            + table
            + " WHERE id = ?";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, id);
      try (ResultSet r = ps.executeQuery()) {
        if (!r.next()) {
          throw new SQLException("row " + id + " vanished from " + table);
        }
        List<String> errors = new ArrayList<>();
        ObjectNode template = json.createObjectNode();
        for (String column :
            List.of("template_name", "template_language", "template_components", "window_policy")) {
          template.put(column, r.getString(column));
        }
        return new Row(
            r.getString("user_id"),
            r.getString("device_id"),
            r.getString("name"),
            r.getString("message"),
            r.getString("media_url"),
            strings(r.getString("targets"), targets, errors),
            new PacingSpec(
                r.getString("delay_type"),
                integer(r, "delay_seconds"),
                bool(r, "randomize_delay"),
                integer(r, "batch_size"),
                integer(r, "pause_between_batches")),
            bool(r, "is_active"),
            r.getString("status"),
            instant(r, "scheduled_at"),
            template,
            errors);
      }
    }
  }

  /** A JSON array of strings, as {@code ScheduleRows} reads one; problems go to errors. */
  private List<String> strings(String text, String column, List<String> errors) {
    if (text == null) {
      return null;
    }
    JsonNode node;
    try {
      node = json.readTree(text);
    } catch (JsonProcessingException e) {
      errors.add(column + " is not JSON");
      return null;
    }
    if (!node.isArray()) {
      errors.add(column + " must be a JSON array");
      return null;
    }
    List<String> out = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      if (node.get(i).isTextual()) {
        out.add(node.get(i).asText());
      } else {
        errors.add(column + "[" + i + "] must be a string");
      }
    }
    return out;
  }

  DeviceRow device(Connection c, String deviceId) throws SQLException {
    UUID id = uuid(deviceId);
    if (id == null) {
      return null;
    }
    String sql =
        "SELECT user_id::text AS user_id, transport, status, paused_reason,"
            + " COALESCE(max_per_second::float8, CASE WHEN transport_config->>'max_per_second'"
            + " ~ '^[0-9]+(\\.[0-9]+)?$' THEN (transport_config->>'max_per_second')::float8 END)"
            + " AS rate, CASE WHEN messaging_limit IS NULL THEN messaging_limit_reported"
            + " WHEN messaging_limit_reported IS NULL THEN messaging_limit"
            + " ELSE least(messaging_limit, messaging_limit_reported) END AS ml"
            + " FROM devices WHERE id = ?";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, id);
      try (ResultSet r = ps.executeQuery()) {
        if (!r.next()) {
          return null;
        }
        double rate = r.getDouble("rate");
        Double maxPerSecond = r.wasNull() ? null : rate;
        return new DeviceRow(
            id.toString(),
            r.getString("user_id"),
            r.getString("transport"),
            r.getString("status"),
            r.getString("paused_reason"),
            maxPerSecond,
            integer(r, "ml"));
      }
    }
  }

  /**
   * The tenant's contacts by lower-case id, plus the listed contact ids of other tenants (so they
   * resolve as {@code not_tenant_contact}, not unknown), in creation order: with two contacts on
   * one number, the later one holds the phone index, as the later CDC event does in the store.
   */
  List<ContactInfo> contacts(Connection c, String tenantId, Set<String> listedIds)
      throws SQLException {
    List<UUID> ids = new ArrayList<>();
    for (String s : listedIds) {
      UUID u = uuid(s);
      if (u != null) {
        ids.add(u);
      }
    }
    String sql =
        "SELECT id::text AS id, user_id::text AS user_id, phone_number, name, fields::text AS"
            + " fields, opted_out FROM contacts WHERE user_id = ? OR id = ANY (?)"
            + " ORDER BY created_at, id";
    List<ContactInfo> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, uuid(tenantId), Types.OTHER);
      ps.setArray(2, c.createArrayOf("uuid", ids.toArray()));
      try (ResultSet r = ps.executeQuery()) {
        while (r.next()) {
          ObjectNode row = json.createObjectNode();
          row.put("user_id", r.getString("user_id"));
          row.put("phone_number", r.getString("phone_number"));
          row.put("name", r.getString("name"));
          row.put("fields", r.getString("fields"));
          row.put("opted_out", r.getBoolean("opted_out"));
          out.add(ColumnMapping.contact(json, r.getString("id"), row));
        }
      }
    }
    return out;
  }

  /** Last inbound message per wa_id on the device. */
  Map<String, Instant> windows(Connection c, String deviceId) throws SQLException {
    Map<String, Instant> out = new HashMap<>();
    String sql = "SELECT wa_id, last_inbound_at FROM contact_windows WHERE device_id = ?";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, uuid(deviceId));
      try (ResultSet r = ps.executeQuery()) {
        while (r.next()) {
          out.put(r.getString(1), instant(r, "last_inbound_at"));
        }
      }
    }
    return out;
  }

  /** Recipients counted against the device's messaging limit in the 24 h before {@code now}. */
  Set<String> limitCounted(Connection c, String deviceId, Instant now) throws SQLException {
    Set<String> out = new HashSet<>();
    String sql =
        "SELECT recipient FROM messaging_limit_recipients WHERE device_id = ? AND first_at > ?";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, uuid(deviceId));
      ps.setTimestamp(2, Timestamp.from(now.minus(DryRunPlanner.WINDOW)));
      try (ResultSet r = ps.executeQuery()) {
        while (r.next()) {
          out.add(r.getString(1));
        }
      }
    }
    return out;
  }

  /** The device's backlog: claimed deliveries, parked commands and deferred sends, by source. */
  /**
   * The tenant's sending policies (V10, V11) as the sender reads them: the definition's quiet
   * window, else the tenant's; the caps; each contact's counted sends of the last 30 days (at most
   * 100,000 rows: a preview, not an audit).
   */
  DryRunPlanner.Policies policies(Connection c, String table, UUID id, String tenantId, Instant now)
      throws SQLException {
    UUID tenant;
    try {
      tenant = UUID.fromString(tenantId);
    } catch (RuntimeException e) {
      return DryRunPlanner.Policies.NONE;
    }
    java.time.LocalTime start = null;
    java.time.LocalTime end = null;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT quiet_hours_start, quiet_hours_end FROM " + table + " WHERE id = ?")) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next() && rs.getTime(1) != null && rs.getTime(2) != null) {
          start = rs.getTime(1).toLocalTime();
          end = rs.getTime(2).toLocalTime();
        }
      }
    }
    List<long[]> caps = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT quiet_hours_start, quiet_hours_end, frequency_caps::text, last_error"
                + " FROM tenant_policies WHERE user_id = ?")) {
      ps.setObject(1, tenant);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          if (start == null && rs.getTime(1) != null && rs.getTime(2) != null) {
            start = rs.getTime(1).toLocalTime();
            end = rs.getTime(2).toLocalTime();
          }
          String text = rs.getString(3);
          if (text != null && rs.getString(4) == null && text.length() <= 4_096) {
            try {
              for (JsonNode n : json.readTree(text)) {
                if (n.path("max").canConvertToLong() && n.path("hours").canConvertToLong()) {
                  caps.add(new long[] {n.path("max").asLong(), n.path("hours").asLong()});
                }
              }
            } catch (Exception e) {
              caps.clear(); // the sender marks the row and caps nothing: so does the preview
            }
          }
        }
      }
    }
    Map<String, List<Instant>> sends = new HashMap<>();
    if (!caps.isEmpty()) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT recipient, sent_at FROM contact_sends WHERE user_id = ? AND sent_at > ?"
                  + " LIMIT 100000")) {
        ps.setObject(1, tenant);
        ps.setTimestamp(2, java.sql.Timestamp.from(now.minus(java.time.Duration.ofDays(30))));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            sends
                .computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                .add(rs.getTimestamp(2).toInstant());
          }
        }
      }
    }
    return new DryRunPlanner.Policies(start, end, caps, sends);
  }

  Map<String, Long> backlog(Connection c, String deviceId) throws SQLException {
    Map<String, Long> out = new LinkedHashMap<>();
    UUID id = uuid(deviceId);
    out.put(
        "claimed",
        count(c, "SELECT count(*) FROM deliveries WHERE device_id = ? AND status = 'claimed'", id));
    out.put(
        "parked", count(c, "SELECT count(*) FROM parked_commands WHERE device_id = ?::text", id));
    out.put("deferred", count(c, "SELECT count(*) FROM deferred_sends WHERE device_id = ?", id));
    return out;
  }

  private static long count(Connection c, String sql, UUID id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, id);
      try (ResultSet r = ps.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    }
  }

  static UUID uuid(String s) {
    try {
      return s == null ? null : UUID.fromString(s.trim());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Integer integer(ResultSet r, String column) throws SQLException {
    int v = r.getInt(column);
    return r.wasNull() ? null : v;
  }

  private static Boolean bool(ResultSet r, String column) throws SQLException {
    boolean v = r.getBoolean(column);
    return r.wasNull() ? null : v;
  }

  private static Instant instant(ResultSet r, String column) throws SQLException {
    OffsetDateTime v = r.getObject(column, OffsetDateTime.class);
    return v == null ? null : v.toInstant();
  }
}
