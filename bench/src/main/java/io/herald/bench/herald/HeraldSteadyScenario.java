package io.herald.bench.herald;

import io.herald.bench.infra.CpuMeter;
import io.herald.bench.infra.ExecutionLog;
import io.herald.bench.report.ResultRow;
import io.herald.bench.scenario.BenchContext;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.ChangeOp;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.topic.Topics;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
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
 * Herald's side of scenario 2. Herald's rules have one-minute granularity, so the peers' "10,000
 * schedules every 10 s" (1,000 executions/s) becomes its equal rate, 60,000 schedules every minute,
 * necessarily aligned (every minutely rule fires on the whole minute). Each send-command maps back
 * to (schedule, occurrence) through its schedule key and {@code occurrenceAt}; emit time is the
 * record timestamp, as in the burst.
 */
public final class HeraldSteadyScenario {

  public static final long PERIOD = 60_000;
  private static final int DEVICES = 100;

  private HeraldSteadyScenario() {}

  public static ResultRow run(BenchContext ctx, int n, long window, long drain) throws Exception {
    String appId = "bench-herald-" + ctx.runId() + "-steady";
    String variant = String.format(Locale.ROOT, "aligned, %,d × every 1 min", n);
    ResultRow.Builder row = ResultRow.of("steady", variant, "herald", false);
    try (HeraldScheduler herald =
            HeraldScheduler.start(ctx.infra(), appId, HeraldBurstScenario.overrides(1));
        KafkaProducer<String, Object> producer = producer(ctx)) {
      HeraldBurstScenario.produceDevices(producer, DEVICES);
      Thread.sleep(2_000);

      long t0 = System.currentTimeMillis();
      String today = LocalDate.now(ZoneOffset.UTC).toString();
      for (int i = 0; i < n; i++) {
        String key = ScheduleKind.RECURRING.keyFor("s-" + i);
        RuleSpec rule =
            new RuleSpec(
                "custom", 1, "minutes", null, null, null, null, "UTC", today, null, null, null,
                null, null);
        producer.send(
            new ProducerRecord<>(
                Topics.SCHEDULE_CHANGES.name(),
                key,
                new ScheduleChange(
                    ScheduleChange.SCHEMA_VERSION,
                    ChangeOp.UPSERT,
                    key,
                    ScheduleKind.RECURRING,
                    HeraldBurstScenario.TENANT,
                    HeraldBurstScenario.device(i % DEVICES),
                    "bench " + i,
                    "Hello from the bench",
                    null,
                    List.of(HeraldBurstScenario.phone(i)),
                    rule,
                    PacingSpec.none(),
                    true,
                    null,
                    1L,
                    Instant.now(),
                    List.of())));
      }
      producer.flush();
      if (!herald.awaitCaughtUp(Topics.SCHEDULE_CHANGES.name(), Duration.ofMinutes(5))) {
        throw new IllegalStateException("Herald did not ingest " + n + " schedules in 5 min");
      }
      long loaded = System.currentTimeMillis();
      // The window starts on the first whole minute at least 5 s away.
      long start = Math.floorDiv(loaded + 5_000 + PERIOD - 1, PERIOD) * PERIOD;
      long end = start + window;
      long[] first = new long[n];
      int[] expected = new int[n];
      Arrays.fill(first, start);
      Arrays.fill(expected, (int) ((window + PERIOD - 1) / PERIOD));
      ExecutionLog log = new ExecutionLog(first, expected, PERIOD);
      ctx.progress(
          "steady: herald %s ingested in %,d ms; window starts in %,d ms",
          variant, loaded - t0, start - System.currentTimeMillis());

      long duplicates = 0;
      Set<String> seen = new HashSet<>();
      CpuMeter cpu = new CpuMeter(ctx.infra().pgCpu());
      CpuMeter.Reading reading = null;
      try (KafkaConsumer<String, SendCommand> consumer = consumer(ctx)) {
        List<TopicPartition> partitions =
            consumer.partitionsFor(Topics.SEND_COMMANDS.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        boolean measuring = false;
        while (System.currentTimeMillis() < end + drain && !herald.failed()) {
          long now = System.currentTimeMillis();
          if (!measuring && now >= start) {
            cpu.start();
            measuring = true;
          }
          if (measuring && reading == null && now >= end) {
            reading = cpu.stop();
          }
          for (ConsumerRecord<String, SendCommand> r : consumer.poll(Duration.ofMillis(100))) {
            SendCommand c = r.value();
            long due = c.occurrenceAt().toEpochMilli();
            if (due < start || due >= end) {
              continue;
            }
            if (!seen.add(c.commandId().value())) {
              duplicates++;
            }
            String id = c.scheduleKey().substring(c.scheduleKey().indexOf(":s-") + 3);
            log.recordAt(Integer.parseInt(id), due, r.timestamp());
          }
        }
      }
      row.metric("expected", log.expectedTotal());
      row.metric("executed", log.distinctExecuted());
      row.metric("exec /s", Math.round(log.distinctExecuted() / (window / 1000.0) * 10) / 10.0);
      ExecutionLog.Percentiles p = log.latenessPercentiles();
      row.metric(
          "lateness p50 ms",
          p.at(0.5).isPresent() ? (Object) p.at(0.5).getAsLong() : "> " + (window + drain));
      row.metric(
          "lateness p99 ms",
          p.at(0.99).isPresent() ? (Object) p.at(0.99).getAsLong() : "> " + (window + drain));
      row.metric(
          "lateness max ms",
          p.max().isPresent() ? (Object) p.max().getAsLong() : "> " + (window + drain));
      int[] perSchedule = log.schedulesWithDuplicatesAndMisses();
      row.metric("duplicates", log.duplicates() + duplicates);
      row.metric("misses", log.misses());
      row.metric("schedules w/ dup", perSchedule[0]);
      row.metric("schedules w/ miss", perSchedule[1]);
      if (reading != null) {
        row.metric("CPU JVM cores", Math.round(reading.jvmCores() * 1000) / 1000.0);
        row.metric(
            "CPU PG cores",
            Double.isNaN(reading.pgCores())
                ? "n/a"
                : Math.round(reading.pgCores() * 1000) / 1000.0);
        row.metric("CPU total cores", Math.round(reading.totalCores() * 1000) / 1000.0);
      }
      row.metric("load s", Math.round((loaded - t0) / 100.0) / 10.0);
      row.note(
          "same 1,000 executions/s as the peers' 10,000 × 10 s, but all due on the minute;"
              + " maxCommandsPerTick="
              + herald.config().maxCommandsPerTick()
              + " per "
              + herald.config().punctuateInterval().toMillis()
              + " ms tick");
    } finally {
      HeraldScheduler.deleteTopics(ctx.infra(), appId);
    }
    return row.build();
  }

  private static KafkaProducer<String, Object> producer(BenchContext ctx) {
    Properties p = new Properties();
    p.putAll(ctx.infra().broker().clientConfig());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AnyJsonSerializer.class.getName());
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(p);
  }

  private static KafkaConsumer<String, SendCommand> consumer(BenchContext ctx) {
    Properties p = new Properties();
    p.putAll(ctx.infra().broker().clientConfig());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    return new KafkaConsumer<>(
        p, new StringDeserializer(), Topics.SEND_COMMANDS.valueSerde().deserializer());
  }
}
