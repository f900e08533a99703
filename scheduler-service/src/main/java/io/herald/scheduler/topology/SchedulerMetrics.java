package io.herald.scheduler.topology;

import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.ErrorReason;
import io.herald.contracts.outcome.SkipReasons;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The scheduler's meters. Tags are bounded (kind, reason); never a phone number, text, tenant or
 * schedule key. Every known series is registered up front so dashboards see zeros, not gaps.
 *
 * <p>Gauges sum over the tasks this instance currently owns: each task registers its own {@link
 * TaskGauges} on init and removes it on close, so a revoked task stops counting.
 */
public final class SchedulerMetrics {

  private final MeterRegistry registry;
  private final Map<ScheduleKind, Counter> occurrencesFired = new EnumMap<>(ScheduleKind.class);
  private final Map<ScheduleKind, Counter> commandsEmitted = new EnumMap<>(ScheduleKind.class);
  private final Map<ErrorReason, Counter> scheduleErrors = new EnumMap<>(ErrorReason.class);
  private final Counter deadLetters;
  private final Map<String, Counter> setAside = new java.util.HashMap<>();
  private final Counter recordsDropped;
  private final Counter recipientsUnrenderable;
  private final Map<String, Counter> recipientsSkipped = new java.util.HashMap<>();

  /** Where a schedule can be set aside after a failure its content caused. */
  static final List<String> SET_ASIDE_STAGES =
      List.of("change", "recheck", "fire", "fan-out", "contact", "device");

  private final Timer lateness;
  private final Map<Object, TaskGauges> tasks = new ConcurrentHashMap<>();

  /** Commands emitted since 00:00 UTC of {@link #todayEpochDay}; reset when the day changes. */
  private final AtomicLong emittedToday = new AtomicLong();

  private volatile long todayEpochDay = currentEpochDay();

