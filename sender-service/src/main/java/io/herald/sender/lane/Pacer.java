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
 * and the random source are injected. Thread-safe: a lane with several calls in flight reserves and
 * reports from several continuations at once.
 *
 * <p>Each call first {@link #reserve reserves} its start: the pacer answers when the device may
 * start it, or takes the slot and decides the gap before the device's next start, from the pacing
 * of the schedule whose message starts now (a set delay is a gap between starts):
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
 * <p>Device limits hold on top of that: {@code maxPerSecond} is a token bucket (refilled at that
 * rate, holding {@link #BURST_SECONDS} of it, at least one call), and at least {@code pairGap}
 * separates two messages of the device to the same recipient. A reservation whose call never starts
 * (a duplicate, an opted-out contact) is {@link #cancel cancelled}: it costs no slot.
 */
public final class Pacer {

  /** What a transport call meant for pacing. */
  public enum AttemptResult {
    SUCCESS,
    RATE_LIMITED,
    OTHER
  }

  /** A taken start slot, to be cancelled when its call does not happen. */
  public static final class Reservation {
    private final long seq;
    private final Instant prevNextSlot;
    private final String scheduleKey;
    private final boolean countedInBatch;
    private final String recipient;
    private final Instant prevToRecipient;
    private final boolean tokenTaken;

    private Reservation(
        long seq,
        Instant prevNextSlot,
        String scheduleKey,
        boolean countedInBatch,
        String recipient,
        Instant prevToRecipient,
        boolean tokenTaken) {
      this.seq = seq;
      this.prevNextSlot = prevNextSlot;
      this.scheduleKey = scheduleKey;
      this.countedInBatch = countedInBatch;
      this.recipient = recipient;
      this.prevToRecipient = prevToRecipient;
      this.tokenTaken = tokenTaken;
    }
  }

  /** How much of its rate a device may spend at once: 20 ms of it (at least one call). */
  static final double BURST_SECONDS = 0.02;

  private static final double HOUR_SECONDS = 3600.0;
  private static final int PRUNE_THRESHOLD = 1024;

  private final Clock clock;
  private final RandomGenerator random;
  private final PacingPolicy policy;

  // guarded by this
  private Instant nextSlot = Instant.MIN;
  private double tokens = Double.NaN; // full on first use
  private Instant tokensAt;
  private long seq;
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
   * The earliest instant the device may start its next message, to {@code recipient}.
   *
   * @param maxPerSecond the device's cap in messages per second, or null / <= 0 for none
   */
  public synchronized Instant earliestFor(String recipient, Double maxPerSecond) {
    Instant now = clock.instant();
    Instant t = nextSlot;
    if (capped(maxPerSecond)) {
      refill(maxPerSecond, now);
      if (tokens < 1.0) {
        t = max(t, now.plusNanos((long) Math.ceil((1.0 - tokens) / maxPerSecond * 1e9)));
      }
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
   * How many calls the device may start now, recipients aside: 0 while the gap runs, the whole
   * tokens of its bucket when capped, else {@code Integer.MAX_VALUE}.
   */
  public synchronized int startsNow(Double maxPerSecond) {
    Instant now = clock.instant();
    if (nextSlot.isAfter(now)) {
      return 0;
    }
    if (!capped(maxPerSecond)) {
      return Integer.MAX_VALUE;
    }
    refill(maxPerSecond, now);
    return (int) Math.floor(tokens);
  }

  /**
   * Takes the start slot of a message of {@code scheduleKey} paced by {@code spec} to {@code
   * recipient}, when the device may start it now, and chooses the gap before the device's next
   * start.
   *
   * @param firstCall true for a command's first call: only those count toward a batch, so a retried
   *     message is not counted twice
   * @return the reservation, or null when the device may not start it yet ({@link #earliestFor})
   */
  public synchronized Reservation reserve(
      PacingSpec spec,
      String scheduleKey,
      String recipient,
      Double maxPerSecond,
      boolean firstCall) {
    Instant now = clock.instant();
    if (earliestFor(recipient, maxPerSecond).isAfter(now)) {
      return null;
    }
    boolean token = capped(maxPerSecond);
    if (token) {
      tokens -= 1.0;
    }
    Instant prevToRecipient = recipient == null ? null : lastToRecipient.put(recipient, now);
    if (recipient != null && lastToRecipient.size() > PRUNE_THRESHOLD) {
      prune(now);
    }
    decayVolume(now);
    hourlyVolume += 1.0;
    Duration gap = delay(spec);
    String batchKey = scheduleKey == null ? "" : scheduleKey;
    int batchSize = orZero(spec == null ? null : spec.batchSize());
    boolean counted = firstCall && batchSize > 0;
    if (counted) {
      int count = batchCounts.merge(batchKey, 1, Integer::sum);
      if (count >= batchSize) {
        batchCounts.remove(batchKey);
        Duration pause = Duration.ofSeconds(orZero(spec.pauseBetweenBatchesSeconds()));
        if (pause.compareTo(gap) > 0) {
          gap = pause;
        }
      }
    }
    Reservation r =
        new Reservation(++seq, nextSlot, batchKey, counted, recipient, prevToRecipient, token);
    lastGap = gap;
    nextSlot = now.plus(gap);
    return r;
  }

  /**
   * Gives back a slot whose call did not start: the gap it set is undone when no later start was
   * reserved meanwhile, and its token, its batch count and its recipient mark are returned.
   */
  public synchronized void cancel(Reservation r) {
    if (r.seq == seq) {
      nextSlot = r.prevNextSlot;
    }
    if (r.tokenTaken && !Double.isNaN(tokens)) {
      tokens += 1.0;
    }
    if (r.countedInBatch) {
      batchCounts.computeIfPresent(r.scheduleKey, (k, n) -> n > 1 ? n - 1 : null);
    }
    if (r.recipient != null) {
      if (r.prevToRecipient == null) {
        lastToRecipient.remove(r.recipient);
      } else {
        lastToRecipient.put(r.recipient, r.prevToRecipient);
      }
    }
  }

  /**
   * What a started call's answer meant: the adaptive factor follows it (a rate-limit answer also
   * pushes the device's next start out by the slowed-down delay), and the pair gap to {@code
   * recipient} counts from now.
   */
  public synchronized void onResult(PacingSpec spec, String recipient, AttemptResult result) {
    Instant now = clock.instant();
    if (recipient != null) {
      lastToRecipient.put(recipient, now);
    }
    if (result == AttemptResult.RATE_LIMITED) {
      adaptiveFactor = Math.min(policy.adaptiveMaxFactor(), adaptiveFactor * 2.0);
      Duration gap = delay(spec);
      lastGap = gap;
      nextSlot = max(nextSlot, now.plus(gap));
    } else if (result == AttemptResult.SUCCESS) {
      adaptiveFactor = Math.max(1.0, adaptiveFactor * policy.adaptiveRecovery());
    }
  }

  /** The current adaptive slow-down factor (1 = none). */
  public synchronized double adaptiveFactor() {
    return adaptiveFactor;
  }

  /** The gap chosen after the last call. */
  public synchronized Duration lastGap() {
    return lastGap;
  }

  /** The delay before the next message for {@code spec}, jitter and floor included. */
  synchronized Duration delay(PacingSpec spec) {
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

  private static boolean capped(Double maxPerSecond) {
    return maxPerSecond != null && maxPerSecond > 0;
  }

  private void refill(double maxPerSecond, Instant now) {
    double capacity = Math.max(1.0, maxPerSecond * BURST_SECONDS);
    if (Double.isNaN(tokens) || tokensAt == null) {
      tokens = capacity;
    } else {
      double elapsed = Math.max(0, Duration.between(tokensAt, now).toNanos() / 1e9);
      tokens = Math.min(capacity, tokens + elapsed * maxPerSecond);
    }
    tokensAt = now;
  }

  private static int orZero(Integer v) {
    return v == null ? 0 : v;
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
