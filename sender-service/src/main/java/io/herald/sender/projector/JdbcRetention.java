package io.herald.sender.projector;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retention purge (ADR 0019): deletes finished deliveries of closed occurrences, then closed
 * history rows (folding their counts into {@code archived_totals} in the same statement), oldest
 * first, in batches of short autocommitted statements, so no lock is held long and sends go on.
 * Only one sender runs a pass at a time (a session advisory lock; the others skip theirs). No
 * number a user sees changes: closed occurrences and broadcasts keep their counts ({@link
 * JdbcProjection} no longer recomputes them) and definition totals add the archived counts.
 */
public final class JdbcRetention {

  private static final Logger log = LoggerFactory.getLogger(JdbcRetention.class);

  /** The advisory lock key of the purge: "HERALDRT" in ASCII. */
  public static final long LOCK_KEY = 0x48455241_4C445254L;

  /**
   * A delivery that is finished, old, and whose occurrence is closed: its broadcast completed,
   * cancelled or gone, its history row closed. A recurring or auto-post delivery without a history
   * row is kept: its definition's totals count it directly.
   */
  private static final String DELETE_DELIVERIES =
      "DELETE FROM deliveries WHERE ctid = ANY (ARRAY(SELECT d.ctid FROM deliveries d"
          + " WHERE d.finished_at < ? AND d.status <> 'claimed' AND CASE d.schedule_kind"
          + " WHEN 'broadcast' THEN NOT EXISTS (SELECT 1 FROM broadcasts b WHERE b.id ="
          + " d.schedule_id AND b.completed_at IS NULL AND b.status IS DISTINCT FROM 'cancelled')"
          + " WHEN 'recurring' THEN EXISTS (SELECT 1 FROM recurring_message_logs l"
          + " WHERE l.recurring_message_id = d.schedule_id AND l.occurrence_at = d.occurrence_at"
          + " AND l.completed_at IS NOT NULL)"
          + " WHEN 'autopost' THEN EXISTS (SELECT 1 FROM auto_post_logs l"
          + " WHERE l.auto_post_schedule_id = d.schedule_id AND l.occurrence_at = d.occurrence_at"
          + " AND l.completed_at IS NOT NULL)"
          + " ELSE d.schedule_id IS NULL END"
          + " ORDER BY d.finished_at LIMIT ?))";

  /**
   * {@code %1$s}: log table, {@code %2$s}: its schedule column, {@code %3$s}: schedule kind. One
   * statement deletes a batch and adds its counts to the archive, so totals never see one without
   * the other.
   */
  private static final String DELETE_HISTORY =
      "WITH gone AS (DELETE FROM %1$s WHERE id = ANY (ARRAY(SELECT id FROM %1$s"
          + " WHERE completed_at < ? ORDER BY completed_at LIMIT ?))"
          + " RETURNING %2$s AS sid, sent_to_count, failed_count + unknown_count + expired_count"
          + " AS failed, skipped_count),"
          + " folded AS (INSERT INTO archived_totals AS t (schedule_kind, schedule_id,"
          + " archived_sent, archived_failed, archived_skipped)"
          + " SELECT '%3$s', sid, sum(sent_to_count), sum(failed), sum(skipped_count) FROM gone"
          + " WHERE sid IS NOT NULL GROUP BY sid"
          + " ON CONFLICT (schedule_kind, schedule_id) DO UPDATE SET"
          + " archived_sent = t.archived_sent + EXCLUDED.archived_sent,"
          + " archived_failed = t.archived_failed + EXCLUDED.archived_failed,"
          + " archived_skipped = t.archived_skipped + EXCLUDED.archived_skipped RETURNING 1)"
          + " SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM folded)";

