package io.herald.bench.peer;

import io.herald.bench.infra.ExecutionLog;
import java.util.Map;

/**
 * A scheduler Herald is compared with, driven the same way in every scenario: fresh tables, tasks
 * loaded before they are due, started, measured through an {@link ExecutionLog}, stopped, tables
 * dropped. Task ids are 0..n-1; the task body only records (a no-op task).
 */
public interface PeerScheduler extends AutoCloseable {

  /** {@code db-scheduler}, {@code quartz}. */
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

  @Override
  void close();
}
