package io.herald.bench.peer;

import io.herald.bench.infra.BenchInfra;
import io.herald.bench.infra.ExecutionLog;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;

/**
 * Quartz on the bench PostgreSQL: JDBC job store ({@code JobStoreTX}, {@code PostgreSQLDelegate}),
 * clustered, 20 worker threads, tables from the DDL shipped in the Quartz jar ({@code
 * org/quartz/impl/jdbcjobstore/tables_postgres.sql}). Batch trigger acquisition is on (the tuning
 * Quartz documents for throughput, with {@code acquireTriggersWithinLock}).
 *
 * <p>One durable no-op job; a one-time task is a {@code SimpleTrigger} firing once, a recurring one
 * a {@code SimpleTrigger} repeating forever with Quartz's default (smart) misfire policy. The
 * trigger's name carries the task id.
 */
public final class QuartzPeer implements PeerScheduler {

  public static final int THREADS = 20;
  private static final int POOL_SIZE = THREADS + 5;
  private static final int BATCH = 1_000;
  private static final String GROUP = "bench";
  private static final String DDL_RESOURCE = "/org/quartz/impl/jdbcjobstore/tables_postgres.sql";

  private final BenchInfra infra;
  private final JobDetail job =
      JobBuilder.newJob(NoopJob.class).withIdentity("noop", GROUP).storeDurably().build();
  private Scheduler scheduler;
  private volatile ExecutionLog log;

  public QuartzPeer(BenchInfra infra) {
    this.infra = infra;
  }

  /** The job class stored in the job store; the bench's job factory runs the recording body. */
  public static final class NoopJob implements Job {
    @Override
    public void execute(JobExecutionContext context) {}
  }

  @Override
  public String system() {
    return "quartz";
  }

  @Override
  public Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("jobStore", "JobStoreTX + PostgreSQLDelegate, isClustered=true");
    s.put("threads", THREADS);
    s.put("batchTriggerAcquisitionMaxCount", THREADS);
    s.put("pool", "HikariCP " + POOL_SIZE);
    return s;
  }

  Properties properties() {
    Properties p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceName", "herald-bench");
    p.setProperty("org.quartz.scheduler.instanceId", "AUTO");
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty(
        "org.quartz.scheduler.batchTriggerAcquisitionMaxCount", Integer.toString(THREADS));
    p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
    p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(THREADS));
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    p.setProperty(
        "org.quartz.jobStore.driverDelegateClass",
        "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
    p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    p.setProperty("org.quartz.jobStore.isClustered", "true");
    p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
    p.setProperty("org.quartz.jobStore.dataSource", "bench");
    p.setProperty("org.quartz.dataSource.bench.provider", "hikaricp");
    p.setProperty("org.quartz.dataSource.bench.driver", "org.postgresql.Driver");
    p.setProperty("org.quartz.dataSource.bench.URL", infra.database().jdbcUrl());
    p.setProperty(
        "org.quartz.dataSource.bench.user",
        infra.database().user() == null ? "" : infra.database().user());
    p.setProperty("org.quartz.dataSource.bench.password", infra.database().password());
    p.setProperty("org.quartz.dataSource.bench.maxConnections", Integer.toString(POOL_SIZE));
    return p;
  }

  @Override
  public void createTables() {
    infra.execute(ddl());
  }

  /** The statements of the DDL shipped in the Quartz jar, comments and COMMIT removed. */
  static List<String> ddl() {
    String text;
    try (InputStream in = QuartzPeer.class.getResourceAsStream(DDL_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("Quartz DDL " + DDL_RESOURCE + " is not on the classpath");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read the Quartz DDL " + DDL_RESOURCE, e);
    }
    StringBuilder sql = new StringBuilder();
    for (String line : text.split("\n")) {
      if (!line.trim().startsWith("--")) {
        sql.append(line).append('\n');
      }
    }
    List<String> statements = new ArrayList<>();
    for (String s : sql.toString().split(";")) {
      String t = s.trim();
      if (!t.isEmpty() && !t.equalsIgnoreCase("COMMIT")) {
        statements.add(t);
      }
    }
    return statements;
  }

  private Scheduler scheduler() {
    if (scheduler == null) {
      try {
        scheduler = new StdSchedulerFactory(properties()).getScheduler();
        scheduler.setJobFactory(
            (bundle, s) ->
                context -> {
                  String name = context.getTrigger().getKey().getName();
                  log.record(
                      Integer.parseInt(name.substring(2)),
                      context.getScheduledFireTime().getTime());
                });
      } catch (SchedulerException e) {
        throw new IllegalStateException("Quartz did not start: " + e.getMessage(), e);
      }
    }
    return scheduler;
  }

  @Override
  public void loadOneTime(int from, int to, long dueMillis) {
    Date due = new Date(dueMillis);
    load(
        from,
        to,
        i ->
            TriggerBuilder.newTrigger()
                .withIdentity("t-" + i, GROUP)
                .forJob(job)
                .startAt(due)
                .withSchedule(SimpleScheduleBuilder.simpleSchedule())
                .build());
  }

  @Override
  public void loadRecurring(int from, int to, long[] firstDue, long periodMillis) {
    load(
        from,
        to,
        i ->
            TriggerBuilder.newTrigger()
                .withIdentity("s-" + i, GROUP)
                .forJob(job)
                .startAt(new Date(firstDue[i]))
                .withSchedule(
                    SimpleScheduleBuilder.simpleSchedule()
                        .withIntervalInMilliseconds(periodMillis)
                        .repeatForever())
                .build());
  }

  private void load(int from, int to, java.util.function.IntFunction<Trigger> trigger) {
    Scheduler s = scheduler();
    try {
      for (int start = from; start < to; start += BATCH) {
        Set<Trigger> batch = new HashSet<>();
        for (int i = start; i < Math.min(to, start + BATCH); i++) {
          batch.add(trigger.apply(i));
        }
        s.scheduleJobs(Map.of(job, batch), true);
      }
    } catch (SchedulerException e) {
      throw new IllegalStateException("Quartz refused the triggers: " + e.getMessage(), e);
    }
  }

  @Override
  public void start(ExecutionLog log) {
    this.log = log;
    try {
      scheduler().start();
    } catch (SchedulerException e) {
      throw new IllegalStateException("Quartz did not start: " + e.getMessage(), e);
    }
  }

  @Override
  public void stop() {
    if (scheduler != null) {
      try {
        scheduler.shutdown(true);
      } catch (SchedulerException e) {
        throw new IllegalStateException("Quartz did not stop: " + e.getMessage(), e);
      } finally {
        scheduler = null;
      }
    }
  }

  @Override
  public void dropTables() {
    List<String> drops = new ArrayList<>();
    for (String s : ddl()) {
      if (s.startsWith("DROP")) {
        drops.add(s);
      }
    }
    infra.execute(drops);
  }

  @Override
  public void close() {
    stop();
  }
}
