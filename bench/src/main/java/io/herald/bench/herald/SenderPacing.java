package io.herald.bench.herald;

import io.herald.bench.report.ResultRow;
import io.herald.bench.scenario.BenchContext;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.DeliveryResult;
import io.herald.contracts.topic.Topics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;

/**
 * Pacing accuracy for {@link SenderThroughputScenario}: one device, manual pacing, no jitter; gap =
 * next call's claim − previous call's claim in the {@code deliveries} ledger (a set delay is a gap
 * between starts, ADR 0020).
 */
final class SenderPacing {

  private SenderPacing() {}

  static ResultRow pacing(BenchContext ctx, int messages, Duration latency, long budget)
      throws Exception {
    String scheduleKey =
        ScheduleKind.BROADCAST.keyFor(
            new UUID(0x5e0d_0000_0000_4000L, 0x8000_0000_0000_0aceL).toString());
    Instant occurrence = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    PacingSpec spec =
        new PacingSpec("manual", SenderThroughputScenario.PACING_DELAY_SECONDS, false, null, null);
    ctx.progress(
        "sender: pacing, %d messages %d s apart",
        messages, SenderThroughputScenario.PACING_DELAY_SECONDS);
    SenderKafka.Drain drain;
    try (KafkaConsumer<String, DeliveryResult> results = SenderKafka.resultConsumer(ctx);
        KafkaProducer<String, SendCommand> producer = SenderKafka.producer(ctx)) {
      List<TopicPartition> parts =
          results.partitionsFor(Topics.DELIVERY_RESULTS.name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      results.assign(parts);
      results.seekToEnd(parts);
      results.poll(Duration.ZERO);
      for (int i = 0; i < messages; i++) {
        producer.send(
            SenderKafka.record(
                scheduleKey,
                occurrence,
                SenderThroughputScenario.PACING_DEVICE,
                HeraldBurstScenario.phone(900_000 + i),
                spec));
      }
      producer.flush();
      drain =
          SenderKafka.drain(
              results,
              messages,
              System.currentTimeMillis()
                  + messages * 1000L * SenderThroughputScenario.PACING_DELAY_SECONDS
                  + budget);
    }
    List<long[]> calls = new ArrayList<>(); // {claimed_at, finished_at} in micros
    try (Connection c = ctx.infra().database().connection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT claimed_at, finished_at FROM deliveries WHERE device_id = ?::uuid"
                    + " AND status = 'sent' ORDER BY claimed_at")) {
      ps.setString(1, SenderThroughputScenario.PACING_DEVICE);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          calls.add(new long[] {micros(rs.getTimestamp(1)), micros(rs.getTimestamp(2))});
        }
      }
    }
    int gaps = Math.max(0, calls.size() - 1);
    double configured = SenderThroughputScenario.PACING_DELAY_SECONDS * 1000.0;
    double[] gapMs = new double[gaps];
    double[] idle = new double[gaps];
    double[] errorPct = new double[gaps];
    for (int i = 0; i < gaps; i++) {
      gapMs[i] = (calls.get(i + 1)[0] - calls.get(i)[0]) / 1000.0;
      idle[i] = (calls.get(i + 1)[0] - calls.get(i)[1]) / 1000.0;
      errorPct[i] = Math.abs(gapMs[i] - configured) / configured * 100;
    }
    Arrays.sort(errorPct);
    Arrays.sort(gapMs);
    Arrays.sort(idle);
    ResultRow.Builder row =
        ResultRow.of(
            "sender",
            String.format(
                Locale.ROOT,
                "pacing: 1 device, manual %d s, %d messages, %d ms latency",
                SenderThroughputScenario.PACING_DELAY_SECONDS,
                messages,
                latency.toMillis()),
            "herald",
            false);
    row.metric("results", drain.count);
    row.metric("gaps", gaps);
    row.metric("gap min ms", gaps == 0 ? "—" : round1(gapMs[0]));
    row.metric("gap p50 ms", gaps == 0 ? "—" : round1(rank(gapMs, 0.5)));
    row.metric("gap max ms", gaps == 0 ? "—" : round1(gapMs[gaps - 1]));
    row.metric("error p50 %", gaps == 0 ? "—" : round2(rank(errorPct, 0.5)));
    row.metric("error p99 %", gaps == 0 ? "—" : round2(rank(errorPct, 0.99)));
    row.metric("finish-to-next-claim p50 ms", gaps == 0 ? "—" : round1(rank(idle, 0.5)));
    return row.note(
            "gap = claim of the next call − claim of the previous one (a set delay is a gap"
                + " between starts); error = |gap − "
                + (long) configured
                + " ms| ÷ "
                + (long) configured
                + " ms"
                + (gaps < 100 ? "; with " + gaps + " gaps, p99 is the largest error" : ""))
        .build();
  }

  private static long micros(Timestamp ts) {
    return ts == null ? 0 : ts.getTime() / 1000 * 1_000_000 + ts.getNanos() / 1000;
  }

  private static double rank(double[] sorted, double q) {
    int r = Math.max(1, (int) Math.ceil(q * sorted.length));
    return sorted[r - 1];
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
