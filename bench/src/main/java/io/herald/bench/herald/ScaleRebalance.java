package io.herald.bench.herald;

import io.herald.bench.infra.ChildJvm;
import io.herald.bench.infra.CpuWindow;
import io.herald.bench.report.ResultRow;
import io.herald.bench.scenario.BenchContext;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One instance joins a running group, then the oldest instance stops, while live load keeps every
 * partition busy; both dated from outside: the group's timeline ({@link GroupWatch}) and the output
 * per input partition ({@link EmissionTimeline}).
 *
 * <p>Definitions, for both services:
 *
 * <ul>
 *   <li><b>t0</b>: join — the first moment the group is seen changing (the new JVM's member joins;
 *       its start-up before that is shown apart); leave — SIGTERM to the instance, whose shutdown
 *       hook closes the service and leaves the group.
 *   <li><b>group stable</b>: t0 → the start of the first stretch in which the group is STABLE with
 *       the new member count and all input partitions assigned, unbroken for the quiet period.
 *   <li><b>rebalance</b>: t0 → the moment every input partition has produced output again after the
 *       group became stable (the latest of the partitions' first outputs after it).
 *   <li><b>longest pause</b>: the longest time one input partition produced nothing, over gaps
 *       ending between t0 and that moment; <b>baseline pause</b> is the same measure over a few
 *       seconds before the join, for comparison.
 * </ul>
 */
final class ScaleRebalance {

  /** Starts the joining instance. */
  interface Starter {
    ChildJvm start() throws Exception;
  }

  /** One join or leave. */
  record Phase(
      boolean join,
      int instancesAfter,
      long action,
      long t0,
      OptionalLong stable,
      long settledAt,
      int newPartitions,
      CpuWindow.Reading cpu,
      long leftAt,
      String load) {}

  /** The baseline window and the two phases; {@code join} is null when nobody joined. */
  record Phases(long baselineFrom, long baselineTo, Phase join, Phase leave) {
    Phases withBaselineFrom(long from) {
      return new Phases(from, baselineTo, join, leave);
    }
  }

  private final BenchContext ctx;
  private final ScaleOutScenario.Settings settings;
  private final GroupWatch watch;
  private final List<ChildJvm> running;
  private final int membersPerInstance;
  private final int partitions;

  /**
   * @param running the live instances; the join adds one, the leave removes the first
   * @param membersPerInstance group members one instance has (Streams: one per stream thread)
   */
  ScaleRebalance(
      BenchContext ctx,
      ScaleOutScenario.Settings settings,
      GroupWatch watch,
      List<ChildJvm> running,
      int membersPerInstance,
      int partitions) {
    this.ctx = ctx;
    this.settings = settings;
    this.watch = watch;
    this.running = running;
    this.membersPerInstance = membersPerInstance;
    this.partitions = partitions;
  }

  /**
   * Waits {@code warmupMillis} plus a baseline; then, unless {@code starter} is null, one more
   * instance joins; once the group is settled and working, the first instance stops.
   */
  Phases joinThenLeave(long warmupMillis, Starter starter, LiveReader<?> outputs) throws Exception {
    Thread.sleep(warmupMillis + ctx.millis(3_000, 1_000));
    long baselineTo = System.currentTimeMillis();
    Phase join = null;
    if (starter != null) {
      join = join(starter, outputs);
      ctx.progress("scale: join to %d instance(s): %s", join.instancesAfter(), state(join));
    }
    Phase leave = leave(outputs);
    ctx.progress("scale: leave to %d instance(s): %s", leave.instancesAfter(), state(leave));
    return new Phases(-1, baselineTo, join, leave);
  }

  private static String state(Phase p) {
    return p.stable().isPresent() ? "settled" : "did not settle";
  }

  private Phase join(Starter starter, LiveReader<?> outputs) throws Exception {
    Set<String> before = watch.latest().orElseThrow().members();
    int after = running.size() + 1;
    String load = ScaleOutScenario.loadAverage();
    long action = System.currentTimeMillis();
    ChildJvm joiner = starter.start();
    running.add(joiner);
    CpuWindow cpu = CpuWindow.start(ctx.infra().pgCpu(), running);
    OptionalLong stable = settle(action, after, outputs);
    CpuWindow.Reading reading = cpu.stop();
    long t0 = watch.firstChange(action, before).orElse(action);
    int newPartitions =
        watch.latest().orElseThrow().partitionsByMember().entrySet().stream()
            .filter(e -> !before.contains(e.getKey()))
            .mapToInt(Map.Entry::getValue)
            .sum();
    return new Phase(
        true,
        after,
        action,
        t0,
        stable,
        System.currentTimeMillis(),
        newPartitions,
        reading,
        t0,
        load);
  }

  private Phase leave(LiveReader<?> outputs) throws Exception {
    Set<String> before = watch.latest().orElseThrow().members();
    ChildJvm leaver = running.get(0);
    List<ChildJvm> staying = List.copyOf(running.subList(1, running.size()));
    CpuWindow cpu = CpuWindow.start(ctx.infra().pgCpu(), staying);
    String load = ScaleOutScenario.loadAverage();
    long action = System.currentTimeMillis();
    leaver.signalStop();
    OptionalLong stable = settle(action, staying.size(), outputs);
    CpuWindow.Reading reading = cpu.stop();
    long settledAt = System.currentTimeMillis();
    leaver.awaitExit(Duration.ofSeconds(45));
    running.remove(leaver);
    long leftAt = watch.firstChange(action, before).orElse(action);
    return new Phase(
        false, staying.size(), action, action, stable, settledAt, 0, reading, leftAt, load);
  }

  /**
   * Waits until the group settled and then every input partition produced output again, plus a
   * second of normal work, so the next step starts from a working group; returns when the stable
   * stretch began.
   */
  private OptionalLong settle(long from, int instances, LiveReader<?> outputs)
      throws InterruptedException {
    OptionalLong stable =
        watch.awaitSettled(
            from,
            instances * membersPerInstance,
            partitions,
            settings.quietMillis(),
            settings.settleMillis());
    if (stable.isEmpty()) {
      return stable;
    }
    long deadline = System.currentTimeMillis() + settings.settleMillis();
    OptionalLong resumed = outputs.everyPartitionAfter(stable.getAsLong());
    while (resumed.isEmpty() && System.currentTimeMillis() < deadline) {
      outputs.checkFailure();
      Thread.sleep(100);
      resumed = outputs.everyPartitionAfter(stable.getAsLong());
    }
    BenchContext.sleepUntil(resumed.orElse(System.currentTimeMillis()) + 1_000);
    return stable;
  }

  /**
   * The join row and the leave row.
   *
   * @param dueAndEmitted per output, {due, emitted} in epoch ms (scheduler: lateness of the timers
   *     due during the rebalance); null where outputs have no due instant
   */
  List<ResultRow> rows(
      String service,
      Phases phases,
      EmissionTimeline timeline,
      int expected,
      int executed,
      long duplicates,
      List<long[]> dueAndEmitted,
      String note) {
    List<ResultRow> rows = new java.util.ArrayList<>();
    for (Phase ph : java.util.Arrays.asList(phases.join(), phases.leave())) {
      if (ph != null) {
        rows.add(
            row(
                service,
                phases,
                ph,
                timeline,
                expected,
                executed,
                duplicates,
                dueAndEmitted,
                note));
      }
    }
    return rows;
  }

  private ResultRow row(
      String service,
      Phases phases,
      Phase ph,
      EmissionTimeline timeline,
      int expected,
      int executed,
      long duplicates,
      List<long[]> dueAndEmitted,
      String note) {
    int n = ph.instancesAfter();
    String variant =
        ph.join()
            ? String.format(Locale.ROOT, "%s: instance %d joins %d running", service, n, n - 1)
            : String.format(Locale.ROOT, "%s: instance 1 of %d stops (SIGTERM)", service, n + 1);
    ResultRow.Builder row = ResultRow.of("scale", variant, "herald", false);
    row.metric("instances", ph.instancesAfter());
    row.metric("expected", expected);
    row.metric("executed", executed);
    row.metric("duplicates", duplicates);
    StringBuilder notes = new StringBuilder(ph.load());
    if (ph.stable().isPresent()) {
      long stable = ph.stable().getAsLong();
      OptionalLong resumed = timeline.everyPartitionAfter(stable);
      long end = resumed.orElse(stable + settings.quietMillis());
      row.metric("rebalance ms", resumed.isPresent() ? (Object) (end - ph.t0()) : "—");
      row.metric("group stable ms", stable - ph.t0());
      row.metric("longest pause ms", timeline.longestGap(ph.t0(), end));
      if (dueAndEmitted != null) {
        long late =
            dueAndEmitted.stream()
                .filter(e -> e[0] >= ph.t0() && e[0] <= end)
                .mapToLong(e -> e[1] - e[0])
                .max()
                .orElse(0);
        row.metric("lateness max ms", late);
      }
      if (resumed.isEmpty()) {
        notes.append("a partition produced nothing after the group settled; ");
      }
    } else {
      notes.append(
          String.format(
              Locale.ROOT,
              "the group did not settle within %d s; ",
              settings.settleMillis() / 1000));
    }
    row.metric(
        "baseline pause ms", timeline.longestGap(phases.baselineFrom() + 500, phases.baselineTo()));
    row.metric(
        "rebalances seen", watch.rebalancesSeen(ph.t0() - GroupWatch.POLL_MILLIS, ph.settledAt()));
    if (!ph.join()) {
      notes.append(
          String.format(
              Locale.ROOT,
              "SIGTERM → group seen rebalancing %,d ms (the instance closing before it leaves); ",
              ph.leftAt() - ph.action()));
    }
    if (ph.join()) {
      row.metric("new instance partitions", ph.newPartitions());
      notes.append(
          String.format(
              Locale.ROOT,
              "JVM start → member joined %,d ms (not in t0); ",
              ph.t0() - ph.action()));
    }
    ScaleOutScenario.cpu(row, ph.cpu());
    return row.note(notes + note).build();
  }
}
