package io.herald.scheduler.topology;

import io.herald.contracts.event.ChangeOp;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.limit.ErrorTexts;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.outcome.ErrorReason;
import io.herald.contracts.outcome.ScheduleError;
import io.herald.contracts.topic.DeadLetters;
import io.herald.contracts.topic.Topics;
import io.herald.scheduler.config.SchedulerConfig;
import io.herald.scheduler.rule.Compilation;
import io.herald.scheduler.rule.CompiledSchedule;
import io.herald.scheduler.rule.RuleCompiler;
import io.herald.scheduler.schedule.Recipients;
import io.herald.scheduler.schedule.ScheduleStatus;
import io.herald.scheduler.schedule.ScheduleValidator;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies schedule changes to the task's stores: validates each definition (all problems at once),
 * arms, re-arms or cancels its timer, and rejects invalid ones with a {@link ScheduleError}.
 * Registers the {@link DueTimerPunctuation} that fires timers and fans out.
 *
 * <p>"Now" comes from a {@link NowSource}: the host's wall clock in production, the task's
 * Streams clock ({@code currentSystemTimeMs}, which the test driver mocks) in tests.
 */
final class ScheduleChangeProcessor implements Processor<String, ScheduleChange, String, Object> {

  private static final Logger log = LoggerFactory.getLogger(ScheduleChangeProcessor.class);
  private static final int COMPILED_CACHE_SIZE = 10_000;

