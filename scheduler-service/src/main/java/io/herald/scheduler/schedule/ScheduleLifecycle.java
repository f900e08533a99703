package io.herald.scheduler.schedule;

import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.limit.ErrorTexts;
import io.herald.contracts.outcome.ErrorReason;
import io.herald.contracts.outcome.ScheduleError;
import io.herald.scheduler.rule.CompiledSchedule;
import io.herald.scheduler.rule.FireDecision;
import io.herald.scheduler.schedule.ScheduleValidator.DeviceCheck;
import io.herald.scheduler.schedule.ScheduleValidator.Problem;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The schedule state machine, pure: a schedule's {@link Standing}, one event (a change, a due
 * timer, a held schedule's re-check, a failure to contain) and {@code now} in; a {@link Decision}
 * out. Never reads a clock, a store or a topic: what it must know of devices and contacts comes
 * through a {@link Directory}, and what it decides is applied by the caller.
 *
 * <p>Two rules hold across every event: an occurrence at or before the last fired one never fires
 * again, and a schedule's rule anchor ({@code createdAt}) never moves once stored.
 */
public final class ScheduleLifecycle {

  /** How often a schedule held for a lost device session looks again (issue 19). */
  public static final Duration DEVICE_RECHECK = Duration.ofSeconds(15);

  private final ScheduleValidator validator;
  private final Duration deviceWait;

  /**
   * @param maxRecipients recipients a definition may have
   * @param deviceWait how long a new schedule waits for its device and contacts to arrive
   */
  public ScheduleLifecycle(int maxRecipients, Duration deviceWait) {
    this.validator = new ScheduleValidator(maxRecipients);
    this.deviceWait = deviceWait;
  }

  /**
   * A change of the definition, or a held schedule re-checked with its stored definition.
   *
   * @param change the new definition; null deletes (the topology passes a tombstone and a DELETE
   *     change as null)
   * @param storedCreatedAt {@code createdAt} of the stored definition, or null when none
   */
  public Decision onChange(
      String key,
      Standing s,
      Instant storedCreatedAt,
      Definition change,
      Directory directory,
      Instant now) {
    if (change == null) {
      return new Decision.Delete(
          new Standing(
              ScheduleStatus.DELETED,
              s.generation(),
              null,
              s.lastFiredOccurrence(),
              s.executionCount(),
              0,
              null));
    }
    change = change.anchored(storedCreatedAt, now);
    // a draft is inactive unless its source made it active: the CDC edge does for a seed draft
    // with a scheduled_at (HERALD_SEED_COMPAT, ADR 0018)
    if (!change.active() || change.statusIs("cancelled")) {
      return new Decision.GoInactive(change.stored(), s.stopped(ScheduleStatus.INACTIVE));
    }
    if (change.statusIs("completed", "failed") && !s.hasFired()) {
      return new Decision.FinishAtSource(s.withStatus(ScheduleStatus.FINISHED, null));
    }

    DeviceCheck device =
        change.deviceId() == null
            ? DeviceCheck.UNKNOWN
            : directory.device(change.tenantId(), change.deviceId());
    ScheduleValidator.Result result = validator.validate(change, device, now);
    if (!result.problems().isEmpty()) {
      return reject(key, change, result.problems(), s, now);
    }
    boolean contactsMissing = !s.isSettled() && contactsMissing(change, result, directory);
    if (result.deviceUnknown() || contactsMissing) {
      Instant since =
          s.status() == ScheduleStatus.AWAITING_DEVICE && s.awaitingDeviceSince() != null
              ? s.awaitingDeviceSince()
              : now;
      Instant deadline = since.plus(deviceWait);
      if (now.isBefore(deadline)) {
        List<String> recipients = result.canonicalRecipients();
        return new Decision.Hold(
            change.stored(),
            recipients,
            new Standing(
                ScheduleStatus.AWAITING_DEVICE,
                s.generation(),
                null,
                s.lastFiredOccurrence(),
                s.executionCount(),
                recipients.size(),
                since),
            deadline,
            !since.isBefore(now),
            !result.deviceUnknown());
      }
      if (result.deviceUnknown()) {
        return reject(
            key,
            change,
            List.of(
                new Problem(
                    ErrorReason.UNKNOWN_DEVICE, "device " + change.deviceId() + " is unknown")),
            s,
            now);
      }
      // Contacts still unknown after the wait: fire anyway; fan-out skips and counts them.
    }
    return accept(change, result, s, contactsMissing, now);
  }

