package io.herald.e2e;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Rows a tenant's app writes, and reads of what Herald wrote back, for the accounting ITs. */
final class Rows {

  private Rows() {}

  /** Inserts a contact of {@code tenant}; returns its id. */
  static String contact(Connection c, String tenant, String phone, boolean optedOut)
      throws SQLException {
    String id = UUID.randomUUID().toString();
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO contacts (id, user_id, phone_number, name, opted_out)"
                + " VALUES (?, ?, ?, 'Ana', ?)")) {
      ps.setObject(1, UUID.fromString(id), Types.OTHER);
      ps.setObject(2, UUID.fromString(tenant), Types.OTHER);
      ps.setString(3, phone);
      ps.setBoolean(4, optedOut);
      ps.executeUpdate();
    }
    return id;
  }

  /** True once every id appears in a record of {@code topic} (CDC delivered the rows). */
  static boolean seen(Pipeline pipeline, String topic, List<String> ids) {
    List<String> missing = new ArrayList<>(ids);
    for (var r : pipeline.readAll(topic)) {
      if (r.value() != null) {
        String v = new String(r.value(), StandardCharsets.UTF_8);
        missing.removeIf(v::contains);
      }
    }
    return missing.isEmpty();
  }

  /** The row of {@code table} with {@code id}, column name to value (empty when there is none). */
  static Map<String, Object> row(Pipeline pipeline, String table, String id) throws SQLException {
    return first(pipeline, "SELECT * FROM " + table + " WHERE id = ?::uuid", id);
  }

  /** The first row {@code sql} (one string parameter) returns, or an empty map. */
  static Map<String, Object> first(Pipeline pipeline, String sql, String param)
      throws SQLException {
    try (Connection c = pipeline.db.connect();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, param);
      try (ResultSet rs = ps.executeQuery()) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (rs.next()) {
          for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            out.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
          }
        }
        return out;
      }
    }
  }
}
