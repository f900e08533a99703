package io.herald.scheduler.schedule;

import io.herald.contracts.outcome.ScheduleError;
import io.herald.scheduler.rule.CatchUpPolicy;
import io.herald.scheduler.rule.CompiledSchedule;
import io.herald.scheduler.schedule.ScheduleEffects.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What {@link ScheduleLifecycle} decided for one schedule. Each decision carries the standing to
 * store and applies itself through {@link ScheduleEffects}, in the order the effects must happen (a
 * rejected schedule's error goes out before its new standing, a firing before the next timer).
 */
public sealed interface Decision
    permits Decision.Delete,
        Decision.GoInactive,
        Decision.FinishAtSource,
        Decision.Reject,
        Decision.SetAside,
        Decision.Hold,
        Decision.Accept,
        Decision.Fire,
        Decision.HoldForDevice,
        Decision.StoredRuleBroken,
        Decision.EndWait,
        Decision.Nothing {

  void applyTo(ScheduleEffects effects);

  /**
   * Deleted at the source: everything stops, the standing stays so fired occurrences stay fired.
   */
  record Delete(Standing after) implements Decision {
    @Override
    public void applyTo(ScheduleEffects e) {
      e.stopEverything();
      e.deleteRecipients();
      e.save(null, after);
      e.note(Severity.INFO, "Schedule deleted, timer and fan-outs cancelled", "");
    }
  }

  /** Inactive, draft or cancelled at the source: nothing fires, a running fan-out stops. */
  record GoInactive(Definition definition, Standing after) implements Decision {
    @Override
    public void applyTo(ScheduleEffects e) {
      e.stopEverything();
      e.save(definition, after);
      e.note(
          Severity.INFO,
          "Schedule inactive, timer and fan-outs cancelled",
          "sourceStatus=" + definition.sourceStatus());
    }
  }

  /**
   * The source says it is over and the scheduler never fired it: firing now would surprise. Only
   * the timer goes; the stored definition stays.
   */
  record FinishAtSource(Standing after) implements Decision {
    @Override
    public void applyTo(ScheduleEffects e) {
      e.cancelTimer();
      e.saveStanding(after);
    }
  }

  /** Invalid: everything stops, the row is told why, only a skeleton of the definition is kept. */
  record Reject(Definition skeleton, Standing after, ScheduleError error, String details)
      implements Decision {
    @Override
    public void applyTo(ScheduleEffects e) {
      e.stopEverything();
      e.publish(error);
      e.save(skeleton, after);
      e.note(Severity.INFO, "Schedule rejected", details);
    }
  }

  /**
   * A failure caused by the schedule's content (a defect, or an input no check foresaw): it stops
   * like a rejected one, with a reason that says so. Where it failed is the caller's to report.
   */
  record SetAside(Definition skeleton, Standing after, ScheduleError error, String reason)
      implements Decision {
    @Override
    public void applyTo(ScheduleEffects e) {
      e.stopEverything();
      e.publish(error);
      e.save(skeleton, after);
    }
  }

  /**
   * Held until {@code until}: its device or a contact it names is not known yet (rows inserted in
   * one transaction reach the scheduler through different topics).
   *
   * @param firstHold whether this starts the wait (then it is worth a log line)
   */
  record Hold(
      Definition definition,
      List<String> recipients,
      Standing after,
      Instant until,
      boolean firstHold,
      boolean deviceKnown)
      implements Decision {
    @Override
    public void applyTo(ScheduleEffects e) {
      e.cancelTimer();
      // A running occurrence goes on as it fired, with the device and recipients it had then
      // (ADR 0016); the hold concerns the next occurrence.
      e.writeRecipients(recipients);
      e.save(definition, after);
      e.awaitDevice(until);
      if (firstHold) {
        e.note(
            Severity.INFO,
            "Schedule held until its device and contacts are known",
            "deviceId="
                + definition.deviceId()
                + " deviceKnown="
                + deviceKnown
                + " until="
                + until);
      }
    }
  }

  /**
   * Valid: a new generation, armed at its next occurrence or finished when there is none.
   *
   * @param contactsUnknown the wait for its contacts ran out; unknown ones are skipped at firing
   */
  record Accept(
      Definition definition,
      List<String> recipients,
      CompiledSchedule compiled,
      Standing after,
      boolean contactsUnknown)
      implements Decision {

    /** The occurrence armed, or empty when the schedule is finished. */
    public Optional<Instant> armsAt() {
      return Optional.ofNullable(after.timerDue());
    }

    @Override
    public void applyTo(ScheduleEffects e) {
      if (contactsUnknown) {
        e.note(
            Severity.WARN,
            "Schedule armed with contacts that are still unknown; they will be skipped",
            "");
      }
      e.cancelTimer();
      e.clearDeviceWait();
      e.writeRecipients(recipients);
      e.rememberRule(after.generation(), compiled);
      armsAt().ifPresent(e::armTimer);
      e.save(definition, after);
      e.note(
          Severity.DEBUG,
          "Schedule accepted",
          "generation=" + after.generation() + " nextDue=" + after.timerDue());
    }
  }

  /**
   * A due timer fires {@code firings} (possibly none, when catch-up dropped them all), then arms
   * the next occurrence or finishes.
   */
  record Fire(
      List<Firing> firings, Duration lateness, int dropped, CatchUpPolicy policy, Standing after)
      implements Decision {

    public Fire {
      firings = List.copyOf(firings);
    }

    @Override
    public void applyTo(ScheduleEffects e) {
      e.lateness(lateness);
      firings.forEach(e::fire);
      if (dropped > 0) {
        e.note(
            Severity.INFO,
            "Missed occurrences dropped by catch-up policy",
            "dropped=" + dropped + " policy=" + policy);
      }
      if (after.timerDue() != null) {
        e.armTimer(after.timerDue());
      }
      e.saveStanding(after);
    }
  }

  /**
   * A due timer whose device's session is lost (issue 19): nothing fires, the timer is armed again
   * for a re-check, and the standing keeps the first held instant for the catch-up on return.
   */
  record HoldForDevice(Standing after, String deviceStatus) implements Decision {
    @Override
    public void applyTo(ScheduleEffects e) {
      e.note(
          Severity.INFO,
          "Occurrence held: the device's session is lost",
          "deviceStatus=" + deviceStatus + " heldSince=" + after.awaitingDeviceSince());
      e.armTimer(after.timerDue());
      e.saveStanding(after);
    }
  }

  /** The stored definition no longer compiles (a rule-code change made it invalid). */
  record StoredRuleBroken(Standing after) implements Decision {
    @Override
    public void applyTo(ScheduleEffects e) {
      e.note(Severity.ERROR, "Stored schedule no longer compiles, not firing", "");
      e.saveStanding(after);
    }
  }

  /** A device wait left behind by a schedule that is no longer held. */
  record EndWait() implements Decision {
    @Override
    public void applyTo(ScheduleEffects e) {
      e.clearDeviceWait();
    }
  }

  /**
   * Nothing to do: a timer the schedule no longer points at (re-armed or cancelled in the same
   * commit), or a held schedule whose device is still missing.
   */
  record Nothing() implements Decision {
    @Override
    public void applyTo(ScheduleEffects e) {}
  }
}
