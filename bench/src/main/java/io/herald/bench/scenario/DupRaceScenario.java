package io.herald.bench.scenario;

import io.herald.bench.herald.HeraldDupRace;
import io.herald.bench.infra.ExecutionLog;
import io.herald.bench.peer.BullMqPeer;
import io.herald.bench.report.ResultRow;
import io.herald.bench.report.ScenarioResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scenario 8, the duplicate race: two producers enqueue the same N occurrences (the same ids) while
 * the workers run, the second starting at the same instant or a little later, as two instances of a
 * producer racing over the same due occurrences would. Counts executions per occurrence: duplicates
 * = executions − distinct occurrences executed.
 *
 * <p>BullMQ uses the seed's scheme, {@code jobId} per occurrence with {@code removeOnComplete:
 * true}: an add is ignored while a job with that id exists, but a completed job is removed, so an
 * add that arrives after completion creates the job again. Herald's side writes the same
 * send-commands twice into the sender, whose ledger claims each command id once ({@link
 * HeraldDupRace}).
 */
public final class DupRaceScenario implements Scenario {

  static final int PRODUCERS = 2;
  static final int CHUNK = 50;

  @Override
  public String id() {
    return "dup-race";
  }

  @Override
  public String title() {
    return "8. Duplicate race";
  }

  @Override
  public ScenarioResult run(BenchContext ctx) throws Exception {
    long started = System.currentTimeMillis();
    int n = ctx.size(2_000, 100);
    long budget = ctx.millis(60_000, 15_000);
    List<Long> lags = List.of(0L, 500L);
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("occurrences", n);
    settings.put("producers", PRODUCERS);
    settings.put("second producer starts after ms", lags);
    settings.put("budget per row s", budget / 1000);
    settings.put("bullmq adds", "addBulk in chunks of " + CHUNK + ", delay 0 (due now)");
    List<ResultRow> rows = new ArrayList<>();
    List<String> notes = new ArrayList<>();

    if (ctx.runs("herald")) {
      for (long lag : lags) {
        rows.add(HeraldDupRace.run(ctx, id(), n, lag, budget));
      }
    }
    for (BullMqPeer.Variant v : ctx.bullMqVariants()) {
      try (BullMqPeer peer = new BullMqPeer(v)) {
        settings.put(peer.system(), peer.settings());
        // The seed's limiter: as many as it runs in a sixth of the budget, so the row ends.
        int tasks = PeerLoading.capped(peer, n, budget / 6_000.0);
        for (long lag : lags) {
          rows.add(runBullMq(ctx, peer, tasks, n, lag, budget));
        }
      }
    }
    notes.addAll(ctx.skippedPeers());
    notes.add(
        "BullMQ: jobId = occurrence id, removeOnComplete: true (the seed's scheme). An add"
            + " while the job is waiting, delayed or active is ignored; after the job completed"
            + " and was removed, the same add creates it again — a duplicate execution.");
    notes.add(
        "Herald: the same send-commands written twice into SenderApp with its ledger;"
            + " executions are transport calls (deliveries.attempts).");
    return new ScenarioResult(
        id(), title(), settings, rows, notes, System.currentTimeMillis() - started);
  }

  private ResultRow runBullMq(
      BenchContext ctx, BullMqPeer peer, int n, int asked, long lag, long budget)
      throws InterruptedException {
    peer.createTables();
    // Node needs about half a second to start the producers: both then add from the same instant.
    long start = System.currentTimeMillis() + ctx.millis(2_000, 1_500);
    ExecutionLog log = ExecutionLog.oneTime(n, start);
    peer.start(log);
    ctx.progress(
        "dup-race: %s, %,d occurrences, %d producers, second %d ms later",
        peer.system(), n, PRODUCERS, lag);
    peer.race(n, start, PRODUCERS, start, lag, CHUNK);
    long deadline = start + budget;
    // Done when every occurrence ran and nothing more ran for a second (a re-added job would).
    int seen = -1;
    long quietSince = System.currentTimeMillis();
    while (System.currentTimeMillis() < deadline) {
      int now = log.executions();
      if (now != seen) {
        seen = now;
        quietSince = System.currentTimeMillis();
      } else if (log.distinctExecuted() == n && System.currentTimeMillis() - quietSince > 1_000) {
        break;
      }
      Thread.sleep(50);
    }
    peer.stop();
    long executions = log.executions();
    long executed = log.distinctExecuted();
    ResultRow.Builder row =
        ResultRow.of(
            id(),
            String.format(
                Locale.ROOT,
                "%,d occurrences, %d producers, second %,d ms later",
                n,
                PRODUCERS,
                lag),
            peer.system(),
            true);
    row.metric("occurrences", n);
    row.metric(Metrics.EXECUTED, executed);
    row.metric("executions", executions);
    row.metric(Metrics.DUPLICATES, log.duplicates());
    row.metric(Metrics.MISSES, n - executed);
    row.metric("occurrences run twice+", log.schedulesWithDuplicatesAndMisses()[0]);
    double seconds = Math.max(1, log.lastRunMillis() - start) / 1000.0;
    row.metric(Metrics.RATE, Metrics.round(executions / seconds, 0));
    String note = "";
    if (n < asked) {
      note +=
          String.format(
              Locale.ROOT,
              "capped at %,d of %,d: its limiter allows %s jobs/s; ",
              n,
              asked,
              Metrics.round(peer.maxRatePerSecond(), 1));
    }
    if (executed < n) {
      note += String.format(Locale.ROOT, "stopped after the %d s budget; ", budget / 1000);
    }
    row.note(Metrics.clauses(note));
    peer.dropTables();
    return row.build();
  }
}
