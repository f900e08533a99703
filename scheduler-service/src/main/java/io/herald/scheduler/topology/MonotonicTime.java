package io.herald.scheduler.topology;

import java.util.function.Supplier;
import org.apache.kafka.common.utils.Time;

/**
 * A Kafka {@link Time} that never steps: the wall clock read once at start, then advanced by the
 * monotonic clock. Streams uses it to pace punctuations and commits, so a host clock stepping
 * backwards cannot stall firing (see {@link NowSource}).
 */
public final class MonotonicTime implements Time {

  private final long originMillis;
  private final long originNanos;

  public MonotonicTime() {
    this(System.currentTimeMillis(), System.nanoTime());
  }

  MonotonicTime(long originMillis, long originNanos) {
    this.originMillis = originMillis;
    this.originNanos = originNanos;
  }

  @Override
  public long milliseconds() {
    return originMillis + (System.nanoTime() - originNanos) / 1_000_000L;
  }

  @Override
  public long nanoseconds() {
    return System.nanoTime();
  }

  @Override
  public void sleep(long ms) {
    Time.SYSTEM.sleep(ms);
  }

  @Override
  public void waitObject(Object obj, Supplier<Boolean> condition, long deadlineMs)
      throws InterruptedException {
    synchronized (obj) {
      while (!condition.get()) {
        long left = deadlineMs - milliseconds();
        if (left <= 0) {
          throw new org.apache.kafka.common.errors.TimeoutException(
              "Condition not satisfied before deadline");
        }
        obj.wait(left);
      }
    }
  }
}
