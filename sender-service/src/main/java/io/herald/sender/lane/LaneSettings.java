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
 * @param maxInFlightPerDevice the most transport calls one device has in flight at once: the bound
 *     of its window, which its rate and its calls' latency set below that ({@link LaneWindow})
 */
public record LaneSettings(
    int maxAttempts,
    DeliveryMode mode,
    Duration pausedRecheck,
    Duration errorRetry,
    long randomSeed,
    int maxInFlightPerDevice) {

  /** The default bound of calls in flight per device: 1,000/s at 200 ms with headroom. */
  public static final int DEFAULT_MAX_IN_FLIGHT_PER_DEVICE = 256;

  /** With the default bound of calls in flight per device. */
  public LaneSettings(
      int maxAttempts,
      DeliveryMode mode,
      Duration pausedRecheck,
      Duration errorRetry,
      long randomSeed) {
    this(
        maxAttempts, mode, pausedRecheck, errorRetry, randomSeed, DEFAULT_MAX_IN_FLIGHT_PER_DEVICE);
  }

  public LaneSettings {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(pausedRecheck, "pausedRecheck");
    Objects.requireNonNull(errorRetry, "errorRetry");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1");
    }
    if (maxInFlightPerDevice < 1) {
      throw new IllegalArgumentException("maxInFlightPerDevice must be >= 1");
    }
  }
}
