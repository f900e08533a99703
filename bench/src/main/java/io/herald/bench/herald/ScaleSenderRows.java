package io.herald.bench.herald;

import io.herald.bench.infra.ChildJvm;
import io.herald.bench.infra.CpuWindow;
import io.herald.bench.report.ResultRow;
import io.herald.bench.scenario.BenchContext;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.DeliveryResult;
import io.herald.contracts.topic.Topics;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;

/**
 * The sender half of {@link ScaleOutScenario}: N sender JVMs ({@code SenderApp}'s own {@code main})
 * in one consumer group on 6 partitions of {@code herald.send-commands}, configured as {@link
 * SenderThroughputScenario} configures SenderApp (simulated transport at 0 ms, 1,000 devices,
 * pacing off, ledger on). A warm-up, then N commands produced at once (throughput); then a paced
 * stream while one more instance joins and afterwards the oldest stops ({@link ScaleRebalance}).
 * Every command must come back as exactly one result and one ledger row with one transport call.
 */
final class ScaleSenderRows {

  static final String MAIN = "io.herald.sender.app.SenderApp";
  static final String HEAP = "512m";
  static final int PARTITIONS = SenderThroughputScenario.PARTITIONS;
  static final long STEP_MILLIS = 100;

  private final BenchContext ctx;
  private final ScaleOutScenario.Settings settings;
  private final Instant occurrence = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  ScaleSenderRows(BenchContext ctx, ScaleOutScenario.Settings settings) {
    this.ctx = ctx;
    this.settings = settings;
  }

  /**
   * @param n commands of the throughput row
   * @param warmup commands sent first and not measured (a new JVM's JIT)
   * @param liveRate commands per second while the group changes
   * @param join whether one more instance joins before the first stops
   */
  List<ResultRow> run(int instances, int n, int warmup, int liveRate, boolean join)
      throws Exception {
    String group = "bench-sender-" + ctx.runId() + "-scale-" + instances;
    SenderKafka.recreateTopics(ctx);
    ctx.infra().execute(List.of("TRUNCATE TABLE deliveries"));
    List<ChildJvm> running = new ArrayList<>();
    List<ResultRow> rows = new ArrayList<>();
    try (GroupWatch watch = new GroupWatch(ctx.infra(), group, Topics.SEND_COMMANDS.name());
        KafkaProducer<String, SendCommand> producer = SenderKafka.producer(ctx)) {
      for (int i = 0; i < instances; i++) {
        running.add(startInstance(group, i));
      }
      for (ChildJvm c : running) {
        c.awaitReady(settings.readyTimeout());
      }
      watch
          .awaitSettled(0, instances, PARTITIONS, settings.quietMillis(), settings.settleMillis())
          .orElseThrow(() -> new IllegalStateException(group + ": group did not settle"));
      ctx.progress("scale: %d sender JVM(s) up, group stable", instances);
      String warm = scheduleKey(instances, 0);
      for (int i = 0; i < warmup; i++) {
        producer.send(command(warm, i));
      }
      producer.flush();
      drain(warm, warmup, System.currentTimeMillis() + settings.budgetMillis());
      rows.add(throughput(instances, n, running, producer));

      String live = scheduleKey(instances, 2);
      int[] next = {0};
      int perStep = Math.max(1, (int) (liveRate * STEP_MILLIS / 1000));
      PacedFeed.Step step =
          at -> {
            for (int j = 0; j < perStep; j++) {
              producer.send(command(live, next[0]++));
            }
            return perStep;
          };
      ScaleRebalance rebalance = new ScaleRebalance(ctx, settings, watch, running, 1, PARTITIONS);
      long deadline = System.currentTimeMillis() + settings.budgetMillis() * 2;
      try (LiveReader<DeliveryResult> outputs =
          new LiveReader<>(
              "results-" + instances,
              () -> SenderKafka.resultConsumer(ctx),
              Topics.DELIVERY_RESULTS.name(),
              PARTITIONS,
              results(live))) {
        ScaleRebalance.Phases phases;
        int produced;
        try (PacedFeed feed = new PacedFeed("commands-" + instances, STEP_MILLIS, deadline, step)) {
          phases =
              rebalance.joinThenLeave(
                  0, join ? () -> startInstance(group, instances) : null, outputs);
          produced = feed.stop();
          phases = phases.withBaselineFrom(feed.firstStep());
        }
        producer.flush();
        outputs.awaitCount(produced, System.currentTimeMillis() + settings.budgetMillis());
        Ledger ledger = ledger(live);
        rows.addAll(
            rebalance.rows(
                "sender",
                phases,
                outputs.timeline(),
                produced,
                (int) Math.min(outputs.count(), ledger.sent()),
                outputs.duplicates() + ledger.extraCalls(),
                null,
                String.format(
                    Locale.ROOT,
                    "live load: %,d commands/s over %,d devices; pause = longest time a"
                        + " send-commands partition produced no result; ledger: %s",
                    perStep * 1000 / STEP_MILLIS,
                    SenderThroughputScenario.DEVICES,
                    ledger)));
      }
    } finally {
      ScaleOutScenario.stopAll(running);
    }
    return rows;
  }

