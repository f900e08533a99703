package io.herald.bench.herald;

import com.zaxxer.hikari.HikariDataSource;
import io.herald.bench.report.ResultRow;
import io.herald.bench.report.ScenarioResult;
import io.herald.bench.scenario.BenchContext;
import io.herald.bench.scenario.Scenario;
import io.herald.sender.projector.JdbcRetention;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The retention purge ({@link JdbcRetention}) on a ledger of finished, closed deliveries older than
 * the age, while a writer keeps claiming and finishing new deliveries the way sends do: how fast it
 * purges, its longest statement, and how much the writer's latency grows while it runs, against the
 * same writer without it just before (a ratio, since the machine is noisy).
 */
public final class RetentionScenario implements Scenario {

  private static final int LOAD_CHUNK = 100_000;
  private static final int BATCH = 1000;
  private static final UUID OLD_BROADCAST =
      new UUID(0x7e70_0000_0000_4000L, 0x8000_0000_0000_0001L);
  private static final UUID LIVE_BROADCAST =
      new UUID(0x7e70_0000_0000_4000L, 0x8000_0000_0000_0002L);

  @Override
  public String id() {
    return "retention";
  }

  @Override
  public String title() {
    return "Retention purge of finished deliveries while sends go on";
  }

  @Override
  public ScenarioResult run(BenchContext ctx) throws Exception {
    long started = System.currentTimeMillis();
    int n = ctx.size(1_000_000, 20_000);
    long baselineMillis = ctx.millis(20_000, 2_000);
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("old deliveries", n);
    settings.put("purge", "deliveries older than P30D (loaded 40 days old), history off");
    settings.put("batch", BATCH + " rows per statement (HERALD_SENDER_RETENTION_BATCH default)");
    settings.put(
        "writer",
        "1 connection: INSERT a claimed delivery, then UPDATE it to sent (autocommit each),"
            + " back to back; latency = both statements");
    List<ResultRow> rows = new ArrayList<>();
    if (!ctx.runs("herald")) {
      return new ScenarioResult(id(), title(), settings, rows, List.of("Herald not selected."), 0);
    }
    HeraldWiring.truncate(ctx);
    long loadStart = System.nanoTime();
    load(ctx, n);
    double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
    ctx.progress("retention: %,d old deliveries loaded in %.0f s", n, loadSeconds);

    try (HikariDataSource ds = ctx.infra().pool("bench-retention", 4)) {
      Writer baseline = new Writer(ds, "base");
      Thread bt = new Thread(baseline, "bench-writer-base");
      bt.start();
      Thread.sleep(baselineMillis);
      baseline.stop(bt);

      JdbcRetention retention =
          new JdbcRetention(
              ds,
              new JdbcRetention.Policy(
                  Duration.ofDays(30), Duration.ZERO, BATCH, Duration.ofHours(1)),
              Clock.systemUTC(),
              new SimpleMeterRegistry());
      Writer during = new Writer(ds, "purge");
      Thread dt = new Thread(during, "bench-writer-purge");
      dt.start();
      long p0 = System.nanoTime();
      JdbcRetention.Pass pass = retention.runPass();
      double purgeSeconds = (System.nanoTime() - p0) / 1e9;
      during.stop(dt);
      if (pass.deliveries() != n) {
        throw new IllegalStateException("purged " + pass.deliveries() + " of " + n);
      }
      double base50 = baseline.percentile(50);
      double base99 = baseline.percentile(99);
      double dur50 = during.percentile(50);
      double dur99 = during.percentile(99);
      rows.add(
          ResultRow.of(
                  id(), String.format(Locale.ROOT, "%,d finished deliveries", n), "herald", false)
              .metric("purged /s", Math.round(n / purgeSeconds))
              .metric("purge s", round1(purgeSeconds))
              .metric("statements", pass.statements())
              .metric("max statement ms", round1(pass.maxStatementNanos() / 1e6))
              .metric("writer p50 ms base", round2(base50))
              .metric("writer p50 ms purge", round2(dur50))
              .metric("writer p99 ms base", round2(base99))
              .metric("writer p99 ms purge", round2(dur99))
              .metric("p50 ratio", round2(dur50 / base50))
              .metric("p99 ratio", round2(dur99 / base99))
              .metric("writes /s base", Math.round(baseline.rate()))
              .metric("writes /s purge", Math.round(during.rate()))
              .note(
                  String.format(
                      Locale.ROOT,
                      "load %.0f s (generate_series, %,d rows a statement); the writer's rows"
                          + " stay (open broadcast, recent)",
                      loadSeconds,
                      LOAD_CHUNK))
              .build());
    }
    HeraldWiring.truncate(ctx);
    ctx.infra().execute(List.of("TRUNCATE TABLE deliveries"));
    return new ScenarioResult(
        id(), title(), settings, rows, List.of(), System.currentTimeMillis() - started);
  }

