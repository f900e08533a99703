package io.herald.sender.ledger;

import io.herald.contracts.limit.ErrorTexts;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.outcome.DeliveryStatus;
import java.time.Instant;
import java.util.Objects;

/**
 * The final outcome of a claimed command, as written to {@code deliveries}.
 *
 * @param status a final status; {@code unknown} when the call may have reached the transport
 *     without an answer (no answer in time, connection lost after the request was written)
 * @param attempts transport calls made, >= 0
 * @param transportMessageId e.g. {@code wamid...}, or null
 * @param errorCode transport code or Herald reason ({@code opted_out}, {@code expired}...), or null
 * @param errorMessage short reason without message text, or null; clipped to {@link
 *     Limits#ERROR_TEXT_MAX_CHARS} without control characters
 * @param finishedAt when the outcome was decided
 * @param sentAs {@code text} or {@code template} when a call was made (ADR 0021), else null
 */
public record Finish(
    DeliveryStatus status,
    int attempts,
    String transportMessageId,
    String errorCode,
    String errorMessage,
    Instant finishedAt,
    String sentAs) {

  /** An outcome without a call's form (no call, or before ADR 0021). */
  public Finish(
      DeliveryStatus status,
      int attempts,
      String transportMessageId,
      String errorCode,
      String errorMessage,
      Instant finishedAt) {
    this(status, attempts, transportMessageId, errorCode, errorMessage, finishedAt, null);
  }

  /** Far above any real provider id ({@code wamid.} ids run to about 60 characters). */
  static final int MAX_MESSAGE_ID_CHARS = 512;

  public Finish {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(finishedAt, "finishedAt");
    // provider texts land in a text column that refuses NUL, and one finish that cannot be
    // written fails its whole group-committed batch: bounded and cleaned here, once
    transportMessageId =
        transportMessageId == null
            ? null
            : ErrorTexts.clip(transportMessageId, MAX_MESSAGE_ID_CHARS);
    errorCode = errorCode == null ? null : ErrorTexts.clip(errorCode, Limits.STATUS_MAX_CHARS * 2);
    errorMessage = errorMessage == null ? null : ErrorTexts.text(errorMessage);
    if (sentAs != null && !sentAs.equals("text") && !sentAs.equals("template")) {
      throw new IllegalArgumentException("sentAs must be text or template: " + sentAs);
    }
  }
}
