package io.herald.sender.lane;

import java.time.Duration;

/**
 * How many transport calls one device may have in flight (W): enough to keep its rate busy over the
 * latency its provider answers with, and never more than the operator's bound. Little's law: a
 * device sending r messages per second through calls of latency L needs about r x L calls in
 * flight; the window keeps a quarter more and one spare, so that a call answering slower than the
 * average does not stall the device. Pure and thread-safe.
 *
 * <p>Until a first answer says what the latency is, the window is one call: a device's first calls
 * are never a burst of guesses. The rate is the device's cap ({@code max_per_second}, else its
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

  /** A call answered after {@code latency}. */
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

  /** The latency average in seconds, NaN before the first answer. */
  synchronized double latencySeconds() {
    return latencySeconds;
  }
}
