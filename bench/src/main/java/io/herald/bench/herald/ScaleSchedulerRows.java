package io.herald.bench.herald;

import io.herald.bench.infra.ChildJvm;
import io.herald.bench.infra.CpuWindow;
import io.herald.bench.report.ResultRow;
import io.herald.bench.scenario.BenchContext;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.topic.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The scheduler half of {@link ScaleOutScenario}: N scheduler JVMs ({@code SchedulerApp}'s own
 * {@code main}, CDC and projector off as in the burst scenario) in one Streams application on the
 * bench's broker. One burst of single-recipient schedules due at once, loaded and timed as {@link
 * HeraldBurstScenario} does; then, with timers firing every 100 ms on every partition, one more
 * instance joins and afterwards the oldest one stops ({@link ScaleRebalance} dates both).
 */
final class ScaleSchedulerRows {

  static final String MAIN = "io.herald.scheduler.app.SchedulerApp";
  static final int PARTITIONS = 6;
  static final String HEAP = "768m";

  static final long STEP_MILLIS = LiveTimers.STEP_MILLIS;
  static final long TIMER_LEAD_MILLIS = LiveTimers.LEAD_MILLIS;

  private final BenchContext ctx;
  private final ScaleOutScenario.Settings settings;

  ScaleSchedulerRows(BenchContext ctx, ScaleOutScenario.Settings settings) {
    this.ctx = ctx;
    this.settings = settings;
  }

