package io.herald.bench.scenario;

import io.herald.bench.peer.PeerScheduler;
import java.util.function.IntConsumer;

/**
 * Every task must be in the peer's tables before its due instant, and the due instant must not be
 * so far out that the run wastes minutes: load a calibration batch, time it, recreate the tables,
 * and pick the due instant from the measured insert rate with a safety factor.
 */
final class PeerLoading {

  static final int CALIBRATION = 1_000;

  private PeerLoading() {}

  /**
   * How many tasks a peer with a rate limiter gets, so that it runs them in about {@code seconds}:
   * all {@code n} when it has none.
   */
  static int capped(PeerScheduler peer, int n, double seconds) {
    double max = peer.maxRatePerSecond();
    return Double.isInfinite(max) ? n : (int) Math.max(1, Math.min(n, Math.floor(max * seconds)));
  }

  /**
   * Milliseconds from now at which all {@code n} tasks will surely be loaded and the scheduler
   * started: 2 × the extrapolated load time (inserts slow down as the tables grow: Quartz overran
   * 1.5 × in a dev run), plus 2 × a fixed cost such as a process start (once, not per task), plus 3
   * s (1 s in smoke mode).
   *
   * @param loadBatch loads ids {@code 0..k-1} with some due instant far in the future
   */
  static long leadMillis(PeerScheduler peer, int n, IntConsumer loadBatch, boolean smoke) {
    int k = Math.min(CALIBRATION, n);
    long t0 = System.nanoTime();
    loadBatch.accept(k);
    // A fixed cost (a producer process starting) is paid once per load, not once per task.
    long fixed = peer.lastLoadFixedMillis();
    double perTask = Math.max(0, (System.nanoTime() - t0) / 1e6 - fixed) / k;
    peer.createTables();
    return (long) (perTask * n * 2) + 2 * fixed + (smoke ? 1_000 : 3_000);
  }
}