  /** The results of one schedule's commands; a command's partition is its device key's. */
  private static LiveReader.Classifier<DeliveryResult> results(String scheduleKey) {
    return new LiveReader.Classifier<>() {
      @Override
      public int partition(DeliveryResult r) {
        return scheduleKey.equals(r.scheduleKey())
            ? EmissionTimeline.partitionOf(r.deviceId(), PARTITIONS)
            : -1;
      }

      @Override
      public String id(DeliveryResult r) {
        return r.commandId().value();
      }

      @Override
      public long due(DeliveryResult r, long timestamp) {
        return timestamp;
      }
    };
  }

  private ChildJvm startInstance(String group, int index) throws Exception {
    Path dir = settings.workDir().resolve(group + "-" + index);
    int port = ChildJvm.freePort();
    Map<String, String> env =
        new LinkedHashMap<>(SenderThroughputScenario.overrides(Duration.ZERO, group));
    env.putAll(SenderThroughputScenario.connection(ctx));
    env.put("HERALD_SENDER_METRICS_PORT", Integer.toString(port));
    return ChildJvm.start("sender-" + (index + 1), MAIN, env, dir, port, HEAP, settings.lifetime());
  }

  private ResultRow throughput(
      int instances, int n, List<ChildJvm> running, KafkaProducer<String, SendCommand> producer)
      throws Exception {
    String key = scheduleKey(instances, 1);
    List<org.apache.kafka.clients.producer.ProducerRecord<String, SendCommand>> records =
        new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      records.add(command(key, i));
    }
    ctx.progress("scale: %d sender(s), %,d commands", instances, n);
    String load = ScaleOutScenario.loadAverage();
    BrokerBytes before = BrokerBytes.read(ctx.infra());
    CpuWindow cpu = CpuWindow.start(ctx.infra().pgCpu(), running);
    long t0 = System.currentTimeMillis();
    for (var r : records) {
      producer.send(r);
    }
    producer.flush();
    Drain d = drain(key, n, t0 + settings.budgetMillis());
    CpuWindow.Reading reading = cpu.stop();
    BrokerBytes after = BrokerBytes.read(ctx.infra());
    Ledger ledger = ledger(key);
    double rate = d.count / (Math.max(1, d.last - t0) / 1000.0);
    ResultRow.Builder row =
        ResultRow.of(
            "scale",
            String.format(
                Locale.ROOT,
                "sender: %d instance%s, %,d commands, %,d devices, 0 ms latency",
                instances,
                instances == 1 ? "" : "s",
                n,
                SenderThroughputScenario.DEVICES),
            "herald",
            false);
    row.metric("instances", instances);
    row.metric("expected", n);
    row.metric("executed", Math.min(d.count, ledger.sent));
    row.metric("duplicates", d.repeated + ledger.extraCalls());
    row.metric("rate /s", Math.round(rate));
    row.metric("per instance /s", Math.round(rate / instances));
    row.metric("shares %", ledger.shares(running));
    ScaleOutScenario.cpu(row, reading);
    // the bench's own commands are part of it: a sender's input is on the broker too
    row.metric("broker B /output", after.perOutputSince(before, d.count));
    row.metric(
        "output topic B /output",
        after.perOutputSince(before, Topics.DELIVERY_RESULTS.name(), d.count));
    String note = load + (d.count < n ? "stopped with " + d.count + " of " + n + " results; " : "");
    return row.note(
            note
                + "rate = results ÷ (first produce → last result's record timestamp); shares ="
                + " ledger rows per JVM (deliveries.claimed_by); ledger: "
                + ledger)
        .build();
  }

  /** One phase's schedule: its own broadcast id, so its ledger rows can be told apart. */
  private static String scheduleKey(int instances, int phase) {
    return ScheduleKind.BROADCAST.keyFor(
        new UUID(0x5ca1_e000_0000_4000L | instances, 0x8000_0000_0000_0000L | phase).toString());
  }

  private org.apache.kafka.clients.producer.ProducerRecord<String, SendCommand> command(
      String scheduleKey, int i) {
    return SenderKafka.record(
        scheduleKey,
        occurrence,
        HeraldBurstScenario.device(i % SenderThroughputScenario.DEVICES),
        HeraldBurstScenario.phone(i),
        PacingSpec.none());
  }

  /** What the result reader saw of one schedule's commands. */
  private static final class Drain {
    int count;
    long repeated;
    long last;
    final EmissionTimeline.Builder timeline = new EmissionTimeline.Builder(PARTITIONS);
  }

  /** Reads the delivery results of one schedule from the start: until all or the deadline. */
  private Drain drain(String scheduleKey, int expected, long deadline) {
    Drain d = new Drain();
    Set<String> seen = new HashSet<>(expected * 2);
    try (KafkaConsumer<String, DeliveryResult> results = SenderKafka.resultConsumer(ctx)) {
      List<TopicPartition> parts =
          results.partitionsFor(Topics.DELIVERY_RESULTS.name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      results.assign(parts);
      results.seekToBeginning(parts);
      while (d.count < expected && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, DeliveryResult> r : results.poll(Duration.ofMillis(100))) {
          DeliveryResult v = r.value();
          if (v == null || !scheduleKey.equals(v.scheduleKey())) {
            continue;
          }
          if (!seen.add(v.commandId().value())) {
            d.repeated++;
            continue;
          }
          d.count++;
          d.last = Math.max(d.last, r.timestamp());
          // the command's partition: the producer keyed it by device
          d.timeline.add(EmissionTimeline.partitionOf(v.deviceId(), PARTITIONS), r.timestamp());
        }
      }
    }
    return d;
  }

  /**
   * The ledger's view of one schedule: rows, rows sent, transport calls, and rows per claiming
   * instance.
   */
  private record Ledger(long rows, long sent, long calls, Map<String, Long> byInstance) {
    /** Transport calls beyond one per row: a command sent twice. */
    long extraCalls() {
      return Math.max(0, calls - rows);
    }

    /** Rows per child JVM in %, in the order of {@code running} (instance ids hold the PID). */
    String shares(List<ChildJvm> running) {
      List<String> parts = new ArrayList<>();
      for (ChildJvm c : running) {
        long mine =
            byInstance.entrySet().stream()
                .filter(e -> e.getKey().startsWith("sender-" + c.pid() + "-"))
                .mapToLong(Map.Entry::getValue)
                .sum();
        parts.add(rows == 0 ? "—" : Long.toString(Math.round(mine * 100.0 / rows)));
      }
      return String.join(" / ", parts);
    }

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT, "%,d rows, %,d sent, %,d transport calls", rows, sent, calls);
    }
  }

  private Ledger ledger(String scheduleKey) throws Exception {
    String id = scheduleKey.substring(scheduleKey.indexOf(':') + 1);
    Map<String, Long> byInstance = new LinkedHashMap<>();
    long rows = 0;
    long sent = 0;
    long calls = 0;
    try (Connection c = ctx.infra().database().connection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT claimed_by, count(*), count(*) FILTER (WHERE status = 'sent'),"
                    + " coalesce(sum(attempts), 0) FROM deliveries WHERE schedule_id = ?::uuid"
                    + " GROUP BY claimed_by")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          byInstance.put(String.valueOf(rs.getString(1)), rs.getLong(2));
          rows += rs.getLong(2);
          sent += rs.getLong(3);
          calls += rs.getLong(4);
        }
      }
    }
    return new Ledger(rows, sent, calls, byInstance);
  }
}
