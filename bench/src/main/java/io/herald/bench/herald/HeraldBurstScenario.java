package io.herald.bench.herald;

import io.herald.bench.infra.ExecutionLog;
import io.herald.bench.report.ResultRow;
import io.herald.bench.scenario.BenchContext;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.ChangeOp;
import io.herald.contracts.event.DeviceInfo;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.topic.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Herald's side of scenario 1: the real scheduler ({@link HeraldScheduler}) with N occurrences due
 * at one instant, either N single-recipient scheduled broadcasts or one broadcast with N
 * recipients. Schedule changes and devices are produced straight to Herald's topics (what CDC would
 * produce); the send-commands are read back {@code read_committed}.
 *
 * <p>Emit time is the send-command's record timestamp, which Herald sets to the wall-clock
 * punctuation that fired it; "visible" is when a {@code read_committed} consumer received it (after
 * the exactly-once commit). Rate = commands / (last emit − due instant).
 */
public final class HeraldBurstScenario {

  /** The two shapes of issue 8's burst. */
  public enum Shape {
    SINGLE_RECIPIENT_SCHEDULES,
    ONE_SCHEDULE_MANY_RECIPIENTS
  }

  static final String TENANT = "bench-tenant";
  static final int DEVICES = 100;
  private static final int CALIBRATION = 1_000;

  private HeraldBurstScenario() {}

  /**
   * Produces devices 0..count-1 (active, simulated, the bench's tenant) to {@code herald.devices}
   * and flushes; callers wait for them to reach the scheduler's global store.
   */
  static void produceDevices(KafkaProducer<String, Object> producer, int count) {
    for (int d = 0; d < count; d++) {
      producer.send(
          new ProducerRecord<>(
              Topics.DEVICES.name(),
              device(d),
              new DeviceInfo(
                  DeviceInfo.SCHEMA_VERSION,
                  device(d),
                  TENANT,
                  "simulated",
                  "active",
                  null,
                  false)));
    }
    producer.flush();
  }

  /** The HERALD_SCHEDULER_* and KAFKA_* settings the bench uses on top of Herald's defaults. */
  public static Map<String, String> overrides(int n) {
    Map<String, String> env = new LinkedHashMap<>();
    // The fan-out variant puts n recipients into one schedule; Herald's default limit is 50,000.
    env.put("HERALD_SCHEDULER_MAX_RECIPIENTS", Integer.toString(Math.max(n, 50_000)));
    // The operator may tune the rest (e.g. HERALD_SCHEDULER_MAX_COMMANDS_PER_TICK) for a run.
    System.getenv()
        .forEach(
            (k, v) -> {
              if (k.startsWith("HERALD_SCHEDULER_")
                  && !k.endsWith("_BOOTSTRAP_SERVERS")
                  && !k.endsWith("_APPLICATION_ID")
                  && !k.endsWith("_STATE_DIR")) {
                env.put(k, v);
              }
              // Kafka client and Streams settings (e.g. KAFKA_NUM_STREAM_THREADS) pass through as
              // in
              // production.
              if (k.startsWith("KAFKA_")) {
                env.put(k, v);
              }
            });
    return env;
  }

