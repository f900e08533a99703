package io.herald.scheduler.topology;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.command.RecipientType;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.MessageTemplate;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.outcome.DeliveryResult;
import io.herald.contracts.outcome.DeliveryStatus;
import io.herald.contracts.outcome.Occurrence;
import io.herald.contracts.outcome.SkipReasons;
import io.herald.scheduler.config.SchedulerConfig;
import io.herald.scheduler.render.RecipientZones;
import io.herald.scheduler.render.RenderContext;
import io.herald.scheduler.render.TemplateParameters;
import io.herald.scheduler.render.TemplateRenderer;
import io.herald.scheduler.schedule.Definition;
import io.herald.scheduler.schedule.Firing;
import io.herald.scheduler.schedule.ScheduleStatus;
import io.herald.scheduler.store.FanOutJob;
import io.herald.scheduler.store.ScheduleState;
import io.herald.scheduler.timer.TimerKeyCodec;
import io.herald.scheduler.topology.RecipientResolver.Resolution;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wall-clock tick of one task. In order: re-check schedules held for their device; fire every
 * timer due at or before now, oldest first (a range scan of the timers store, never a scan of
 * schedules); then emit send-commands of unfinished fan-outs within a per-tick budget shared fairly
 * between jobs, so one 100,000-recipient occurrence cannot delay another schedule's timer. Store
 * writes and outputs of a tick commit together (exactly-once), so the fan-out cursor never runs
 * ahead of, or behind, the commands it covers.
 *
 * <p>What a re-check or a due timer decides comes from the lifecycle through the task's {@link
 * DecisionApplier}; this class only owns the tick's order, its budget and the emission of
 * send-commands and occurrences.
 */
final class DueTimerPunctuation implements Punctuator {

  private static final Logger log = LoggerFactory.getLogger(DueTimerPunctuation.class);

  /** Timers handled per tick; the rest are found next tick (still oldest first). */
  static final int MAX_TIMERS_PER_TICK = 10_000;

  private final DecisionApplier applier;
  private final SchedulerStores stores;
  private final ProcessorContext<String, Object> context;
  private final SchedulerConfig config;
  private final SchedulerMetrics metrics;
  private final RecipientResolver resolver;
  private final DueSoonScan dueSoon;

  /** Send-commands this tick may still emit, shared by direct emission and fan-out slices. */
  private int budget;

  /** Occurrences this tick fired and emitted whole, and the latest of them: one summary line. */
  private int emittedAtFiring;

  private long maxLateMs;

  DueTimerPunctuation(
      DecisionApplier applier,
      ProcessorContext<String, Object> context,
      SchedulerConfig config,
      SchedulerMetrics metrics) {
    this.applier = applier;
    this.stores = applier.stores();
    this.context = context;
    this.config = config;
    this.metrics = metrics;
    this.resolver = new RecipientResolver(stores.contacts::get, stores.contacts::get);
    this.dueSoon = stores.dueSoonScan();
  }

  @Override
  public void punctuate(long timestamp) {
    Instant now = applier.now(timestamp);
    budget = config.maxCommandsPerTick();
    emittedAtFiring = 0;
    maxLateMs = 0;
    recheckHeldSchedules(now);
    fireDueTimers(now);
    dueSoon.maybeScan(now);
    fanOut(now);
    // One line per tick, not per occurrence: at a burst's tens of thousands of firings a second
    // the per-occurrence line was a measurable share of the stream thread (docs/BENCHMARKS.md).
    // The occurrence log (history) keeps every occurrence; DEBUG brings the per-occurrence lines.
    if (emittedAtFiring > 0) {
      log.info(
          "Occurrences fired and emitted this tick: count={} maxLateMs={}",
          emittedAtFiring,
          maxLateMs);
    }
  }

  private void recheckHeldSchedules(Instant now) {
    List<String> held = new ArrayList<>();
    try (var it = stores.deviceWaits.all()) {
      while (it.hasNext()) {
        held.add(it.next().key);
      }
    }
    for (String key : held) {
      try {
        applier.recheck(key, now);
      } catch (RuntimeException | StackOverflowError e) {
        contain(key, e, "recheck");
      }
    }
  }

  /**
   * One schedule's failure stays with that schedule: it is set aside (stopped, invalid, its row
   * told why) and the tick goes on with the others. Kafka and store failures still stop the thread:
   * they are not the schedule's fault.
   */
  private void contain(String key, Throwable failure, String stage) {
    if (!RecordFailures.isRecordFailure(failure)) {
      if (failure instanceof RuntimeException re) {
        throw re;
      }
      throw (Error) failure;
    }
    applier.setAside(key, null, failure, stage);
  }

