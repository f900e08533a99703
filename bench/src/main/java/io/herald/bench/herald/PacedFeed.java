package io.herald.bench.herald;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Live load while the scale scenario adds or stops an instance: a named thread that runs one step
 * every {@code intervalMillis} on the wall-clock grid until stopped. A step produces records (due
 * timers, send-commands) and returns how many; the feed counts them. Open-ended, so the load lasts
 * as long as the rebalances take, and bounded by {@link #stop()} (and a deadline of its own).
 */
final class PacedFeed implements AutoCloseable {

  /** One step: produce what is due at {@code stepMillis}; returns the records produced. */
  interface Step {
    int produce(long stepMillis) throws Exception;
  }

  private final Thread thread;
  private final AtomicInteger produced = new AtomicInteger();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile boolean running = true;
  private volatile long firstStep = -1;
  private volatile long lastStep = -1;

  /**
   * @param deadline epoch ms after which the feed stops by itself (a safety bound)
   */
  PacedFeed(String name, long intervalMillis, long deadline, Step step) {
    this.thread =
        new Thread(
            () -> {
              long next = (System.currentTimeMillis() / intervalMillis + 1) * intervalMillis;
              try {
                while (running && next < deadline) {
                  long wait = next - System.currentTimeMillis();
                  if (wait > 0) {
                    Thread.sleep(wait);
                  }
                  produced.addAndGet(step.produce(next));
                  if (firstStep < 0) {
                    firstStep = next;
                  }
                  lastStep = next;
                  next += intervalMillis;
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (Exception | Error e) {
                failure.set(e);
              }
            },
            "bench-feed-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops after the current step; returns the records produced. */
  int stop() throws InterruptedException {
    running = false;
    thread.join(10_000);
    if (thread.isAlive()) {
      thread.interrupt();
      thread.join(5_000);
    }
    if (failure.get() != null) {
      throw new IllegalStateException("The load feed failed: " + failure.get(), failure.get());
    }
    return produced.get();
  }

  int produced() {
    return produced.get();
  }

  /** Wall-clock time of the first and the last step; -1 before any. */
  long firstStep() {
    return firstStep;
  }

  long lastStep() {
    return lastStep;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(5_000);
  }
}
