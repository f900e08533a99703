package io.herald.sender.lane;

import io.herald.contracts.event.PacingSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Anti-ban pacing of one device lane, across every schedule that uses the device. Pure: the clock
 * and the random source are injected; not thread-safe (the lane serializes calls).
 *
 * <p>After each transport call the pacer decides the gap before the device's next message, from the
 * pacing of the schedule whose message just went out (the old system's "send, then sleep"):
 *
 * <ul>
 *   <li>{@code manual}: {@code delay_seconds} (0 and no jitter = no pacing).
 *   <li>{@code auto}: {@code autoBase x (1 + min(1, v / 500))}, where v is the device's decayed
 *       message count of the last hour (an exponentially decaying counter, time constant 1 h): 5 s
 *       for a quiet device, rising to 10 s for a busy one; never below {@code autoFloor}.
 *   <li>{@code adaptive}: {@code delay_seconds} when given, else the auto delay, times a slow-down
 *       factor that doubles on each rate-limit answer (up to {@code adaptiveMaxFactor}) and shrinks
 *       by {@code adaptiveRecovery} after each success, down to 1.
 *   <li>{@code randomize_delay}: adds a uniform jitter of 0..50% of the delay (0..1 s when the
 *       delay is 0); the gap is never shorter than asked.
 *   <li>{@code batch_size} / {@code pause_between_batches}: after every batch_size-th message of a
 *       schedule, the gap is the pause instead of the delay (when the pause is longer).
 * </ul>
 *
 * <p>Device limits hold on top of that: at most {@code maxPerSecond} calls per second, and at least
 * {@code pairGap} between two messages to the same recipient.
 */
public final class Pacer {

  /** What a transport call meant for pacing. */
  public enum AttemptResult {
    SUCCESS,
    RATE_LIMITED,
    OTHER
  }

  private static final double HOUR_SECONDS = 3600.0;
  private static final int PRUNE_THRESHOLD = 1024;

  private final Clock clock;
  private final RandomGenerator random;
  private final PacingPolicy policy;

  private Instant nextSlot = Instant.MIN;
  private Instant lastCall;
  private final Map<String, Instant> lastToRecipient = new HashMap<>();
  private final Map<String, Integer> batchCounts = new HashMap<>();
  private double adaptiveFactor = 1.0;
  private double hourlyVolume;
  private Instant volumeAt;
  private Duration lastGap = Duration.ZERO;

  public Pacer(Clock clock, RandomGenerator random, PacingPolicy policy) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
    this.policy = Objects.requireNonNull(policy, "policy");
  }

  /**
   * The earliest instant the device may send its next message, to {@code recipient}.
   *
   * @param maxPerSecond the device's cap in messages per second, or null / <= 0 for none
   */
  public Instant earliestFor(String recipient, Double maxPerSecond) {
    Instant t = nextSlot;
    if (maxPerSecond != null && maxPerSecond > 0 && lastCall != null) {
      long nanos = (long) Math.ceil(1_000_000_000.0 / maxPerSecond);
      t = max(t, lastCall.plusNanos(nanos));
    }
    Instant last = recipient == null ? null : lastToRecipient.get(recipient);
    if (last != null) {
      t = max(t, last.plus(policy.pairGap()));
    }
    return t;
  }

  /** How long from now until {@link #earliestFor}; zero when the device may send now. */
  public Duration waitFor(String recipient, Double maxPerSecond) {
    Duration d = Duration.between(clock.instant(), earliestFor(recipient, maxPerSecond));
    return d.isNegative() ? Duration.ZERO : d;
  }

  /**
   * Records a transport call made now for a message of {@code scheduleKey} paced by {@code spec}
   * and chooses the gap before the device's next message.
   *
   * @param finalAttempt true when this call ends the command (sent or failed for good): only those
   *     count toward a batch, so a retried message is not counted twice
   */
  public void onAttempt(
      PacingSpec spec,
      String scheduleKey,
      String recipient,
      AttemptResult result,
      boolean finalAttempt) {
    Instant now = clock.instant();
    lastCall = now;
    if (recipient != null) {
      lastToRecipient.put(recipient, now);
      if (lastToRecipient.size() > PRUNE_THRESHOLD) {
        prune(now);
      }
    }
    if (result == AttemptResult.RATE_LIMITED) {
      adaptiveFactor = Math.min(policy.adaptiveMaxFactor(), adaptiveFactor * 2.0);
    } else if (result == AttemptResult.SUCCESS) {
      adaptiveFactor = Math.max(1.0, adaptiveFactor * policy.adaptiveRecovery());
    }
    decayVolume(now);
    hourlyVolume += 1.0;

    Duration gap = delay(spec);
    if (finalAttempt) {
      int batchSize = orZero(spec == null ? null : spec.batchSize());
      if (batchSize > 0) {
        int count = batchCounts.merge(scheduleKey == null ? "" : scheduleKey, 1, Integer::sum);
        if (count >= batchSize) {
          batchCounts.remove(scheduleKey == null ? "" : scheduleKey);
          Duration pause = Duration.ofSeconds(orZero(spec.pauseBetweenBatchesSeconds()));
          if (pause.compareTo(gap) > 0) {
            gap = pause;
          }
        }
      }
    }
    lastGap = gap;
    nextSlot = now.plus(gap);
  }

  /** The current adaptive slow-down factor (1 = none). */
  public double adaptiveFactor() {
    return adaptiveFactor;
  }

  /** The gap chosen after the last call. */
  public Duration lastGap() {
    return lastGap;
  }

  /** The delay before the next message for {@code spec}, jitter and floor included. */
  Duration delay(PacingSpec spec) {
    String type = spec == null || spec.delayType() == null ? "auto" : spec.delayType();
    boolean randomize = spec != null && Boolean.TRUE.equals(spec.randomizeDelay());
    Integer delaySeconds = spec == null ? null : spec.delaySeconds();
    long baseMillis;
    boolean floored;
    switch (type.trim().toLowerCase(Locale.ROOT)) {
      case "manual":
        baseMillis = Math.max(0, orZero(delaySeconds)) * 1000L;
        floored = false;
        break;
      case "adaptive":
        if (delaySeconds != null && delaySeconds > 0) {
          baseMillis = Math.round(delaySeconds * 1000.0 * adaptiveFactor);
          floored = false;
        } else {
          baseMillis = Math.round(autoMillis() * adaptiveFactor);
          floored = true;
        }
        break;
      case "auto":
      default: // an unknown type gets the safe choice
        baseMillis = autoMillis();
        floored = true;
        break;
    }
    long millis = baseMillis;
    if (randomize) {
      long spread = baseMillis == 0 ? 1000L : baseMillis / 2;
      millis += spread == 0 ? 0 : random.nextLong(spread + 1);
    }
    if (floored) {
      millis = Math.max(millis, policy.autoFloor().toMillis());
    }
    return Duration.ofMillis(millis);
  }

  private long autoMillis() {
    decayVolume(clock.instant());
    double factor = 1.0 + Math.min(1.0, hourlyVolume / PacingPolicy.AUTO_VOLUME_KNEE);
    return Math.round(policy.autoBase().toMillis() * factor);
  }

  private void decayVolume(Instant now) {
    if (volumeAt != null) {
      double dt = Math.max(0, Duration.between(volumeAt, now).toMillis() / 1000.0);
      hourlyVolume *= Math.exp(-dt / HOUR_SECONDS);
    }
    volumeAt = now;
  }

  private void prune(Instant now) {
    Instant horizon = now.minus(policy.pairGap());
    for (Iterator<Instant> it = lastToRecipient.values().iterator(); it.hasNext(); ) {
      if (it.next().isBefore(horizon)) {
        it.remove();
      }
    }
  }

  private static int orZero(Integer v) {
    return v == null ? 0 : v;
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