  /**
   * What to purge.
   *
   * @param deliveries age of a finished delivery before it goes; zero: never
   * @param history age of a closed history row before it goes; zero: never
   * @param batchSize rows per statement, at least 1
   * @param budget longest pass; a pass that reaches it stops after its current batch
   */
  public record Policy(Duration deliveries, Duration history, int batchSize, Duration budget) {
    public Policy {
      Objects.requireNonNull(deliveries, "deliveries");
      Objects.requireNonNull(history, "history");
      Objects.requireNonNull(budget, "budget");
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize must be >= 1: " + batchSize);
      }
    }
  }

  /**
   * One pass.
   *
   * @param ran false when another sender held the lock (nothing was done)
   * @param deliveries deliveries deleted
   * @param recurringLogs recurring history rows deleted
   * @param autoPostLogs auto-post history rows deleted
   * @param statements delete statements run
   * @param maxStatementNanos longest of them
   * @param cutShort true when the budget ended the pass before the purge was done
   */
  public record Pass(
      boolean ran,
      long deliveries,
      long recurringLogs,
      long autoPostLogs,
      int statements,
      long maxStatementNanos,
      boolean cutShort) {}

  private final DataSource dataSource;
  private final Policy policy;
  private final Clock clock;
  private final Counter deliveriesDeleted;
  private final Counter recurringDeleted;
  private final Counter autoPostDeleted;
  private final Timer passTimer;

  public JdbcRetention(DataSource dataSource, Policy policy, Clock clock, MeterRegistry registry) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.deliveriesDeleted = deleted(registry, "deliveries");
    this.recurringDeleted = deleted(registry, "recurring_message_logs");
    this.autoPostDeleted = deleted(registry, "auto_post_logs");
    this.passTimer =
        Timer.builder("herald.retention.pass")
            .description("Retention purge passes that held the lock, start to end")
            .register(registry);
  }

  private static Counter deleted(MeterRegistry registry, String table) {
    return Counter.builder("herald.retention.deleted")
        .description("Rows the retention purge deleted")
        .tag("table", table)
        .register(registry);
  }

  /** Runs one pass now, unless another sender is running one. */
  public Pass runPass() throws SQLException {
    long start = System.nanoTime();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true); // each batch is its own short transaction
      if (!tryLock(c)) {
        log.debug("Retention pass skipped, another sender holds the lock");
        return new Pass(false, 0, 0, 0, 0, 0, false);
      }
      try {
        Pass pass = purge(c, start);
        passTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return pass;
      } finally {
        unlock(c);
      }
    }
  }

  private Pass purge(Connection c, long start) throws SQLException {
    Instant now = clock.instant();
    long deadline = start + policy.budget().toNanos();
    Batches b = new Batches(deadline);
    long deliveries = 0;
    if (!policy.deliveries().isZero()) {
      Timestamp cutoff = Timestamp.from(now.minus(policy.deliveries()));
      deliveries = b.run(c, DELETE_DELIVERIES, cutoff, deliveriesDeleted);
    }
    long recurring = 0;
    long autoPost = 0;
    // history after deliveries: a history row outlives its occurrence's deliveries
    if (!policy.history().isZero() && !b.cutShort) {
      Timestamp cutoff = Timestamp.from(now.minus(policy.history()));
      recurring =
          b.run(
              c,
              String.format(
                  DELETE_HISTORY, "recurring_message_logs", "recurring_message_id", "recurring"),
              cutoff,
              recurringDeleted);
      autoPost =
          b.run(
              c,
              String.format(DELETE_HISTORY, "auto_post_logs", "auto_post_schedule_id", "autopost"),
              cutoff,
              autoPostDeleted);
    }
    Pass pass =
        new Pass(true, deliveries, recurring, autoPost, b.statements, b.maxNanos, b.cutShort);
    if (deliveries + recurring + autoPost > 0 || b.cutShort) {
      log.info(
          "Retention pass done: deliveries={} recurringLogs={} autoPostLogs={} statements={}"
              + " maxStatementMs={} cutShort={}",
          deliveries,
          recurring,
          autoPost,
          b.statements,
          TimeUnit.NANOSECONDS.toMillis(b.maxNanos),
          b.cutShort);
    }
    return pass;
  }

  /** Runs one delete statement again and again while it fills its batch and time is left. */
  private final class Batches {
    final long deadline;
    int statements;
    long maxNanos;
    boolean cutShort;

    Batches(long deadline) {
      this.deadline = deadline;
    }

    long run(Connection c, String sql, Timestamp cutoff, Counter counter) throws SQLException {
      long total = 0;
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        while (true) {
          if (System.nanoTime() - deadline >= 0) {
            cutShort = true;
            return total;
          }
          ps.setTimestamp(1, cutoff);
          ps.setInt(2, policy.batchSize());
          long t0 = System.nanoTime();
          long n = execute(ps);
          maxNanos = Math.max(maxNanos, System.nanoTime() - t0);
          statements++;
          total += n;
          counter.increment(n);
          if (n < policy.batchSize()) {
            return total;
          }
        }
      }
    }
  }

  private static long execute(PreparedStatement ps) throws SQLException {
    if (!ps.execute()) {
      return ps.getUpdateCount();
    }
    try (ResultSet rs = ps.getResultSet()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static boolean tryLock(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
      ps.setLong(1, LOCK_KEY);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  private static void unlock(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
      ps.setLong(1, LOCK_KEY);
      ps.executeQuery().close();
    }
  }
}
