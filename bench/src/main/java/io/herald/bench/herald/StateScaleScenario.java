package io.herald.bench.herald;

import io.herald.bench.infra.ExecutionLog;
import io.herald.bench.report.ResultRow;
import io.herald.bench.report.ScenarioResult;
import io.herald.bench.scenario.BenchContext;
import io.herald.bench.scenario.Scenario;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.outcome.ScheduleState;
import io.herald.contracts.topic.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

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

  static final String DEVICE = "00000000-0000-4000-8000-0000005ca1e0";

  /** Schedule ids: this prefix + the row number in 12 hex digits. */
  static final String ID_PREFIX = "00000000-5ca1-4000-8000-";

  static final String KEY_PREFIX = "recurring:" + ID_PREFIX;

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
    insertDevice(ctx);
    HeraldScheduler herald = null;
    try (KafkaConsumer<String, ScheduleState> states = HeraldWiring.consumer(ctx)) {
      long[] heapBefore = memory();
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
      insertSchedules(ctx, n);
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
          int i = index(r.key());
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
          Math.round(gauge(herald.adminPort(), "herald_scheduler_pending_timers"));
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
      long[] heapAfter = memory();
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
      long apparent = apparentBytes(herald.stateDir(), perStore);
      long du = duBytes(herald.stateDir());
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
          if (gauge(herald.adminPort(), "herald_scheduler_pending_timers") >= pendingAfterLoad) {
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

      // 5. Lateness at steady state, on the restored scheduler. Steady means CDC has caught up:
      // the projector wrote next_send_at back to all N rows, and Debezium reads each of those
      // updates too (dropped as state-only), so after a large load the slot still holds up to N
      // changes that an edit made now would queue behind.
      HeraldWiring.awaitSlotActive(ctx, slot, Duration.ofSeconds(120), herald);
      long drainStart = System.currentTimeMillis();
      boolean drained = awaitCdcQuiet(herald, Duration.ofMinutes(15));
      long caughtUpMs = System.currentTimeMillis() - drainStart;
      rows.add(
          value(
              "CDC caught up before the lateness window (no change for 5 s)",
              caughtUpMs,
              "ms",
              "—",
              drained
                  ? "the write-back echo of the load, read after the restarts"
                  : "NOT caught up within 15 min; the window below queued behind it"));
      ctx.progress(
          "state: CDC %s after %,d ms", drained ? "caught up" : "still behind", caughtUpMs);
      try (KafkaConsumer<String, SendCommand> commands = commandConsumer(ctx)) {
        List<TopicPartition> cmdParts =
            commands.partitionsFor(Topics.SEND_COMMANDS.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        commands.assign(cmdParts);
        commands.seekToEnd(cmdParts);
        cmdParts.forEach(commands::position);
        long windowStart = ((System.currentTimeMillis() + leadMs) / 1000 + 1) * 1000;
        long windowEnd = windowStart + windowMs;
        retime(ctx, n, windowStart, windowMs);
        ctx.progress(
            "state: %,d schedules re-timed into [%s, %s)",
            hot, Instant.ofEpochMilli(windowStart), Instant.ofEpochMilli(windowEnd));
        long[] late = new long[hot];
        long[] seenLate = new long[hot];
        BitSet fired = new BitSet(n);
        int firedCount = 0;
        long duplicates = 0;
        long outside = 0;
        Set<String> commandIds = new HashSet<>();
        while (firedCount < hot && System.currentTimeMillis() < windowEnd + drainMs) {
          if (herald.failed()) {
            throw new IllegalStateException("Herald's Kafka Streams reached ERROR");
          }
          for (ConsumerRecord<String, SendCommand> r : commands.poll(Duration.ofMillis(50))) {
            long now = System.currentTimeMillis();
            SendCommand c = r.value();
            int i = index(c.scheduleKey());
            if (!commandIds.add(c.commandId().value())) {
              duplicates++;
              continue;
            }
            long due = c.occurrenceAt().toEpochMilli();
            if (i < 0 || i % HOT_EVERY != 0 || due < windowStart || due >= windowEnd) {
              outside++;
              continue;
            }
            if (fired.get(i)) {
              duplicates++;
              continue;
            }
            fired.set(i);
            late[firedCount] = r.timestamp() - due;
            seenLate[firedCount] = now - due;
            firedCount++;
          }
        }
        long[] l = Arrays.copyOf(late, firedCount);
        long[] v = Arrays.copyOf(seenLate, firedCount);
        Arrays.sort(l);
        Arrays.sort(v);
        ExecutionLog.Percentiles p = new ExecutionLog.Percentiles(l, hot);
        ExecutionLog.Percentiles pv = new ExecutionLog.Percentiles(v, hot);
        long budget = windowMs + drainMs;
        String ofWhat = " (" + fmt(firedCount) + " of " + fmt(hot) + " fired)";
        rows.add(
            value("lateness p50, 1 % firing" + ofWhat, show(p.at(0.5), budget), "ms", "—", ""));
        Object p99 = show(p.at(0.99), budget);
        rows.add(
            value(
                "lateness p99, 1 % firing" + ofWhat,
                p99,
                "ms",
                "≤ 1,000",
                p99 instanceof Long x ? verdict(x, 1000, "ms") : "missed"));
        rows.add(value("lateness max", show(p.max(), budget), "ms", "—", ""));
        rows.add(
            value(
                "lateness p99 visible (read_committed)", show(pv.at(0.99), budget), "ms", "—", ""));
        rows.add(
            value(
                "fired in window",
                firedCount,
                "of " + fmt(hot),
                "all",
                firedCount == hot
                    ? ""
                    : fmt(hot - firedCount) + " never fired within " + budget / 1000 + " s"));
        rows.add(
            value(
                "duplicate send-commands",
                duplicates,
                "",
                "0",
                outside == 0 ? "" : fmt(outside) + " commands outside the window or not re-timed"));
        ctx.progress("state: lateness window: %,d of %,d fired, p99 %s ms", firedCount, hot, p99);
      }
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

  private static ResultRow value(
      String variant, Object value, String unit, String target, String note) {
    return ResultRow.of("state", variant, "herald", false)
        .metric("value", value)
        .metric("unit", unit)
        .metric("target", target)
        .note(note)
        .build();
  }

  private static String verdict(double v, double target, String unit) {
    return v <= target
        ? String.format(Locale.ROOT, "met (%.0f %% of target)", 100 * v / target)
        : String.format(
            Locale.ROOT, "MISSED by %.1f × (%,.0f %s over)", v / target, v - target, unit);
  }

  private static Object show(java.util.OptionalLong v, long budget) {
    return v.isPresent() ? (Object) v.getAsLong() : "> " + budget;
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static String fmt(long v) {
    return String.format(Locale.ROOT, "%,d", v);
  }

  /** Row number of a bench schedule key ({@code recurring:<prefix><12 hex>}), or -1. */
  static int index(String key) {
    if (key == null || !key.startsWith(KEY_PREFIX) || key.length() != KEY_PREFIX.length() + 12) {
      return -1;
    }
    return (int) Long.parseLong(key.substring(KEY_PREFIX.length()), 16);
  }

  private static void insertDevice(BenchContext ctx) throws SQLException {
    try (Connection c = ctx.infra().database().connection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO devices (id, user_id, name, transport, status)"
                    + " VALUES (?::uuid, ?::uuid, 'bench-state', 'simulated', 'active')")) {
      ps.setString(1, DEVICE);
      ps.setString(2, CdcLatencyScenario.TENANT);
      ps.executeUpdate();
    }
  }

  /** N daily schedules in one transaction, times of day from now+1 h spread over 22 h. */
  private static void insertSchedules(BenchContext ctx, int n) throws SQLException {
    double first = LocalTime.now(ZoneOffset.UTC).toSecondOfDay() + 3600;
    double step = 22 * 3600.0 / n;
    try (Connection c = ctx.infra().database().connection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO recurring_messages (id, user_id, device_id, name, message,"
                    + " target_contacts, frequency, time_of_day, timezone, delay_type,"
                    + " delay_seconds, randomize_delay)"
                    + " SELECT ('"
                    + ID_PREFIX
                    + "' || lpad(to_hex(g), 12, '0'))::uuid, ?::uuid,"
                    + " ?::uuid, 'bench state ' || g, 'Hello from the bench',"
                    + " jsonb_build_array('+4915' || lpad(g::text, 9, '0')), 'daily',"
                    + " time '00:00' + make_interval(secs => ?::double precision"
                    + " + g * ?::double precision), 'UTC', 'manual', 0, false"
                    + " FROM generate_series(0, ? - 1) AS g")) {
      c.setAutoCommit(true);
      ps.setString(1, CdcLatencyScenario.TENANT);
      ps.setString(2, DEVICE);
      ps.setDouble(3, first);
      ps.setDouble(4, step);
      ps.setInt(5, n);
      ps.executeUpdate();
    }
  }

  /**
   * Waits until Herald's CDC has gone quiet: the engine's change counters (events produced plus
   * state-only updates dropped) unchanged for 5 s. Not the slot's confirmed LSN: without new
   * changes to the captured tables Debezium does not confirm WAL written by other tables, so that
   * never catches up on its own. False on timeout.
   */
  private static boolean awaitCdcQuiet(HeraldScheduler herald, Duration timeout) throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpRequest request =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + herald.adminPort() + "/metrics"))
            .build();
    long deadline = System.nanoTime() + timeout.toNanos();
    double last = -1;
    int quietSeconds = 0;
    while (System.nanoTime() < deadline) {
      double seen = 0;
      for (String line :
          http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString())
              .body()
              .split("\n")) {
        if (line.startsWith("herald_scheduler_cdc_events_total")
            || line.startsWith("herald_scheduler_cdc_dropped_state_only_total")) {
          seen += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      quietSeconds = seen == last ? quietSeconds + 1 : 0;
      if (quietSeconds >= 5) {
        return true;
      }
      last = seen;
      Thread.sleep(1_000);
    }
    return false;
  }

  /** Moves every HOT_EVERY-th schedule to whole seconds spread over the window (one UPDATE). */
  private static void retime(BenchContext ctx, int n, long windowStart, long windowMs)
      throws SQLException {
    int hot = (n + HOT_EVERY - 1) / HOT_EVERY;
    long startSecOfDay = Math.floorMod(windowStart / 1000, 86_400L);
    try (Connection c = ctx.infra().database().connection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE recurring_messages SET time_of_day = time '00:00'"
                    + " + make_interval(secs => ?::double precision"
                    + " + floor((substring(name from 13))::int / "
                    + HOT_EVERY
                    + " * ?::double precision))"
                    + " WHERE name LIKE 'bench state %'"
                    + " AND (substring(name from 13))::int % "
                    + HOT_EVERY
                    + " = 0")) {
      c.setAutoCommit(true);
      ps.setDouble(1, startSecOfDay);
      ps.setDouble(2, (windowMs / 1000.0) / hot);
      ps.executeUpdate();
    }
  }

  /** {heap used after GC, RSS} in bytes. */
  private static long[] memory() throws InterruptedException {
    for (int i = 0; i < 2; i++) {
      System.gc();
      Thread.sleep(200);
    }
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long rss = -1;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux: no RSS
    }
    return new long[] {heap, rss};
  }

  /** Sum of a Prometheus metric's samples (every label set) from the admin server. */
  static double gauge(int port, String name) throws IOException {
    double sum = 0;
    URL url = new URL("http://127.0.0.1:" + port + "/metrics");
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(url.openStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
    }
    return sum;
  }

  /** Apparent size of every file under dir; per store (the directory under "rocksdb"). */
  private static long apparentBytes(Path dir, Map<String, Long> perStore) throws IOException {
    long total = 0;
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        long size = Files.size(p);
        total += size;
        Path rel = dir.relativize(p);
        String store = "other files";
        for (int i = 0; i < rel.getNameCount() - 1; i++) {
          if (rel.getName(i).toString().equals("rocksdb")) {
            store = rel.getName(i + 1).toString();
          }
        }
        perStore.merge(store, size, Long::sum);
      }
    }
    return total;
  }

  /** Allocated size ({@code du -sk}), or the apparent size when du is not there. */
  private static long duBytes(Path dir) throws IOException, InterruptedException {
    try {
      Process p = new ProcessBuilder("du", "-sk", dir.toString()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() == 0) {
        return Long.parseLong(out.trim().split("\\s+")[0]) * 1024;
      }
    } catch (IOException | NumberFormatException e) {
      // fall through
    }
    return apparentBytes(dir, new TreeMap<>());
  }

  private static KafkaConsumer<String, SendCommand> commandConsumer(BenchContext ctx) {
    java.util.Properties p = new java.util.Properties();
    p.putAll(ctx.infra().broker().clientConfig());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    return new KafkaConsumer<>(
        p, new StringDeserializer(), Topics.SEND_COMMANDS.valueSerde().deserializer());
  }
}
