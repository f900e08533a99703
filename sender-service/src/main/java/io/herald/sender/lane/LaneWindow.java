package io.herald.sender.lane;

import java.time.Duration;

/**
 * How many commands of one device may be in progress at once (W), calls in flight among them:
 * enough to keep its rate busy over the time a command holds its slot, and never more than the
 * operator's bound. Little's law: a device sending r messages per second whose commands each hold a
 * slot for T seconds needs about r x T slots; the window keeps a quarter more and one spare, so
 * that a command slower than the average does not stall the device. T is the whole step chain
 * (claim, opt-out check, call, finish, result), not the call alone: sized from the call, a device
 * behind a 200 ms API stayed at about half its rate while its slots waited on the ledger. The token
 * bucket or the gap of the {@link Pacer}, not the window, paces the starts. Pure and thread-safe.
 *
 * <p>Until a first command that made a call ends, the window is one: a device's first calls are
 * never a burst of guesses. The rate is the device's cap ({@code max_per_second}, else its
 * transport's default) and, when the pacing sets a gap, one call per gap; with neither, only the
 * bound limits the window.
 */
final class LaneWindow {

  /** Weight of the newest latency sample in the moving average. */
  private static final double ALPHA = 0.2;

  private static final double HEADROOM = 1.25;

  private final int max;

  // guarded by this
  private double latencySeconds = Double.NaN;
  private Double cap;

  /**
   * @param max the most calls in flight for one device, at least 1
   */
  LaneWindow(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max calls in flight must be >= 1: " + max);
    }
    this.max = max;
  }

  /** The cap the device's last pre-checked command had: null / <= 0 for none. */
  synchronized void cap(Double maxPerSecond) {
    cap = maxPerSecond;
  }

  /** The cap last seen, or null. */
  synchronized Double cap() {
    return cap;
  }

  /** The window now, at the cap last seen. */
  int size(Duration gap) {
    return size(cap(), gap);
  }

  /** A command that made a call held its slot for {@code latency}. */
  synchronized void observe(Duration latency) {
    double s = Math.max(0, latency.toNanos() / 1e9);
    latencySeconds =
        Double.isNaN(latencySeconds) ? s : latencySeconds + ALPHA * (s - latencySeconds);
  }

  /**
   * The window now.
   *
   * @param maxPerSecond the device's cap, or null / <= 0 for none
   * @param gap the gap the pacing set after the last start (zero for none)
   */
  synchronized int size(Double maxPerSecond, Duration gap) {
    if (Double.isNaN(latencySeconds)) {
      return 1;
    }
    double rate = maxPerSecond != null && maxPerSecond > 0 ? maxPerSecond : Double.MAX_VALUE;
    if (gap != null && !gap.isZero() && !gap.isNegative()) {
      rate = Math.min(rate, 1e9 / gap.toNanos());
    }
    if (rate == Double.MAX_VALUE) {
      return max;
    }
    double w = Math.ceil(rate * latencySeconds * HEADROOM) + 1;
    return (int) Math.max(1, Math.min(max, w));
  }

  /** The slot-time average in seconds, NaN before the first command with a call ended. */
  synchronized double latencySeconds() {
    return latencySeconds;
  }
}
