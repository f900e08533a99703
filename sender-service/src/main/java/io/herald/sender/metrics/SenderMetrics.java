package io.herald.sender.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The sender's meters. Every known series is registered at start (a dashboard shows 0, not "no
 * data"); tags are bounded: result and transport kind, never a device, phone or text.
 */
public final class SenderMetrics {

  /** Values of the {@code result} tag of {@code herald_sender_deliveries_total}. */
  public static final List<String> RESULTS =
      List.of("sent", "retry", "failed", "unknown", "skipped", "expired");

  private final MeterRegistry registry;
  private final Map<String, Counter> deliveries = new ConcurrentHashMap<>();
  private final Timer sendLatency;
  private final DeliveryTimes times;
  private final Counter commandsReceived;
  private final Counter devicePaused;
  private final Counter retries;
  private final Counter deferredByLimit;
  private final Counter deferredByQuietHours;
  private final Counter frequencyCapped;
  private final Counter duplicates;
  private final Counter unknowns;
  private final Counter claimsLost;
  private final Counter deadLetters;
  private final Counter laneErrors;
  private final Counter resultPublishFailures;
  private final Counter projectorDeadLetters;
  private final Counter projectorFailures;
  private final AtomicLong consumerLag = new AtomicLong();
  private final Map<String, DistributionSummary> batchSizes = new ConcurrentHashMap<>();
  private final Map<String, Timer> batchDurations = new ConcurrentHashMap<>();
  private final Map<String, Counter> batchFailures = new ConcurrentHashMap<>();

  /** Values of the {@code op} tag of the database batch meters. */
  public static final List<String> BATCH_OPS =
      List.of("claim", "finish", "opt_out", "contact_window");

  private final Counter parkedTotal;