  private void fireDueTimers(Instant now) {
    List<KeyValue<Bytes, String>> due = stores.dueTimers(now, MAX_TIMERS_PER_TICK);
    stores.setDueNow(due.size());
    for (KeyValue<Bytes, String> timer : due) {
      Instant dueAt = TimerKeyCodec.decode(timer.key.get()).dueInstant();
      stores.deleteTimer(timer.key);
      try {
        applier.due(timer.value, dueAt, now, new Emission(now));
      } catch (RuntimeException | StackOverflowError e) {
        contain(timer.value, e, "fire");
      }
    }
  }

  /**
   * The occurrences one due timer fires. An occurrence whose recipients fit in what is left of this
   * tick's budget is emitted here, without a fan-out job: storing, re-reading and deleting the job
   * (three changelog records and a second read of the schedule) cost more than the send-command
   * itself for the common one-recipient schedule. Only while no older occurrence of the schedule is
   * still fanning out, so one schedule's occurrences keep their order.
   */
  private final class Emission implements DecisionApplier.FiringSink {
    private final Instant now;
    private Boolean direct;

    Emission(Instant now) {
      this.now = now;
    }

    @Override
    public void fire(String key, ScheduleState armed, Firing firing) {
      if (direct == null) {
        direct = !stores.hasFanOuts(key);
      }
      FanOutJob job =
          new FanOutJob(
              key,
              firing.occurrence(),
              now,
              0,
              0,
              firing.executionCount(),
              firing.nextDue(),
              firing.finishesSchedule());
      String jobKey = SchedulerStores.fanOutKey(key, firing.occurrence());
      metrics.occurrenceFired(armed.definition().kind());
      direct = direct && armed.recipientCount() <= budget;
      if (direct) {
        budget -= runSlice(jobKey, job, armed.recipientCount(), now, armed, false);
      } else {
        stores.addFanOut(jobKey, job);
        log.info(
            "Occurrence fired: scheduleKey={} occurrence={} lateMs={} execution={}",
            key,
            firing.occurrence(),
            Duration.between(firing.occurrence(), now).toMillis(),
            firing.executionCount());
      }
    }
  }

  private void fanOut(Instant now) {
    if (budget <= 0) {
      return;
    }
    // Never more jobs than commands this tick can emit: each job gets at least one.
    List<KeyValue<String, FanOutJob>> jobs = stores.fanOutJobs(budget);
    int jobsLeft = jobs.size();
    for (KeyValue<String, FanOutJob> job : jobs) {
      if (budget <= 0) {
        break;
      }
      // Fair share of what is left: small jobs finish, big ones advance, none starves.
      int share = (budget + jobsLeft - 1) / jobsLeft;
      jobsLeft--;
      try {
        budget -= runSlice(job.key, job.value, share, now, null, true);
      } catch (RuntimeException | StackOverflowError e) {
        contain(job.value.scheduleKey(), e, "fan-out");
      }
    }
  }

  /**
   * A recipient that gets no command still ends with an outcome: a {@code skipped} delivery result
   * with its reason, keyed and identified like the command it would have had, so the projector
   * writes one ledger row for it (once, whatever a replay re-emits) and the occurrence's counts add
   * up to its recipients.
   */
  private void skip(
      Definition def, String key, Instant occurrence, Resolution r, String reason, Instant now) {
    metrics.recipientSkipped(reason);
    DeliveryResult result =
        new DeliveryResult(
            DeliveryResult.SCHEMA_VERSION,
            CommandId.of(key, occurrence, r.identity()),
            def.tenantId(),
            def.deviceId(),
            key,
            def.kind(),
            occurrence,
            DeliveryStatus.SKIPPED,
            0,
            null,
            reason,
            RecipientResolver.describe(reason),
            now,
            r.address() != null ? r.address() : r.identity());
    context.forward(
        new Record<>(def.deviceId(), (Object) result, now.toEpochMilli()),
        Names.DELIVERY_RESULTS_SINK);
  }

