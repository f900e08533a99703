package io.herald.sender.ledger.jdbc;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.ScheduleKind;
import io.herald.sender.delivery.QuietWindow;
import io.herald.sender.ledger.LedgerException;
import io.herald.sender.ledger.QuietHours;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * {@link QuietHours} from {@code tenant_policies} and the definition's own columns (V11), cached
 * for {@code refresh} per tenant and per definition, so that a send without quiet hours costs no
 * query; deferrals are rows of {@code deferred_sends} with reason {@code quiet_hours}.
 */
public final class JdbcQuietHours implements QuietHours, AutoCloseable {

  private static final String TENANT =
      "SELECT quiet_hours_start, quiet_hours_end FROM tenant_policies WHERE user_id = ?";
  private static final String RESUME =
      "DELETE FROM deferred_sends WHERE command_id = ? AND reason = 'quiet_hours'";

  /** A cached window ({@code null} window: none) and when it was read. */
  private record Cached(QuietWindow window, Instant at) {}

  private final DataSource dataSource;
  private final Clock clock;
  private final Duration refresh;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();
  // one load at a time per (tenant, definition): a burst of sends on a cold or stale cache shares
  // it
  private final Map<String, CompletableFuture<Optional<QuietWindow>>> loading =
      new ConcurrentHashMap<>();
  private final ExecutorService executor;

  public JdbcQuietHours(DataSource dataSource, Clock clock, Duration refresh) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.refresh = Objects.requireNonNull(refresh, "refresh");
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "herald-quiet-hours");
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public CompletableFuture<Optional<QuietWindow>> windowFor(SendCommand cmd) {
    UUID tenant = SqlValues.uuidOrNull(cmd.tenantId());
    UUID schedule = SqlValues.scheduleId(cmd.scheduleKey());
    if (tenant == null) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    Instant now = clock.instant();
    Cached own = schedule == null ? new Cached(null, now) : cache.get("s:" + schedule);
    Cached tenants = cache.get("t:" + tenant);
    if (own != null && tenants != null) {
      if (!fresh(own, now) || !fresh(tenants, now)) {
        load(cmd, tenant, schedule); // stale: answer from the cache, refresh behind it
      }
      return CompletableFuture.completedFuture(
          Optional.ofNullable(own.window() != null ? own.window() : tenants.window()));
    }
    return load(cmd, tenant, schedule);
  }

  private CompletableFuture<Optional<QuietWindow>> load(
      SendCommand cmd, UUID tenant, UUID schedule) {
    String key = tenant + "/" + schedule;
    CompletableFuture<Optional<QuietWindow>> running = loading.get(key);
    if (running != null) {
      return running;
    }
    CompletableFuture<Optional<QuietWindow>> started = read(cmd, tenant, schedule);
    CompletableFuture<Optional<QuietWindow>> raced = loading.putIfAbsent(key, started);
    if (raced != null) {
      return raced;
    }
    started.whenComplete((v, err) -> loading.remove(key, started));
    return started;
  }

  private CompletableFuture<Optional<QuietWindow>> read(
      SendCommand cmd, UUID tenant, UUID schedule) {
    return run(
        () -> {
          try (Connection c = dataSource.getConnection()) {
            QuietWindow definition =
                schedule == null ? null : definitionWindow(c, cmd.kind(), schedule);
            QuietWindow tenantWindow = window(c, TENANT, tenant);
            Instant at = clock.instant();
            if (schedule != null) {
              cache.put("s:" + schedule, new Cached(definition, at));
            }
            cache.put("t:" + tenant, new Cached(tenantWindow, at));
            return Optional.ofNullable(definition != null ? definition : tenantWindow);
          }
        });
  }

  private boolean fresh(Cached c, Instant now) {
    return c != null && c.at().plus(refresh).isAfter(now);
  }

  private static QuietWindow definitionWindow(Connection c, ScheduleKind kind, UUID id)
      throws SQLException {
    String table =
        kind == ScheduleKind.BROADCAST
            ? "broadcasts"
            : kind == ScheduleKind.AUTOPOST ? "auto_post_schedules" : "recurring_messages";
    return window(
        c, "SELECT quiet_hours_start, quiet_hours_end FROM " + table + " WHERE id = ?", id);
  }

  private static QuietWindow window(Connection c, String sql, UUID id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, id, Types.OTHER);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        Time start = rs.getTime(1);
        Time end = rs.getTime(2);
        // both or nothing: half a window is no window
        return start == null || end == null
            ? null
            : new QuietWindow(start.toLocalTime(), end.toLocalTime());
      }
    }
  }

  @Override
  public CompletableFuture<Void> deferred(
      SendCommand cmd, QuietWindow window, Instant until, Instant now) {
    return run(
        () -> {
          try (Connection c = dataSource.getConnection()) {
            DeferredSends.upsert(
                c,
                cmd,
                SqlValues.uuidOrNull(cmd.deviceId()),
                "quiet_hours",
                "quiet hours "
                    + window.describe()
                    + " in "
                    + (cmd.recipientZone() == null ? "UTC" : cmd.recipientZone()),
                until,
                now);
            return null;
          }
        });
  }

  @Override
  public CompletableFuture<Void> resumed(SendCommand cmd) {
    return run(
        () -> {
          try (Connection c = dataSource.getConnection();
              PreparedStatement ps = c.prepareStatement(RESUME)) {
            ps.setString(1, cmd.commandId().value());
            ps.executeUpdate();
            return null;
          }
        });
  }

  private interface SqlCall<T> {
    T call() throws SQLException;
  }

  private <T> CompletableFuture<T> run(SqlCall<T> call) {
    try {
      return CompletableFuture.supplyAsync(
          () -> {
            try {
              return call.call();
            } catch (SQLException e) {
              throw new LedgerException("quiet hours: " + e.getMessage(), e);
            }
          },
          executor);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new LedgerException("quiet hours closed", e));
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
