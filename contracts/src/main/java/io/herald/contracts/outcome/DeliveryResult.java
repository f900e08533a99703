package io.herald.contracts.outcome;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.limit.ErrorTexts;
import io.herald.contracts.limit.Limits;
import java.time.Instant;

/**
 * The outcome of one command, on {@code herald.delivery-results} keyed by device id.
 *
 * @param schemaVersion payload version
 * @param commandId the command's id
 * @param tenantId owner
 * @param deviceId device that sent (or tried to)
 * @param scheduleKey {@code <kind>:<id>}
 * @param kind schedule kind
 * @param occurrenceAt the occurrence the command belongs to
 * @param status final status
 * @param attempts transport calls made for this command
 * @param transportMessageId id returned by the transport (e.g. {@code wamid...}), or null
 * @param errorCode transport error code (e.g. {@code 131026}) or a Herald reason code, or null
 * @param errorMessage human-readable reason, never containing the message text, or null
 * @param finishedAt when the outcome was recorded
 * @param recipient who it was for (E.164 number, group id or the contact id as listed), or null;
 *     set on the results the scheduler publishes for recipients it skipped at fan-out, which have
 *     no ledger row of their own until the projector writes one
 */
public record DeliveryResult(
    int schemaVersion,
    CommandId commandId,
    String tenantId,
    String deviceId,
    String scheduleKey,
    ScheduleKind kind,
    Instant occurrenceAt,
    DeliveryStatus status,
    int attempts,
    String transportMessageId,
    String errorCode,
    String errorMessage,
    Instant finishedAt,
    String recipient) {

  public static final int SCHEMA_VERSION = 1;

  /** A result without its recipient (the sender's own: the ledger row holds the recipient). */
  public DeliveryResult(
      int schemaVersion,
      CommandId commandId,
      String tenantId,
      String deviceId,
      String scheduleKey,
      ScheduleKind kind,
      Instant occurrenceAt,
      DeliveryStatus status,
      int attempts,
      String transportMessageId,
      String errorCode,
      String errorMessage,
      Instant finishedAt) {
    this(
        schemaVersion,
        commandId,
        tenantId,
        deviceId,
        scheduleKey,
        kind,
        occurrenceAt,
        status,
        attempts,
        transportMessageId,
        errorCode,
        errorMessage,
        finishedAt,
        null);
  }

  /** Error texts come from transports and providers: bounded here, whoever builds a result. */
  public DeliveryResult {
    errorMessage = errorMessage == null ? null : ErrorTexts.text(errorMessage);
    errorCode = errorCode == null ? null : ErrorTexts.clip(errorCode, Limits.STATUS_MAX_CHARS * 2);
    recipient = recipient == null ? null : ErrorTexts.clip(recipient, Limits.RECIPIENT_MAX_CHARS);
  }
}
