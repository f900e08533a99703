package io.herald.sender.projector;

import io.herald.contracts.event.ScheduleKind;
import java.time.Instant;
import java.util.UUID;

/**
 * One (schedule, occurrence) whose counts must be recomputed.
 *
 * @param kind schedule kind
 * @param scheduleId the schedule's id
 * @param occurrenceAt the occurrence, or null when unknown
 */
public record ProjectionTarget(ScheduleKind kind, UUID scheduleId, Instant occurrenceAt) {}
