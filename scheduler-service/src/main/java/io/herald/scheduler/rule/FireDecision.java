package io.herald.scheduler.rule;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What to do when a timer fires; see {@link CompiledSchedule#onDue}.
 *
 * @param toFire occurrence instants to fire now, ascending; each becomes one occurrence
 * @param dropped missed occurrences the catch-up policy (or the execution cap) dropped; exact up to
 *     {@link CompiledSchedule#MAX_COUNTED_DROPS}, saturating there after very long downtime
 * @param nextDue the next occurrence to set a timer for; empty when the schedule is finished
 */
public record FireDecision(List<Instant> toFire, int dropped, Optional<Instant> nextDue) {

  public FireDecision {
    toFire = List.copyOf(toFire);
    Objects.requireNonNull(nextDue, "nextDue");
    if (dropped < 0) {
      throw new IllegalArgumentException("dropped must not be negative: " + dropped);
    }
  }

  /** Whether the schedule has no further occurrence after this decision. */
  public boolean finished() {
    return nextDue.isEmpty();
  }
}
