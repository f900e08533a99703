package io.herald.scheduler.projector;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "Sent today" and "failed today" for the quick look the old system's operators wanted: read from
 * the deliveries ledger (the sender's record of every outcome, whichever instance sent it), since
 * 00:00 UTC, refreshed every 30 s on one daemon thread.
 */
public final class DailyTotals implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DailyTotals.class);
  private static final Duration REFRESH = Duration.ofSeconds(30);
  private static final String SQL =
      "SELECT count(*) FILTER (WHERE status = 'sent'),"
          + " count(*) FILTER (WHERE status IN ('failed', 'expired', 'unknown'))"
          + " FROM deliveries"
          + " WHERE finished_at >= (date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')";

  private final ProjectorConfig config;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private ScheduledExecutorService executor;

  public DailyTotals(ProjectorConfig config, MeterRegistry registry) {
    this.config = config;
    Gauge.builder("herald.scheduler.sent.today", sent, AtomicLong::get)
        .description("Deliveries sent since 00:00 UTC (all senders)")
        .register(registry);
    Gauge.builder("herald.scheduler.failed.today", failed, AtomicLong::get)
        .description("Deliveries failed, expired or unknown since 00:00 UTC (all senders)")
        .register(registry);
  }

  public synchronized void start() {
    if (executor != null) {
      return;
    }
    executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "herald-daily-totals");
      t.setDaemon(true);
      return t;
    });
    executor.scheduleWithFixedDelay(this::refresh, 0, REFRESH.toSeconds(), TimeUnit.SECONDS);
  }

  void refresh() {
    try (Connection c =
            DriverManager.getConnection(config.jdbcUrl(), config.jdbcUser(), config.jdbcPassword());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(SQL)) {
      rs.next();
      sent.set(rs.getLong(1));
      failed.set(rs.getLong(2));
    } catch (SQLException | RuntimeException e) {
      // A gauge that lags is better than a thread that dies: try again at the next refresh.
      log.warn("Daily totals not refreshed: reason={}", e.getMessage());
    }
  }

  @Override
  public synchronized void close() {
    if (executor != null) {
      executor.shutdownNow();
      executor = null;
    }
  }
}
