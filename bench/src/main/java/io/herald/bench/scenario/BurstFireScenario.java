package io.herald.bench.scenario;

import io.herald.bench.herald.HeraldBurstScenario;
import io.herald.bench.infra.ExecutionLog;
import io.herald.bench.peer.KafkaCeiling;
import io.herald.bench.peer.PeerScheduler;
import io.herald.bench.report.ResultRow;
import io.herald.bench.report.ScenarioResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Scenario 1, burst fire: N occurrences due at the same instant. Measures executions per second
 * from the due instant to the last one, and lateness p50/p99/max (run time minus due instant), for
 * each system; and the raw transactional produce rate of the same broker as the ceiling.
 *
 * <p>Peers execute N one-time no-op tasks due at once. A peer that has not finished within the time
 * budget is stopped; its row says how many ran, and its percentiles read "&gt; budget" where they
 * fall among the occurrences that never ran.
 */
public final class BurstFireScenario implements Scenario {

  static final int RECORD_BYTES = 200;

  /**
   * Two shapes of the raw transactional producer, the higher one is the ceiling: the shared
   * infrastructure notes' (1 partition, a commit per 1,000) and Herald's own (its send-commands
   * topic's 6 partitions, transactions as large as one of its ticks). A ceiling in a shape Herald
   * does not use would flatter Herald's fraction of it.
   */
  private record CeilingShape(String name, int partitions, int commitEvery) {}

  private static final List<CeilingShape> CEILING_SHAPES =
      List.of(
          new CeilingShape("1 partition, commit every 1,000", 1, 1_000),
          new CeilingShape("6 partitions, commit every 10,000", 6, 10_000));

  @Override
  public String id() {
    return "burst";
  }

  @Override
  public String title() {
    return "1. Burst fire";
  }

  @Override
  public ScenarioResult run(BenchContext ctx) throws Exception {
    long started = System.currentTimeMillis();
    int n = ctx.size(100_000, 200);
    // 90 s: ~45x the 2 s p99 target; a system still running then (Quartz) only costs suite time.
    long budget = ctx.millis(90_000, 20_000);
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("occurrences", n);
    settings.put("budget per system s", budget / 1000);
    settings.put(
        "ceiling",
        "transactional producer, "
            + RECORD_BYTES
            + "-byte values, acks=all,"
            + " the higher of: "
            + CEILING_SHAPES.stream().map(CeilingShape::name).toList());
    List<ResultRow> rows = new ArrayList<>();
    List<String> notes = new ArrayList<>();

    double[] rates = new double[CEILING_SHAPES.size()];
    for (int i = 0; i < rates.length; i++) {
      CeilingShape shape = CEILING_SHAPES.get(i);
      ctx.progress(
          "burst: raw Kafka transactional produce ceiling, %,d records, %s", n, shape.name());
      rates[i] =
          KafkaCeiling.transactionalRate(
              ctx.infra().broker(),
              "bench.ceiling." + ctx.runId() + "." + i,
              shape.partitions(),
              n,
              shape.commitEvery(),
              RECORD_BYTES);
    }
    double ceiling = java.util.Arrays.stream(rates).max().orElseThrow();
    for (int i = 0; i < rates.length; i++) {
      rows.add(
          ResultRow.of(id(), "raw ceiling, " + CEILING_SHAPES.get(i).name(), "kafka-raw", false)
              .metric(Metrics.EXECUTED, n)
              .metric(Metrics.RATE, Metrics.round(rates[i], 0))
              .metric("÷ raw Kafka", Metrics.round(rates[i] / ceiling, 4))
              .note(
                  rates[i] == ceiling
                      ? "records produced and committed; the ceiling"
                      : "records produced and committed")
              .build());
    }

    // Smoke mode runs one shape: each Herald start (topics, Streams EOS to RUNNING) costs seconds.
    List<HeraldBurstScenario.Shape> shapes =
        !ctx.runs("herald")
            ? List.of()
            : ctx.smoke()
                ? List.of(HeraldBurstScenario.Shape.SINGLE_RECIPIENT_SCHEDULES)
                : List.of(HeraldBurstScenario.Shape.values());
    for (HeraldBurstScenario.Shape shape : shapes) {
      try {
        rows.add(HeraldBurstScenario.run(ctx, shape, n, budget, ceiling));
      } catch (Exception | LinkageError e) {
        // A peer comparison without Herald is still worth its rows; say why Herald has none.
        ctx.progress("burst: herald %s failed: %s", shape, e);
        notes.add("Herald " + shape + " FAILED: " + e);
      }
    }
    settings.put("herald", HeraldBurstScenario.overrides(n));

    for (var factory : ctx.peers()) {
      try (PeerScheduler peer = factory.apply(ctx.infra())) {
        settings.put(peer.system(), peer.settings());
        // A rate-limited peer (BullMQ with the seed's limiter) gets what it can run in a sixth of
        // the budget: all N would only show the limiter for 90 s, and the run must end by itself.
        int tasks = PeerLoading.capped(peer, n, budget / 6_000.0);
        String variant = String.format(java.util.Locale.ROOT, "%,d one-time tasks", tasks);
        rows.add(runPeer(ctx, peer, tasks, budget, ceiling, variant, n));
      }
    }
    notes.addAll(ctx.skippedPeers());

    // Same-run ratios to db-scheduler, the peer issue 8's target names.
    OptionalDouble dbScheduler =
        rows.stream()
            .filter(r -> r.system().equals("db-scheduler"))
            .map(BurstFireScenario::rate)
            .filter(OptionalDouble::isPresent)
            .mapToDouble(OptionalDouble::getAsDouble)
            .findFirst();
    if (dbScheduler.isPresent() && dbScheduler.getAsDouble() > 0) {
      List<ResultRow> withRatio = new ArrayList<>();
      for (ResultRow r : rows) {
        OptionalDouble rate = rate(r);
        withRatio.add(
            r.system().equals("kafka-raw") || rate.isEmpty()
                ? r
                : r.withMetric(
                    "× db-scheduler",
                    Metrics.round(rate.getAsDouble() / dbScheduler.getAsDouble(), 2)));
      }
      rows = withRatio;
    }
    notes.add(
        "Herald emits a send-command per recipient and occurrence (exactly-once, through"
            + " Kafka); the peers run a no-op task per one-time job (its state in PostgreSQL;"
            + " BullMQ's in its own Redis, the worker in a Node process outside this JVM)."
            + " The fan-out shape has no peer equivalent: a peer would need 100,000 jobs anyway.");
    return new ScenarioResult(
        id(), title(), settings, rows, notes, System.currentTimeMillis() - started);
  }

