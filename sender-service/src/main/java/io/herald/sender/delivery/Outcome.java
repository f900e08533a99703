package io.herald.sender.delivery;

import java.time.Duration;
import java.util.Optional;

/** A classified transport answer: what the lane does next. */
public sealed interface Outcome
    permits Outcome.Sent,
        Outcome.Transient,
        Outcome.Unknown,
        Outcome.Permanent,
        Outcome.AccountDanger {

  /** The transport accepted the message. */
  record Sent(String messageId) implements Outcome {}

  /**
   * Worth retrying later.
   *
   * @param code error code for the result (transport code, {@code http_503}, {@code timeout})
   * @param reason short reason, never the message text
   * @param retryAfter what the transport asked for, or null
   * @param rateLimited true when the answer means "too fast": the adaptive pacer slows down
   */
  record Transient(String code, String reason, Duration retryAfter, boolean rateLimited)
      implements Outcome {
    public Optional<Duration> retryAfterHint() {
      return Optional.ofNullable(retryAfter);
    }
  }

  /**
   * The request may have reached the transport and no answer says what happened (no answer in time,
   * connection lost after the request was written). WhatsApp has no idempotency key, so a resend
   * may deliver the message twice: in at-most-once mode (the default) the command is reported
   * {@code unknown} and not resent; in at-least-once mode it is retried like {@link Transient}. The
   * lane decides, from the delivery mode.
   *
   * @param code error code for the result ({@code timeout}, {@code connection_lost}, or a code an
   *     operator mapped to {@code unknown})
   * @param reason short reason, never the message text
   * @param retryAfter what the transport asked for (only when it answered), or null
   */
  record Unknown(String code, String reason, Duration retryAfter) implements Outcome {}

  /** Will not succeed by retrying: fail at once with the code and reason. */
  record Permanent(String code, String reason) implements Outcome {}

  /** The account is in danger (spam limit, policy block): fail, pause the device, alert. */
  record AccountDanger(String code, String reason) implements Outcome {}
}
