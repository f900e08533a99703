package io.herald.bench.herald;

import static io.herald.bench.herald.StateScaleRows.fmt;
import static io.herald.bench.herald.StateScaleRows.round1;
import static io.herald.bench.herald.StateScaleRows.value;
import static io.herald.bench.herald.StateScaleRows.verdict;

import io.herald.bench.report.ResultRow;
import io.herald.bench.report.ScenarioResult;
import io.herald.bench.scenario.BenchContext;
import io.herald.bench.scenario.Scenario;
import io.herald.contracts.outcome.ScheduleState;
import io.herald.contracts.topic.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Scenario 3, scale of state: N active daily schedules loaded through CDC into the real {@code
 * SchedulerApp}, then what that state costs and how fast the scheduler comes back with it.
 *
 * <ol>
 *   <li><b>Load</b>: one {@code INSERT … SELECT generate_series} of N {@code recurring_messages}
 *       rows (daily, one E.164 recipient each, times of day spread over the 22 h that start one
 *       hour from now, so none fires during the run), one transaction. Measured from the commit to
 *       the last schedule's first {@code ScheduleState} "active" on {@code herald.schedule-states}
 *       (record timestamp = when the topology armed it).
 *   <li><b>Memory</b>: heap used after {@code System.gc()} (the bench JVM also holds the broker, so
 *       the figure is the difference to the same reading before Herald started), and RSS.
 *   <li><b>Disk</b>: the state directory after a clean close (stores flushed), {@code du} and
 *       apparent bytes, per store, ÷ N.
 *   <li><b>Restart</b>: a new {@code SchedulerApp} on the same application id, slot and state
 *       directory: start → Kafka Streams RUNNING, and start → the pending-timers gauge (counted by
 *       each task when it initialises, i.e. after its restore) back at N. Then the same with the
 *       state directory emptied: every store restored from its changelog.
 *   <li><b>Lateness at steady state</b>: on the restored scheduler, one {@code UPDATE} moves 1 % of
 *       the schedules (every hundredth) to times of day spread over a window starting shortly
 *       after; lateness = send-command record timestamp − its {@code occurrenceAt}.
 * </ol>
 */
public final class StateScaleScenario implements Scenario {

  /** Every HOT_EVERY-th schedule fires in the lateness window (1 %). */
  static final int HOT_EVERY = 100;

  @Override
  public String id() {
    return "state";
  }

  @Override
  public String title() {
    return "3. Scale of state";
  }

