package io.herald.bench.herald;

import io.herald.bench.infra.ChildJvm;
import io.herald.bench.infra.CpuWindow;
import io.herald.bench.report.ResultRow;
import io.herald.bench.report.ScenarioResult;
import io.herald.bench.scenario.BenchContext;
import io.herald.bench.scenario.Scenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scenario 9 (issue 17 §5), scale out: 1, 2 and 3 scheduler instances and 1, 2 and 3 sender
 * instances, each a separate JVM running the service's own {@code main} ({@link ChildJvm}), on the
 * bench's one broker (in the bench JVM, reached over loopback) and PostgreSQL. Per instance count:
 * throughput in total and per instance, then the rebalance when one more instance joins and when
 * one stops, under live load ({@link ScaleRebalance} defines the times). Smoke runs one instance of
 * each, joined by a second, with small sizes.
 */
public final class ScaleOutScenario implements Scenario {

  private static final Logger log = LoggerFactory.getLogger(ScaleOutScenario.class);

  /**
   * What both halves share.
   *
   * @param workDir one directory per child JVM below it (state, log)
   * @param lifetime the longest a child JVM may live (enforced outside the bench too)
   * @param quietMillis how long a group must stay stable to count as settled
   * @param settleMillis the longest wait for a group to settle
   * @param budgetMillis the longest wait for a phase's outputs
   */
  record Settings(
      Path workDir,
      Duration lifetime,
      long quietMillis,
      long settleMillis,
      Duration readyTimeout,
      long budgetMillis) {}

  @Override
  public String id() {
    return "scale";
  }

  @Override
  public String title() {
    return "9. Scale out: scheduler and sender instances as separate JVMs";
  }

