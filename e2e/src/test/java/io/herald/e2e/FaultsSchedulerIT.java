package io.herald.e2e;

import static io.herald.e2e.E2e.assertClean;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.topic.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Faults of the scheduling half: fault 1 (the scheduler SIGKILLed during a 10,000-recipient
 * fan-out, restarted) and fault 6 (the scheduler's host clock jumping forward and backward, through
 * the production app with an injected wall clock: {@link SkewedClockSchedulerMain}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsSchedulerIT {

  private static final Logger log = LoggerFactory.getLogger(FaultsSchedulerIT.class);
  private final Pipeline pipeline = Pipeline.shared();

  /**
   * Recipients of the fan-out: 10,000 (also in the nightly mode); {@code -Dherald.faults.fanout}.
   */
  static int fanOutSize() {
    return Integer.getInteger("herald.faults.fanout", 10_000);
  }

  /**
   * The scheduler is SIGKILLed while it emits a 10,000-recipient fan-out (1,000 commands a second,
   * 250 per tick), then started again on the same state. Checked in full on both sides:
   *
   * <ul>
   *   <li>scheduler: the committed commands of the fan-out on {@code herald.send-commands}
   *       (read_committed, from the offsets before the test) are exactly the 10,000 implied command
   *       ids, each once: no duplicate, no gap;
   *   <li>sender: every implied id has a final ledger status {@code sent}; the fan-out's device
   *       uses the sender's simulated transport (the whole claim / send / result path without HTTP,
   *       so the 10,000 take seconds, not the fake's ~100 s); six other schedules on six devices go
   *       through the fake Cloud API and are judged by what it received (duplicates, lost,
   *       unexpected). The nightly mode ({@code -Dherald.faults.repeat>1}) sends the fan-out
   *       through the fake too.
   * </ul>
   */
  @Test
  @Order(1)
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void fault1SchedulerKilledDuringTenThousandRecipientFanOut() {
    boolean nightly = Verdict.repeat() > 1;
    int size = fanOutSize();
    for (int run = 1; run <= Verdict.repeat(); run++) {
      pipeline.ensureRunning();
      long t0 = System.nanoTime();
      Workload w = new Workload(pipeline);
      Workload.Device big = nightly ? w.device() : w.simulatedDevice();
      for (int i = 0; i < 6; i++) {
        w.device();
      }
      String topic = Topics.SEND_COMMANDS.name();
      Map<TopicPartition, Long> before = pipeline.endOffsets(topic);
      TopicPartition bigPartition =
          new TopicPartition(topic, Pipeline.partitionOf(big.id(), before.size()));
      Workload.Planned fanOut = w.broadcastAt(big, w.phones(size), Workload.in(3));
      for (int i = 1; i < 5; i++) {
        w.broadcastAt(w.devices.get(i), w.phones(100), Workload.in(3 + i));
      }
      w.recurringOnceAt(w.devices.get(5), w.phones(50), Workload.in(5));
      w.recurringOnceAt(w.devices.get(6), w.phones(50), Workload.in(6));
      w.produceAll();
      // Mid fan-out: a quarter of it is on the topic (uncommitted included), the rest is not.
      long killAt = before.get(bigPartition) + size / 4;
      await("fan-out under way")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> pipeline.endOffsets(topic).get(bigPartition) >= killAt);
      pipeline.scheduler().kill();
      long emittedAtKill = pipeline.endOffsets(topic).get(bigPartition) - before.get(bigPartition);
      assertThat(emittedAtKill)
          .as("the kill landed during the fan-out (records on its partition)")
          .isLessThan(size);
      pipeline.scheduler().start().awaitReady(Pipeline.START_TIMEOUT);
      Verdict v =
          Verdict.settleAndMeasure(
              "1 scheduler SIGKILL during "
                  + size
                  + "-recipient fan-out"
                  + (nightly ? "" : " (fan-out via simulated transport)"),
              run,
              w,
              Duration.ofSeconds(240),
              t0);
      assertClean(v, 0);
      assertThat(v.sent()).as("every implied command sent: " + v).isEqualTo(v.expected());
      // Exactly-once in the scheduler: every command of the fan-out committed once, none missing.
      Map<String, Integer> onTopic = new HashMap<>();
      for (ConsumerRecord<String, byte[]> r : pipeline.readCommittedFrom(topic, before)) {
        if (big.id().equals(r.key())) {
          SendCommand c =
              Topics.SEND_COMMANDS.valueSerde().deserializer().deserialize(r.topic(), r.value());
          if (fanOut.key().equals(c.scheduleKey())) {
            onTopic.merge(c.commandId().value(), 1, Integer::sum);
          }
        }
      }
      Map<String, String> implied = new HashMap<>();
      for (String recipient : fanOut.recipients()) {
        implied.put(
            CommandId.of(fanOut.key(), fanOut.occurrences().get(0), recipient).value(), recipient);
      }
      assertThat(onTopic.keySet())
          .as("fan-out commands on the topic = the implied ids (no gap)")
          .isEqualTo(implied.keySet());
      assertThat(onTopic.values())
          .as("commands emitted twice by the scheduler")
          .allMatch(n -> n == 1);
      log.info(
          "fault 1 run {}: kill after {} records on the fan-out's partition; {} commands"
              + " committed once each",
          run,
          emittedAtKill,
          onTopic.size());
    }
  }

  @Test
  @Order(6)
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void fault6SchedulerClockJumpsForwardAndBackward() throws IOException {
    Path offsetFile = pipeline.stateDir.resolve("clock-offset-ms");
    Files.createDirectories(offsetFile.getParent());
    Files.writeString(offsetFile, "0");
    pipeline.schedulerEnv("HERALD_E2E_CLOCK_OFFSET_FILE", offsetFile.toString());
    try {
      pipeline.restartSchedulerAs(SkewedClockSchedulerMain.class.getName());
      for (int run = 1; run <= Verdict.repeat(); run++) {
        pipeline.ensureRunning();
        SkewedClockSchedulerMain.jump(offsetFile, 0);
        long t0 = System.nanoTime();
        Workload w = new Workload(pipeline);
        for (int i = 0; i < 4; i++) {
          w.device();
        }
        // Forward 5 minutes: due instants inside the jump fire at once, each exactly once.
        SkewedClockSchedulerMain.jump(offsetFile, Duration.ofMinutes(5).toMillis());
        Instant skewedNow = Instant.now().plus(Duration.ofMinutes(5));
        w.broadcastAt(w.devices.get(0), w.phones(50), skewedNow.plusSeconds(4));
        w.recurringEveryMinute(w.devices.get(1), w.phones(20), 2);
        w.produceAll();
        await("fired after the forward jump")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> Verdict.statuses(w).size() >= 90);
        // Backward 10 minutes (to real time minus 5 minutes): what is due by the scheduler's
        // clock from now on must still fire when that clock reaches it.
        SkewedClockSchedulerMain.jump(offsetFile, -Duration.ofMinutes(5).toMillis());
        Instant skewedBack = Instant.now().minus(Duration.ofMinutes(5));
        w.broadcastAt(
            w.devices.get(2),
            w.phones(50),
            skewedBack.plusSeconds(4).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        w.produceAll();
        Verdict v =
            Verdict.settleAndMeasure(
                "6 scheduler clock jumps +5 min, -10 min", run, w, Duration.ofSeconds(90), t0);
        assertClean(v, 0, w);
      }
    } finally {
      Files.writeString(offsetFile, "0");
      pipeline.restartSchedulerAs("io.herald.scheduler.app.SchedulerApp");
      pipeline.ensureRunning();
    }
  }
}
