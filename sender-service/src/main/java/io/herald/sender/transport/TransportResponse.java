package io.herald.sender.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * What a transport call returned, before classification: an HTTP status with the error code the
 * transport parsed from the body, or a failure to get any answer at all.
 *
 * @param httpStatus HTTP status, or 0 when no answer arrived ({@link #failure()} says why)
 * @param errorCode the transport's error code (WhatsApp {@code error.code}, e.g. {@code 131026}),
 *     or null
 * @param errorMessage a short reason from the transport, never the message text, or null
 * @param messageId the transport's message id on success (e.g. {@code wamid...}), or null
 * @param retryAfter the {@code Retry-After} the transport asked for, or null
 * @param failure why there is no HTTP answer, {@link Failure#NONE} when there is one
 */
public record TransportResponse(
    int httpStatus,
    String errorCode,
    String errorMessage,
    String messageId,
    Duration retryAfter,
    Failure failure) {

  /**
   * Why a call produced no HTTP answer. What matters is whether the request may have reached the
   * server: WhatsApp has no idempotency key, so a request that may have been received must not be
   * resent in at-most-once mode ({@link #mayHaveArrived()}).
   */
  public enum Failure {
    NONE,
    /**
     * The request left, and no answer came within the timeout: the server may have received and
     * acted on it. Classifier code {@code timeout}.
     */
    TIMEOUT,
    /**
     * The request certainly did not reach the server: connection refused, connect timeout, DNS
     * failure, TLS handshake failure. Safe to retry. Classifier code {@code connection}.
     */
    CONNECTION,
    /**
     * The connection was reset or closed after the request may have been written, or the answer was
     * incomplete: the server may have received and acted on it. Classifier code {@code
     * connection_lost}.
     */
    CONNECTION_LOST;

    /** True when the server may have received the request although no answer says so. */
    public boolean mayHaveArrived() {
      return this == TIMEOUT || this == CONNECTION_LOST;
    }
  }

  public TransportResponse {
    Objects.requireNonNull(failure, "failure");
  }

  public static TransportResponse accepted(int httpStatus, String messageId) {
    return new TransportResponse(httpStatus, null, null, messageId, null, Failure.NONE);
  }

  public static TransportResponse error(
      int httpStatus, String errorCode, String errorMessage, Duration retryAfter) {
    return new TransportResponse(
        httpStatus, errorCode, errorMessage, null, retryAfter, Failure.NONE);
  }

  /** No answer in time after the request left ({@link Failure#TIMEOUT}). */
  public static TransportResponse timeout(String reason) {
    return new TransportResponse(0, null, reason, null, null, Failure.TIMEOUT);
  }

  /** The request certainly did not reach the server ({@link Failure#CONNECTION}). */
  public static TransportResponse connectionError(String reason) {
    return new TransportResponse(0, null, reason, null, null, Failure.CONNECTION);
  }

  /**
   * The connection broke after the request may have been written ({@link Failure#CONNECTION_LOST}).
   */
  public static TransportResponse connectionLost(String reason) {
    return new TransportResponse(0, null, reason, null, null, Failure.CONNECTION_LOST);
  }
}
