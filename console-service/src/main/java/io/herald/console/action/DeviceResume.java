package io.herald.console.action;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

/**
 * Resuming a paused device: what {@code herald resume-device} and the console's resume button both
 * do, so the two can never differ — status back to {@code active}, the pause reason cleared, {@code
 * updated_at} now. The senders see the change through the device's change event within seconds and
 * send what they held.
 */
public final class DeviceResume {

  /** The warning both the CLI's usage and the console's confirmation page show. */
  public static final String WARNING =
      "Clears an account-danger pause (spam limit 131048, policy block 368) by setting the"
          + " device's status back to active. Senders pick the change up within seconds. Resume"
          + " only after checking the account's standing: the pause protects the number from a"
          + " ban.";

  /** What was resumed. */
  public record Resumed(UUID id, String name, String previousStatus) {}

  private DeviceResume() {}

  /**
   * Resumes the device in the caller's transaction (the caller commits, so an audit row can join
   * it); empty when no device has this id, or when {@code tenant} is set and the device is another
   * tenant's.
   */
  public static Optional<Resumed> resume(Connection c, UUID id, UUID tenant) throws SQLException {
    String name;
    String previous;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT name, status FROM devices WHERE id = ?"
                + " AND (CAST(? AS uuid) IS NULL OR user_id = CAST(? AS uuid)) FOR UPDATE")) {
      ps.setObject(1, id);
      ps.setObject(2, tenant);
      ps.setObject(3, tenant);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        name = rs.getString("name");
        previous = rs.getString("status");
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE devices SET status = 'active', paused_reason = NULL, updated_at = now()"
                + " WHERE id = ?")) {
      ps.setObject(1, id);
      ps.executeUpdate();
    }
    return Optional.of(new Resumed(id, name, previous));
  }
}
