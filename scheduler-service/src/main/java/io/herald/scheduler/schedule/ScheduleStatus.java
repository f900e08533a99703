package io.herald.scheduler.schedule;

/** Where a schedule stands in the scheduler's own store (not the source row's status). */
public enum ScheduleStatus {
  /** A timer is armed for the standing's timer due instant. */
  ARMED,
  /** Every occurrence fired (end date, max executions, once); nothing armed. */
  FINISHED,
  /** Inactive, draft or cancelled at the source; nothing armed. */
  INACTIVE,
  /** The device is not (yet) in the devices store; re-checked until the wait runs out. */
  AWAITING_DEVICE,
  /** Rejected with a ScheduleError; nothing armed until a valid change arrives. */
  INVALID,
  /** Deleted at the source; kept so a late redelivery cannot fire a fired occurrence again. */
  DELETED
}
