package io.herald.scheduler.topology;

import io.herald.contracts.event.ScheduleChange;
import io.herald.scheduler.schedule.ScheduleStatus;
import java.time.Instant;

/**
 * The value of the {@code schedules} store. The recipients of the definition live in the {@code
 * recipients} store in chunks (a 50,000-entry list would exceed a Kafka record as one changelog
 * value), so {@link #definition()} holds an empty recipient list and {@link #recipientCount()}.
 *
 * @param definition the last accepted (or held) definition without recipients; null after delete
 * @param generation incremented on every accepted change; a compiled-rule cache key
 * @param status see {@link ScheduleStatus}
 * @param timerDue due instant of the armed timer (the timers-store key is derived from it), or
 *     null when nothing is armed
 * @param lastFiredOccurrence the latest occurrence fired, or null; never fired again
 * @param executionCount occurrences fired so far
 * @param recipientCount canonical recipients stored in the recipients store
 * @param awaitingDeviceSince when the device was first found missing, or null
 */
record ScheduleState(
    ScheduleChange definition,
    long generation,
    ScheduleStatus status,
    Instant timerDue,
    Instant lastFiredOccurrence,
    long executionCount,
    int recipientCount,
    Instant awaitingDeviceSince) {

  static ScheduleState empty() {
    return new ScheduleState(null, 0, ScheduleStatus.INACTIVE, null, null, 0, 0, null);
  }

  ScheduleState withStatus(ScheduleStatus newStatus, Instant newTimerDue) {
    return new ScheduleState(definition, generation, newStatus, newTimerDue, lastFiredOccurrence,
        executionCount, recipientCount, awaitingDeviceSince);
  }

  ScheduleState fired(Instant occurrence) {
    return new ScheduleState(definition, generation, status, timerDue, occurrence,
        executionCount + 1, recipientCount, awaitingDeviceSince);
  }

  boolean hasFired() {
    return lastFiredOccurrence != null || executionCount > 0;
  }
}
