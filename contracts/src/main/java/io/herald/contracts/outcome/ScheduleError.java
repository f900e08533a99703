package io.herald.contracts.outcome;

import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.limit.ErrorTexts;
import io.herald.contracts.limit.Limits;
import java.time.Instant;
import java.util.List;

/**
 * A rejected schedule definition, on {@code herald.schedule-errors} keyed by schedule key. The
 * projector shows it on the row as {@code status = invalid} and {@code last_error = message}.
 *
 * @param schemaVersion payload version
 * @param scheduleKey {@code <kind>:<id>}
 * @param kind schedule kind, or null when it could not be read
 * @param tenantId owner, or null when missing
 * @param reason class of the first problem
 * @param reasons every problem found, each a sentence a user can act on
 * @param message the reasons joined with "; " (what {@code last_error} shows)
 * @param sourceVersion version of the rejected definition
 * @param detectedAt when the scheduler rejected it
 */
public record ScheduleError(
    int schemaVersion,
    String scheduleKey,
    ScheduleKind kind,
    String tenantId,
    ErrorReason reason,
    List<String> reasons,
    String message,
    long sourceVersion,
    Instant detectedAt) {

  public static final int SCHEMA_VERSION = 1;

  /**
   * Bounded whatever the input: at most {@link Limits#ERROR_REASONS_LISTED} reasons (then "and N
   * more"), each and the message clipped, so a pathological definition cannot make a record too
   * large for Kafka or a {@code last_error} too large for a row.
   */
  public ScheduleError {
    reasons = ErrorTexts.reasons(reasons);
    message = message == null ? null : ErrorTexts.text(message);
    tenantId = tenantId == null ? null : ErrorTexts.clip(tenantId, Limits.ID_MAX_CHARS);
  }
}
