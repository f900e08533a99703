package io.herald.contracts.outcome;

import io.herald.contracts.event.ScheduleKind;
import java.time.Instant;

/**
 * One fired occurrence of a schedule, on {@code herald.occurrences} keyed by schedule key. The
 * scheduler's projector turns it into {@code next_send_at}, {@code execution_count}, {@code status}
 * and a {@code recurring_message_logs} row.
 *
 * @param schemaVersion payload version
 * @param scheduleKey {@code <kind>:<id>}
 * @param kind schedule kind
 * @param tenantId owner
 * @param occurrenceAt the occurrence instant from the rule
 * @param firedAt wall-clock time the scheduler fired it (for lateness; not part of identity)
 * @param recipientCount recipients in this occurrence (commands emitted plus skipped)
 * @param skippedCount recipients skipped at fan-out (opted out, unknown contact)
 * @param executionCount occurrences fired so far, including this one
 * @param nextDueAt the next occurrence, or null when the schedule finished
 * @param finished true when this was the last occurrence (end date, max executions, once)
 */
public record Occurrence(
    int schemaVersion,
    String scheduleKey,
    ScheduleKind kind,
    String tenantId,
    Instant occurrenceAt,
    Instant firedAt,
    int recipientCount,
    int skippedCount,
    long executionCount,
    Instant nextDueAt,
    boolean finished) {

  public static final int SCHEMA_VERSION = 1;
}
