package io.herald.contracts.outcome;

import io.herald.contracts.event.ScheduleKind;
import java.time.Instant;

/**
 * The scheduler's view of one schedule after it handled a change or fired, on {@code
 * herald.schedule-states} keyed by schedule key. The projector writes it to the row's state
 * columns, so a user sees {@code next_send_at} as soon as a schedule is armed, and an invalid
 * schedule that was fixed goes back to {@code active}.
 *
 * @param schemaVersion payload version
 * @param scheduleKey {@code <kind>:<id>}
 * @param kind schedule kind
 * @param tenantId owner
 * @param status {@code active} (armed), {@code inactive} (deactivated, draft or cancelled), {@code
 *     finished} (no occurrence left), {@code invalid} (see {@code lastError}), {@code deleted}
 * @param nextDueAt the armed occurrence, or null
 * @param executionCount occurrences fired so far
 * @param lastError the joined reasons when invalid, else null
 * @param sourceVersion version of the definition this state derives from
 * @param at when the scheduler decided it
 */
public record ScheduleState(
    int schemaVersion,
    String scheduleKey,
    ScheduleKind kind,
    String tenantId,
    String status,
    Instant nextDueAt,
    long executionCount,
    String lastError,
    long sourceVersion,
    Instant at) {

  public static final int SCHEMA_VERSION = 1;
}