  private ResultRow runPeer(
      BenchContext ctx,
      PeerScheduler peer,
      int n,
      long budget,
      double ceiling,
      String variant,
      int asked)
      throws InterruptedException {
    peer.createTables();
    long farFuture = System.currentTimeMillis() + 86_400_000L;
    long lead =
        PeerLoading.leadMillis(peer, n, k -> peer.loadOneTime(0, k, farFuture), ctx.smoke());
    long due = System.currentTimeMillis() + lead;
    ctx.progress("burst: %s loading %,d one-time tasks due in %,d ms", peer.system(), n, lead);
    long t0 = System.currentTimeMillis();
    peer.loadOneTime(0, n, due);
    long loaded = System.currentTimeMillis();
    ExecutionLog log = ExecutionLog.oneTime(n, due);
    peer.start(log);
    String note = "";
    if (n < asked) {
      note +=
          String.format(
              java.util.Locale.ROOT,
              "capped at %,d of %,d tasks: its limiter allows %s jobs/s, so the rate is the"
                  + " limiter's; ",
              n,
              asked,
              Metrics.round(peer.maxRatePerSecond(), 1));
    }
    if (loaded > due) {
      note += "loading overran the due instant by " + (loaded - due) + " ms; ";
    }
    BenchContext.sleepUntil(due);
    long deadline = due + budget;
    while (log.executions() < n && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    peer.stop();
    long executed = log.distinctExecuted();
    ctx.progress("burst: %s executed %,d of %,d", peer.system(), executed, n);
    ResultRow.Builder row = ResultRow.of(id(), variant, peer.system(), true);
    row.metric(Metrics.EXECUTED, executed);
    double seconds = Math.max(1, log.lastRunMillis() - due) / 1000.0;
    double rate = executed == 0 ? 0 : executed / seconds;
    row.metric(Metrics.RATE, Metrics.round(rate, 0));
    row.metric("÷ raw Kafka", Metrics.round(rate / ceiling, 4));
    Metrics.lateness(row, log, budget);
    row.metric(Metrics.DUPLICATES, log.duplicates());
    row.metric(Metrics.LOAD, Metrics.round((loaded - t0) / 1000.0, 1));
    if (executed < n) {
      note +=
          String.format(
              java.util.Locale.ROOT,
              "stopped after the %d s budget with %,d of %,d run; rate over the time it ran",
              budget / 1000,
              executed,
              n);
    }
    row.note(Metrics.clauses(note));
    peer.dropTables();
    return row.build();
  }

  /** The rate of a row, for ratios. */
  static OptionalDouble rate(ResultRow row) {
    return row.number(Metrics.RATE);
  }
}