  @Override
  public ScenarioResult run(BenchContext ctx) throws Exception {
    long started = System.currentTimeMillis();
    // Smoke starts as few JVMs as it can and still runs every path once: two schedulers
    // together and one stops; one sender, a second joins, then the first stops.
    List<Integer> schedulers = ctx.smoke() ? List.of(2) : List.of(1, 2, 3);
    List<Integer> senders = ctx.smoke() ? List.of(1) : List.of(1, 2, 3);
    int burst = ctx.size(50_000, 300);
    int commands = ctx.size(40_000, 300);
    int warmup = ctx.size(20_000, 50);
    int liveRate = ctx.size(2_000, 200);
    int cores = Runtime.getRuntime().availableProcessors();
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put(
        "instances",
        ctx.smoke()
            ? "2 schedulers, then the first stops; 1 sender, then a second joins and the first"
                + " stops"
            : "1, 2, 3 of each service, then one more joins and the first stops");
    settings.put(
        "child JVMs",
        "java -Xmx"
            + ScaleSchedulerRows.HEAP
            + " (scheduler) / -Xmx"
            + ScaleSenderRows.HEAP
            + " (sender) -cp <bench class path> <service main>, configured by environment only,"
            + " admin server on 127.0.0.1");
    settings.put(
        "scheduler",
        "burst of "
            + burst
            + " single-recipient schedules due at once, "
            + ScaleSchedulerRows.PARTITIONS
            + " partitions, "
            + ScaleSchedulerRows.threadsPerInstance()
            + " stream threads per instance, CDC and projector off, herald="
            + HeraldBurstScenario.overrides(burst));
    settings.put(
        "sender",
        commands
            + " commands after a warm-up of "
            + warmup
            + ", "
            + SenderThroughputScenario.DEVICES
            + " devices, "
            + ScaleSenderRows.PARTITIONS
            + " partitions, live load "
            + liveRate
            + "/s during the rebalances, sender="
            + SenderThroughputScenario.overrides(Duration.ZERO, "<group>"));
    settings.put("cores", cores);
    List<ResultRow> rows = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    if (!ctx.runs("herald")) {
      notes.add("Herald not selected.");
      return new ScenarioResult(
          id(), title(), settings, rows, notes, System.currentTimeMillis() - started);
    }
    Path workDir = Files.createTempDirectory("herald-bench-scale-");
    Settings s =
        new Settings(
            workDir,
            Duration.ofMinutes(ctx.smoke() ? 3 : 15),
            ctx.millis(3_000, 1_000),
            ctx.millis(120_000, 60_000),
            Duration.ofSeconds(180),
            ctx.millis(120_000, 30_000));
    boolean ok = false;
    try {
      ScaleSchedulerRows scheduler = new ScaleSchedulerRows(ctx, s);
      for (int n : schedulers) {
        rows.addAll(scheduler.run(n, burst, !ctx.smoke()));
      }
      HeraldWiring.truncate(ctx);
      SenderThroughputScenario.insertDevices(ctx);
      ScaleSenderRows sender = new ScaleSenderRows(ctx, s);
      for (int n : senders) {
        rows.addAll(sender.run(n, commands, warmup, liveRate, true));
      }
      ok = true;
    } finally {
      HeraldScheduler.deleteTopics(ctx.infra(), "bench-herald");
      HeraldWiring.truncate(ctx);
      if (ok) {
        deleteTree(workDir);
      } else {
        log.warn("scale: child JVM logs and state kept in {}", workDir);
      }
    }
    notes.add(
        "This machine has "
            + cores
            + " cores, shared by the broker (in the bench JVM), PostgreSQL, the bench's producers"
            + " and readers, and every service JVM. More instances here add JVMs, not cores: the"
            + " rows cannot scale linearly and do not show what N machines would do. 'per"
            + " instance /s' is the total divided by the instances that shared these cores; CPU"
            + " columns say how busy the machine was (cores busy = CPU seconds ÷ wall seconds).");
    notes.add(
        "Times: t0 = the group first seen changing (join: the new JVM's member joined; its JVM"
            + " start-up is in the note) or SIGTERM to the stopping instance (leave). 'group"
            + " stable ms' = t0 → the group STABLE with the new member count and all 6 input"
            + " partitions assigned, unbroken for "
            + s.quietMillis()
            + " ms. 'rebalance ms' = t0 → every input partition has produced output again after"
            + " the group became stable. 'longest pause ms' = the longest time one input partition"
            + " produced nothing in that span; 'baseline pause ms' the same over the seconds"
            + " before the join. Groups are described every "
            + GroupWatch.POLL_MILLIS
            + " ms (resolution); outputs are dated by their record timestamps.");
    notes.add(
        "Scheduler join: Kafka Streams moves a stateful task to a new instance only once that"
            + " instance has caught up on the task's changelog (acceptable.recovery.lag, 10,000"
            + " records by default; warm-up replicas and a probing rebalance every 10 minutes"
            + " otherwise): 'new instance partitions' shows what the new instance got at once."
            + " Scheduler leave: the stopped instance's tasks restore from their changelogs on"
            + " the others (no standby replicas), inside 'rebalance ms'.");
    notes.add(
        "Exactly once: 'executed' = distinct command ids seen (scheduler: send-commands read"
            + " read_committed; sender: results that also have a ledger row 'sent');"
            + " 'duplicates' = repeated command ids, plus transport calls beyond one per ledger"
            + " row for the sender.");
    return new ScenarioResult(
        id(), title(), settings, rows, notes, System.currentTimeMillis() - started);
  }

  /**
   * The machine's 1-minute load average now ({@code /proc/loadavg}), for a row's note: this machine
   * is shared, and a number measured at a load of 12 on 2 cores says so.
   */
  static String loadAverage() {
    try {
      return "load average " + Files.readString(Path.of("/proc/loadavg")).split(" ")[0] + "; ";
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** Adds the CPU columns of a window. */
  static void cpu(ResultRow.Builder row, CpuWindow.Reading r) {
    row.metric("CPU services cores", r.round(r.servicesCores()));
    row.metric("CPU bench JVM cores", r.round(r.benchJvmCores()));
    row.metric("CPU PG cores", r.round(r.pgCores()));
  }

  /** SIGTERM to every child at once, then each waited for (SIGKILL past its grace period). */
  static void stopAll(List<ChildJvm> children) {
    children.forEach(ChildJvm::signalStop);
    for (ChildJvm c : children) {
      c.close();
    }
    children.clear();
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.warn("scale: could not delete {}: {}", dir, e.toString());
    }
  }
}
