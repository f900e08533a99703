package io.herald.sender.ledger;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.outcome.DeliveryStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The ledger on PostgreSQL's {@code deliveries} table (unique on {@code command_id}).
 *
 * <p>Row states: {@code claimed} with {@code claimed_at} set means a transport call may be in
 * flight; {@code claimed} with {@code claimed_at} null means the owner is between two attempts
 * (nothing in flight, safe to continue); {@code sent | failed | skipped | expired | unknown} are
 * final.
 */
public final class JdbcDeliveryLedger implements DeliveryLedger {

  private static final String INSERT_CLAIM =
      "INSERT INTO deliveries (command_id, user_id, device_id, schedule_kind, schedule_id,"
          + " occurrence_at, recipient, status, attempts, claimed_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, 'claimed', 0, ?) ON CONFLICT (command_id) DO NOTHING";
  private static final String SELECT_FOR_UPDATE =
      "SELECT status, attempts, claimed_at FROM deliveries WHERE command_id = ? FOR UPDATE";
  private static final String RECLAIM =
      "UPDATE deliveries SET status = 'claimed', claimed_at = ?, finished_at = NULL"
          + " WHERE command_id = ?";
  private static final String MARK_UNKNOWN =
      "UPDATE deliveries SET status = 'unknown', attempts = GREATEST(attempts, 1),"
          + " error_code = 'unknown', error_message = ?, finished_at = ? WHERE command_id = ?";
  private static final String BEGIN_ATTEMPT =
      "UPDATE deliveries SET claimed_at = ? WHERE command_id = ? AND status = 'claimed'";
  private static final String RELEASE =
      "UPDATE deliveries SET claimed_at = NULL, attempts = ?, error_code = ?, error_message = ?"
          + " WHERE command_id = ? AND status = 'claimed'";
  private static final String FINISH =
      "UPDATE deliveries SET status = ?, attempts = ?, transport_message_id = ?, error_code = ?,"
          + " error_message = ?, finished_at = ? WHERE command_id = ?"
          + " AND status IN ('claimed', 'unknown')";

  private final DataSource dataSource;

  public JdbcDeliveryLedger(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  @Override
  public Claim claim(SendCommand command, DeliveryMode mode, Instant now) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Claim claim = claimIn(c, command, mode, now);
        c.commit();
        return claim;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new LedgerException("Cannot claim command " + command.commandId(), e);
    }
  }

  private Claim claimIn(Connection c, SendCommand cmd, DeliveryMode mode, Instant now)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT_CLAIM)) {
      ps.setString(1, cmd.commandId().value());
      ps.setObject(2, SqlValues.uuidOrNull(cmd.tenantId()), Types.OTHER);
      ps.setObject(3, SqlValues.uuidOrNull(cmd.deviceId()), Types.OTHER);
      ps.setString(4, cmd.kind() == null ? null : cmd.kind().wire());
      ps.setObject(5, SqlValues.scheduleId(cmd.scheduleKey()), Types.OTHER);
      ps.setTimestamp(6, SqlValues.ts(cmd.occurrenceAt()));
      ps.setString(7, cmd.recipient());
      ps.setTimestamp(8, SqlValues.ts(now));
      if (ps.executeUpdate() == 1) {
        return Claim.claimed(0);
      }
    }
    String status;
    int attempts;
    Timestamp claimedAt;
    try (PreparedStatement ps = c.prepareStatement(SELECT_FOR_UPDATE)) {
      ps.setString(1, cmd.commandId().value());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          // deleted between the two statements: an operator's doing; treat as a duplicate
          return Claim.duplicate(DeliveryStatus.SKIPPED);
        }
        status = rs.getString(1);
        attempts = rs.getInt(2);
        claimedAt = rs.getTimestamp(3);
      }
    }
    boolean inFlight = "claimed".equals(status) && claimedAt != null;
    boolean between = "claimed".equals(status) && claimedAt == null;
    if (between || (mode == DeliveryMode.AT_LEAST_ONCE && (inFlight || "unknown".equals(status)))) {
      reclaim(c, cmd.commandId(), now);
      return Claim.claimed(attempts);
    }
    if (inFlight) {
      try (PreparedStatement ps = c.prepareStatement(MARK_UNKNOWN)) {
        ps.setString(1, "claimed at " + claimedAt.toInstant() + " and never confirmed");
        ps.setTimestamp(2, SqlValues.ts(now));
        ps.setString(3, cmd.commandId().value());
        ps.executeUpdate();
      }
      return Claim.unknown(Math.max(attempts, 1));
    }
    return Claim.duplicate(DeliveryStatus.fromWire(status));
  }

  private static void reclaim(Connection c, CommandId id, Instant now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(RECLAIM)) {
      ps.setTimestamp(1, SqlValues.ts(now));
      ps.setString(2, id.value());
      ps.executeUpdate();
    }
  }

  @Override
  public boolean beginAttempt(CommandId id, Instant now) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(BEGIN_ATTEMPT)) {
      ps.setTimestamp(1, SqlValues.ts(now));
      ps.setString(2, id.value());
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new LedgerException("Cannot begin attempt of command " + id, e);
    }
  }

  @Override
  public void releaseForRetry(CommandId id, int attempts, String errorCode, String errorMessage) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(RELEASE)) {
      ps.setInt(1, attempts);
      ps.setString(2, errorCode);
      ps.setString(3, errorMessage);
      ps.setString(4, id.value());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new LedgerException("Cannot release command " + id + " for retry", e);
    }
  }

  @Override
  public boolean finish(CommandId id, Finish f) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(FINISH)) {
      ps.setString(1, f.status().wire());
      ps.setInt(2, f.attempts());
      ps.setString(3, f.transportMessageId());
      ps.setString(4, f.errorCode());
      ps.setString(5, f.errorMessage());
      ps.setTimestamp(6, SqlValues.ts(f.finishedAt()));
      ps.setString(7, id.value());
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new LedgerException("Cannot record outcome of command " + id, e);
    }
  }
}
