package io.herald.sender.metrics;

import io.herald.sender.delivery.Outcome;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The seed's two waiting times (issue 20) as Prometheus histograms: queue time, from the
 * occurrence's due instant to the transport's answer that sent it, and send time, from an attempt's
 * committed claim to the transport's answer. Explicit buckets instead of Micrometer's default
 * ladder: a dozen readable {@code le} values per series instead of about seventy.
 */
public final class DeliveryTimes {

  /** Values of the {@code answer} tag of {@code herald_sender_send_time_seconds}. */
  public static final List<String> ANSWERS =
      List.of("sent", "transient", "unknown", "permanent", "account_danger");

  /**
   * A command due now is sent within seconds, one deferred by quiet hours or the messaging limit
   * hours later: both must land in a bucket of their own.
   */
  static final Duration[] QUEUE_TIME_BUCKETS = {
    Duration.ofSeconds(1),
    Duration.ofSeconds(5),
    Duration.ofSeconds(15),
    Duration.ofSeconds(30),
    Duration.ofMinutes(1),
    Duration.ofMinutes(2),
    Duration.ofMinutes(5),
    Duration.ofMinutes(10),
    Duration.ofMinutes(15),
    Duration.ofMinutes(30),
    Duration.ofHours(1),
    Duration.ofHours(2),
    Duration.ofHours(4),
    Duration.ofHours(8),
    Duration.ofHours(12),
    Duration.ofHours(24)
  };

  /** Ledger round trips take milliseconds, a slow gateway up to its 30 s timeout. */
  static final Duration[] SEND_TIME_BUCKETS = {
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofSeconds(60)
  };

  private final Timer queueTime;
  private final Map<String, Timer> sendTimes = new ConcurrentHashMap<>();

  DeliveryTimes(MeterRegistry registry) {
    queueTime =
        Timer.builder("herald.sender.queue.time")
            .description("From the occurrence's due instant to the transport's answer that sent it")
            .serviceLevelObjectives(QUEUE_TIME_BUCKETS)
            .register(registry);
    for (String a : ANSWERS) {
      sendTimes.put(
          a,
          Timer.builder("herald.sender.send.time")
              .description("From an attempt's committed claim to the transport's answer")
              .tag("answer", a)
              .serviceLevelObjectives(SEND_TIME_BUCKETS)
              .register(registry));
    }
  }

  /**
   * A delivery was recorded {@code sent}: how long after its occurrence was due the transport's
   * answer said so. Negative (a sender clock behind the scheduler's) counts as zero.
   */
  public void sent(Instant occurrenceAt, Instant answeredAt) {
    if (occurrenceAt == null || answeredAt == null) {
      return;
    }
    queueTime.record(atLeastZero(Duration.between(occurrenceAt, answeredAt)));
  }

  /** One attempt, from its committed claim (or begin) to the transport's classified answer. */
  public void answered(Outcome answer, Duration sinceClaim) {
    sendTimes.get(answer(answer)).record(atLeastZero(sinceClaim));
  }

  static String answer(Outcome o) {
    if (o instanceof Outcome.Sent) {
      return "sent";
    }
    if (o instanceof Outcome.Transient) {
      return "transient";
    }
    if (o instanceof Outcome.Unknown) {
      return "unknown";
    }
    if (o instanceof Outcome.Permanent) {
      return "permanent";
    }
    return "account_danger";
  }

  private static Duration atLeastZero(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }
}
