package io.herald.sender.ledger;

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
 * @param errorMessage short reason without message text, or null
 * @param finishedAt when the outcome was decided
 */
public record Finish(
    DeliveryStatus status,
    int attempts,
    String transportMessageId,
    String errorCode,
    String errorMessage,
    Instant finishedAt) {

  public Finish {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(finishedAt, "finishedAt");
  }
}
