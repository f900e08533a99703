package io.herald.bench.peer;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.SchedulableInstance;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.CustomTask;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariDataSource;
import io.herald.bench.infra.BenchInfra;
import io.herald.bench.infra.ExecutionLog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * db-scheduler (kagkarlsson) on the bench PostgreSQL: its {@code scheduled_tasks} table from the
 * project's documented PostgreSQL DDL, lock-and-fetch polling ({@code SELECT ... FOR UPDATE SKIP
 * LOCKED}, the strategy its README recommends for throughput on PostgreSQL), 20 threads.
 *
 * <p>One-time tasks are {@code Tasks.oneTime}. Recurring tasks are one {@code Tasks.custom} task
 * with an instance per schedule that reschedules itself on completion to the first grid instant
 * after the completion time: the semantics of db-scheduler's own recurring schedules (a late run
 * skips occurrences that passed meanwhile rather than replaying them).
 */
public final class DbSchedulerPeer implements PeerScheduler {

  public static final int THREADS = 20;

  /**
   * Default 10 s; 1 s so that lateness reflects the engine, not an idle poll (see BENCHMARKS.md).
   */
  public static final Duration POLLING_INTERVAL = Duration.ofSeconds(1);

  private static final double LOWER_LIMIT_FRACTION = 0.5;
  private static final double UPPER_LIMIT_FRACTION = 1.0;
  private static final int POOL_SIZE = THREADS + 5;
  private static final int BATCH = 1_000;

  /**
   * db-scheduler's PostgreSQL DDL (db-scheduler/src/test/resources/postgresql_tables.sql, README).
   */
  static final List<String> DDL =
      List.of(
          "DROP TABLE IF EXISTS scheduled_tasks",
          "create table scheduled_tasks ("
              + " task_name text not null,"
              + " task_instance text not null,"
              + " task_data bytea,"
              + " execution_time timestamp with time zone not null,"
              + " picked BOOLEAN not null,"
              + " picked_by text,"
              + " last_success timestamp with time zone,"
              + " last_failure timestamp with time zone,"
              + " consecutive_failures INT,"
              + " last_heartbeat timestamp with time zone,"
              + " version BIGINT not null,"
              + " priority SMALLINT,"
              + " PRIMARY KEY (task_name, task_instance))",
          "CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time)",
          "CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat)",
          "CREATE INDEX priority_execution_time_idx on scheduled_tasks"
              + " (priority desc, execution_time asc)");

  private final BenchInfra infra;
  private final HikariDataSource pool;
  private final OneTimeTask<Void> oneTime;
  private final CustomTask<Void> recurring;
  private final List<Task<?>> tasks;
  private volatile ExecutionLog log;
  private volatile long[] firstDue = new long[0];
  private volatile long period;
  private Scheduler scheduler;

  public DbSchedulerPeer(BenchInfra infra) {
    this.infra = infra;
    this.pool = infra.pool("db-scheduler", POOL_SIZE);
    this.oneTime =
        Tasks.oneTime("bench-one-time", Void.class)
            .execute(
                (instance, ctx) ->
                    log.record(
                        id(instance.getId()), ctx.getExecution().executionTime.toEpochMilli()));
    this.recurring =
        Tasks.custom("bench-recurring", Void.class)
            .execute(
                (instance, ctx) -> {
                  int id = id(instance.getId());
                  log.record(id, ctx.getExecution().executionTime.toEpochMilli());
                  return (CompletionHandler<Void>)
                      (complete, ops) ->
                          ops.reschedule(complete, nextAfter(id, complete.getTimeDone()));
                });
    this.tasks = List.of(oneTime, recurring);
  }

  @Override
  public String system() {
    return "db-scheduler";
  }

  @Override
  public Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("polling", "lock-and-fetch(" + LOWER_LIMIT_FRACTION + ", " + UPPER_LIMIT_FRACTION + ")");
    s.put("threads", THREADS);
    s.put("pollingInterval", POLLING_INTERVAL.toString());
    s.put("pool", "HikariCP " + POOL_SIZE);
    return s;
  }

  @Override
  public void createTables() {
    infra.execute(DDL);
  }

  @Override
  public void loadOneTime(int from, int to, long dueMillis) {
    SchedulerClient client = SchedulerClient.Builder.create(pool, tasks).build();
    Instant due = Instant.ofEpochMilli(dueMillis);
    for (int start = from; start < to; start += BATCH) {
      List<TaskInstance<?>> batch = new ArrayList<>(BATCH);
      for (int i = start; i < Math.min(to, start + BATCH); i++) {
        batch.add(oneTime.instance("i-" + i));
      }
      client.scheduleBatch(batch, due);
    }
  }

  @Override
  public void loadRecurring(int from, int to, long[] firstDue, long periodMillis) {
    this.firstDue = firstDue.clone();
    this.period = periodMillis;
    SchedulerClient client = SchedulerClient.Builder.create(pool, tasks).build();
    for (int start = from; start < to; start += BATCH) {
      List<SchedulableInstance<?>> batch = new ArrayList<>(BATCH);
      for (int i = start; i < Math.min(to, start + BATCH); i++) {
        batch.add(
            SchedulableInstance.of(
                recurring.instance("s-" + i), Instant.ofEpochMilli(firstDue[i])));
      }
      client.scheduleBatch(batch);
    }
  }

  @Override
  public void start(ExecutionLog log) {
    this.log = log;
    scheduler =
        Scheduler.create(pool, tasks)
            .threads(THREADS)
            .pollUsingLockAndFetch(LOWER_LIMIT_FRACTION, UPPER_LIMIT_FRACTION)
            .pollingInterval(POLLING_INTERVAL)
            .shutdownMaxWait(Duration.ofSeconds(5))
            .build();
    scheduler.start();
  }

  @Override
  public void stop() {
    if (scheduler != null) {
      scheduler.stop();
      scheduler = null;
    }
  }

  @Override
  public void dropTables() {
    infra.execute(List.of("DROP TABLE IF EXISTS scheduled_tasks"));
  }

  @Override
  public void close() {
    stop();
    pool.close();
  }

  /** The first grid instant of schedule {@code id} strictly after {@code done}. */
  private Instant nextAfter(int id, Instant done) {
    long first = firstDue[id];
    long k = Math.floorDiv(done.toEpochMilli() - first, period) + 1;
    return Instant.ofEpochMilli(first + Math.max(0, k) * period);
  }

  private static int id(String instanceId) {
    return Integer.parseInt(instanceId.substring(2));
  }
}
