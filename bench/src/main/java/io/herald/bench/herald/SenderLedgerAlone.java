package io.herald.bench.herald;

import com.zaxxer.hikari.HikariDataSource;
import io.herald.bench.report.ResultRow;
import io.herald.bench.scenario.BenchContext;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.DeliveryStatus;
import io.herald.sender.config.SenderConfig;
import io.herald.sender.delivery.DeliveryMode;
import io.herald.sender.ledger.Claim;
import io.herald.sender.ledger.Finish;
import io.herald.sender.ledger.jdbc.GroupCommit;
import io.herald.sender.ledger.jdbc.JdbcDeliveryLedger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The ledger's cost on its own, for {@link SenderThroughputScenario} (SenderApp has no switch to
 * run without it): {@link JdbcDeliveryLedger} claim + finish per command on the same PostgreSQL
 * with the sender's concurrency.
 */
final class SenderLedgerAlone {

  private SenderLedgerAlone() {}

  static ResultRow ledgerAlone(BenchContext ctx, int n) throws Exception {
    SenderConfig defaults = SenderConfig.fromEnv(SenderThroughputScenario.connection(ctx));
    int threads = defaults.laneThreads();
    int pool = defaults.jdbcPoolSize();
    ctx.infra().execute(List.of("TRUNCATE TABLE deliveries"));
    String scheduleKey =
        ScheduleKind.BROADCAST.keyFor(
            new UUID(0x5e0d_0000_0000_4000L, 0x8000_0000_0000_0bedL).toString());
    Instant occurrence = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    // one queue per device, like the sender's lanes: each has one claim or finish outstanding
    List<List<SendCommand>> lanes = new ArrayList<>(SenderThroughputScenario.DEVICES);
    for (int d = 0; d < SenderThroughputScenario.DEVICES; d++) {
      lanes.add(new ArrayList<>());
    }
    for (int i = 0; i < n; i++) {
      lanes
          .get(i % SenderThroughputScenario.DEVICES)
          .add(
              SenderKafka.record(
                      scheduleKey,
                      occurrence,
                      HeraldBurstScenario.device(i % SenderThroughputScenario.DEVICES),
                      HeraldBurstScenario.phone(i),
                      PacingSpec.none())
                  .value());
    }
    ctx.progress(
        "sender: ledger alone, %,d claim + finish, %,d lanes on %d threads",
        n, SenderThroughputScenario.DEVICES, threads);
    long t0;
    long t1;
    LongAdder batches = new LongAdder();
    LongAdder batched = new LongAdder();
    GroupCommit.Listener count =
        (size, nanos, ok) -> {
          batches.increment();
          batched.add(size);
        };
    try (HikariDataSource ds = ctx.infra().pool("bench-ledger", pool);
        JdbcDeliveryLedger ledger =
            new JdbcDeliveryLedger(ds, JdbcDeliveryLedger.DEFAULT_MAX_BATCH, count, count)) {
      // continuations hop to a pool of the lane-thread count, as DeviceLane does
      ExecutorService exec = Executors.newFixedThreadPool(threads);
      AtomicInteger claimed = new AtomicInteger();
      List<CompletableFuture<Void>> done = new ArrayList<>();
      t0 = System.currentTimeMillis();
      for (List<SendCommand> lane : lanes) {
        CompletableFuture<Void> laneDone = new CompletableFuture<>();
        done.add(laneDone);
        exec.execute(() -> ledgerLane(ledger, lane, 0, exec, claimed, laneDone));
      }
      CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.MINUTES);
      t1 = System.currentTimeMillis();
      exec.shutdown();
      if (claimed.get() != n) {
        throw new IllegalStateException("ledger alone claimed " + claimed.get() + " of " + n);
      }
    }
    double seconds = Math.max(1, t1 - t0) / 1000.0;
    ctx.infra().execute(List.of("TRUNCATE TABLE deliveries"));
    return ResultRow.of(
            "sender",
            String.format(Locale.ROOT, "ledger alone: %,d claim + finish", n),
            "herald",
            false)
        .metric("results", n)
        .metric("sends /s", Math.round(n / seconds))
        .metric("elapsed s", Math.round(seconds * 10) / 10.0)
        .note(
            String.format(
                Locale.ROOT,
                "%,d device lanes (one claim or finish outstanding each),"
                    + " continuations on %d threads (HERALD_SENDER_LANE_THREADS), HikariCP %d"
                    + " (HERALD_SENDER_JDBC_POOL_SIZE); group commit: %,d batches, mean %.1f per batch",
                SenderThroughputScenario.DEVICES,
                threads,
                pool,
                batches.sum(),
                batches.sum() == 0 ? 0.0 : batched.sum() / (double) batches.sum()))
        .build();
  }

  /** Claim, then finish, command {@code i} of one lane, then the next one, without blocking. */
  private static void ledgerLane(
      JdbcDeliveryLedger ledger,
      List<SendCommand> lane,
      int i,
      ExecutorService exec,
      AtomicInteger claimed,
      CompletableFuture<Void> laneDone) {
    if (i == lane.size()) {
      laneDone.complete(null);
      return;
    }
    SendCommand cmd = lane.get(i);
    ledger
        .claim(cmd, DeliveryMode.AT_MOST_ONCE, Instant.now())
        .thenComposeAsync(
            claim -> {
              if (claim.kind() != Claim.Kind.CLAIMED) {
                return CompletableFuture.completedFuture(false);
              }
              claimed.incrementAndGet();
              return ledger.finish(
                  cmd.commandId(),
                  new Finish(
                      DeliveryStatus.SENT,
                      1,
                      "sim." + cmd.commandId().value(),
                      null,
                      null,
                      Instant.now()));
            },
            exec)
        .whenCompleteAsync(
            (finished, err) -> {
              if (err != null) {
                laneDone.completeExceptionally(err);
              } else {
                ledgerLane(ledger, lane, i + 1, exec, claimed, laneDone);
              }
            },
            exec);
  }
}
