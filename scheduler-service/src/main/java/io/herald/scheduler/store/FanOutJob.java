package io.herald.scheduler.store;

import java.time.Instant;

/**
 * The value of the {@code fanouts} store: an occurrence whose send-commands are being emitted in
 * slices. The cursor is committed with the commands it covers (exactly-once), so a restart resumes
 * at the first recipient not yet emitted.
 *
 * @param scheduleKey the schedule
 * @param occurrence the occurrence instant from the rule
 * @param firedAt wall-clock time of firing
 * @param cursor index of the next recipient to emit
 * @param skipped recipients skipped so far (opted out, unknown or foreign contact)
 * @param executionCount the schedule's execution count including this occurrence
 * @param nextDueAt the next occurrence after this one, or null
 * @param finished whether this is the schedule's last occurrence
 */
public record FanOutJob(
    String scheduleKey,
    Instant occurrence,
    Instant firedAt,
    int cursor,
    int skipped,
    long executionCount,
    Instant nextDueAt,
    boolean finished) {

  public FanOutJob advance(int newCursor, int moreSkipped) {
    return new FanOutJob(
        scheduleKey,
        occurrence,
        firedAt,
        newCursor,
        skipped + moreSkipped,
        executionCount,
        nextDueAt,
        finished);
  }
}
