package io.herald.sender.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.serde.Json;
import io.herald.sender.ledger.LedgerException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The prober's rows: gateway devices read a page at a time (keyset on id), and its two writes, each
 * a compare-and-set so that two senders probing at once, or an operator writing meanwhile, never
 * lose a change: the mark applies only to the status and reason the probe's decision read, and only
 * Herald's own mark is ever lifted.
 */
public final class JdbcDeviceHealth {

  /**
   * One gateway device as read.
   *
   * @param config the top-level scalar values of {@code transport_config}; empty when it is over
   *     {@link Limits#TRANSPORT_CONFIG_MAX_BYTES} or not a JSON object (the directory marks such a
   *     row invalid; probing it would be refused anyway)
   */
  public record Row(String id, String status, String pausedReason, Map<String, String> config) {}

  // an oversized config is not fetched; transport matched as Device normalises it
  private static final String PAGE =
      "SELECT id, status, paused_reason,"
          + " CASE WHEN octet_length(transport_config::text) <= ? THEN transport_config::text END"
          + " FROM devices"
          + " WHERE (lower(trim(transport)) = 'http_gateway' OR (transport IS NULL AND ?))"
          + " AND id > ? ORDER BY id LIMIT ?";

  private static final String MARK =
      "UPDATE devices SET status = '"
          + HealthDecision.DISCONNECTED
          + "', paused_reason = ?, updated_at = now()"
          + " WHERE id = ? AND status IS NOT DISTINCT FROM ? AND paused_reason IS NOT DISTINCT FROM ?";

  private static final String RESTORE =
      "UPDATE devices SET status = 'active', paused_reason = NULL, updated_at = now()"
          + " WHERE id = ? AND status = '"
          + HealthDecision.DISCONNECTED
          + "' AND paused_reason LIKE '"
          + HealthDecision.REASON_PREFIX
          + "%'";

  private final DataSource dataSource;
  private final boolean nullTransportIsGateway;
  private final ObjectMapper json = Json.mapper();

  /**
   * @param nullTransportIsGateway true when {@code HERALD_SENDER_DEFAULT_TRANSPORT} is {@code
   *     http_gateway}: rows without a transport are gateway devices too
   */
  public JdbcDeviceHealth(DataSource dataSource, boolean nullTransportIsGateway) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.nullTransportIsGateway = nullTransportIsGateway;
  }

  /**
   * Up to {@code limit} gateway devices with an id after {@code afterId} (null: from the start).
   */
  public List<Row> page(String afterId, int limit) {
    UUID after = afterId == null ? null : UUID.fromString(afterId);
    List<Row> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(PAGE)) {
      ps.setInt(1, Limits.TRANSPORT_CONFIG_MAX_BYTES);
      ps.setBoolean(2, nullTransportIsGateway);
      // uuid order in PostgreSQL is not Java's signed order: the first page starts at the minimum
      ps.setObject(3, after == null ? new UUID(0, 0) : after, Types.OTHER);
      ps.setInt(4, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Row(rs.getString(1), rs.getString(2), rs.getString(3), config(rs.getString(4))));
        }
      }
    } catch (SQLException e) {
      throw new LedgerException("Cannot read gateway devices after " + afterId, e);
    }
    return out;
  }

  /** Sets Herald's mark if the row still has {@code expectedStatus} and {@code expectedReason}. */
  public boolean mark(String id, String expectedStatus, String expectedReason, String reason) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(MARK)) {
      ps.setString(1, reason);
      ps.setObject(2, UUID.fromString(id), Types.OTHER);
      ps.setString(3, expectedStatus);
      ps.setString(4, expectedReason);
      return ps.executeUpdate() > 0;
    } catch (SQLException e) {
      throw new LedgerException("Cannot mark device " + id, e);
    }
  }

  /** Lifts Herald's mark if the row still carries it. */
  public boolean restore(String id) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(RESTORE)) {
      ps.setObject(1, UUID.fromString(id), Types.OTHER);
      return ps.executeUpdate() > 0;
    } catch (SQLException e) {
      throw new LedgerException("Cannot restore device " + id, e);
    }
  }

  private Map<String, String> config(String text) {
    if (text == null) {
      return Map.of();
    }
    JsonNode root;
    try {
      root = json.readTree(text);
    } catch (IOException e) {
      return Map.of();
    }
    if (root == null || !root.isObject()) {
      return Map.of();
    }
    Map<String, String> out = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (f.getValue().isValueNode() && !f.getValue().isNull()) {
        out.put(f.getKey(), f.getValue().asText());
      }
    }
    return out;
  }
}
