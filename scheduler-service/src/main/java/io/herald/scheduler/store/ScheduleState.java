package io.herald.scheduler.store;

import io.herald.scheduler.schedule.Definition;
import io.herald.scheduler.schedule.ScheduleStatus;
import io.herald.scheduler.schedule.Standing;
import java.time.Instant;

/**
 * The value of the {@code schedules} store. The recipients of the definition live in the {@code
 * recipients} store in chunks (a 50,000-entry list would exceed a Kafka record as one changelog
 * value), so {@link #definition()} holds an empty recipient list and {@link #recipientCount()}.
 *
 * @param definition the last accepted (or held) definition without recipients; null after delete
 * @param generation incremented on every accepted change; a compiled-rule cache key
 * @param status see {@link ScheduleStatus}
 * @param timerDue due instant of the armed timer (the timers-store key is derived from it), or null
 *     when nothing is armed
 * @param lastFiredOccurrence the latest occurrence fired, or null; never fired again
 * @param executionCount occurrences fired so far
 * @param recipientCount canonical recipients stored in the recipients store
 * @param awaitingDeviceSince when the device was first found missing, or null
 */
public record ScheduleState(
    Definition definition,
    long generation,
    ScheduleStatus status,
    Instant timerDue,
    Instant lastFiredOccurrence,
    long executionCount,
    int recipientCount,
    Instant awaitingDeviceSince) {

  /** The stored value of a schedule the lifecycle left standing as {@code s}. */
  public static ScheduleState of(Definition definition, Standing s) {
    return new ScheduleState(
        definition,
        s.generation(),
        s.status(),
        s.timerDue(),
        s.lastFiredOccurrence(),
        s.executionCount(),
        s.recipientCount(),
        s.awaitingDeviceSince());
  }

  /** What the lifecycle decides from: everything but the definition. */
  public Standing standing() {
    return new Standing(
        status,
        generation,
        timerDue,
        lastFiredOccurrence,
        executionCount,
        recipientCount,
        awaitingDeviceSince);
  }

  public static ScheduleState empty() {
    return new ScheduleState(null, 0, ScheduleStatus.INACTIVE, null, null, 0, 0, null);
  }
}