  @Override
  public ScenarioResult run(BenchContext ctx) throws Exception {
    long started = System.currentTimeMillis();
    int n = ctx.stateSize() > 0 ? ctx.stateSize() : ctx.size(100_000, 500);
    int hot = (n + HOT_EVERY - 1) / HOT_EVERY;
    long windowMs = ctx.millis(60_000, 4_000);
    long leadMs = ctx.millis(20_000, 6_000);
    long drainMs = ctx.millis(30_000, 10_000);
    Duration loadBudget = Duration.ofMillis(ctx.millis(900_000, 60_000));
    String appId = "bench-herald-" + ctx.runId() + "-state";
    String slot = "bench_state_" + ctx.runId();
    Map<String, String> overrides = HeraldBurstScenario.overrides(0);
    overrides.put("HERALD_SCHEDULER_CDC_SLOT", slot);
    overrides.put("HERALD_SCHEDULER_CDC_OFFSETS_TOPIC", "herald.cdc-offsets-" + appId);
    overrides.put("HERALD_SCHEDULER_CDC_LEADER_TOPIC", "herald.cdc-leader-" + appId);
    overrides.put("HERALD_SCHEDULER_CDC_LEADER_SESSION_TIMEOUT", "PT6S");

    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("schedules", n);
    settings.put(
        "row",
        "recurring_messages, daily, 1 E.164 recipient, 1 device, times of day"
            + " spread over now+1 h … now+23 h UTC; one INSERT … SELECT generate_series, one"
            + " transaction");
    settings.put(
        "lateness window",
        String.format(
            Locale.ROOT,
            "%,d schedules (every %dth) moved by one UPDATE to times spread over %d s starting %d s"
                + " later, after the wiped restart",
            hot,
            HOT_EVERY,
            windowMs / 1000,
            leadMs / 1000));
    List<ResultRow> rows = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    if (!ctx.runs("herald")) {
      return new ScenarioResult(
          id(),
          title(),
          settings,
          rows,
          List.of("Herald not selected."),
          System.currentTimeMillis() - started);
    }

    HeraldWiring.truncate(ctx);
    StateScaleFixture.insertDevice(ctx);
    HeraldScheduler herald = null;
    try (KafkaConsumer<String, ScheduleState> states = HeraldWiring.consumer(ctx)) {
      long[] heapBefore = StateScaleProbes.memory();
      herald = HeraldScheduler.startWithCdc(ctx.infra(), appId, overrides);
      settings.put("herald", overrides);
      List<TopicPartition> partitions =
          states.partitionsFor(Topics.SCHEDULE_STATES.name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      states.assign(partitions);
      states.seekToBeginning(partitions);
      HeraldWiring.awaitSlotActive(ctx, slot, Duration.ofSeconds(120), herald);
      ctx.progress("state: scheduler streaming from slot %s; inserting %,d rows", slot, n);

      // 1. Load.
      long insertStart = System.currentTimeMillis();
      StateScaleFixture.insertSchedules(ctx, n);
      long commit = System.currentTimeMillis();
      ctx.progress("state: %,d rows committed in %,d ms", n, commit - insertStart);
      BitSet armed = new BitSet(n);
      int armedCount = 0;
      long lastArmed = 0;
      long lastVisible = 0;
      long nextLog = commit + 10_000;
      long deadline = commit + loadBudget.toMillis();
      while (armedCount < n && System.currentTimeMillis() < deadline) {
        if (herald.failed()) {
          throw new IllegalStateException("Herald's Kafka Streams reached ERROR");
        }
        for (ConsumerRecord<String, ScheduleState> r : states.poll(Duration.ofMillis(200))) {
          int i = StateScaleFixture.index(r.key());
          if (i < 0
              || i >= n
              || r.value() == null
              || !"active".equals(r.value().status())
              || armed.get(i)) {
            continue;
          }
          armed.set(i);
          armedCount++;
          lastArmed = Math.max(lastArmed, r.timestamp());
          lastVisible = System.currentTimeMillis();
        }
        if (System.currentTimeMillis() >= nextLog) {
          ctx.progress(
              "state: %,d of %,d armed after %,d s",
              armedCount, n, (System.currentTimeMillis() - commit) / 1000);
          nextLog += 10_000;
        }
      }
      long pendingAfterLoad =
          Math.round(StateScaleProbes.gauge(herald.adminPort(), "herald_scheduler_pending_timers"));
      ctx.progress(
          "state: %,d of %,d armed, last %,d ms after commit; pending timers %,d",
          armedCount, n, lastArmed - commit, pendingAfterLoad);
      double loadSeconds = (lastArmed - commit) / 1000.0;
      rows.add(
          value(
              "load: insert of " + fmt(n) + " rows (one transaction)",
              (commit - insertStart) / 1000.0,
              "s",
              "—",
              ""));
      rows.add(
          value(
              "load: commit → last schedule armed",
              armedCount == n ? loadSeconds : "> " + loadBudget.toSeconds(),
              "s",
              "—",
              armedCount == n
                  ? ""
                  : String.format(
                      Locale.ROOT,
                      "%,d of %,d armed within %d s",
                      armedCount,
                      n,
                      loadBudget.toSeconds())));
      rows.add(
          value(
              "load: commit → last arming visible (read_committed)",
              armedCount == n ? (lastVisible - commit) / 1000.0 : "—",
              "s",
              "—",
              ""));
      rows.add(
          value(
              "load: armings per second",
              armedCount == n ? Math.round(n / Math.max(0.001, loadSeconds)) : "—",
              "/s",
              "—",
              "pending-timers gauge after load: " + fmt(pendingAfterLoad)));

      // 2. Memory after load.
      long[] heapAfter = StateScaleProbes.memory();
      long heapDelta = heapAfter[0] - heapBefore[0];
      rows.add(
          value(
              "heap used after load, Δ vs before start (after GC)",
              round1(heapDelta / 1048576.0),
              "MiB",
              "—",
              String.format(
                  Locale.ROOT,
                  "before %,.0f MiB, after %,.0f MiB (same JVM holds the broker)",
                  heapBefore[0] / 1048576.0,
                  heapAfter[0] / 1048576.0)));
      rows.add(value("heap per schedule", Math.round((double) heapDelta / n), "bytes", "—", ""));
      rows.add(
          value(
              "RSS after load, Δ vs before start",
              round1((heapAfter[1] - heapBefore[1]) / 1048576.0),
              "MiB",
              "—",
              "includes RocksDB's off-heap memory, JIT, broker"));

      // 3. Disk after a clean close.
      long closeStart = System.nanoTime();
      herald.stop();
      long closeMs = (System.nanoTime() - closeStart) / 1_000_000;
      Map<String, Long> perStore = new TreeMap<>();
      long apparent = StateScaleProbes.apparentBytes(herald.stateDir(), perStore);
      long du = StateScaleProbes.duBytes(herald.stateDir());
      rows.add(
          value(
              "state dir per schedule (du, after clean close)",
              Math.round((double) du / n),
              "bytes",
              "≤ 1,024",
              verdict(du / (double) n, 1024, "bytes")));
      rows.add(
          value(
              "state dir per schedule (apparent file sizes)",
              Math.round((double) apparent / n),
              "bytes",
              "≤ 1,024",
              verdict(apparent / (double) n, 1024, "bytes")));
      StringBuilder stores = new StringBuilder();
      perStore.forEach(
          (store, bytes) ->
              stores
                  .append(stores.length() == 0 ? "" : ", ")
                  .append(store)
                  .append(' ')
                  .append(
                      String.format(
                          Locale.ROOT,
                          "%,.1f MiB (%,d B/schedule)",
                          bytes / 1048576.0,
                          Math.round((double) bytes / n))));
      notes.add(
          String.format(
              Locale.ROOT,
              "State directory after a clean close: du %,.1f MiB,"
                  + " files %,.1f MiB; by store: %s. Close took %,d ms.",
              du / 1048576.0,
              apparent / 1048576.0,
              stores,
              closeMs));
      ctx.progress("state: dir du %,d B (%,d B/schedule), close %,d ms", du, du / n, closeMs);

      // 4. Restarts. Production close (Streams does not leave its group) and, as a diagnosis,
      // with the stopped member removed from the group; the smoke run only does the latter.
      List<boolean[]> restarts = new ArrayList<>(); // {wipe, forgetMembers}
      if (!ctx.smoke()) {
        restarts.add(new boolean[] {false, false});
      }
      restarts.add(new boolean[] {false, true});
      restarts.add(new boolean[] {true, true});
      if (!ctx.smoke()) {
        restarts.add(new boolean[] {true, false});
      }
      for (int k = 0; k < restarts.size(); k++) {
        boolean wipe = restarts.get(k)[0];
        boolean forget = restarts.get(k)[1];
        herald = herald.restart(wipe, forget);
        long ready = herald.startToReadyMillis();
        long after = System.nanoTime();
        long live = -1;
        long liveDeadline = after + Duration.ofMinutes(ctx.smoke() ? 1 : 10).toNanos();
        while (System.nanoTime() < liveDeadline) {
          if (herald.failed()) {
            throw new IllegalStateException("Herald's Kafka Streams reached ERROR");
          }
          if (StateScaleProbes.gauge(herald.adminPort(), "herald_scheduler_pending_timers")
              >= pendingAfterLoad) {
            live = ready + (System.nanoTime() - after) / 1_000_000;
            break;
          }
          Thread.sleep(50);
        }
        String what =
            (wipe ? "restart, state dir wiped (restore from changelog)" : "restart, state dir kept")
                + (forget ? ", old member removed from the group" : "");
        boolean target = !wipe;
        rows.add(
            value(
                what + ": start → RUNNING",
                ready,
                "ms",
                target ? "≤ 30,000" : "—",
                target ? verdict(ready, 30_000, "ms") : ""));
        rows.add(
            value(
                what + ": start → all " + fmt(pendingAfterLoad) + " timers live",
                live >= 0 ? (Object) live : "> " + (ready + (liveDeadline - after) / 1_000_000),
                "ms",
                target ? "≤ 30,000" : "—",
                target && live >= 0 ? verdict(live, 30_000, "ms") : ""));
        ctx.progress(
            "state: %s: RUNNING after %,d ms, timers live after %,d ms", what, ready, live);
      }
      // 5. Lateness at steady state, on the restored scheduler.
      StateScaleLateness.measure(ctx, herald, slot, n, hot, windowMs, leadMs, drainMs, rows);
    } finally {
      if (herald != null) {
        herald.close();
      }
      try {
        ctx.infra().database().dropReplicationSlot(slot);
      } catch (RuntimeException e) {
        notes.add("could not drop replication slot " + slot + ": " + e.getMessage());
      }
      HeraldScheduler.deleteTopics(ctx.infra(), appId);
      HeraldWiring.truncate(ctx);
    }
    notes.add(
        "Recipients excluded: every schedule has exactly one recipient, so the per-schedule"
            + " figures include one recipient entry; a schedule with R recipients stores R entries.");
    notes.add(
        "Heap: MemoryMXBean heap used after System.gc(), minus the same reading taken"
            + " before Herald started; the bench JVM also runs the broker, whose heap can move too.");
    notes.add(
        "Restart: SchedulerApp.close() (clean: stores flushed, checkpoint written), then a"
            + " new SchedulerApp.create(env) on the same application id, slot and state directory;"
            + " 'timers live' = herald_scheduler_pending_timers (counted by each task on init, after"
            + " its restore) back at its value after load. Wiped: the state directory emptied first."
            + " SchedulerApp.close() leaves the Streams consumer group, so the new instance does not"
            + " wait for the old member's session to expire; the 'old member removed' rows also remove"
            + " it with Admin.removeMembersFromConsumerGroup before the start, as a cross-check that"
            + " nothing of the group is left to wait for.");
    notes.add(
        "The projector (production wiring) writes next_send_at back to every armed row;"
            + " Debezium reads those updates too, so the load carries 2 × N changes.");
    return new ScenarioResult(
        id(), title(), settings, rows, notes, System.currentTimeMillis() - started);
  }
}
