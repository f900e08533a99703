package io.herald.scheduler.projector;

import io.herald.runtime.jdbc.JdbcTimeouts;
import io.herald.runtime.loop.ServiceLoop;
import io.herald.runtime.loop.ServiceLoop.Decision;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "Sent today" and "failed today" for the quick look the old system's operators wanted: read from
 * the deliveries ledger (the sender's record of every outcome, whichever instance sent it), since
 * 00:00 UTC, refreshed every 30 s on one daemon {@link ServiceLoop} ({@code herald-daily-totals}).
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
  private final ServiceLoop loop;

  public DailyTotals(ProjectorConfig config, MeterRegistry registry) {
    this(config, registry, e -> {});
  }

  /**
   * @param onFatal called once if the refresher stops on an {@link Error}; must return at once
   */
  public DailyTotals(ProjectorConfig config, MeterRegistry registry, Consumer<Throwable> onFatal) {
    this.config = config;
    Gauge.builder("herald.scheduler.sent.today", sent, AtomicLong::get)
        .description("Deliveries sent since 00:00 UTC (all senders)")
        .register(registry);
    Gauge.builder("herald.scheduler.failed.today", failed, AtomicLong::get)
        .description("Deliveries failed, expired or unknown since 00:00 UTC (all senders)")
        .register(registry);
    this.loop =
        ServiceLoop.named("herald-daily-totals")
            .metrics(registry)
            .daemon(true)
            .body(this::refreshThenWait)
            // A gauge that lags is better than a thread that dies: try again at the next refresh.
            .onFailure(
                (e, attempt, backoff) -> {
                  if (e instanceof Error) {
                    return Decision.FATAL;
                  }
                  log.warn("Daily totals not refreshed: reason={}", e.getMessage());
                  return Decision.RETRY;
                })
            .backoff(REFRESH, REFRESH)
            .onFatal(onFatal)
            .joinTimeout(Duration.ofSeconds(5))
            .build();
  }

  public void start() {
    loop.start();
  }

  /** False once the refresher stopped on an {@link Error}. */
  public boolean healthy() {
    return loop.healthy();
  }

  /** One refresh now; a failure is logged and the gauges keep their values. */
  void refresh() {
    try {
      query();
    } catch (SQLException | RuntimeException e) {
      log.warn("Daily totals not refreshed: reason={}", e.getMessage());
    }
  }

  private boolean refreshThenWait() throws SQLException, InterruptedException {
    query();
    loop.pause(REFRESH);
    return true;
  }

  private void query() throws SQLException {
    try (Connection c =
            DriverManager.getConnection(
                config.jdbcUrl(), JdbcTimeouts.with(config.jdbcUser(), config.jdbcPassword()));
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(SQL)) {
      rs.next();
      sent.set(rs.getLong(1));
      failed.set(rs.getLong(2));
    }
  }

  @Override
  public void close() {
    loop.close();
  }
}