  public SenderMetrics(MeterRegistry registry, List<String> transportKinds) {
    this.parkedTotal =
        Counter.builder("herald.sender.parked")
            .description("Commands parked durably by lanes over their read-ahead or held")
            .register(registry);
    this.registry = registry;
    for (String t : transportKinds) {
      for (String r : RESULTS) {
        deliveries(r, t);
      }
    }
    for (String r : RESULTS) {
      deliveries(r, "none");
    }
    sendLatency =
        Timer.builder("herald.sender.send.latency")
            .description("Transport call latency")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
    times = new DeliveryTimes(registry);
    commandsReceived =
        Counter.builder("herald.sender.commands.received")
            .description("Valid send-commands handed to a device lane (a redelivery counts again)")
            .register(registry);
    devicePaused =
        Counter.builder("herald.sender.device.paused")
            .description("Devices paused on an account-danger answer (alert on any increase)")
            .register(registry);
    retries =
        Counter.builder("herald.sender.retries")
            .description("Retries scheduled")
            .register(registry);
    deferredByLimit =
        Counter.builder("herald.sender.deferred")
            .description("Sends deferred by admission (the number's messaging limit), never failed")
            .tag("reason", "messaging_limit")
            .register(registry);
    deferredByQuietHours =
        Counter.builder("herald.sender.deferred")
            .description("Sends deferred by admission (the number's messaging limit), never failed")
            .tag("reason", "quiet_hours")
            .register(registry);
    frequencyCapped =
        Counter.builder("herald.sender.frequency.capped")
            .description(
                "Recipients skipped because the tenant's frequency cap for them was reached")
            .register(registry);
    duplicates =
        Counter.builder("herald.sender.duplicates.suppressed")
            .description("Commands whose id already had an outcome: not sent again")
            .register(registry);
    unknowns =
        Counter.builder("herald.sender.unknown.outcomes")
            .description("Commands claimed by an owner that never confirmed: reported, not resent")
            .register(registry);
    claimsLost =
        Counter.builder("herald.sender.claims.lost")
            .description(
                "Claims the ledger refused to a sender that no longer owns them (a zombie after a"
                    + " rebalance or a pause, or a row another owner took): no call, no result")
            .register(registry);
    deadLetters =
        Counter.builder("herald.sender.dead.letters")
            .description(
                "Send-commands sent to the dead-letter topic: unreadable, invalid, or handling"
                    + " them failed")
            .register(registry);
    laneErrors =
        Counter.builder("herald.sender.lane.errors")
            .description("Lane steps that failed (database or bug) and were retried")
            .register(registry);
    resultPublishFailures =
        Counter.builder("herald.sender.result.publish.failures")
            .description("Delivery results Kafka did not accept (the ledger row stays the truth)")
            .register(registry);
    projectorDeadLetters =
        Counter.builder("herald.sender.projector.dead.letters")
            .description(
                "Delivery results the projector could not read or write (data errors), sent to"
                    + " herald.delivery-results.dlq")
            .register(registry);
    projectorFailures =
        Counter.builder("herald.sender.projector.failures")
            .description(
                "Projection attempts that failed on the database or the broker (retried with"
                    + " backoff)")
            .register(registry);
    Gauge.builder("herald.sender.consumer.lag", consumerLag, AtomicLong::get)
        .description("Records behind the end of the assigned partitions, summed")
        .register(registry);
    for (String op : BATCH_OPS) {
      batchSizes.put(
          op,
          DistributionSummary.builder("herald.sender.db.batch.size")
              .description("Requests per group-committed database batch (1 = no sharing)")
              .tag("op", op)
              .serviceLevelObjectives(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
              .register(registry));
      batchDurations.put(
          op,
          Timer.builder("herald.sender.db.batch.duration")
              .description("Time of one database batch, commit included")
              .tag("op", op)
              .publishPercentileHistogram()
              .minimumExpectedValue(Duration.ofMillis(1))
              .maximumExpectedValue(Duration.ofSeconds(10))
              .register(registry));
      batchFailures.put(
          op,
          Counter.builder("herald.sender.db.batch.failures")
              .description("Database batches that failed (their requests are retried by the lanes)")
              .tag("op", op)
              .register(registry));
    }
  }

  /**
   * Records one database batch of {@code op} ({@link #BATCH_OPS}).
   *
   * @param ok false when the batch failed and every request in it with it
   */
  public void dbBatch(String op, int size, long nanos, boolean ok) {
    DistributionSummary s = batchSizes.get(op);
    if (s == null) {
      throw new IllegalArgumentException("unknown batch op " + op);
    }
    s.record(size);
    batchDurations.get(op).record(nanos, TimeUnit.NANOSECONDS);
    if (!ok) {
      batchFailures.get(op).increment();
    }
  }

  /**
   * Registers the lane gauges, read from the lane scheduler. Strong references: the suppliers are
   * lambdas nobody else holds, and Micrometer's default weak reference would let them be collected.
   */
  public void bindLanes(
      Supplier<Number> depth,
      Supplier<Number> active,
      Supplier<Number> paused,
      Supplier<Number> maxAdaptiveFactor) {
    Gauge.builder("herald.sender.lane.depth", depth, s -> s.get().doubleValue())
        .description("Commands waiting in all device lanes")
        .strongReference(true)
        .register(registry);
    Gauge.builder("herald.sender.lanes.active", active, s -> s.get().doubleValue())
        .description("Device lanes with commands")
        .strongReference(true)
        .register(registry);
    Gauge.builder("herald.sender.paused.devices", paused, s -> s.get().doubleValue())
        .description("Device lanes held because their device is paused")
        .strongReference(true)
        .register(registry);
    Gauge.builder(
            "herald.sender.adaptive.factor.max", maxAdaptiveFactor, s -> s.get().doubleValue())
        .description("Highest adaptive slow-down factor over the lanes (1 = none)")
        .strongReference(true)
        .register(registry);
  }

  /** Registers the gauge of transport calls in flight over the lanes (ADR 0020). */
  public void bindInFlight(Supplier<Number> inFlight) {
    Gauge.builder("herald.sender.calls.in.flight", inFlight, s -> s.get().doubleValue())
        .description("Commands of all device lanes between their start and their outcome (W each)")
        .strongReference(true)
        .register(registry);
  }

  /** Registers the gauge of parked commands (ADR 0014), read from the lane scheduler. */
  public void bindParked(Supplier<Number> parked) {
    Gauge.builder("herald.sender.parked.commands", parked, s -> s.get().doubleValue())
        .description(
            "Commands parked in PostgreSQL by lanes over their read-ahead or held, not in memory")
        .strongReference(true)
        .register(registry);
  }

  /** A command was parked durably and its offset released. */
  public void parked() {
    parkedTotal.increment();
  }

  public void delivery(String result, String transport) {
    deliveries(result, transport).increment();
  }

  private Counter deliveries(String result, String transport) {
    String t = transport == null ? "none" : transport.toLowerCase(Locale.ROOT);
    return deliveries.computeIfAbsent(
        result + "|" + t,
        k ->
            Counter.builder("herald.sender.deliveries")
                .description("Outcomes of transport calls and commands")
                .tag("result", result)
                .tag("transport", t)
                .register(registry));
  }

  public void latency(Duration d) {
    sendLatency.record(d);
  }

  /** Queue time and send time (issue 20). */
  public DeliveryTimes times() {
    return times;
  }

  /** A valid command reached a device lane. */
  public void commandReceived() {
    commandsReceived.increment();
  }

  public void devicePaused() {
    devicePaused.increment();
  }

  public void retry(String transport) {
    retries.increment();
    delivery("retry", transport);
  }

  /** A send held back by the number's messaging limit until a slot frees (ADR 0021). */
  public void deferredByMessagingLimit() {
    deferredByLimit.increment();
  }

  /** A send held back to the end of the recipient's quiet hours (issue 19). */
  public void deferredByQuietHours() {
    deferredByQuietHours.increment();
  }

  /** A recipient skipped by its tenant's frequency cap (issue 19). */
  public void frequencyCapped() {
    frequencyCapped.increment();
  }

  public void duplicateSuppressed() {
    duplicates.increment();
  }

  public void unknownOutcome() {
    unknowns.increment();
  }

  /** The ledger refused a claim, begin, release or finish: this sender lost the command. */
  public void claimLost() {
    claimsLost.increment();
  }

  public void deadLetter() {
    deadLetters.increment();
  }

  public void laneError() {
    laneErrors.increment();
  }

  public void resultPublishFailed() {
    resultPublishFailures.increment();
  }

  public void projectorDeadLetter() {
    projectorDeadLetters.increment();
  }

  public void projectorFailure() {
    projectorFailures.increment();
  }

  public void consumerLag(long lag) {
    consumerLag.set(lag);
  }
}
