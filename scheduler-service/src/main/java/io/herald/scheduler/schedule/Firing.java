package io.herald.scheduler.schedule;

import java.time.Instant;

/**
 * One occurrence to fire now: its send-commands go out (at once or through a fan-out job) and one
 * occurrence event reports it.
 *
 * @param occurrence the occurrence instant, from the rule (never the clock): command ids derive
 *     from it
 * @param executionCount the schedule's execution count including this occurrence
 * @param nextDue the schedule's next occurrence after this one (the next firing of this decision,
 *     or the timer it arms), or null when none
 * @param finishesSchedule whether this is the schedule's last occurrence
 */
public record Firing(
    Instant occurrence, long executionCount, Instant nextDue, boolean finishesSchedule) {}
