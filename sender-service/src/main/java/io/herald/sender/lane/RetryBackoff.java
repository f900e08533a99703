package io.herald.sender.lane;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter for transient failures. Pure. The wait before attempt n+1 is
 * {@code U[0.5, 1] x min(max, base x 2^(n-1))}, and never shorter than the transport's {@code
 * Retry-After}.
 */
public final class RetryBackoff {

  private final Duration base;
  private final Duration max;
  private final RandomGenerator random;

  public RetryBackoff(Duration base, Duration max, RandomGenerator random) {
    this.base = Objects.requireNonNull(base, "base");
    this.max = Objects.requireNonNull(max, "max");
    this.random = Objects.requireNonNull(random, "random");
  }

  /**
   * @param attemptsMade transport calls made so far for the command (>= 1)
   * @param retryAfter what the transport asked for, or null
   */
  public Duration next(int attemptsMade, Duration retryAfter) {
    int exp = Math.max(0, Math.min(30, attemptsMade - 1));
    long capped = Math.min(max.toMillis(), base.toMillis() << exp);
    long jittered = capped / 2 + (capped / 2 == 0 ? 0 : random.nextLong(capped / 2 + 1));
    Duration d = Duration.ofMillis(jittered);
    if (retryAfter != null && retryAfter.compareTo(d) > 0) {
      d = retryAfter;
    }
    return d;
  }
}
