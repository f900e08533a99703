package io.herald.bench.scenario;

import io.herald.bench.herald.HeraldSteadyScenario;
import io.herald.bench.infra.CpuMeter;
import io.herald.bench.infra.ExecutionLog;
import io.herald.bench.peer.PeerScheduler;
import io.herald.bench.report.ResultRow;
import io.herald.bench.report.ScenarioResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scenario 2, steady recurring load: N schedules every P seconds for a window W, either aligned
 * (all due at the same grid instants) or spread (schedule i offset by i·P/N). Measures executions
 * per second, lateness p50/p99/max, duplicates and misses per occurrence and per schedule, and the
 * CPU of this JVM and of PostgreSQL over exactly the window, as cores busy.
 *
 * <p>An occurrence counts when it is due inside the window; executions of later occurrences (during
 * the drain that lets late ones arrive) are ignored. A miss is an occurrence due in the window that
 * never ran; a duplicate is a second run of the same occurrence.
 */
public final class SteadyLoadScenario implements Scenario {

  @Override
  public String id() {
    return "steady";
  }

  @Override
  public String title() {
    return "2. Steady recurring load";
  }

  @Override
  public ScenarioResult run(BenchContext ctx) throws Exception {
    long started = System.currentTimeMillis();
    int n = ctx.size(10_000, 50);
    long period = ctx.millis(10_000, 1_000);
    long window = ctx.millis(120_000, 2_000);
    long drain = ctx.millis(5_000, 500);
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("schedules", n);
    settings.put("period s", period / 1000.0);
    settings.put("window s", window / 1000.0);
    settings.put("drain s", drain / 1000.0);
    List<ResultRow> rows = new ArrayList<>();
    List<String> notes = new ArrayList<>();

    for (boolean spread : new boolean[] {false, true}) {
      for (var factory : ctx.peers()) {
        try (PeerScheduler peer = factory.apply(ctx.infra())) {
          settings.put(peer.system(), peer.settings());
          // A rate-limited peer (BullMQ with the seed's limiter) gets as many schedules as fill
          // half its limiter: the full load would be a backlog growing for the whole window.
          int schedules = PeerLoading.capped(peer, n, 0.5 * period / 1000.0);
          rows.add(runPeer(ctx, peer, schedules, period, window, drain, spread, n));
        }
      }
    }
    notes.addAll(ctx.skippedPeers());
    // What the bench JVM (with its in-JVM broker) and PostgreSQL use when nothing is scheduled.
    CpuMeter idle = new CpuMeter(ctx.infra().pgCpu()).start();
    Thread.sleep(ctx.millis(5_000, 1_000));
    CpuMeter.Reading baseline = idle.stop();
    rows.add(
        cpu(ResultRow.of(id(), "idle baseline", "bench JVM + broker", false), baseline)
            .note("no scheduler running")
            .build());

    notes.add(
        "CPU in cores busy over the window (1.0 = one core); `JVM` includes the in-JVM"
            + " Kafka broker and the bench's own recording — compare with the idle baseline.");
    if (ctx.smoke()) {
      notes.add(
          "Herald: skipped in smoke mode (its rules fire on whole minutes; a window needs"
              + " more than a minute).");
    } else if (ctx.runs("herald")) {
      int heraldSchedules = (int) (n * (HeraldSteadyScenario.PERIOD / period));
      try {
        rows.add(0, HeraldSteadyScenario.run(ctx, heraldSchedules, window, drain * 6));
      } catch (Exception | LinkageError e) {
        ctx.progress("steady: herald failed: %s", e);
        notes.add("Herald FAILED: " + e);
      }
      settings.put(
          "herald",
          heraldSchedules
              + " schedules every 60 s (same executions/s), drain "
              + drain * 6 / 1000
              + " s");
    }
    notes.add(
        "Herald's rules have a one-minute granularity: its row is the same execution rate"
            + " (schedules × 60 s / period), all due on the whole minute; no spread variant exists.");
    return new ScenarioResult(
        id(), title(), settings, rows, notes, System.currentTimeMillis() - started);
  }

