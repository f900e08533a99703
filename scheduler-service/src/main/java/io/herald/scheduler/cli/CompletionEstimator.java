package io.herald.scheduler.cli;

import io.herald.contracts.event.PacingSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * When an occurrence's sends would finish, from the device's pacing and backlog, for {@code preview
 * --dry-run}. Pure: {@code now} is passed in.
 *
 * <p>It mirrors the sender's {@code lane.Pacer} (which this module cannot import) with expected
 * values instead of random draws: {@code manual} waits {@code delay_seconds} between starts; {@code
 * auto}, and {@code adaptive} without a delay, wait the sender's auto delay (5 s on a quiet device,
 * never below the 3 s floor); {@code adaptive} with a delay waits that delay (no rate limit
 * assumed, so no slow-down); {@code randomize_delay} adds its mean jitter, a quarter of the delay
 * (0.5 s when the delay is 0); every {@code batch_size}-th send is followed by the pause when it is
 * longer. The device's rate cap ({@code max_per_second}, else its transport's default) bounds the
 * gap from below. The backlog is assumed to be paced like this definition.
 */
final class CompletionEstimator {

  /** The sender's {@code HERALD_SENDER_AUTO_DELAY} default (PacingPolicy.defaults()). */
  static final Duration AUTO_DELAY = Duration.ofSeconds(5);

  /** The sender's {@code HERALD_SENDER_AUTO_FLOOR} default. */
  static final Duration AUTO_FLOOR = Duration.ofSeconds(3);

  /**
   * The estimate.
   *
   * @param perSend expected gap between two starts of this definition's sends
   * @param start when this occurrence's first send would start
   * @param end when its last send would be done
   * @param pauses batch pauses among its sends
   * @param assumptions one line saying what the numbers rest on
   */
  record Estimate(Duration perSend, Instant start, Instant end, long pauses, String assumptions) {}

  private CompletionEstimator() {}

  /**
   * @param pacing the definition's pacing as the sender reads it (seed defaults applied); null =
   *     auto
   * @param maxPerSecond the device's cap, or null / <= 0 for none
   * @param backlog sends of the device ahead of this occurrence (claimed, parked, deferred)
   * @param sends this occurrence's sends that would go out now (skipped and deferred excluded)
   */
  static Estimate estimate(
      PacingSpec pacing,
      Double maxPerSecond,
      long backlog,
      long sends,
      Instant occurrence,
      Instant now) {
    Gap gap = gap(pacing);
    long rateMillis = capped(maxPerSecond) ? (long) Math.ceil(1000.0 / maxPerSecond) : 0L;
    long perSend = Math.max(gap.millis, rateMillis);
    int batch = pacing == null || pacing.batchSize() == null ? 0 : pacing.batchSize();
    long pauseMillis =
        pacing == null || pacing.pauseBetweenBatchesSeconds() == null
            ? 0L
            : Math.max(0, pacing.pauseBetweenBatchesSeconds()) * 1000L;
    // A pause replaces the gap after every batch-th send, between batches only.
    long pauses = batch > 0 && pauseMillis > perSend && sends > 0 ? (sends - 1) / batch : 0;
    Instant from = occurrence.isAfter(now) ? occurrence : now;
    Instant start = from.plusMillis(Math.multiplyExact(backlog, perSend));
    Instant end =
        start
            .plusMillis(Math.multiplyExact(sends, perSend))
            .plusMillis(Math.multiplyExact(pauses, pauseMillis - perSend));
    StringBuilder a = new StringBuilder(gap.description);
    if (batch > 0 && pauseMillis > 0) {
      a.append("; batches of ").append(batch).append(", ").append(seconds(pauseMillis));
      a.append(" pause");
    }
    a.append("; device cap ")
        .append(capped(maxPerSecond) ? number(maxPerSecond) + "/s" : "none")
        .append("; backlog of ")
        .append(backlog)
        .append(" paced the same; no retries, rate limits or slow-down");
    return new Estimate(Duration.ofMillis(perSend), start, end, pauses, a.toString());
  }

  private record Gap(long millis, String description) {}

  private static Gap gap(PacingSpec pacing) {
    String type =
        pacing == null || pacing.delayType() == null
            ? "auto"
            : pacing.delayType().trim().toLowerCase(Locale.ROOT);
    boolean randomize = pacing != null && Boolean.TRUE.equals(pacing.randomizeDelay());
    Integer delaySeconds = pacing == null ? null : pacing.delaySeconds();
    long base;
    boolean floored;
    String what;
    if (type.equals("manual")) {
      base = Math.max(0, delaySeconds == null ? 0 : delaySeconds) * 1000L;
      floored = false;
      what = "manual delay " + seconds(base);
    } else if (type.equals("adaptive") && delaySeconds != null && delaySeconds > 0) {
      base = delaySeconds * 1000L;
      floored = false;
      what = "adaptive delay " + seconds(base) + " (no slow-down)";
    } else {
      // auto, adaptive without a delay, and an unknown type (the sender's safe choice)
      base = AUTO_DELAY.toMillis();
      floored = true;
      what = type + " delay " + seconds(base) + " (sender default, quiet device)";
    }
    long millis = base;
    if (randomize) {
      millis += base == 0 ? 500L : base / 4;
      what += " + mean jitter = " + seconds(millis);
    }
    if (floored) {
      millis = Math.max(millis, AUTO_FLOOR.toMillis());
    }
    return new Gap(millis, what);
  }

  private static boolean capped(Double maxPerSecond) {
    return maxPerSecond != null && maxPerSecond > 0;
  }

  /** {@code 12.5 s}, {@code 5 s}: stable, locale-free. */
  static String seconds(long millis) {
    return number(millis / 1000.0) + " s";
  }

  private static String number(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return String.format(Locale.ROOT, "%.3f", value).replaceAll("0+$", "");
  }
}
