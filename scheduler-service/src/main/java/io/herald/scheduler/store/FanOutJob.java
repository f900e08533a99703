package io.herald.scheduler.store;

import io.herald.scheduler.schedule.Definition;
import java.time.Instant;

/**
 * The value of the {@code fanouts} store: an occurrence whose send-commands are being emitted in
 * slices. The cursor is committed with the commands it covers (exactly-once), so a restart resumes
 * at the first recipient not yet emitted.
 *
 * <p>An occurrence goes out as the schedule was when it fired (ADR 0016). While nothing changes the
 * schedule, its stored definition and recipients are that, and the job reads them ({@link
 * #definition()} null). The first change of the schedule while the job runs first freezes the job:
 * the definition it fired with is copied into {@link #definition()} and its recipients into a
 * job-scoped key space of the {@code recipients} store, which the rest of the fan-out reads.
 *
 * @param scheduleKey the schedule
 * @param occurrence the occurrence instant from the rule
 * @param firedAt wall-clock time of firing
 * @param cursor index of the next recipient to emit
 * @param skipped recipients skipped so far (opted out, unknown or foreign contact)
 * @param executionCount the schedule's execution count including this occurrence
 * @param nextDueAt the next occurrence after this one, or null
 * @param finished whether this is the schedule's last occurrence
 * @param definition the definition (without recipients) as it fired, once frozen; null while the
 *     schedule's stored definition is still the one that fired
 * @param recipientCount the occurrence's recipients when frozen (0 while not frozen)
 */
public record FanOutJob(
    String scheduleKey,
    Instant occurrence,
    Instant firedAt,
    int cursor,
    int skipped,
    long executionCount,
    Instant nextDueAt,
    boolean finished,
    Definition definition,
    int recipientCount) {

  /** A job reading the schedule's own (unchanged since firing) definition and recipients. */
  public FanOutJob(
      String scheduleKey,
      Instant occurrence,
      Instant firedAt,
      int cursor,
      int skipped,
      long executionCount,
      Instant nextDueAt,
      boolean finished) {
    this(
        scheduleKey,
        occurrence,
        firedAt,
        cursor,
        skipped,
        executionCount,
        nextDueAt,
        finished,
        null,
        0);
  }

  /** Whether the job reads its own copy of the definition and recipients. */
  public boolean frozen() {
    return definition != null;
  }

  /** This job reading {@code fired} and its own {@code recipients} recipients from now on. */
  public FanOutJob freeze(Definition fired, int recipients) {
    return new FanOutJob(
        scheduleKey,
        occurrence,
        firedAt,
        cursor,
        skipped,
        executionCount,
        nextDueAt,
        finished,
        fired,
        recipients);
  }

  public FanOutJob advance(int newCursor, int moreSkipped) {
    return new FanOutJob(
        scheduleKey,
        occurrence,
        firedAt,
        newCursor,
        skipped + moreSkipped,
        executionCount,
        nextDueAt,
        finished,
        definition,
        recipientCount);
  }
}
