package io.herald.scheduler.topology;

import io.herald.contracts.event.DeviceInfo;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.limit.ErrorTexts;
import io.herald.contracts.outcome.ScheduleError;
import io.herald.scheduler.rule.Compilation;
import io.herald.scheduler.rule.CompiledSchedule;
import io.herald.scheduler.rule.RuleCompiler;
import io.herald.scheduler.schedule.Decision;
import io.herald.scheduler.schedule.Definition;
import io.herald.scheduler.schedule.Directory;
import io.herald.scheduler.schedule.Firing;
import io.herald.scheduler.schedule.ScheduleEffects;
import io.herald.scheduler.schedule.ScheduleLifecycle;
import io.herald.scheduler.schedule.ScheduleValidator;
import io.herald.scheduler.schedule.Standing;
import io.herald.scheduler.store.FanOutJob;
import io.herald.scheduler.store.ScheduleState;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task's translator between the stores and the pure {@link ScheduleLifecycle}: reads a
 * schedule's standing, asks the lifecycle, and applies the {@link Decision} to the stores and
 * outputs. Shared by {@link ScheduleChangeProcessor} (changes) and {@link DueTimerPunctuation}
 * (re-checks, due timers, failures), so neither calls the other. The lifecycle gets a change as its
 * own {@link Definition} ({@link WireDefinitions}); the wire change stays here, for the dead letter
 * of a change set aside. Also publishes every change of a schedule's standing on {@code
 * herald.schedule-states}.
 *
 * <p>"Now" comes from a {@link NowSource}: the host's wall clock in production, the task's Streams
 * clock ({@code currentSystemTimeMs}, which the test driver mocks) in tests.
 */
final class DecisionApplier {

  private static final Logger log = LoggerFactory.getLogger(DecisionApplier.class);
  private static final int COMPILED_CACHE_SIZE = 10_000;

  /** Where a firing decision's occurrences go: emitted at once or handed to a fan-out job. */
  interface FiringSink {
    /**
     * @param armed the schedule as stored when its timer went off
     */
    void fire(String key, ScheduleState armed, Firing firing);
  }

  private final ScheduleLifecycle lifecycle;
  private final ProcessorContext<String, Object> context;
  private final SchedulerMetrics metrics;
  private final NowSource nowSource;
  private final SchedulerStores stores;
  private final Directory directory;
  private final ScheduleOutputs outputs;

