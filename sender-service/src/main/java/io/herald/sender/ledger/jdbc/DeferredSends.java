package io.herald.sender.ledger.jdbc;

import io.herald.contracts.command.SendCommand;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.UUID;

/**
 * The visible record of a send a sending policy holds back ({@code deferred_sends}, V9): one row
 * per command, whatever deferred it last (quiet hours, the messaging limit).
 */
final class DeferredSends {

  private static final String UPSERT =
      "INSERT INTO deferred_sends (command_id, user_id, device_id, schedule_kind, schedule_id,"
          + " occurrence_at, reason, detail, until_at, deferred_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (command_id) DO UPDATE SET reason = EXCLUDED.reason,"
          + " detail = EXCLUDED.detail, until_at = EXCLUDED.until_at,"
          + " deferred_at = EXCLUDED.deferred_at";

  private DeferredSends() {}

  /** Records {@code cmd} on {@code device} as held by {@code reason} until {@code until}. */
  static void upsert(
      Connection c,
      SendCommand cmd,
      UUID device,
      String reason,
      String detail,
      Instant until,
      Instant now)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
      ps.setString(1, cmd.commandId().value());
      ps.setObject(2, SqlValues.uuidOrNull(cmd.tenantId()), Types.OTHER);
      ps.setObject(3, device, Types.OTHER);
      ps.setString(4, cmd.kind() == null ? null : cmd.kind().wire());
      ps.setObject(5, SqlValues.scheduleId(cmd.scheduleKey()), Types.OTHER);
      ps.setTimestamp(6, cmd.occurrenceAt() == null ? null : Timestamp.from(cmd.occurrenceAt()));
      ps.setString(7, reason);
      ps.setString(8, detail);
      ps.setTimestamp(9, Timestamp.from(until));
      ps.setTimestamp(10, Timestamp.from(now));
      ps.executeUpdate();
    }
  }
}
