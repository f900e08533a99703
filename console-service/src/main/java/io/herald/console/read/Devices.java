package io.herald.console.read;

import io.herald.console.auth.Principal;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Devices with what holds them: status, why paused (or why invalid), pacing ({@code
 * max_per_second}, null: the transport's default), backlog (commands parked for the device plus
 * sends in flight or deferred) and the last send. The device's phone number is never selected.
 */
public final class Devices {

  public static final int LIST_LIMIT = 1000;

  public record Device(
      UUID id,
      UUID tenant,
      String name,
      String transport,
      String status,
      String pauseReason,
      BigDecimal maxPerSecond,
      long parked,
      long inFlight,
      long deferred,
      Instant lastSend) {
    public long backlog() {
      return parked + inFlight + deferred;
    }

    /** Paused by Herald on an account-danger answer (or by an operator): resumable by hand. */
    public boolean resumable() {
      return "paused".equals(status);
    }
  }

  private static final String SQL =
      "SELECT dv.id, dv.user_id, dv.name, dv.transport, dv.status,"
          + " COALESCE(dv.last_error, dv.paused_reason) AS reason, dv.max_per_second,"
          + " (SELECT count(*) FROM parked_commands p WHERE p.device_id = dv.id::text) AS parked,"
          + " (SELECT count(*) FROM deliveries x WHERE x.device_id = dv.id"
          + " AND x.status = 'claimed') AS in_flight,"
          + " (SELECT count(*) FROM deferred_sends d WHERE d.device_id = dv.id) AS deferred,"
          + " (SELECT max(x.finished_at) FROM deliveries x WHERE x.device_id = dv.id"
          + " AND x.status = 'sent') AS last_send"
          + " FROM devices dv WHERE (CAST(? AS uuid) IS NULL OR dv.user_id = CAST(? AS uuid))";

  private final Db db;

  public Devices(Db db) {
    this.db = db;
  }

  public List<Device> list(Principal who) throws SQLException {
    return query(who, SQL + " ORDER BY dv.name, dv.id LIMIT " + LIST_LIMIT, null);
  }

  /** The device, or empty when missing or another tenant's. */
  public Optional<Device> find(Principal who, UUID id) throws SQLException {
    return query(who, SQL + " AND dv.id = ?", id).stream().findFirst();
  }

  private List<Device> query(Principal who, String sql, UUID id) throws SQLException {
    List<Device> out = new ArrayList<>();
    try (Connection c = db.snapshot()) {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setObject(1, who.tenant());
        ps.setObject(2, who.tenant());
        if (id != null) {
          ps.setObject(3, id);
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(
                new Device(
                    rs.getObject("id", UUID.class),
                    rs.getObject("user_id", UUID.class),
                    rs.getString("name"),
                    rs.getString("transport"),
                    rs.getString("status"),
                    rs.getString("reason"),
                    rs.getBigDecimal("max_per_second"),
                    rs.getLong("parked"),
                    rs.getLong("in_flight"),
                    rs.getLong("deferred"),
                    Definitions.instant(rs.getTimestamp("last_send"))));
          }
        }
      } finally {
        c.rollback();
      }
    }
    return out;
  }
}
