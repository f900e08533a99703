package io.herald.sender.lane;

import io.herald.sender.delivery.DeliveryMode;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the lanes.
 *
 * @param maxAttempts transport calls per command before a transient failure becomes final
 * @param mode what a claim left unconfirmed by a crashed owner becomes, and what a call that may
 *     have been received without an answer (timeout, connection lost) becomes: {@code unknown} in
 *     at-most-once, retried in at-least-once
 * @param pausedRecheck how often a lane of a paused device looks at the device's status again
 * @param errorRetry how long a lane waits after a failed step (database down) before retrying
 * @param randomSeed seed of the lanes' jitter (each lane derives its own from it)
 */
public record LaneSettings(
    int maxAttempts,
    DeliveryMode mode,
    Duration pausedRecheck,
    Duration errorRetry,
    long randomSeed) {

  public LaneSettings {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(pausedRecheck, "pausedRecheck");
    Objects.requireNonNull(errorRetry, "errorRetry");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1");
    }
  }
}
