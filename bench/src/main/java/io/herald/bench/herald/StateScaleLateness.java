package io.herald.bench.herald;

import static io.herald.bench.herald.StateScaleRows.fmt;
import static io.herald.bench.herald.StateScaleRows.show;
import static io.herald.bench.herald.StateScaleRows.value;
import static io.herald.bench.herald.StateScaleRows.verdict;

import io.herald.bench.infra.ExecutionLog;
import io.herald.bench.report.ResultRow;
import io.herald.bench.scenario.BenchContext;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.topic.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Step 5 of {@link StateScaleScenario}, lateness at steady state: on the restored scheduler, once
 * CDC has caught up, one {@code UPDATE} moves 1 % of the schedules into a window starting shortly
 * after; lateness = send-command record timestamp − its {@code occurrenceAt}.
 */
final class StateScaleLateness {

  private StateScaleLateness() {}

  /** Adds the lateness rows for the {@code hot} schedules of {@code n} to {@code rows}. */
  static void measure(
      BenchContext ctx,
      HeraldScheduler herald,
      String slot,
      int n,
      int hot,
      long windowMs,
      long leadMs,
      long drainMs,
      List<ResultRow> rows)
      throws Exception {
    // 5. Lateness at steady state, on the restored scheduler. Steady means CDC has caught up:
    // the projector wrote next_send_at back to all N rows, and Debezium reads each of those
    // updates too (dropped as state-only), so after a large load the slot still holds up to N
    // changes that an edit made now would queue behind.
    HeraldWiring.awaitSlotActive(ctx, slot, Duration.ofSeconds(120), herald);
    long drainStart = System.currentTimeMillis();
    boolean drained = StateScaleProbes.awaitCdcQuiet(herald, Duration.ofMinutes(15));
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
    ctx.progress("state: CDC %s after %,d ms", drained ? "caught up" : "still behind", caughtUpMs);
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
      StateScaleFixture.retime(ctx, n, windowStart, windowMs);
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
          int i = StateScaleFixture.index(c.scheduleKey());
          if (!commandIds.add(c.commandId().value())) {
            duplicates++;
            continue;
          }
          long due = c.occurrenceAt().toEpochMilli();
          if (i < 0
              || i % StateScaleScenario.HOT_EVERY != 0
              || due < windowStart
              || due >= windowEnd) {
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
      rows.add(value("lateness p50, 1 % firing" + ofWhat, show(p.at(0.5), budget), "ms", "—", ""));
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
          value("lateness p99 visible (read_committed)", show(pv.at(0.99), budget), "ms", "—", ""));
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
