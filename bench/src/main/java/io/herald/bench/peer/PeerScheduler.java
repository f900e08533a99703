package io.herald.bench.peer;

import io.herald.bench.infra.ExecutionLog;
import java.util.Map;

/**
 * A scheduler Herald is compared with, driven the same way in every scenario: fresh tables, tasks
 * loaded before they are due, started, measured through an {@link ExecutionLog}, stopped, tables
 * dropped. Task ids are 0..n-1; the task body only records (a no-op task).
 */
public interface PeerScheduler extends AutoCloseable {

  /** {@code db-scheduler}, {@code quartz}, {@code bullmq-seed}, {@code bullmq-tuned}. */
  String system();

  /** The configuration actually used, for the results table. */
  Map<String, Object> settings();

  /** Drops and creates the scheduler's tables from its documented DDL. */
  void createTables();

  /** Schedules one-time tasks {@code from..to-1}, all due at {@code dueMillis}. */
  void loadOneTime(int from, int to, long dueMillis);

  /**
   * Schedules recurring tasks {@code from..to-1}: task i first at {@code firstDue[i]}, then every
   * {@code periodMillis}.
   */
  void loadRecurring(int from, int to, long[] firstDue, long periodMillis);

  /** Starts executing; every execution is reported to {@code log}. */
  void start(ExecutionLog log);

  /** Stops executing and waits for running tasks; idempotent. */
  void stop();

  /** Drops the tables (after {@link #stop()}). */
  void dropTables();

  /**
   * The most executions per second the peer's own configuration allows (a rate limiter), so that a
   * scenario sizes what it gives it to finish in bounded time; unbounded by default.
   */
  default double maxRatePerSecond() {
    return Double.POSITIVE_INFINITY;
  }

  /**
   * Milliseconds of the last load that do not grow with the task count (starting a process), so
   * that extrapolating a calibration batch to N tasks does not multiply them; 0 by default.
   */
  default long lastLoadFixedMillis() {
    return 0;
  }

  /**
   * CPU time in nanoseconds of the processes the peer runs outside this JVM (a queue server, its
   * workers), for the CPU columns; empty when everything runs in this JVM.
   */
  default java.util.OptionalLong externalCpuNanos() {
    return java.util.OptionalLong.empty();
  }

  @Override
  void close();
}
