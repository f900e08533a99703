package io.herald.sender.ledger.jdbc;

import io.herald.contracts.command.SendCommand;
import io.herald.sender.ledger.LedgerException;
import io.herald.sender.ledger.MessagingLimits;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * {@link MessagingLimits} in PostgreSQL (V9): one transaction per admission, serialised per device
 * by a transaction-level advisory lock so that two instances (or two lanes of a rebalance) cannot
 * both take the last slot. The limit is the lower of the configured tier ({@code
 * devices.messaging_limit}) and the provider's word ({@code messaging_limit_reported}); a device
 * with neither is not limited and costs one small read.
 */
public final class JdbcMessagingLimits implements MessagingLimits, AutoCloseable {

  static final Duration WINDOW = Duration.ofHours(24);

  private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtext('herald-ml:' || ?))";
  private static final String LIMIT =
      "SELECT messaging_limit, messaging_limit_reported FROM devices WHERE id = ?";
  private static final String COUNTED =
      "SELECT 1 FROM messaging_limit_recipients WHERE device_id = ? AND recipient = ?"
          + " AND first_at > ?";
  private static final String USED =
      "SELECT count(*), min(first_at) FROM messaging_limit_recipients WHERE device_id = ?"
          + " AND first_at > ?";
  private static final String TAKE =
      "INSERT INTO messaging_limit_recipients (device_id, recipient, first_at) VALUES (?, ?, ?)"
          + " ON CONFLICT (device_id, recipient) DO UPDATE SET first_at = EXCLUDED.first_at";
  private static final String UNDEFER = "DELETE FROM deferred_sends WHERE command_id = ?";
  private static final String PURGE =
      "DELETE FROM messaging_limit_recipients WHERE device_id = ? AND first_at <= ?";

  private final DataSource dataSource;
  private final ExecutorService executor;

  /** Starts its threads ({@code herald-messaging-limits-N}). */
  public JdbcMessagingLimits(DataSource dataSource, int threads) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.executor =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "herald-messaging-limits");
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public CompletableFuture<Admission> admit(SendCommand cmd, String deviceId, Instant now) {
    UUID device = SqlValues.uuidOrNull(deviceId);
    if (device == null) {
      return CompletableFuture.completedFuture(Admission.UNLIMITED);
    }
    try {
      return CompletableFuture.supplyAsync(() -> admitNow(cmd, device, now), executor);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new LedgerException("messaging limits closed", e));
    }
  }

  private Admission admitNow(SendCommand cmd, UUID device, Instant now) {
    String recipient = cmd.recipient().replaceAll("[^0-9]", "");
    Timestamp since = Timestamp.from(now.minus(WINDOW));
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Integer limit = limit(c, device);
        if (limit == null) {
          c.rollback();
          return Admission.UNLIMITED;
        }
        try (PreparedStatement ps = c.prepareStatement(LOCK)) {
          ps.setString(1, device.toString());
          ps.execute();
        }
        Admission a;
        if (exists(c, COUNTED, device, recipient, since)) {
          a = new Admission(true, null, limit, null);
        } else {
          long used;
          Instant oldest;
          try (PreparedStatement ps = c.prepareStatement(USED)) {
            ps.setObject(1, device, Types.OTHER);
            ps.setTimestamp(2, since);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              used = rs.getLong(1);
              Timestamp t = rs.getTimestamp(2);
              oldest = t == null ? null : t.toInstant();
            }
          }
          if (used < limit) {
            try (PreparedStatement ps = c.prepareStatement(TAKE)) {
              ps.setObject(1, device, Types.OTHER);
              ps.setString(2, recipient);
              ps.setTimestamp(3, Timestamp.from(now));
              ps.executeUpdate();
            }
            a = new Admission(true, null, limit, null);
          } else {
            Instant until = (oldest == null ? now : oldest).plus(WINDOW);
            a =
                new Admission(
                    false,
                    until,
                    limit,
                    "messaging limit reached: "
                        + used
                        + " of "
                        + limit
                        + " unique recipients outside their window in 24 h; the next slot frees at "
                        + until);
          }
        }
        if (a.admitted()) {
          update(c, UNDEFER, ps -> ps.setString(1, cmd.commandId().value()));
          update(
              c,
              PURGE,
              ps -> {
                ps.setObject(1, device, Types.OTHER);
                ps.setTimestamp(2, since);
              });
        } else {
          DeferredSends.upsert(c, cmd, device, "messaging_limit", a.detail(), a.until(), now);
        }
        c.commit();
        return a;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new LedgerException("messaging-limit admission failed: " + e.getMessage(), e);
    }
  }

  private static Integer limit(Connection c, UUID device) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(LIMIT)) {
      ps.setObject(1, device, Types.OTHER);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        Integer configured = (Integer) rs.getObject(1);
        Integer reported = (Integer) rs.getObject(2);
        if (configured == null) {
          return reported;
        }
        return reported == null ? configured : Math.min(configured, reported);
      }
    }
  }

  private static boolean exists(
      Connection c, String sql, UUID device, String recipient, Timestamp since)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, device, Types.OTHER);
      ps.setString(2, recipient);
      ps.setTimestamp(3, since);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private static void update(Connection c, String sql, Binder binder) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      ps.executeUpdate();
    }
  }

  @Override
  public void close() {
    executor.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
