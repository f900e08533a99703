package io.herald.sender.app;

import io.herald.runtime.loop.ServiceLoop;
import io.herald.runtime.loop.ServiceLoop.Decision;
import io.herald.sender.config.RetentionSettings;
import io.herald.sender.projector.JdbcRetention;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code herald-retention} loop: a purge pass shortly after start, then one every {@link
 * RetentionSettings#interval()}. A failed pass is logged, counted and tried again an interval
 * later: an old row kept a little longer harms no one.
 */
final class RetentionLoop implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RetentionLoop.class);

  /** The longest a pass may run; the rest waits for the next one. */
  static final Duration PASS_BUDGET = Duration.ofSeconds(60);

  /** How long after start the first pass runs, at most. */
  static final Duration FIRST_PASS = Duration.ofSeconds(30);

  private final JdbcRetention retention;
  private final Duration interval;
  private final ServiceLoop loop;

  RetentionLoop(
      DataSource dataSource,
      RetentionSettings settings,
      Clock clock,
      MeterRegistry registry,
      Consumer<Throwable> onFatal) {
    this.retention =
        new JdbcRetention(
            dataSource,
            new JdbcRetention.Policy(
                settings.deliveries(), settings.history(), settings.batchSize(), PASS_BUDGET),
            clock,
            registry);
    this.interval = settings.interval();
    this.loop =
        ServiceLoop.named("herald-retention")
            .metrics(registry)
            .daemon(true)
            .setUp(this::firstWait)
            .body(this::passThenWait)
            .onFailure(
                (e, attempt, backoff) -> {
                  if (e instanceof Error) {
                    return Decision.FATAL;
                  }
                  log.warn(
                      "Retention pass failed, next try in {}: attempt={} reason={}",
                      backoff,
                      attempt,
                      e.toString());
                  return Decision.RETRY;
                })
            .backoff(interval, interval)
            .onFatal(onFatal)
            .joinTimeout(Duration.ofSeconds(5))
            .build();
  }

  RetentionLoop start() {
    loop.start();
    return this;
  }

  boolean healthy() {
    return loop.healthy();
  }

  private void firstWait() {
    try {
      Duration first = interval.compareTo(FIRST_PASS) < 0 ? interval : FIRST_PASS;
      loop.pause(first);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean passThenWait() throws Exception {
    if (loop.stopping()) {
      return false;
    }
    retention.runPass();
    loop.pause(interval);
    return true;
  }

  @Override
  public void close() {
    loop.close();
  }
}
