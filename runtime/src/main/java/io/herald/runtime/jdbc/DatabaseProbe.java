package io.herald.runtime.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the database answers, for {@code /health/ready}: a {@code Connection.isValid} at most
 * every {@code interval}, run by the caller of {@link #answers()} (a readiness request) and never
 * by two at once; between checks, and while one runs, the last answer stands.
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
  private final int timeoutSeconds;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicLong checkedAt = new AtomicLong(Long.MIN_VALUE);
  private volatile boolean answers = true;

  public DatabaseProbe(Connections connections, Duration interval, Duration timeout) {
    this.connections = connections;
    this.intervalNanos = interval.toNanos();
    this.timeoutSeconds = (int) Math.max(1, timeout.toSeconds());
  }

  /** True unless the last check found the database not answering. */
  public boolean answers() {
    long now = System.nanoTime();
    long last = checkedAt.get();
    if ((last == Long.MIN_VALUE || now - last >= intervalNanos)
        && running.compareAndSet(false, true)) {
      try {
        boolean ok = check();
        if (ok != answers) {
          if (ok) {
            log.info("Database answers again");
          } else {
            log.warn("Database does not answer: the instance reports not ready");
          }
        }
        answers = ok;
        checkedAt.set(System.nanoTime());
      } finally {
        running.set(false);
      }
    }
    return answers;
  }

  private boolean check() {
    try (Connection c = connections.open()) {
      return c.isValid(timeoutSeconds);
    } catch (SQLException | RuntimeException e) {
      log.debug("Database probe failed", e);
      return false;
    }
  }
}