  public SchedulerMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (ScheduleKind kind : ScheduleKind.values()) {
      String k = kind.wire();
      occurrencesFired.put(
          kind,
          Counter.builder("herald.scheduler.occurrences.fired")
              .description("Occurrences fired")
              .tag("kind", k)
              .register(registry));
      commandsEmitted.put(
          kind,
          Counter.builder("herald.scheduler.commands.emitted")
              .description("Send-commands emitted by fan-out")
              .tag("kind", k)
              .register(registry));
      Gauge.builder("herald.scheduler.active.schedules", this, m -> m.sum(g -> g.active(kind)))
          .description("Schedules with an armed timer or an unfinished fan-out")
          .tag("kind", k)
          .register(registry);
    }
    for (ErrorReason reason : ErrorReason.values()) {
      scheduleErrors.put(
          reason,
          Counter.builder("herald.scheduler.schedule.errors")
              .description("Rejected schedule definitions")
              .tag("reason", reason.name().toLowerCase(Locale.ROOT))
              .register(registry));
    }
    deadLetters =
        Counter.builder("herald.scheduler.dead.letters")
            .description("Undeserializable records sent to a dead-letter topic")
            .register(registry);
    for (String stage : SET_ASIDE_STAGES) {
      setAside.put(
          stage,
          Counter.builder("herald.scheduler.set.aside")
              .description(
                  "Schedules (or contact/device records) set aside after a failure their "
                      + "content caused; the rest of the pipeline carried on")
              .tag("stage", stage)
              .register(registry));
    }
    recordsDropped =
        Counter.builder("herald.scheduler.records.dropped")
            .description(
                "Records Kafka refused to take (too large) that were dropped so that the "
                    + "task could carry on; each is logged at ERROR")
            .register(registry);
    recipientsUnrenderable =
        Counter.builder("herald.scheduler.recipients.unrenderable")
            .description(
                "Recipients skipped because the message rendered for them was longer "
                    + "than WhatsApp accepts")
            .register(registry);
    for (String reason : SkipReasons.ALL) {
      recipientsSkipped.put(
          reason,
          Counter.builder("herald.scheduler.recipients.skipped")
              .description("Recipients the fan-out gave a skipped result instead of a command")
              .tag("reason", reason)
              .register(registry));
    }
    // A Timer exports as herald_scheduler_timer_lateness_seconds (histogram) in Prometheus.
    lateness =
        Timer.builder("herald.scheduler.timer.lateness")
            .description("Fire time minus due instant")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofHours(1))
            .register(registry);
    Gauge.builder("herald.scheduler.pending.timers", this, m -> m.sum(TaskGauges::pendingTimers))
        .description("Armed timers in the timers store")
        .register(registry);
    Gauge.builder("herald.scheduler.queued.today", this, SchedulerMetrics::queuedToday)
        .description("Send-commands this instance emitted since 00:00 UTC (resets on restart)")
        .register(registry);
    Gauge.builder("herald.scheduler.due.now", this, m -> m.sum(TaskGauges::dueNow))
        .description("Timers due at the last punctuation (backlog when it stays high)")
        .register(registry);
    for (int i = 0; i < DueSoonScan.WITHIN.size(); i++) {
      int window = i;
      Gauge.builder("herald.scheduler.due.soon", this, m -> m.sum(g -> g.dueSoon(window)))
          .description("Armed timers due from now to now plus the window, at the last scan")
          .tag("within", DueSoonScan.WITHIN.get(i))
          .register(registry);
    }
    Gauge.builder("herald.scheduler.due.soon.capped", this, m -> m.sum(TaskGauges::dueSoonCapped))
        .description(
            "Tasks whose last due-soon scan stopped at its cap: the counts are lower bounds")
        .register(registry);
  }

  /** Metrics into a throw-away registry, for tests and tools that do not scrape. */
  public static SchedulerMetrics noop() {
    return new SchedulerMetrics(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  void occurrenceFired(ScheduleKind kind) {
    occurrencesFired.get(kind).increment();
  }

  void commandsEmitted(ScheduleKind kind, int n) {
    if (n > 0) {
      commandsEmitted.get(kind).increment(n);
      rollDay();
      emittedToday.addAndGet(n);
    }
  }

  private double queuedToday() {
    rollDay();
    return emittedToday.get();
  }

  private synchronized void rollDay() {
    long day = currentEpochDay();
    if (day != todayEpochDay) {
      todayEpochDay = day;
      emittedToday.set(0);
    }
  }

  private static long currentEpochDay() {
    return Math.floorDiv(System.currentTimeMillis(), 86_400_000L);
  }

  void scheduleError(ErrorReason reason) {
    scheduleErrors.get(reason).increment();
  }

  void deadLetter() {
    deadLetters.increment();
  }

  void setAside(String stage) {
    Counter c = setAside.get(stage);
    if (c != null) {
      c.increment();
    }
  }

  /** Counted from the production exception handler (any thread). */
  public void recordDropped() {
    recordsDropped.increment();
  }

  void recipientUnrenderable() {
    recipientsUnrenderable.increment();
  }

  /** A recipient got a skipped result at fan-out; {@code reason} is one of {@link SkipReasons}. */
  void recipientSkipped(String reason) {
    Counter c = recipientsSkipped.get(reason);
    if (c != null) {
      c.increment();
    }
  }

  void lateness(Duration late) {
    lateness.record(late.isNegative() ? Duration.ZERO : late);
  }

  TaskGauges registerTask(Object taskId) {
    TaskGauges g = new TaskGauges();
    tasks.put(taskId, g);
    return g;
  }

  void unregisterTask(Object taskId, TaskGauges gauges) {
    tasks.remove(taskId, gauges);
  }

  private double sum(java.util.function.ToLongFunction<TaskGauges> f) {
    long total = 0;
    for (TaskGauges g : tasks.values()) {
      total += f.applyAsLong(g);
    }
    return total;
  }

  /** Gauge values of one task; written by its stream thread, read by the scrape. */
  static final class TaskGauges {
    private final Map<ScheduleKind, AtomicLong> active = new EnumMap<>(ScheduleKind.class);
    private final AtomicLong pendingTimers = new AtomicLong();
    private final AtomicLong dueNow = new AtomicLong();
    private final AtomicLongArray dueSoon = new AtomicLongArray(DueSoonScan.WITHIN.size());
    private volatile boolean dueSoonCapped;

    TaskGauges() {
      for (ScheduleKind kind : ScheduleKind.values()) {
        active.put(kind, new AtomicLong());
      }
    }

    long active(ScheduleKind kind) {
      return active.get(kind).get();
    }

    void addActive(ScheduleKind kind, long delta) {
      if (kind != null) {
        active.get(kind).addAndGet(delta);
      }
    }

    long pendingTimers() {
      return pendingTimers.get();
    }

    void addPendingTimers(long delta) {
      pendingTimers.addAndGet(delta);
    }

    void setPendingTimers(long value) {
      pendingTimers.set(value);
    }

    long dueNow() {
      return dueNow.get();
    }

    void setDueNow(long value) {
      dueNow.set(value);
    }

    long dueSoon(int window) {
      return dueSoon.get(window);
    }

    long dueSoonCapped() {
      return dueSoonCapped ? 1 : 0;
    }

    void setDueSoon(long[] within, boolean capped) {
      for (int i = 0; i < within.length; i++) {
        dueSoon.set(i, within[i]);
      }
      dueSoonCapped = capped;
    }

    void resetActive() {
      active.values().forEach(a -> a.set(0));
    }
  }
}