  private static void load(BenchContext ctx, int n) {
    List<String> sql = new ArrayList<>();
    sql.add("TRUNCATE TABLE deliveries");
    sql.add(
        "INSERT INTO broadcasts (id, name, status, total_count, completed_at) VALUES ('"
            + OLD_BROADCAST
            + "', 'old', 'completed', "
            + n
            + ", now() - interval '40 days')");
    sql.add(
        "INSERT INTO broadcasts (id, name, status, total_count) VALUES ('"
            + LIVE_BROADCAST
            + "', 'live', 'processing', 100000000)");
    for (int from = 1; from <= n; from += LOAD_CHUNK) {
      int to = Math.min(n, from + LOAD_CHUNK - 1);
      sql.add(
          "INSERT INTO deliveries (command_id, schedule_kind, schedule_id, occurrence_at,"
              + " recipient, status, attempts, claimed_at, finished_at)"
              + " SELECT 'old-' || g, 'broadcast', '"
              + OLD_BROADCAST
              + "', now() - interval '41 days', '+1555' || lpad(g::text, 8, '0'),"
              + " CASE WHEN g % 10 = 0 THEN 'failed' ELSE 'sent' END, 1,"
              + " now() - interval '41 days', now() - interval '40 days' + g * interval '1 ms'"
              + " FROM generate_series("
              + from
              + ", "
              + to
              + ") g");
    }
    sql.add("ANALYZE deliveries");
    ctx.infra().execute(sql);
  }

  /** Claims and finishes new deliveries back to back on one connection, timing each pair. */
  private static final class Writer implements Runnable {
    private final HikariDataSource ds;
    private final String prefix;
    private final AtomicBoolean stop = new AtomicBoolean();
    private long[] nanos = new long[1 << 16];
    private int count;
    private long startNanos;
    private long endNanos;
    private volatile Exception failure;

    Writer(HikariDataSource ds, String prefix) {
      this.ds = ds;
      this.prefix = prefix + "-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    }

    @Override
    public void run() {
      try (Connection c = ds.getConnection();
          PreparedStatement claim =
              c.prepareStatement(
                  "INSERT INTO deliveries (command_id, schedule_kind, schedule_id,"
                      + " occurrence_at, recipient, status, claimed_at) VALUES (?, 'broadcast',"
                      + " ?, now(), '+15550000000', 'claimed', now())");
          PreparedStatement finish =
              c.prepareStatement(
                  "UPDATE deliveries SET status = 'sent', attempts = 1, finished_at = now()"
                      + " WHERE command_id = ?")) {
        c.setAutoCommit(true);
        startNanos = System.nanoTime();
        while (!stop.get()) {
          String id = prefix + count;
          long t0 = System.nanoTime();
          claim.setString(1, id);
          claim.setObject(2, LIVE_BROADCAST);
          claim.executeUpdate();
          finish.setString(1, id);
          finish.executeUpdate();
          if (count == nanos.length) {
            nanos = Arrays.copyOf(nanos, count * 2);
          }
          nanos[count++] = System.nanoTime() - t0;
        }
        endNanos = System.nanoTime();
      } catch (Exception e) {
        failure = e;
      }
    }

    void stop(Thread t) throws Exception {
      stop.set(true);
      t.join();
      if (failure != null) {
        throw failure;
      }
    }

    double percentile(int p) {
      if (count == 0) {
        return Double.NaN;
      }
      long[] sorted = Arrays.copyOf(nanos, count);
      Arrays.sort(sorted);
      int i = (int) Math.min(count - 1, Math.ceil(p / 100.0 * count) - 1);
      return sorted[Math.max(0, i)] / 1e6;
    }

    double rate() {
      return count / Math.max(1e-9, (endNanos - startNanos) / 1e9);
    }
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
