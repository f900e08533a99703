package io.herald.runtime.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the database answers, for {@code /health/ready}: a {@code Connection.isValid} at most
 * every {@code interval}, never two at once. The check runs on a thread of its own and the caller
 * of {@link #answers()} (a readiness request) waits for it at most {@code timeout}: a database that
 * accepts connections but never answers (frozen, or a network that drops replies) would otherwise
 * hold the check — and every readiness request — for as long as the driver's socket timeout, while
 * the last answer ("answers") stood. A check running longer than {@code timeout} is a "does not
 * answer"; its late result still counts when it comes.
 */
public final class DatabaseProbe {

  private static final Logger log = LoggerFactory.getLogger(DatabaseProbe.class);

  /** Opens a connection (from a pool or the driver). */
  @FunctionalInterface
  public interface Connections {
    Connection open() throws SQLException;
  }

  private final Connections connections;
  private final long intervalNanos;
  private final long timeoutNanos;
  private final Executor executor;
  private final Object lock = new Object();
  private long checkedAt = Long.MIN_VALUE; // guarded by lock
  private CompletableFuture<Boolean> running; // guarded by lock
  private long runningSince; // guarded by lock
  private volatile boolean answers = true;

  /** Checks on a daemon thread of its own ({@code herald-db-probe}), started per check. */
  public DatabaseProbe(Connections connections, Duration interval, Duration timeout) {
    this(
        connections,
        interval,
        timeout,
        r -> {
          Thread t = new Thread(r, "herald-db-probe");
          t.setDaemon(true);
          t.start();
        });
  }

  DatabaseProbe(Connections connections, Duration interval, Duration timeout, Executor executor) {
    this.connections = connections;
    this.intervalNanos = interval.toNanos();
    this.timeoutNanos = Math.max(1, timeout.toNanos());
    this.executor = executor;
  }

  /** False when the last check failed, or the one running has not answered within the timeout. */
  public boolean answers() {
    CompletableFuture<Boolean> check;
    long since;
    synchronized (lock) {
      long now = System.nanoTime();
      if (running == null && (checkedAt == Long.MIN_VALUE || now - checkedAt >= intervalNanos)) {
        runningSince = now;
        CompletableFuture<Boolean> started = new CompletableFuture<>();
        running = started;
        executor.execute(
            () -> {
              boolean ok = check();
              record(ok); // before waiters wake, so the next call after them may check again
              started.complete(ok);
            });
      }
      check = running;
      since = runningSince;
    }
    if (check == null) {
      return answers;
    }
    long left = since + timeoutNanos - System.nanoTime();
    try {
      check.get(Math.max(0, left), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      set(false); // still no answer: its result counts when it comes
    } catch (ExecutionException e) {
      set(false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return answers;
  }

  private void record(boolean ok) {
    synchronized (lock) {
      running = null;
      checkedAt = System.nanoTime();
    }
    set(ok);
  }

  private void set(boolean ok) {
    if (ok != answers) {
      if (ok) {
        log.info("Database answers again");
      } else {
        log.warn("Database does not answer: the instance reports not ready");
      }
    }
    answers = ok;
  }

  private boolean check() {
    try (Connection c = connections.open()) {
      return c.isValid((int) Math.max(1, TimeUnit.NANOSECONDS.toSeconds(timeoutNanos)));
    } catch (SQLException | RuntimeException e) {
      log.debug("Database probe failed", e);
      return false;
    }
  }
}
