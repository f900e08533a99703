package io.herald.scheduler.schedule;

import java.time.Instant;

/**
 * Where a schedule stands, as the lifecycle sees it: everything the scheduler stores for a schedule
 * except its definition (which the lifecycle gets as a change, and returns as what to store). All
 * instants are UTC; null means "none".
 *
 * @param status see {@link ScheduleStatus}
 * @param generation incremented on every accepted change; the compiled-rule cache key
 * @param timerDue due instant of the armed timer, or null when nothing is armed
 * @param lastFiredOccurrence the latest occurrence fired, or null; it and every earlier one never
 *     fire again
 * @param executionCount occurrences fired so far
 * @param recipientCount canonical recipients stored for the schedule
 * @param awaitingDeviceSince when the schedule was first held for its device or contacts, or null;
 *     while armed: the first due instant held because the device's session was lost (issue 19),
 *     from which the catch-up policy judges what was missed once it is back
 */
public record Standing(
    ScheduleStatus status,
    long generation,
    Instant timerDue,
    Instant lastFiredOccurrence,
    long executionCount,
    int recipientCount,
    Instant awaitingDeviceSince) {

  /** A key the scheduler has never stored. */
  public static Standing none() {
    return new Standing(ScheduleStatus.INACTIVE, 0, null, null, 0, 0, null);
  }

  public boolean hasFired() {
    return lastFiredOccurrence != null || executionCount > 0;
  }

  /** Armed or finished: an update must not hold back what is already scheduled. */
  boolean isSettled() {
    return status == ScheduleStatus.ARMED || status == ScheduleStatus.FINISHED;
  }

  public Standing withStatus(ScheduleStatus newStatus, Instant newTimerDue) {
    return new Standing(
        newStatus,
        generation,
        newTimerDue,
        lastFiredOccurrence,
        executionCount,
        recipientCount,
        awaitingDeviceSince);
  }

  Standing fired(Instant occurrence) {
    return new Standing(
        status,
        generation,
        timerDue,
        occurrence,
        executionCount + 1,
        recipientCount,
        awaitingDeviceSince);
  }

  /**
   * Armed again at {@code recheck} without firing: the device's session is lost. The first held due
   * instant is kept, so that the return fires what was missed by the catch-up policy.
   */
  Standing heldForDevice(Instant dueAt, Instant recheck) {
    return new Standing(
        ScheduleStatus.ARMED,
        generation,
        recheck,
        lastFiredOccurrence,
        executionCount,
        recipientCount,
        awaitingDeviceSince != null ? awaitingDeviceSince : dueAt);
  }

  /** The same standing without a held instant. */
  Standing withoutHold() {
    return new Standing(
        status, generation, timerDue, lastFiredOccurrence, executionCount, recipientCount, null);
  }

  /** Stopped with nothing armed and no wait, keeping what fired and the stored recipients. */
  Standing stopped(ScheduleStatus newStatus) {
    return new Standing(
        newStatus, generation, null, lastFiredOccurrence, executionCount, recipientCount, null);
  }
}