  /** Compiled rules by schedule key, valid for one generation; a cache, rebuilt after restart. */
  private final Map<String, CachedRule> compiled =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CachedRule> eldest) {
          return size() > COMPILED_CACHE_SIZE;
        }
      };

  private record CachedRule(long generation, CompiledSchedule schedule) {}

  /** Opens the task's stores; their writes of schedule standings are published from here. */
  DecisionApplier(
      ScheduleLifecycle lifecycle,
      ProcessorContext<String, Object> context,
      SchedulerMetrics metrics,
      SchedulerMetrics.TaskGauges gauges,
      NowSource nowSource) {
    this.lifecycle = lifecycle;
    this.context = context;
    this.metrics = metrics;
    this.nowSource = nowSource;
    ScheduleOutputs out = new ScheduleOutputs(context, metrics);
    this.outputs = out;
    this.stores =
        new SchedulerStores(
            context, gauges, (k, before, after) -> out.publishState(k, before, after, now()));
    this.directory = new StoreDirectory(stores);
  }

  SchedulerStores stores() {
    return stores;
  }

  /** Applies one change; a null change (a tombstone) or a DELETE deletes. */
  void change(String key, ScheduleChange change, Instant now) {
    ScheduleState state = stores.schedule(key);
    Definition def = state.definition();
    Decision d =
        lifecycle.onChange(
            key,
            state.standing(),
            def == null ? null : def.createdAt(),
            WireDefinitions.upsert(change),
            directory,
            now);
    apply(key, state, d, null, now);
  }

  /** Re-checks a schedule held for its device or contacts. */
  void recheck(String key, Instant now) {
    ScheduleState state = stores.schedules.get(key);
    if (state == null || state.definition() == null) {
      new Decision.EndWait().applyTo(new Effects(key, ScheduleState.empty(), null, now));
      return;
    }
    Long deadline = stores.deviceWaits.get(key);
    Decision d =
        lifecycle.onRecheck(
            key,
            state.standing(),
            deadline == null ? null : Instant.ofEpochMilli(deadline),
            state.definition(),
            () -> stores.readRecipients(key, 0, state.recipientCount()),
            directory,
            now);
    apply(key, state, d, null, now);
  }

  /** A timer of {@code key} due at {@code dueAt} went off (and was deleted). */
  void due(String key, Instant dueAt, Instant now, FiringSink sink) {
    ScheduleState state = stores.schedules.get(key);
    if (state == null || state.definition() == null) {
      return; // nothing stored to fire
    }
    Decision d =
        lifecycle.onDue(
            state.standing(),
            dueAt,
            () -> compiledFor(key, state),
            lostSession(state.definition().deviceId()),
            now);
    apply(key, state, d, sink, now);
  }

  /**
   * Contains a failure caused by one schedule's content (a defect or an input no check foresaw):
   * the schedule stops (timer, device wait and fan-outs cancelled), is stored as invalid, its row
   * shows why through a {@link ScheduleError}, the change itself goes to the dead-letter topic, and
   * the task carries on with every other schedule. Only a failure of the stores or of Kafka while
   * doing so stops the thread.
   *
   * @param change the change being applied, or null when a stored schedule failed at firing
   * @param stage where it failed, for the reason and the log: change, recheck, fire or fan-out
   */
  void setAside(String key, ScheduleChange change, Throwable failure, String stage) {
    metrics.setAside(stage);
    String what = failure.getClass().getSimpleName();
    log.error(
        "Schedule set aside after a failure caused by its content; every other schedule "
            + "carries on: scheduleKey={} stage={} {} failure={}",
        ErrorTexts.clip(key, 200),
        stage,
        coordinates(),
        what,
        failure);
    ScheduleState state = stores.schedule(key);
    Instant now = now();
    Decision.SetAside d =
        lifecycle.setAside(
            key,
            state.standing(),
            change != null ? WireDefinitions.definition(change) : state.definition(),
            what,
            stage,
            now);
    apply(key, state, d, null, now);
    if (change != null) {
      outputs.deadLetter(key, change, d.reason(), failure, now());
    }
  }

  private void apply(String key, ScheduleState before, Decision d, FiringSink sink, Instant now) {
    d.applyTo(new Effects(key, before, sink, now));
  }

  /**
   * The device's status when its session is lost (the sender's prober marks a gateway, issue 19),
   * else null. An operator's pause is not: the sender holds its commands, its occurrences fire.
   */
  private String lostSession(String deviceId) {
    DeviceInfo d = deviceId == null ? null : stores.devices.get(deviceId);
    String status =
        d == null || d.status() == null ? "" : d.status().trim().toLowerCase(Locale.ROOT);
    return LOST_SESSION_STATUSES.contains(status) ? status : null;
  }

  // device statuses that hold the device's occurrences in the scheduler until it is back
  static final Set<String> LOST_SESSION_STATUSES = Set.of("disconnected", "banned");

  /**
   * The compiled rule of a stored schedule, from the cache or compiled again (after a restart).
   * Empty if the stored definition no longer compiles (a rule-code change made it invalid).
   */
  Optional<CompiledSchedule> compiledFor(String key, ScheduleState state) {
    CachedRule cached = compiled.get(key);
    if (cached != null && cached.generation() == state.generation()) {
      return Optional.of(cached.schedule());
    }
    Optional<CompiledSchedule> c = compile(state.definition());
    c.ifPresent(s -> compiled.put(key, new CachedRule(state.generation(), s)));
    return c;
  }

  /**
   * The zone an occurrence of this job renders dates in: its frozen definition's (compiled again,
   * not cached: only jobs whose schedule changed under them are frozen) or the stored schedule's.
   */
  ZoneId zoneFor(String key, ScheduleState state, FanOutJob job) {
    Optional<CompiledSchedule> c =
        job.frozen() ? compile(job.definition()) : compiledFor(key, state);
    return c.map(CompiledSchedule::zone).orElse(ZoneOffset.UTC);
  }

  private static Optional<CompiledSchedule> compile(Definition def) {
    if (def == null || def.rule() == null) {
      return Optional.empty();
    }
    // createdAt is always set on a stored definition (the lifecycle sets it when missing).
    return RuleCompiler.compile(def.rule(), def.createdAt()) instanceof Compilation.Valid v
        ? Optional.of(v.schedule())
        : Optional.empty();
  }

  /** Now, for decisions: see {@link NowSource}. */
  Instant now() {
    return now(context.currentSystemTimeMs());
  }

  Instant now(long streamsMillis) {
    return Instant.ofEpochMilli(nowSource.nowMillis(streamsMillis));
  }

  String coordinates() {
    return context
        .recordMetadata()
        .map(m -> "topic=" + m.topic() + " partition=" + m.partition() + " offset=" + m.offset())
        .orElse("topic=? partition=? offset=?");
  }

  /** Devices and contacts as the task's global stores know them. */
  private record StoreDirectory(SchedulerStores stores) implements Directory {
    @Override
    public ScheduleValidator.DeviceCheck device(String tenantId, String deviceId) {
      return ScheduleValidator.checkDevice(tenantId, stores.devices.get(deviceId));
    }

    @Override
    public boolean deviceSeen(String deviceId) {
      return stores.devices.get(deviceId) != null;
    }

    @Override
    public boolean contactKnown(String contactId) {
      return stores.contacts.get(contactId) != null;
    }
  }

  /** A decision's effects on one schedule, against what was stored before it. */
  private final class Effects implements ScheduleEffects {
    private final String key;
    private final ScheduleState before;
    private final FiringSink sink;
    private final Instant now;
    private boolean frozen;

    Effects(String key, ScheduleState before, FiringSink sink, Instant now) {
      this.key = key;
      this.before = before;
      this.sink = sink;
      this.now = now;
    }

    /**
     * Before the first write that changes the schedule's definition or recipients: running fan-outs
     * keep what they fired with (ADR 0016).
     */
    private void freezeRunningFanOuts() {
      if (!frozen) {
        frozen = true;
        int n = stores.freezeFanOuts(key, before);
        if (n > 0) {
          log.info(
              "Running fan-outs keep the definition they fired with: scheduleKey={} jobs={}",
              key,
              n);
        }
      }
    }

    @Override
    public void stopEverything() {
      stores.cancelTimer(key, before.timerDue());
      stores.clearDeviceWait(key);
      int cancelled = stores.cancelFanOuts(key);
      if (cancelled > 0) {
        log.info("Unfinished fan-outs cancelled: scheduleKey={} count={}", key, cancelled);
      }
      compiled.remove(key);
    }

    @Override
    public void cancelTimer() {
      stores.cancelTimer(key, before.timerDue());
    }

    @Override
    public void clearDeviceWait() {
      stores.clearDeviceWait(key);
    }

    @Override
    public void awaitDevice(Instant deadline) {
      stores.deviceWaits.put(key, deadline.toEpochMilli());
    }

    @Override
    public void armTimer(Instant due) {
      stores.armTimer(key, due);
    }

    @Override
    public void writeRecipients(List<String> canonical) {
      freezeRunningFanOuts();
      stores.writeRecipients(key, canonical, before.recipientCount());
    }

    @Override
    public void deleteRecipients() {
      freezeRunningFanOuts();
      stores.deleteRecipients(key, before.recipientCount());
    }

    @Override
    public void rememberRule(long generation, CompiledSchedule schedule) {
      compiled.put(key, new CachedRule(generation, schedule));
    }

    @Override
    public void publish(ScheduleError error) {
      context.forward(
          new Record<>(key, (Object) error, error.detectedAt().toEpochMilli()),
          Names.SCHEDULE_ERRORS_SINK);
      metrics.scheduleError(error.reason());
    }

    @Override
    public void lateness(Duration late) {
      metrics.lateness(late);
    }

    @Override
    public void fire(Firing firing) {
      sink.fire(key, before, firing);
    }

    @Override
    public void save(Definition definition, Standing after) {
      if (!Objects.equals(definition, before.definition())) {
        freezeRunningFanOuts();
      }
      stores.putSchedule(key, before, ScheduleState.of(definition, after));
    }

    @Override
    public void saveStanding(Standing after) {
      stores.putSchedule(key, before, ScheduleState.of(before.definition(), after));
    }

    @Override
    public void note(Severity severity, String sentence, String details) {
      String format = details.isEmpty() ? "{}: scheduleKey={}{}" : "{}: scheduleKey={} {}";
      switch (severity) {
        case DEBUG -> log.debug(format, sentence, key, details);
        case INFO -> log.info(format, sentence, key, details);
        case WARN -> log.warn(format, sentence, key, details);
        case ERROR -> log.error(format, sentence, key, details);
        default -> throw new IllegalStateException("unknown severity " + severity);
      }
    }
  }
}