  /** Stream threads per instance, as SchedulerTopology picks them on this machine. */
  static int threadsPerInstance() {
    String t = System.getenv("KAFKA_NUM_STREAM_THREADS");
    return t != null && !t.isBlank()
        ? Integer.parseInt(t.trim())
        : Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), PARTITIONS));
  }

  /**
   * Burst row, then (when {@code join}) the join row and the leave row, for {@code instances}
   * scheduler JVMs.
   */
  List<ResultRow> run(int instances, int burst, boolean join) throws Exception {
    String appId = "bench-herald-" + ctx.runId() + "-scale-" + instances;
    HeraldScheduler.deleteTopics(ctx.infra(), appId);
    List<ChildJvm> running = new ArrayList<>();
    List<ResultRow> rows = new ArrayList<>();
    int threads = threadsPerInstance();
    try (GroupWatch watch = new GroupWatch(ctx.infra(), appId, Topics.SCHEDULE_CHANGES.name());
        KafkaProducer<String, Object> producer = HeraldBurstScenario.producer(ctx)) {
      for (int i = 0; i < instances; i++) {
        running.add(startInstance(appId, i, burst));
      }
      for (ChildJvm c : running) {
        c.awaitReady(settings.readyTimeout());
      }
      watch
          .awaitSettled(
              0, instances * threads, PARTITIONS, settings.quietMillis(), settings.settleMillis())
          .orElseThrow(() -> new IllegalStateException(appId + ": group did not settle"));
      ctx.progress("scale: %d scheduler JVM(s) up, group stable", instances);
      devices(producer);
      rows.add(burst(instances, burst, running, producer, appId));
      ScaleRebalance rebalance =
          new ScaleRebalance(ctx, settings, watch, running, threads, PARTITIONS);
      rows.addAll(rebalance(instances, burst, join, producer, appId, rebalance));
    } finally {
      ScaleOutScenario.stopAll(running);
      HeraldScheduler.deleteTopics(ctx.infra(), appId);
    }
    return rows;
  }

  private ChildJvm startInstance(String appId, int index, int burst) throws Exception {
    Path dir = settings.workDir().resolve(appId + "-" + index);
    int port = ChildJvm.freePort();
    Map<String, String> env = new LinkedHashMap<>(HeraldBurstScenario.overrides(burst));
    env.put("HERALD_SCHEDULER_BOOTSTRAP_SERVERS", ctx.infra().broker().bootstrapServers());
    env.put("HERALD_SCHEDULER_APPLICATION_ID", appId);
    env.put("HERALD_SCHEDULER_STATE_DIR", dir.resolve("state").toString());
    env.put("HERALD_SCHEDULER_METRICS_PORT", Integer.toString(port));
    env.put("HERALD_SCHEDULER_PARTITIONS", Integer.toString(PARTITIONS));
    // As HeraldScheduler runs it in the burst scenario: the bench produces the changes itself.
    env.put("HERALD_SCHEDULER_CDC_ENABLED", "false");
    env.put("HERALD_SCHEDULER_PROJECTOR_ENABLED", "false");
    return ChildJvm.start(
        "scheduler-" + (index + 1), MAIN, env, dir, port, HEAP, settings.lifetime());
  }

  private void devices(KafkaProducer<String, Object> producer) throws InterruptedException {
    HeraldBurstScenario.produceDevices(producer, HeraldBurstScenario.DEVICES);
    // The devices must reach every instance's global store before the schedules that use them.
    Thread.sleep(ctx.millis(2_000, 1_000));
  }

  private ResultRow burst(
      int instances,
      int n,
      List<ChildJvm> running,
      KafkaProducer<String, Object> producer,
      String appId)
      throws Exception {
    int devices = HeraldBurstScenario.DEVICES;
    // Calibrate as HeraldBurstScenario does, on schedules due tomorrow.
    long tomorrow = System.currentTimeMillis() + 86_400_000L;
    int warm = Math.min(1_000, n);
    int k = Math.min(4_000, n);
    for (int i = 0; i < warm; i++) {
      producer.send(schedule("warmup-" + i, i, tomorrow));
    }
    producer.flush();
    awaitCaughtUp(appId, Duration.ofSeconds(120), running);
    long c0 = System.nanoTime();
    for (int i = 0; i < k; i++) {
      producer.send(schedule("calibration-" + i, i, tomorrow));
    }
    producer.flush();
    awaitCaughtUp(appId, Duration.ofSeconds(120), running);
    double perSchedule = (System.nanoTime() - c0) / 1e6 / k;
    long lead = (long) (perSchedule * n * 1.5) + ctx.millis(5_000, 2_000);
    long due = System.currentTimeMillis() + lead;
    ctx.progress("scale: %d scheduler(s), %,d schedules due in %,d ms", instances, n, lead);
    for (int i = 0; i < n; i++) {
      producer.send(schedule("b-" + i, i, due));
    }
    producer.flush();
    boolean caughtUp =
        awaitCaughtUp(
            appId, Duration.ofMillis(Math.max(1_000, due - System.currentTimeMillis())), running);
    long ingested = System.currentTimeMillis();
    BenchContext.sleepUntil(due);
    String load = ScaleOutScenario.loadAverage();
    BrokerBytes before = BrokerBytes.read(ctx.infra());
    Drain drain =
        drain(
            ScheduleKind.BROADCAST.keyFor("b-"),
            n,
            due + settings.budgetMillis(),
            CpuWindow.start(ctx.infra().pgCpu(), running));
    // A command's record timestamp is the start of the punctuation that fired it, however long
    // writing the punctuation's commands takes: the rate counts a command when it was visible
    // (committed and read), and the stamped rate is shown beside it.
    BrokerBytes after = BrokerBytes.read(ctx.infra());
    long lastStamp = drain.emits.stream().mapToLong(Emit::at).max().orElse(due);
    long lastSeen = drain.emits.stream().mapToLong(Emit::seen).max().orElse(due);
    double rate = drain.count / (Math.max(1, lastSeen - due) / 1000.0);
    double stampedRate = drain.count / (Math.max(1, lastStamp - due) / 1000.0);
    ResultRow.Builder row =
        ResultRow.of(
            "scale",
            String.format(
                Locale.ROOT,
                "scheduler: %d instance%s, %,d single-recipient schedules due at once",
                instances,
                instances == 1 ? "" : "s",
                n),
            "herald",
            false);
    row.metric("instances", instances);
    row.metric("expected", n);
    row.metric("executed", drain.count);
    row.metric("duplicates", drain.duplicates);
    row.metric("rate /s", Math.round(rate));
    row.metric("per instance /s", Math.round(rate / instances));
    row.metric("shares %", shares(running, "herald_scheduler_commands_emitted_total", ""));
    row.metric("stamped rate /s", Math.round(stampedRate));
    row.metric("lateness p99 ms", p99(drain.emits.stream().mapToLong(e -> e.at() - due)));
    row.metric("visible p99 ms", p99(drain.emits.stream().mapToLong(e -> e.seen() - due)));
    ScaleOutScenario.cpu(row, drain.cpu);
    row.metric("broker B /output", after.perOutputSince(before, drain.count));
    row.metric(
        "output topic B /output",
        after.perOutputSince(before, Topics.SEND_COMMANDS.name(), drain.count));
    String note =
        caughtUp && ingested <= due
            ? load
            : load + "loading overran the due instant by " + (ingested - due) + " ms; ";
    if (drain.count < n) {
      note += "stopped with " + drain.count + " of " + n + " emitted; ";
    }
    return row.note(
            note
                + String.format(
                    Locale.ROOT,
                    "rate = commands ÷ (last read_committed receipt − due); stamped rate uses"
                        + " the last record timestamp instead (the punctuation's start); per"
                        + " instance = rate ÷ %d; shares = each JVM's"
                        + " herald_scheduler_commands_emitted_total",
                    instances))
        .build();
  }

  private static Object p99(java.util.stream.LongStream values) {
    long[] v = values.sorted().toArray();
    return v.length == 0 ? "—" : (Object) v[(int) (v.length * 0.99)];
  }

  /** Each instance's part of a counter, in %, as "34 / 33 / 33". */
  static String shares(List<ChildJvm> running, String metric, String labels) {
    double[] v = running.stream().mapToDouble(c -> c.metric(metric, labels)).toArray();
    double total = Arrays.stream(v).sum();
    if (Double.isNaN(total) || total <= 0) {
      return "—";
    }
    List<String> parts = new ArrayList<>();
    for (double x : v) {
      parts.add(Long.toString(Math.round(x * 100 / total)));
    }
    return String.join(" / ", parts);
  }

  private List<ResultRow> rebalance(
      int instances,
      int burst,
      boolean join,
      KafkaProducer<String, Object> producer,
      String appId,
      ScaleRebalance rebalance)
      throws Exception {
    LiveTimers timers = new LiveTimers("t" + instances + "-", producer);
    long deadline = System.currentTimeMillis() + settings.budgetMillis() * 2;
    PacedFeed.Step step = timers::produce;
    LiveReader.Classifier<SendCommand> ours = timers.classifier();
    try (LiveReader<SendCommand> outputs =
        new LiveReader<>(
            "commands-" + instances,
            () -> HeraldBurstScenario.consumer(ctx),
            Topics.SEND_COMMANDS.name(),
            PARTITIONS,
            ours)) {
      ScaleRebalance.Phases phases;
      int produced;
      long lastDue;
      try (PacedFeed feed = new PacedFeed("timers-" + instances, STEP_MILLIS, deadline, step)) {
        phases =
            rebalance.joinThenLeave(
                TIMER_LEAD_MILLIS,
                join ? () -> startInstance(appId, instances, burst) : null,
                outputs);
        produced = feed.stop();
        lastDue = feed.lastStep() + TIMER_LEAD_MILLIS;
        phases = phases.withBaselineFrom(feed.firstStep() + TIMER_LEAD_MILLIS);
      }
      outputs.awaitCount(produced, lastDue + settings.budgetMillis());
      return rebalance.rows(
          "scheduler",
          phases,
          outputs.timeline(),
          produced,
          outputs.count(),
          outputs.duplicates(),
          outputs.dueAndEmitted(),
          "live timers: "
              + PARTITIONS * LiveTimers.PER_PARTITION_PER_STEP * (1000 / STEP_MILLIS)
              + "/s, due every "
              + STEP_MILLIS
              + " ms on every partition; pause = longest time a schedule-changes partition"
              + " fired nothing");
    }
  }

  static ProducerRecord<String, Object> schedule(String id, int i, long due) {
    return HeraldBurstScenario.change(
        id,
        HeraldBurstScenario.device(i % HeraldBurstScenario.DEVICES),
        List.of(HeraldBurstScenario.phone(i)),
        due);
  }

  private boolean awaitCaughtUp(String appId, Duration timeout, List<ChildJvm> running)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (HeraldScheduler.lag(ctx.infra(), appId, Topics.SCHEDULE_CHANGES.name()) == 0) {
        return true;
      }
      for (ChildJvm c : running) {
        if (!c.alive()) {
          throw new IllegalStateException(c.name() + " exited; log: " + c.logTail());
        }
      }
      Thread.sleep(100);
    }
    return false;
  }

  /**
   * One send-command: emitted (record timestamp), seen (read_committed receipt) and due, epoch ms.
   */
  record Emit(long at, long seen, long due) {}

  /** What the reader saw of the schedules with one key prefix. */
  static final class Drain {
    int count;
    long duplicates;
    final List<Emit> emits = new ArrayList<>();
    CpuWindow.Reading cpu;
  }

  /**
   * Reads {@code herald.send-commands} {@code read_committed} from the start until {@code expected}
   * commands of schedules whose key starts with {@code keyPrefix} arrived (then one second more, to
   * see a late duplicate) or the deadline passed; {@code cpu} is read when the last command arrived
   * (or at the deadline).
   */
  private Drain drain(String keyPrefix, int expected, long deadline, CpuWindow cpu) {
    Drain d = new Drain();
    Set<String> seen = new HashSet<>(expected * 2);
    try (KafkaConsumer<String, SendCommand> consumer = HeraldBurstScenario.consumer(ctx)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(Topics.SEND_COMMANDS.name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long extraUntil = Long.MAX_VALUE;
      while (System.currentTimeMillis() < Math.min(deadline, extraUntil)) {
        for (ConsumerRecord<String, SendCommand> r : consumer.poll(Duration.ofMillis(100))) {
          SendCommand c = r.value();
          if (c == null || !c.scheduleKey().startsWith(keyPrefix)) {
            continue;
          }
          if (!seen.add(c.commandId().value())) {
            d.duplicates++;
            continue;
          }
          d.count++;
          d.emits.add(
              new Emit(r.timestamp(), System.currentTimeMillis(), c.occurrenceAt().toEpochMilli()));
        }
        if (d.count >= expected && extraUntil == Long.MAX_VALUE) {
          d.cpu = cpu.stop();
          extraUntil = System.currentTimeMillis() + 1_000;
        }
      }
    }
    if (d.cpu == null) {
      d.cpu = cpu.stop();
    }
    return d;
  }
}
