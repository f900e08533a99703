package io.herald.bench.herald;

import io.herald.bench.report.ResultRow;
import io.herald.bench.scenario.BenchContext;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.DeliveryResult;
import io.herald.contracts.topic.Topics;
import io.herald.sender.app.SenderApp;
import io.herald.sender.config.SenderConfig;
import io.micrometer.core.instrument.Counter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Herald's side of the duplicate race: two producers write the same N send-commands (same {@code
 * CommandId}s: one occurrence of one broadcast to N recipients) into the real {@link SenderApp}
 * with its claim-before-send ledger, the second starting {@code lag} later — what a scheduler
 * re-emitting an occurrence (a retried transaction, a restarted instance) would do. Counts
 * transport calls per occurrence from the {@code deliveries} ledger ({@code attempts}), delivery
 * results per command id, and the sender's suppressed-duplicate counter.
 */
public final class HeraldDupRace {

  private HeraldDupRace() {}

  /** One race of {@code n} commands written twice; the row's metrics match the BullMQ rows'. */
  public static ResultRow run(BenchContext ctx, String scenario, int n, long lagMillis, long budget)
      throws Exception {
    HeraldWiring.truncate(ctx);
    SenderThroughputScenario.insertDevices(ctx);
    SenderKafka.recreateTopics(ctx);
    String group = "bench-dup-race-" + ctx.runId() + "-" + lagMillis;
    Map<String, String> env = SenderThroughputScenario.overrides(Duration.ZERO, group);
    env.putAll(SenderThroughputScenario.connection(ctx));
    try (SenderApp app = SenderApp.start(SenderConfig.fromEnv(env), env::get, Clock.systemUTC())) {
      SenderThroughputScenario.awaitReady(app, Duration.ofSeconds(120));
      String scheduleKey =
          ScheduleKind.BROADCAST.keyFor(
              new UUID(0xd0b1_0000_0000_4000L, 0x8000_0000_0000_0000L | lagMillis).toString());
      Instant occurrence = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      List<ProducerRecord<String, SendCommand>> records = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        records.add(
            SenderKafka.record(
                scheduleKey,
                occurrence,
                HeraldBurstScenario.device(i % SenderThroughputScenario.DEVICES),
                HeraldBurstScenario.phone(i),
                PacingSpec.none()));
      }
      ctx.progress("dup-race: herald, %,d commands written twice, %d ms apart", n, lagMillis);
      try (KafkaConsumer<String, DeliveryResult> results = SenderKafka.resultConsumer(ctx)) {
        List<TopicPartition> parts =
            results.partitionsFor(Topics.DELIVERY_RESULTS.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        results.assign(parts);
        results.seekToBeginning(parts);
        results.poll(Duration.ZERO);
        long start = System.currentTimeMillis() + 200;
        race(ctx, records, start, lagMillis);
        long deadline = start + budget;
        SenderKafka.Drain drain = SenderKafka.drain(results, n, deadline);
        // Every second copy must reach its claim (and be suppressed there) before counting: the
        // race is over when the suppressed counter reaches N or the budget ends.
        double suppressed = suppressed(app);
        while (suppressed < n && System.currentTimeMillis() < deadline) {
          Thread.sleep(50);
          suppressed = suppressed(app);
        }
        // Whatever arrives after the N distinct results is a repeat of one of them.
        SenderKafka.Drain late = SenderKafka.drain(results, n, nowPlus(500));
        long[] ledger = ledger(ctx);
        long calls = ledger[1];
        ResultRow.Builder row =
            ResultRow.of(
                scenario,
                String.format(
                    Locale.ROOT, "%,d occurrences, 2 writers, second %,d ms later", n, lagMillis),
                "herald",
                false);
        row.metric("occurrences", n);
        row.metric("executed", ledger[0]);
        row.metric("executions", calls);
        row.metric("duplicates", Math.max(0, calls - ledger[0]));
        row.metric("misses", n - ledger[0]);
        row.metric("suppressed", Math.round(suppressed));
        row.metric("results", drain.count);
        row.metric("repeated results", drain.repeated + late.count + late.repeated);
        return row.note(
                "executions = transport calls (deliveries.attempts), executed = ledger rows sent;"
                    + " both copies share a device key, so one lane meets them in turn and the"
                    + " ledger's claim suppresses the second")
            .build();
      }
    } finally {
      HeraldScheduler.deleteTopics(ctx.infra(), "bench-sender");
      HeraldWiring.truncate(ctx);
    }
  }

  /** Two producers, the same records, the second starting {@code lag} after the first. */
  private static void race(
      BenchContext ctx, List<ProducerRecord<String, SendCommand>> records, long start, long lag)
      throws Exception {
    List<Exception> failures = new CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int k = 0; k < 2; k++) {
      long at = start + k * lag;
      Thread t =
          new Thread(
              () -> {
                try (KafkaProducer<String, SendCommand> producer = SenderKafka.producer(ctx)) {
                  producer.partitionsFor(Topics.SEND_COMMANDS.name());
                  BenchContext.sleepUntil(at);
                  for (ProducerRecord<String, SendCommand> r : records) {
                    producer.send(r);
                  }
                  producer.flush();
                } catch (Exception e) {
                  failures.add(e);
                }
              },
              "bench-dup-race-writer-" + k);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
  }

  private static double suppressed(SenderApp app) {
    Counter c = app.registry().find("herald.sender.duplicates.suppressed").counter();
    return c == null ? 0 : c.count();
  }

  /** Ledger rows with status sent, and transport calls over all rows (sum of attempts). */
  private static long[] ledger(BenchContext ctx) throws Exception {
    try (Connection c = ctx.infra().database().connection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*) FILTER (WHERE status = 'sent'), coalesce(sum(attempts), 0)"
                    + " FROM deliveries");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2)};
    }
  }

  private static long nowPlus(long millis) {
    return System.currentTimeMillis() + millis;
  }
}