  private ResultRow runPeer(
      BenchContext ctx,
      PeerScheduler peer,
      int n,
      long period,
      long window,
      long drain,
      boolean spread,
      int asked)
      throws InterruptedException {
    String variant = spread ? "spread" : "aligned";
    peer.createTables();
    long farFuture = System.currentTimeMillis() + 86_400_000L;
    long[] far = new long[n];
    java.util.Arrays.fill(far, farFuture);
    long lead =
        PeerLoading.leadMillis(peer, n, k -> peer.loadRecurring(0, k, far, period), ctx.smoke());
    // The window starts on a period boundary, so "aligned" means aligned to the wall clock too.
    long start = ceil(System.currentTimeMillis() + lead, period);
    long[] first = new long[n];
    int[] expected = new int[n];
    long end = start + window;
    for (int i = 0; i < n; i++) {
      first[i] = start + (spread ? i * period / n : 0);
      expected[i] = (int) ((end - first[i] + period - 1) / period);
    }
    ctx.progress(
        "steady: %s %s, %,d schedules every %d ms, window starts in %,d ms",
        peer.system(), variant, n, period, start - System.currentTimeMillis());
    long t0 = System.currentTimeMillis();
    peer.loadRecurring(0, n, first, period);
    long loaded = System.currentTimeMillis();
    ExecutionLog log = new ExecutionLog(first, expected, period);
    peer.start(log);
    BenchContext.sleepUntil(start);
    CpuMeter cpu = new CpuMeter(ctx.infra().pgCpu()).start();
    java.util.OptionalLong outside0 = peer.externalCpuNanos();
    BenchContext.sleepUntil(end);
    java.util.OptionalLong outside1 = peer.externalCpuNanos();
    CpuMeter.Reading reading = cpu.stop();
    BenchContext.sleepUntil(end + drain);
    peer.stop();

    ResultRow.Builder row = ResultRow.of(id(), variant, peer.system(), true);
    row.metric("expected", log.expectedTotal());
    row.metric(Metrics.EXECUTED, log.distinctExecuted());
    row.metric("exec /s", Metrics.round(log.distinctExecuted() / (window / 1000.0), 1));
    Metrics.lateness(row, log, window + drain);
    int[] perSchedule = log.schedulesWithDuplicatesAndMisses();
    row.metric(Metrics.DUPLICATES, log.duplicates());
    row.metric(Metrics.MISSES, log.misses());
    row.metric("schedules w/ dup", perSchedule[0]);
    row.metric("schedules w/ miss", perSchedule[1]);
    double outside =
        outside0.isPresent() && outside1.isPresent()
            ? (outside1.getAsLong() - outside0.getAsLong()) / 1e9 / reading.wallSeconds()
            : 0;
    cpu(row, reading, outside);
    row.metric(Metrics.LOAD, Metrics.round((loaded - t0) / 1000.0, 1));
    String note = "";
    if (n < asked) {
      note +=
          String.format(
              Locale.ROOT,
              "capped at %,d of %,d schedules (%s executions/s): its limiter allows %s jobs/s; ",
              n,
              asked,
              Metrics.round(n * 1000.0 / period, 1),
              Metrics.round(peer.maxRatePerSecond(), 1));
    }
    if (outside0.isPresent()) {
      note += "CPU outside the JVM: its redis-server and Node worker processes; ";
    }
    if (loaded > start) {
      note +=
          String.format(Locale.ROOT, "loading overran the window start by %d ms", loaded - start);
    }
    row.note(Metrics.clauses(note));
    peer.dropTables();
    return row.build();
  }

  private static ResultRow.Builder cpu(ResultRow.Builder row, CpuMeter.Reading r) {
    return cpu(row, r, 0);
  }

  /**
   * @param outside cores busy in the peer's own processes outside this JVM (0 when none)
   */
  private static ResultRow.Builder cpu(ResultRow.Builder row, CpuMeter.Reading r, double outside) {
    row.metric("CPU JVM cores", Metrics.round(r.jvmCores(), 3));
    row.metric("CPU PG cores", Double.isNaN(r.pgCores()) ? "n/a" : Metrics.round(r.pgCores(), 3));
    row.metric("CPU peer procs cores", Metrics.round(outside, 3));
    row.metric("CPU total cores", Metrics.round(r.totalCores() + outside, 3));
    return row;
  }

  private static long ceil(long millis, long step) {
    return Math.floorDiv(millis + step - 1, step) * step;
  }
}
