package io.herald.quickstart;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The rows the console's browser tests seed into {@code herald up}'s PostgreSQL and read back, as a
 * tenant's app would write them (the same columns {@link DemoData} fills).
 */
final class ConsoleRows {

  private final String url;

  ConsoleRows(String url) {
    this.url = url;
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(url, "postgres", "postgres");
  }

  UUID device(UUID tenant, String name, String phone, String status, String pausedReason)
      throws SQLException {
    UUID id = UUID.randomUUID();
    update(
        "INSERT INTO devices (id, user_id, name, phone_number, transport, transport_config,"
            + " status, paused_reason) VALUES (?, ?, ?, ?, 'simulated', '{}'::jsonb, ?, ?)",
        id,
        tenant,
        name,
        phone,
        status,
        pausedReason);
    return id;
  }

  UUID contact(UUID tenant, String name, String phone, boolean optedOut) throws SQLException {
    UUID id = UUID.randomUUID();
    update(
        "INSERT INTO contacts (id, user_id, phone_number, name, opted_out) VALUES (?, ?, ?, ?, ?)",
        id,
        tenant,
        phone,
        name,
        optedOut);
    return id;
  }

  /** A broadcast to {@code recipients} (contact ids) at {@code at}, sent without pacing delays. */
  UUID broadcast(UUID tenant, UUID device, String name, List<UUID> recipients, Instant at)
      throws SQLException {
    UUID id = UUID.randomUUID();
    StringBuilder json = new StringBuilder("[");
    for (UUID r : recipients) {
      json.append(json.length() > 1 ? "," : "").append('"').append(r).append('"');
    }
    json.append(']');
    update(
        "INSERT INTO broadcasts (id, user_id, device_id, name, message, target_contacts,"
            + " scheduled_at, status, delay_type, delay_seconds, randomize_delay)"
            + " VALUES (?, ?, ?, ?, 'Hello {name}, the shop opens at nine.', ?::jsonb, ?,"
            + " 'scheduled', 'manual', 0, false)",
        id,
        tenant,
        device,
        name,
        json.toString(),
        OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
    return id;
  }

  /** The first row of {@code sql} as column name to value, or an empty map. */
  Map<String, Object> row(String sql, Object... args) throws SQLException {
    List<Map<String, Object>> rows = rows(sql, args);
    return rows.isEmpty() ? Map.of() : rows.get(0);
  }

  List<Map<String, Object>> rows(String sql, Object... args) throws SQLException {
    try (Connection c = connect();
        PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        List<Map<String, Object>> out = new ArrayList<>();
        while (rs.next()) {
          Map<String, Object> m = new LinkedHashMap<>();
          for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            m.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
          }
          out.add(m);
        }
        return out;
      }
    }
  }

  long count(String sql, Object... args) throws SQLException {
    try (Connection c = connect()) {
      return count(c, sql, args);
    }
  }

  /** The first column of the first row of {@code sql} on {@code c}, as a number (null is 0). */
  static long count(Connection c, String sql, Object... args) throws SQLException {
    Number n = number(c, sql, args);
    return n == null ? 0 : n.longValue();
  }

  /** The first column of the first row of {@code sql} on {@code c}, or null. */
  static Number number(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? (Number) rs.getObject(1) : null;
      }
    }
  }

  void update(String sql, Object... args) throws SQLException {
    try (Connection c = connect();
        PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      ps.executeUpdate();
    }
  }

  private static void bind(PreparedStatement ps, Object... args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      if (args[i] == null || args[i] instanceof UUID) {
        // a null goes as "unspecified", so PostgreSQL takes the column's type
        ps.setObject(i + 1, args[i], Types.OTHER);
      } else {
        ps.setObject(i + 1, args[i]);
      }
    }
  }
}
