package io.herald.sender.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Turns a classified transport answer into the next step. Pure: the backoff and the instant are
 * passed in.
 *
 * <ul>
 *   <li>sent: concluded sent;
 *   <li>transient: retried after the backoff while calls are left, else failed ("gave up");
 *   <li>unknown: in at-least-once retried like transient while calls are left; otherwise reported
 *       {@code unknown} and not resent (at-most-once: at once);
 *   <li>permanent: failed at once;
 *   <li>account danger: failed at once and the device paused.
 * </ul>
 */
public final class OutcomePolicy {

  /** The wait before the next call. */
  @FunctionalInterface
  public interface Backoff {
    /**
     * @param attemptsMade calls made so far (>= 1)
     * @param retryAfter what the transport asked for, or null
     */
    Duration next(int attemptsMade, Duration retryAfter);
  }

  private final int maxAttempts;
  private final DeliveryMode mode;
  private final Backoff backoff;

  /**
   * @param maxAttempts calls per command before a transient failure becomes final (>= 1)
   * @param mode what a call that may have been received without an answer becomes
   */
  public OutcomePolicy(int maxAttempts, DeliveryMode mode, Backoff backoff) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1");
    }
    this.maxAttempts = maxAttempts;
    this.mode = Objects.requireNonNull(mode, "mode");
    this.backoff = Objects.requireNonNull(backoff, "backoff");
  }

  /**
   * @param outcome the classified answer of the call just made
   * @param calls calls made for the command, this one included (>= 1)
   * @param now when the answer came
   */
  public NextStep afterCall(Outcome outcome, int calls, Instant now) {
    if (outcome instanceof Outcome.Sent) {
      return new NextStep.Conclude(
          Verdict.sent(((Outcome.Sent) outcome).messageId()), AttemptSignal.SUCCESS);
    }
    if (outcome instanceof Outcome.Transient) {
      Outcome.Transient t = (Outcome.Transient) outcome;
      AttemptSignal signal = t.rateLimited() ? AttemptSignal.RATE_LIMITED : AttemptSignal.OTHER;
      if (calls < maxAttempts) {
        return retry(calls, t.code(), t.reason(), t.retryAfter(), signal, now);
      }
      return new NextStep.Conclude(
          Verdict.failed(t.code(), "gave up after " + calls + " attempts: " + t.reason()), signal);
    }
    if (outcome instanceof Outcome.Unknown) {
      Outcome.Unknown u = (Outcome.Unknown) outcome;
      boolean atLeastOnce = mode == DeliveryMode.AT_LEAST_ONCE;
      if (atLeastOnce && calls < maxAttempts) {
        // the operator prefers a possible duplicate to a possible loss
        return retry(calls, u.code(), u.reason(), u.retryAfter(), AttemptSignal.OTHER, now);
      }
      String reason =
          u.reason()
              + "; the message may have been delivered; "
              + (atLeastOnce
                  ? "gave up after " + calls + " attempts (at-least-once)"
                  : "not resent (at-most-once)");
      return new NextStep.ReportUnknown(Verdict.unknown(u.code(), reason), u.reason());
    }
    if (outcome instanceof Outcome.Permanent) {
      Outcome.Permanent p = (Outcome.Permanent) outcome;
      return new NextStep.Conclude(Verdict.failed(p.code(), p.reason()), AttemptSignal.OTHER);
    }
    Outcome.AccountDanger a = (Outcome.AccountDanger) outcome;
    return new NextStep.ConcludeAndPause(
        Verdict.failed(a.code(), a.reason()), a.code() + ": " + a.reason());
  }

  private NextStep retry(
      int calls,
      String code,
      String reason,
      Duration retryAfter,
      AttemptSignal signal,
      Instant now) {
    return new NextStep.RetryAt(now.plus(backoff.next(calls, retryAfter)), code, reason, signal);
  }
}
