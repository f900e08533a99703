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

  /** Why a call produced no HTTP answer. */
  public enum Failure {
    NONE,
    /** No answer within the timeout: the message may or may not have gone out. */
    TIMEOUT,
    /** The connection could not be made or broke before an answer. */
    CONNECTION
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

  public static TransportResponse timeout(String reason) {
    return new TransportResponse(0, null, reason, null, null, Failure.TIMEOUT);
  }

  public static TransportResponse connectionError(String reason) {
    return new TransportResponse(0, null, reason, null, null, Failure.CONNECTION);
  }
}