  public static ResultRow run(BenchContext ctx, Shape shape, int n, long budget, double ceiling)
      throws Exception {
    String variant =
        shape == Shape.SINGLE_RECIPIENT_SCHEDULES
            ? String.format(Locale.ROOT, "%,d single-recipient schedules", n)
            : String.format(Locale.ROOT, "1 schedule × %,d recipients", n);
    String appId = "bench-herald-" + ctx.runId() + "-" + shape.name().toLowerCase(Locale.ROOT);
    Map<String, String> overrides = overrides(n);
    ResultRow.Builder row = ResultRow.of("burst", variant, "herald", false);
    try (HeraldScheduler herald = HeraldScheduler.start(ctx.infra(), appId, overrides);
        KafkaProducer<String, Object> producer = producer(ctx)) {
      ctx.progress("burst: herald %s started (%s)", variant, herald.config().toString());
      int devices = shape == Shape.SINGLE_RECIPIENT_SCHEDULES ? DEVICES : 1;
      produceDevices(producer, devices);
      // The devices must reach Herald's global store before the schedules that use them.
      Thread.sleep(2_000);

      long lead;
      if (shape == Shape.SINGLE_RECIPIENT_SCHEDULES) {
        // Calibrate on schedules due tomorrow: a first batch absorbs the fixed costs (RocksDB
        // opening, first commits), a second one gives the marginal time per schedule.
        long tomorrow = System.currentTimeMillis() + 86_400_000L;
        int warm = Math.min(CALIBRATION, n);
        int k = Math.min(4 * CALIBRATION, n);
        for (int i = 0; i < warm; i++) {
          producer.send(change("warmup-" + i, device(i % devices), List.of(phone(i)), tomorrow));
        }
        producer.flush();
        herald.awaitCaughtUp(Topics.SCHEDULE_CHANGES.name(), Duration.ofSeconds(120));
        long t0 = System.nanoTime();
        for (int i = 0; i < k; i++) {
          producer.send(
              change("calibration-" + i, device(i % devices), List.of(phone(i)), tomorrow));
        }
        producer.flush();
        herald.awaitCaughtUp(Topics.SCHEDULE_CHANGES.name(), Duration.ofSeconds(120));
        double perSchedule = (System.nanoTime() - t0) / 1e6 / k;
        lead = (long) (perSchedule * n * 1.5) + ctx.millis(5_000, 2_000);
      } else {
        lead = ctx.millis(15_000, 3_000);
      }
      long due = System.currentTimeMillis() + lead;
      ctx.progress("burst: herald %s, due in %,d ms", variant, lead);
      long t0 = System.currentTimeMillis();
      if (shape == Shape.SINGLE_RECIPIENT_SCHEDULES) {
        for (int i = 0; i < n; i++) {
          producer.send(change("b-" + i, device(i % devices), List.of(phone(i)), due));
        }
      } else {
        List<String> recipients = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          recipients.add(phone(i));
        }
        producer.send(change("fanout", device(0), recipients, due));
      }
      producer.flush();
      boolean caughtUp =
          herald.awaitCaughtUp(
              Topics.SCHEDULE_CHANGES.name(),
              Duration.ofMillis(Math.max(1_000, due - System.currentTimeMillis())));
      long ingested = System.currentTimeMillis();
      String note =
          caughtUp && ingested <= due
              ? ""
              : "ingestion overran the due instant by " + (ingested - due) + " ms; ";

      long[] emit = new long[n];
      long[] visible = new long[n];
      int count = 0;
      long duplicates = 0;
      Set<String> seen = new HashSet<>(n * 2);
      try (KafkaConsumer<String, SendCommand> consumer = consumer(ctx)) {
        List<TopicPartition> partitions =
            consumer.partitionsFor(Topics.SEND_COMMANDS.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        long deadline = due + budget;
        while (count < n && System.currentTimeMillis() < deadline && !herald.failed()) {
          for (ConsumerRecord<String, SendCommand> r : consumer.poll(Duration.ofMillis(100))) {
            long now = System.currentTimeMillis();
            if (r.value() == null || !seen.add(r.value().commandId().value())) {
              duplicates++;
              continue;
            }
            if (count < n) {
              emit[count] = r.timestamp();
              visible[count] = now;
              count++;
            }
          }
        }
      }
      ctx.progress("burst: herald %s emitted %,d of %,d", variant, count, n);
      long last = Arrays.stream(emit, 0, count).max().orElse(due);
      double rate = count / (Math.max(1, last - due) / 1000.0);
      row.metric("executed", count);
      row.metric("rate /s", round(rate));
      row.metric("÷ raw Kafka", Math.round(rate / ceiling * 10_000) / 10_000.0);
      percentiles(row, emit, count, n, due, budget, "lateness");
      row.metric("duplicates", duplicates);
      row.metric("load s", Math.round((ingested - t0) / 100.0) / 10.0);
      percentiles(row, visible, count, n, due, budget, "visible");
      if (count < n) {
        note +=
            String.format(
                Locale.ROOT,
                "stopped after %d s with %,d of %,d emitted; ",
                budget / 1000,
                count,
                n);
      }
      row.note(
          note
              + "emit = record timestamp (punctuation time); visible = read_committed"
              + " consumer; maxCommandsPerTick="
              + herald.config().maxCommandsPerTick()
              + " per "
              + herald.config().punctuateInterval().toMillis()
              + " ms tick, "
              + herald.config().partitions()
              + " partitions");
    } finally {
      HeraldScheduler.deleteTopics(ctx.infra(), appId);
    }
    return row.build();
  }

  private static void percentiles(
      ResultRow.Builder row, long[] at, int count, int n, long due, long budget, String prefix) {
    long[] late = new long[count];
    for (int i = 0; i < count; i++) {
      late[i] = at[i] - due;
    }
    Arrays.sort(late);
    ExecutionLog.Percentiles p = new ExecutionLog.Percentiles(late, n);
    if (prefix.equals("lateness")) {
      row.metric("lateness p50 ms", value(p.at(0.5), budget));
      row.metric("lateness p99 ms", value(p.at(0.99), budget));
      row.metric("lateness max ms", value(p.max(), budget));
    } else {
      row.metric("visible p99 ms", value(p.at(0.99), budget));
    }
  }

  private static Object value(java.util.OptionalLong v, long budget) {
    return v.isPresent() ? (Object) v.getAsLong() : "> " + budget;
  }

  private static double round(double v) {
    return Math.round(v);
  }

  static String device(int d) {
    return String.format(Locale.ROOT, "00000000-0000-4000-8000-%012d", d);
  }

  static String phone(int i) {
    return String.format(Locale.ROOT, "+4915%09d", i);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static ProducerRecord<String, Object> change(
      String id, String device, List<String> recipients, long dueMillis) {
    String key = ScheduleKind.BROADCAST.keyFor(id);
    RuleSpec rule = RuleSpec.once(Instant.ofEpochMilli(dueMillis).toString());
    ScheduleChange change =
        new ScheduleChange(
            ScheduleChange.SCHEMA_VERSION,
            ChangeOp.UPSERT,
            key,
            ScheduleKind.BROADCAST,
            TENANT,
            device,
            "bench " + id,
            "Hello from the bench",
            null,
            recipients,
            rule,
            PacingSpec.none(),
            true,
            "scheduled",
            1L,
            Instant.now(),
            List.of());
    return new ProducerRecord<>(Topics.SCHEDULE_CHANGES.name(), key, change);
  }

  static KafkaProducer<String, Object> producer(BenchContext ctx) {
    Properties p = new Properties();
    p.putAll(ctx.infra().broker().clientConfig());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AnyJsonSerializer.class.getName());
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(p);
  }

  static KafkaConsumer<String, SendCommand> consumer(BenchContext ctx) {
    Properties p = new Properties();
    p.putAll(ctx.infra().broker().clientConfig());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    return new KafkaConsumer<>(
        p, new StringDeserializer(), Topics.SEND_COMMANDS.valueSerde().deserializer());
  }
}