  /**
   * A held schedule's tick: decided again (as if its stored definition arrived anew) once its
   * device and contacts are known or its wait ran out; until then nothing happens.
   *
   * @param deadline the end of its wait, or null when none is stored
   * @param stored the stored definition (without recipients)
   * @param recipients its stored recipients, read only once the device is known or the wait over
   */
  public Decision onRecheck(
      String key,
      Standing s,
      Instant deadline,
      Definition stored,
      Supplier<List<String>> recipients,
      Directory directory,
      Instant now) {
    if (s.status() != ScheduleStatus.AWAITING_DEVICE) {
      return new Decision.EndWait();
    }
    boolean waitOver = deadline == null || !now.isBefore(deadline);
    if (!waitOver && !directory.deviceSeen(stored.deviceId())) {
      return new Decision.Nothing(); // still waiting for the device
    }
    Definition definition = stored.withRecipients(recipients.get());
    boolean decide =
        waitOver
            || definition.kind() == ScheduleKind.AUTOPOST
            || definition.recipients().stream()
                .noneMatch(r -> Recipients.isContactId(r) && !directory.contactKnown(r));
    return decide
        ? onChange(key, s, definition.createdAt(), definition, directory, now)
        : new Decision.Nothing();
  }

  /**
   * A timer due at {@code dueAt} went off. Fires what the rule and its catch-up policy say is due
   * (never an occurrence at or before the last fired one), then arms the next one or finishes.
   *
   * @param compiled the stored rule, compiled; empty when it no longer compiles. Asked only when
   *     the timer is the schedule's current one.
   */
  public Decision onDue(
      Standing s, Instant dueAt, Supplier<Optional<CompiledSchedule>> compiled, Instant now) {
    return onDue(s, dueAt, compiled, null, now);
  }

  /**
   * As {@link #onDue(Standing, Instant, Supplier, Instant)}, for a device whose session is lost
   * ({@code lostDeviceStatus} not null, issue 19): nothing fires; the timer is re-armed to look
   * again in {@link #DEVICE_RECHECK}, keeping the first held instant. Once the device is back, the
   * occurrences from that instant to now are judged by the catch-up policy as after any outage.
   */
  public Decision onDue(
      Standing s,
      Instant dueAt,
      Supplier<Optional<CompiledSchedule>> compiled,
      String lostDeviceStatus,
      Instant now) {
    if (s.status() != ScheduleStatus.ARMED || !dueAt.equals(s.timerDue())) {
      return new Decision.Nothing(); // re-armed or cancelled in the same commit
    }
    if (lostDeviceStatus != null) {
      return new Decision.HoldForDevice(
          s.heldForDevice(dueAt, now.plus(DEVICE_RECHECK)), lostDeviceStatus);
    }
    Instant from = s.awaitingDeviceSince() != null ? s.awaitingDeviceSince() : dueAt;
    s = s.withoutHold();
    Optional<CompiledSchedule> schedule = compiled.get();
    if (schedule.isEmpty()) {
      return new Decision.StoredRuleBroken(s.withStatus(ScheduleStatus.INVALID, null));
    }
    FireDecision decision = schedule.get().onDue(from, now, s.executionCount());
    List<Instant> toFire = decision.toFire();
    List<Firing> firings = new ArrayList<>(toFire.size());
    for (int i = 0; i < toFire.size(); i++) {
      Instant occurrence = toFire.get(i);
      if (s.lastFiredOccurrence() != null && !occurrence.isAfter(s.lastFiredOccurrence())) {
        continue; // belt and braces: a fired occurrence never fires again
      }
      s = s.fired(occurrence);
      boolean last = i == toFire.size() - 1;
      Instant next = last ? decision.nextDue().orElse(null) : toFire.get(i + 1);
      firings.add(new Firing(occurrence, s.executionCount(), next, last && decision.finished()));
    }
    Standing after =
        decision.nextDue().isPresent()
            ? s.withStatus(ScheduleStatus.ARMED, decision.nextDue().get())
            : s.withStatus(ScheduleStatus.FINISHED, null);
    return new Decision.Fire(
        firings, Duration.between(dueAt, now), decision.dropped(), schedule.get().catchUp(), after);
  }