  private final SchedulerConfig config;
  private final NowSource nowSource;
  private final SchedulerMetrics metrics;
  private final ScheduleValidator validator;
  /** Compiled rules by schedule key, valid for one generation; a cache, rebuilt after restart. */
  private final Map<String, CachedRule> compiled =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CachedRule> eldest) {
          return size() > COMPILED_CACHE_SIZE;
        }
      };

  private ProcessorContext<String, Object> context;
  private SchedulerStores stores;
  private SchedulerMetrics.TaskGauges gauges;

  ScheduleChangeProcessor(SchedulerConfig config, SchedulerMetrics metrics) {
    this(config, metrics, NowSource.streamsClock());
  }

  ScheduleChangeProcessor(SchedulerConfig config, SchedulerMetrics metrics, NowSource nowSource) {
    this.nowSource = nowSource;
    this.config = config;
    this.metrics = metrics;
    this.validator = new ScheduleValidator(config.maxRecipients());
  }

  private record CachedRule(long generation, CompiledSchedule schedule) {}

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.gauges = metrics.registerTask(context.taskId());
    this.stores = new SchedulerStores(context, gauges, this::publishState);
    stores.initGauges();
    DueTimerPunctuation punctuation =
        new DueTimerPunctuation(this, stores, context, config, metrics);
    context.schedule(config.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, punctuation);
  }

  @Override
  public void close() {
    metrics.unregisterTask(context.taskId(), gauges);
  }

  @Override
  public void process(Record<String, ScheduleChange> record) {
    String key = record.key();
    if (key == null || key.isBlank()) {
      String where = coordinates();
      log.warn("Schedule change without a key ignored: {}", where);
      return;
    }
    try {
      apply(key, record.value(), now());
    } catch (RuntimeException | StackOverflowError e) {
      if (!RecordFailures.isRecordFailure(e)) {
        throw e;
      }
      setAside(key, record.value(), e, "change");
    }
  }

  /**
   * Contains a failure caused by one schedule's content (a defect or an input no check foresaw):
   * the schedule stops (timer, device wait and fan-outs cancelled), is stored as invalid, its
   * row shows why through a {@link ScheduleError}, the change itself goes to the dead-letter
   * topic, and the task carries on with every other schedule. Only a failure of the stores or of
   * Kafka while doing so stops the thread.
   *
   * @param change the change being applied, or null when a stored schedule failed at firing
   * @param stage where it failed, for the reason and the log: change, recheck, fire or fan-out
   */
  void setAside(String key, ScheduleChange change, Throwable failure, String stage) {
    metrics.setAside(stage);
    String what = failure.getClass().getSimpleName();
    log.error("Schedule set aside after a failure caused by its content; every other schedule "
        + "carries on: scheduleKey={} stage={} {} failure={}", ErrorTexts.clip(key, 200), stage,
        coordinates(), what, failure);
    ScheduleState state = stores.schedule(key);
    stopEverything(key, state);
    ScheduleChange def = change != null ? change : state.definition();
    String reason = "the definition could not be processed (" + what + " at " + stage
        + "); it was set aside and nothing of it is sent: change it to try again";
    ScheduleError error = new ScheduleError(ScheduleError.SCHEMA_VERSION, key,
        def == null ? kindOf(key) : def.kind(), def == null ? null : def.tenantId(),
        ErrorReason.UNPROCESSABLE, List.of(reason), reason,
        def == null ? 0 : def.sourceVersion(), now());
    context.forward(new Record<>(key, (Object) error, now().toEpochMilli()),
        Names.SCHEDULE_ERRORS_SINK);
    metrics.scheduleError(ErrorReason.UNPROCESSABLE);
    stores.putSchedule(key, state, new ScheduleState(skeleton(def), state.generation(),
        ScheduleStatus.INVALID, null, state.lastFiredOccurrence(), state.executionCount(),
        state.recipientCount(), null));
    if (change != null) {
      deadLetter(key, change, reason, failure);
    }
  }

  private void deadLetter(String key, ScheduleChange change, String reason, Throwable failure) {
    byte[] value;
    try {
      value = Topics.SCHEDULE_CHANGES.valueSerde().serializer()
          .serialize(Topics.SCHEDULE_CHANGES.name(), change);
    } catch (RuntimeException e) {
      value = null; // the headers still say where it came from and why
    }
    String topic = context.recordMetadata().map(RecordMetadata::topic)
        .orElse(Topics.SCHEDULE_CHANGES.name());
    int partition = context.recordMetadata().map(RecordMetadata::partition).orElse(-1);
    long offset = context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
    RecordHeaders headers = DeadLetters.headers(null, topic, partition, offset, reason,
        failure instanceof Exception ex ? ex : new RuntimeException(failure.toString()));
    DeadLetters.truncatedHeader(headers, value);
    metrics.deadLetter();
    context.forward(new Record<String, Object>(key, DeadLetters.value(value), now().toEpochMilli(),
        headers), Names.DEAD_LETTER_SINK);
  }

  /**
   * What an invalid definition leaves in the store: who and when (for the row's state and for a
   * later fix's anchor), never its content. Content was not accepted, and may be as large as a
   * record allows: a store's changelog must not carry it.
   */
  private static ScheduleChange skeleton(ScheduleChange c) {
    if (c == null) {
      return null;
    }
    return new ScheduleChange(c.schemaVersion(), c.op(), c.scheduleKey(), c.kind(),
        clipId(c.tenantId()), clipId(c.deviceId()), null, null, null, List.of(), null, null,
        c.active(), c.sourceStatus() == null ? null
            : ErrorTexts.clip(c.sourceStatus(), Limits.STATUS_MAX_CHARS),
        c.sourceVersion(), c.createdAt(), List.of());
  }

  private static String clipId(String id) {
    return id == null || id.length() <= Limits.ID_MAX_CHARS ? id : id.substring(0, Limits.ID_MAX_CHARS);
  }

  /** Applies one change (or re-checks a held one); a null change is a tombstone = delete. */
  void apply(String key, ScheduleChange change, Instant now) {
    ScheduleState state = stores.schedule(key);
    if (change == null || change.op() == ChangeOp.DELETE) {
      stopEverything(key, state);
      stores.deleteRecipients(key, state.recipientCount());
      stores.putSchedule(key, state, new ScheduleState(null, state.generation(),
          ScheduleStatus.DELETED, null, state.lastFiredOccurrence(), state.executionCount(), 0,
          null));
      log.info("Schedule deleted, timer and fan-outs cancelled: scheduleKey={}", key);
      return;
    }
    change = withCreatedAt(change, state, now);
    if (!change.active() || statusIs(change, "draft", "cancelled")) {
      // Inactive, draft or cancelled: nothing fires, and a running fan-out stops.
      stopEverything(key, state);
      stores.putSchedule(key, state, new ScheduleState(strip(change), state.generation(),
          ScheduleStatus.INACTIVE, null, state.lastFiredOccurrence(), state.executionCount(),
          state.recipientCount(), null));
      log.info("Schedule inactive, timer and fan-outs cancelled: scheduleKey={} sourceStatus={}",
          key, change.sourceStatus());
      return;
    }
    if (statusIs(change, "completed", "failed") && !state.hasFired()) {
      // The source says it is over and this store never fired it: firing now would surprise.
      stores.cancelTimer(key, state.timerDue());
      stores.putSchedule(key, state, state.withStatus(ScheduleStatus.FINISHED, null));
      return;
    }

    ScheduleValidator.DeviceCheck device =
        change.deviceId() == null
            ? ScheduleValidator.DeviceCheck.UNKNOWN
            : ScheduleValidator.checkDevice(change.tenantId(), stores.devices.get(change.deviceId()));
    ScheduleValidator.Result result = validator.validate(change, device, now);

    if (!result.problems().isEmpty()) {
      reject(key, change, result.problems(), state, now);
      return;
    }
    // Hold a new schedule while its device, or a contact it names, is not yet in the global
    // stores: rows inserted in one transaction reach the scheduler through different topics.
    boolean contactsMissing = !isSettled(state) && contactsMissing(change, result);
    if (result.deviceUnknown() || contactsMissing) {
      Instant since =
          state.status() == ScheduleStatus.AWAITING_DEVICE && state.awaitingDeviceSince() != null
              ? state.awaitingDeviceSince()
              : now;
      Instant deadline = since.plus(config.deviceWait());
      if (now.isBefore(deadline)) {
        stores.cancelTimer(key, state.timerDue());
        stores.cancelFanOuts(key);
        stores.writeRecipients(key, result.canonicalRecipients(), state.recipientCount());
        stores.putSchedule(key, state, new ScheduleState(strip(change), state.generation(),
            ScheduleStatus.AWAITING_DEVICE, null, state.lastFiredOccurrence(),
            state.executionCount(), result.canonicalRecipients().size(), since));
        stores.deviceWaits.put(key, deadline.toEpochMilli());
        if (!since.isBefore(now)) {
          log.info("Schedule held until its device and contacts are known: scheduleKey={} "
              + "deviceId={} deviceKnown={} until={}", key, change.deviceId(),
              !result.deviceUnknown(), deadline);
        }
        return;
      }
      if (result.deviceUnknown()) {
        reject(key, change, List.of(new ScheduleValidator.Problem(ErrorReason.UNKNOWN_DEVICE,
            "device " + change.deviceId() + " is unknown")), state, now);
        return;
      }
      // Contacts still unknown after the wait: fire anyway; fan-out skips and counts them.
      log.warn("Schedule armed with contacts that are still unknown; they will be skipped: "
          + "scheduleKey={}", key);
    }
    accept(key, change, result, state, now);
  }

  /** Armed or finished before: an update must not hold back what is already scheduled. */
  private static boolean isSettled(ScheduleState state) {
    return state.status() == ScheduleStatus.ARMED || state.status() == ScheduleStatus.FINISHED;
  }

  /** True when a recipient given as a contact id is not in the contacts store (yet). */
  private boolean contactsMissing(ScheduleChange change, ScheduleValidator.Result result) {
    if (change.kind() == ScheduleKind.AUTOPOST) {
      return false; // recipients are group ids
    }
    for (String r : result.canonicalRecipients()) {
      if (Recipients.isContactId(r) && stores.contacts.get(r) == null) {
        return true;
      }
    }
    return false;
  }

  private void accept(
      String key, ScheduleChange change, ScheduleValidator.Result result, ScheduleState state,
      Instant now) {
    stores.cancelTimer(key, state.timerDue());
    stores.clearDeviceWait(key);
    stores.writeRecipients(key, result.canonicalRecipients(), state.recipientCount());
    long generation = state.generation() + 1;
    CompiledSchedule schedule = result.compiled();
    compiled.put(key, new CachedRule(generation, schedule));

    Optional<Instant> next = nextDue(schedule, change, state, now);
    ScheduleState after = new ScheduleState(strip(change), generation,
        next.isPresent() ? ScheduleStatus.ARMED : ScheduleStatus.FINISHED, next.orElse(null),
        state.lastFiredOccurrence(), state.executionCount(),
        result.canonicalRecipients().size(), null);
    next.ifPresent(due -> stores.armTimer(key, due));
    stores.putSchedule(key, state, after);
    log.debug("Schedule accepted: scheduleKey={} generation={} nextDue={}", key, generation,
        next.orElse(null));
  }

  /**
   * The first occurrence to arm. Never at or before the last fired occurrence (fired occurrences
   * never fire again, even when an update changes nothing). Otherwise from the earlier of now and
   * an anchor: the pending timer (an update racing the punctuation must not skip a due
   * occurrence) or, for a never-fired schedule, its creation (a broadcast "now" created a moment
   * before it reaches the scheduler still fires).
   */
  private static Optional<Instant> nextDue(
      CompiledSchedule schedule, ScheduleChange change, ScheduleState state, Instant now) {
    if (schedule.maxExecutions().isPresent()
        && state.executionCount() >= schedule.maxExecutions().getAsInt()) {
      return Optional.empty();
    }
    Instant anchor;
    if (state.status() == ScheduleStatus.ARMED && state.timerDue() != null) {
      anchor = state.timerDue();
    } else if (!state.hasFired() && change.createdAt() != null) {
      anchor = change.createdAt();
    } else {
      anchor = now;
    }
    Instant notBefore = anchor.isBefore(now) ? anchor : now;
    Instant lastFired = state.lastFiredOccurrence();
    if (lastFired != null && !notBefore.isAfter(lastFired)) {
      return schedule.nextAfter(lastFired, state.executionCount());
    }
    return schedule.firstAtOrAfter(notBefore);
  }

  private void reject(
      String key, ScheduleChange change, List<ScheduleValidator.Problem> problems,
      ScheduleState state, Instant now) {
    stopEverything(key, state);
    ErrorReason first = problems.get(0).reason();
    List<String> reasons = problems.stream().map(ScheduleValidator.Problem::message).toList();
    ScheduleError error = new ScheduleError(ScheduleError.SCHEMA_VERSION, key, change.kind(),
        change.tenantId(), first, reasons, ErrorTexts.join(reasons), change.sourceVersion(),
        now);
    context.forward(new Record<>(key, (Object) error, now.toEpochMilli()),
        Names.SCHEDULE_ERRORS_SINK);
    metrics.scheduleError(first);
    stores.putSchedule(key, state, new ScheduleState(skeleton(change), state.generation(),
        ScheduleStatus.INVALID, null, state.lastFiredOccurrence(), state.executionCount(),
        state.recipientCount(), null));
    log.info("Schedule rejected: scheduleKey={} reason={} problems={} reasons={}", key,
        first.wire(), problems.size(),
        problems.stream().map(p -> p.reason().wire()).distinct().collect(Collectors.joining(",")));
  }

  private void stopEverything(String key, ScheduleState state) {
    stores.cancelTimer(key, state.timerDue());
    stores.clearDeviceWait(key);
    int cancelled = stores.cancelFanOuts(key);
    if (cancelled > 0) {
      log.info("Unfinished fan-outs cancelled: scheduleKey={} count={}", key, cancelled);
    }
    compiled.remove(key);
  }

  /**
   * The compiled rule of a stored schedule, from the cache or compiled again (after a restart).
   * Empty if the stored definition no longer compiles (a rule-code change made it invalid).
   */
  Optional<CompiledSchedule> compiledFor(String key, ScheduleState state) {
    CachedRule cached = compiled.get(key);
    if (cached != null && cached.generation() == state.generation()) {
      return Optional.of(cached.schedule());
    }
    ScheduleChange def = state.definition();
    if (def == null || def.rule() == null) {
      return Optional.empty();
    }
    // createdAt is always set on a stored definition (see withCreatedAt).
    Compilation c = RuleCompiler.compile(def.rule(), def.createdAt());
    if (c instanceof Compilation.Valid v) {
      compiled.put(key, new CachedRule(state.generation(), v.schedule()));
      return Optional.of(v.schedule());
    }
    return Optional.empty();
  }

  /**
   * A change without {@code createdAt} (a directly produced event) gets the one stored for the
   * key, else now. The rule's anchor must not move on a redelivery: a {@code once} rule anchored
   * at a new instant would be a new occurrence with new command ids.
   */
  private static ScheduleChange withCreatedAt(ScheduleChange c, ScheduleState state, Instant now) {
    if (c.createdAt() != null) {
      return c;
    }
    Instant createdAt =
        state.definition() != null && state.definition().createdAt() != null
            ? state.definition().createdAt()
            : now;
    return new ScheduleChange(c.schemaVersion(), c.op(), c.scheduleKey(), c.kind(),
        c.tenantId(), c.deviceId(), c.name(), c.message(), c.mediaUrl(), c.recipients(),
        c.rule(), c.pacing(), c.active(), c.sourceStatus(), c.sourceVersion(), createdAt,
        c.mappingErrors());
  }

  /** The definition as stored: recipients live in the recipients store, not in this value. */
  private static ScheduleChange strip(ScheduleChange c) {
    return new ScheduleChange(c.schemaVersion(), c.op(), c.scheduleKey(), c.kind(),
        c.tenantId(), c.deviceId(), c.name(), c.message(), c.mediaUrl(), List.of(), c.rule(),
        c.pacing(), c.active(), c.sourceStatus(), c.sourceVersion(), c.createdAt(), List.of());
  }

  /** The stored definition with its recipients put back, for a re-check. */
  ScheduleChange withRecipients(String key, ScheduleState state) {
    ScheduleChange c = state.definition();
    List<String> recipients = stores.readRecipients(key, 0, state.recipientCount());
    return new ScheduleChange(c.schemaVersion(), c.op(), c.scheduleKey(), c.kind(),
        c.tenantId(), c.deviceId(), c.name(), c.message(), c.mediaUrl(), recipients, c.rule(),
        c.pacing(), c.active(), c.sourceStatus(), c.sourceVersion(), c.createdAt(), List.of());
  }

  private static boolean statusIs(ScheduleChange change, String... statuses) {
    if (change.sourceStatus() == null) {
      return false;
    }
    String s = change.sourceStatus().trim().toLowerCase(Locale.ROOT);
    for (String candidate : statuses) {
      if (candidate.equals(s)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Publishes the schedule's new standing on {@code herald.schedule-states} when what a user sees
   * changed (status, next due, executions): the projector shows it on the row at once, so a new
   * schedule has its {@code next_send_at} before it first fires and a fixed one leaves {@code
   * invalid}. Invalid definitions are published as their {@link ScheduleError} instead (it
   * carries the reasons); a schedule held for its device shows nothing until decided.
   */
  private void publishState(String key, ScheduleState before, ScheduleState after) {
    String status = wireStatus(after.status());
    if (status == null) {
      return;
    }
    if (before != null
        && before.status() == after.status()
        && Objects.equals(before.timerDue(), after.timerDue())
        && before.executionCount() == after.executionCount()) {
      return;
    }
    ScheduleChange def = after.definition() != null
        ? after.definition()
        : before == null ? null : before.definition();
    ScheduleKind kind = def != null ? def.kind() : kindOf(key);
    if (kind == null) {
      return; // a delete of a key this store never knew, with no kind prefix: nothing to show
    }
    Instant now = now();
    io.herald.contracts.outcome.ScheduleState published =
        new io.herald.contracts.outcome.ScheduleState(
            io.herald.contracts.outcome.ScheduleState.SCHEMA_VERSION, key, kind,
            def == null ? null : def.tenantId(), status, after.timerDue(), after.executionCount(),
            null, def == null ? 0 : def.sourceVersion(), now);
    context.forward(new Record<>(key, (Object) published, now.toEpochMilli()),
        Names.SCHEDULE_STATES_SINK);
  }

  private static String wireStatus(ScheduleStatus status) {
    switch (status) {
      case ARMED:
        return "active";
      case FINISHED:
        return "finished";
      case INACTIVE:
        return "inactive";
      case DELETED:
        return "deleted";
      default:
        return null; // INVALID goes out as a ScheduleError; AWAITING_DEVICE is not decided yet
    }
  }

  private static ScheduleKind kindOf(String key) {
    int colon = key.indexOf(':');
    if (colon <= 0) {
      return null;
    }
    try {
      return ScheduleKind.fromWire(key.substring(0, colon));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Now, for decisions: see {@link NowSource}. */
  Instant now() {
    return now(context.currentSystemTimeMs());
  }

  Instant now(long streamsMillis) {
    return Instant.ofEpochMilli(nowSource.nowMillis(streamsMillis));
  }

  private String coordinates() {
    return context.recordMetadata()
        .map(m -> "topic=" + m.topic() + " partition=" + m.partition() + " offset=" + m.offset())
        .orElse("topic=? partition=? offset=?");
  }
}