  /**
   * Emits up to {@code share} recipients of one job; returns how many it handled.
   *
   * @param known the schedule when the caller holds it (direct emission at firing), else null
   * @param stored whether the job is in the fanouts store (a job emitted at firing is not)
   */
  private int runSlice(
      String jobKey, FanOutJob job, int share, Instant now, ScheduleState known, boolean stored) {
    String key = job.scheduleKey();
    ScheduleState state = known != null ? known : stores.schedules.get(key);
    // A schedule deleted, deactivated or set aside stops its running occurrences (ADR 0016).
    if (state == null
        || state.definition() == null
        || state.status() == ScheduleStatus.INACTIVE
        || state.status() == ScheduleStatus.DELETED
        || state.status() == ScheduleStatus.INVALID) {
      if (stored) {
        stores.removeFanOut(jobKey, job);
      }
      return 0;
    }
    // As it fired: the job's frozen copy once the schedule changed under it, else the schedule.
    Definition def = job.frozen() ? job.definition() : state.definition();
    ZoneId zone = applier.zoneFor(key, state, job);
    int total = job.frozen() ? job.recipientCount() : state.recipientCount();
    int end = (int) Math.min(total, (long) job.cursor() + share);
    List<String> slice = stores.readRecipients(job.frozen() ? jobKey : key, job.cursor(), end);
    end = job.cursor() + slice.size(); // recipients missing (never expected) end the job here
    Instant notAfter =
        job.occurrence()
            .plus(
                def.kind() == ScheduleKind.BROADCAST
                    ? config.broadcastExpiry()
                    : config.recurringExpiry());
    int skipped = 0;
    int emitted = 0;
    int maxChars =
        def.mediaUrl() == null || def.mediaUrl().isBlank()
            ? Limits.MESSAGE_MAX_CHARS
            : Limits.CAPTION_MAX_CHARS;
    for (String recipient : slice) {
      Resolution r = resolver.resolve(def, recipient);
      if (r.skipped()) {
        skip(def, key, job.occurrence(), r, r.skipReason(), now);
        skipped++;
        continue;
      }
      CommandId id = CommandId.of(key, job.occurrence(), r.identity());
      RenderContext ctx =
          new RenderContext(r.name(), r.address(), r.fields(), job.occurrence(), zone, id.value());
      Optional<String> rendered = TemplateRenderer.render(def.message(), ctx, maxChars);
      Optional<MessageTemplate> template =
          def.template() == null
              ? Optional.empty()
              : TemplateParameters.render(def.template(), ctx);
      if (rendered.isEmpty() || (def.template() != null && template.isEmpty())) {
        // The template was valid; this recipient's variables make it longer than WhatsApp
        // takes. Skipped with its reason, never cut short.
        metrics.recipientUnrenderable();
        skip(def, key, job.occurrence(), r, SkipReasons.UNRENDERABLE, now);
        skipped++;
        continue;
      }
      String text = rendered.get();
      SendCommand command =
          new SendCommand(
              SendCommand.SCHEMA_VERSION,
              id,
              def.tenantId(),
              def.deviceId(),
              key,
              def.kind(),
              job.occurrence(),
              r.address(),
              r.type(),
              r.contactId(),
              text,
              def.mediaUrl(),
              def.pacing(),
              1,
              notAfter,
              template.orElse(null),
              def.windowPolicy(),
              r.type() == RecipientType.INDIVIDUAL
                  ? RecipientZones.of(r.fields(), r.address(), zone).getId()
                  : null);
      context.forward(
          new Record<>(def.deviceId(), (Object) command, now.toEpochMilli()),
          Names.SEND_COMMANDS_SINK);
      emitted++;
    }
    metrics.commandsEmitted(def.kind(), emitted);
    FanOutJob advanced = job.advance(end, skipped);
    boolean done = end >= total || slice.isEmpty();
    if (done) {
      if (stored) {
        stores.removeFanOut(jobKey, job);
      }
      Occurrence occurrence =
          new Occurrence(
              Occurrence.SCHEMA_VERSION,
              key,
              def.kind(),
              def.tenantId(),
              job.occurrence(),
              job.firedAt(),
              end,
              advanced.skipped(),
              job.executionCount(),
              job.nextDueAt(),
              job.finished());
      context.forward(
          new Record<>(key, (Object) occurrence, now.toEpochMilli()), Names.OCCURRENCES_SINK);
      if (stored) {
        log.info(
            "Fan-out finished: scheduleKey={} occurrence={} recipients={} skipped={}",
            key,
            job.occurrence(),
            end,
            advanced.skipped());
      } else {
        long lateMs = Duration.between(job.occurrence(), now).toMillis();
        emittedAtFiring++;
        maxLateMs = Math.max(maxLateMs, lateMs);
        log.debug(
            "Occurrence fired and emitted: scheduleKey={} occurrence={} lateMs={} "
                + "execution={} recipients={} skipped={}",
            key,
            job.occurrence(),
            lateMs,
            job.executionCount(),
            end,
            advanced.skipped());
      }
    } else {
      stores.advanceFanOut(jobKey, advanced);
    }
    return slice.size();
  }
}