  /**
   * Contains a failure caused by one schedule's content: the schedule stops, is stored as invalid
   * with a skeleton of its definition, and its row is told why.
   *
   * @param definition the change being applied, else the stored definition, else null
   * @param failure what failed (an exception's simple name), for the reason
   * @param stage where it failed: change, recheck, fire or fan-out
   */
  public Decision.SetAside setAside(
      String key, Standing s, Definition definition, String failure, String stage, Instant now) {
    String reason =
        "the definition could not be processed ("
            + failure
            + " at "
            + stage
            + "); it was set aside and nothing of it is sent: change it to try again";
    ScheduleError error =
        new ScheduleError(
            ScheduleError.SCHEMA_VERSION,
            key,
            definition == null ? Definition.kindOf(key) : definition.kind(),
            definition == null ? null : definition.tenantId(),
            ErrorReason.UNPROCESSABLE,
            List.of(reason),
            reason,
            definition == null ? 0 : definition.sourceVersion(),
            now);
    return new Decision.SetAside(
        definition == null ? null : definition.skeleton(),
        s.stopped(ScheduleStatus.INVALID),
        error,
        reason);
  }

  private static Decision reject(
      String key, Definition change, List<Problem> problems, Standing s, Instant now) {
    ErrorReason first = problems.get(0).reason();
    List<String> reasons = problems.stream().map(Problem::message).toList();
    ScheduleError error =
        new ScheduleError(
            ScheduleError.SCHEMA_VERSION,
            key,
            change.kind(),
            change.tenantId(),
            first,
            reasons,
            ErrorTexts.join(reasons),
            change.sourceVersion(),
            now);
    String details =
        "reason="
            + first.wire()
            + " problems="
            + problems.size()
            + " reasons="
            + problems.stream()
                .map(p -> p.reason().wire())
                .distinct()
                .collect(Collectors.joining(","));
    return new Decision.Reject(
        change.skeleton(), s.stopped(ScheduleStatus.INVALID), error, details);
  }

  private static Decision accept(
      Definition change,
      ScheduleValidator.Result result,
      Standing s,
      boolean contactsUnknown,
      Instant now) {
    CompiledSchedule schedule = result.compiled();
    Optional<Instant> next = nextDue(schedule, change, s, now);
    List<String> recipients = result.canonicalRecipients();
    Standing after =
        new Standing(
            next.isPresent() ? ScheduleStatus.ARMED : ScheduleStatus.FINISHED,
            s.generation() + 1,
            next.orElse(null),
            s.lastFiredOccurrence(),
            s.executionCount(),
            recipients.size(),
            null);
    return new Decision.Accept(change.stored(), recipients, schedule, after, contactsUnknown);
  }

  /** True when a recipient given as a contact id is not known (yet). */
  private static boolean contactsMissing(
      Definition change, ScheduleValidator.Result result, Directory directory) {
    if (change.kind() == ScheduleKind.AUTOPOST) {
      return false; // recipients are group ids
    }
    for (String r : result.canonicalRecipients()) {
      if (Recipients.isContactId(r) && !directory.contactKnown(r)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The first occurrence to arm. Never at or before the last fired occurrence (fired occurrences
   * never fire again, even when an update changes nothing). Otherwise from the earlier of now and
   * an anchor: the pending timer (an update racing the punctuation must not skip a due occurrence)
   * or, for a never-fired schedule, its creation (a broadcast "now" created a moment before it
   * reaches the scheduler still fires).
   */
  static Optional<Instant> nextDue(
      CompiledSchedule schedule, Definition change, Standing s, Instant now) {
    if (schedule.maxExecutions().isPresent()
        && s.executionCount() >= schedule.maxExecutions().getAsInt()) {
      return Optional.empty();
    }
    Instant anchor;
    if (s.status() == ScheduleStatus.ARMED && s.timerDue() != null) {
      anchor = s.timerDue();
    } else if (!s.hasFired() && change.createdAt() != null) {
      anchor = change.createdAt();
    } else {
      anchor = now;
    }
    Instant notBefore = anchor.isBefore(now) ? anchor : now;
    Instant lastFired = s.lastFiredOccurrence();
    if (lastFired != null && !notBefore.isAfter(lastFired)) {
      return schedule.nextAfter(lastFired, s.executionCount());
    }
    return schedule.firstAtOrAfter(notBefore);
  }
}
