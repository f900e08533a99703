package io.herald.sender.lane;

import java.time.Duration;
import java.util.Objects;

/**
 * Device-wide pacing settings that do not come from a schedule's {@code PacingSpec}.
 *
 * @param pairGap minimum gap between two messages of the device to the same recipient (WhatsApp's
 *     pair rate is about one per 6 s)
 * @param autoBase base delay of {@code auto} pacing, before the volume factor
 * @param autoFloor the lowest gap {@code auto} (and {@code adaptive} without delay_seconds) ever
 *     uses, after jitter
 * @param adaptiveMaxFactor the highest slow-down factor of {@code adaptive} pacing
 * @param adaptiveRecovery the factor is multiplied by this (0..1) after each success, down to 1
 */
public record PacingPolicy(
    Duration pairGap,
    Duration autoBase,
    Duration autoFloor,
    double adaptiveMaxFactor,
    double adaptiveRecovery) {

  /** Messages per hour at which the auto delay reaches twice its base. */
  public static final double AUTO_VOLUME_KNEE = 500.0;

  public PacingPolicy {
    Objects.requireNonNull(pairGap, "pairGap");
    Objects.requireNonNull(autoBase, "autoBase");
    Objects.requireNonNull(autoFloor, "autoFloor");
    if (adaptiveMaxFactor < 1.0) {
      throw new IllegalArgumentException("adaptiveMaxFactor must be >= 1");
    }
    if (adaptiveRecovery <= 0.0 || adaptiveRecovery >= 1.0) {
      throw new IllegalArgumentException("adaptiveRecovery must be in (0, 1)");
    }
  }

  /** Pair gap 6 s, auto base 5 s, floor 3 s, adaptive up to 16x, recovering by 0.9x a success. */
  public static PacingPolicy defaults() {
    return new PacingPolicy(
        Duration.ofSeconds(6), Duration.ofSeconds(5), Duration.ofSeconds(3), 16.0, 0.9);
  }
}
