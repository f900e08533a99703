package io.herald.sender.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Decides after a failed lane step. A failure that says nothing about the command (the database,
 * the network, a timeout) is retried as long as it lasts; a command whose own content failed its
 * step {@link #MAX_CONTENT_FAILURES} times is decided without a call: {@code failed} ({@code
 * unprocessable}), or {@code unknown} when a call was made (it may have gone out). Pure.
 */
public final class StepFailurePolicy {

  /** Steps a command may fail on its own content before it is decided without a call. */
  public static final int MAX_CONTENT_FAILURES = 3;

  private final Duration errorRetry;

  /**
   * @param errorRetry how long the lane waits after a failed step before trying again
   */
  public StepFailurePolicy(Duration errorRetry) {
    this.errorRetry = Objects.requireNonNull(errorRetry, "errorRetry");
  }

  /**
   * @param contentFailures failed steps the command's content caused, this one included when it was
   *     one of them (0 when it was not)
   * @param calls transport calls made for the command so far
   * @param errorType the failure's simple class name (never its message: it may quote content)
   * @param now when the step failed
   */
  public AfterFailure afterFailure(int contentFailures, int calls, String errorType, Instant now) {
    if (contentFailures >= MAX_CONTENT_FAILURES) {
      String reason = "could not be processed (" + errorType + ")";
      return new AfterFailure.SetAside(
          calls > 0
              ? Verdict.unknown("unprocessable", reason)
              : Verdict.failed("unprocessable", reason));
    }
    return new AfterFailure.RetryStepAt(now.plus(errorRetry));
  }
}
