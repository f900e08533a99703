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
   * Milliseconds from now at which all {@code n} tasks will surely be loaded and the scheduler
   * started: 2 × the extrapolated load time (inserts slow down as the tables grow: Quartz overran
   * 1.5 × in a dev run), plus 3 s (1 s in smoke mode).
   *
   * @param loadBatch loads ids {@code 0..k-1} with some due instant far in the future
   */
  static long leadMillis(PeerScheduler peer, int n, IntConsumer loadBatch, boolean smoke) {
    int k = Math.min(CALIBRATION, n);
    long t0 = System.nanoTime();
    loadBatch.accept(k);
    double perTask = (System.nanoTime() - t0) / 1e6 / k;
    peer.createTables();
    return (long) (perTask * n * 2) + (smoke ? 1_000 : 3_000);
  }
}
