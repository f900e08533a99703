package io.herald.bench.infra;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records every execution a scheduler under test reports: which schedule (an id 0..n-1), which
 * occurrence (its scheduled instant), and when it ran (wall clock, read at the call). From that:
 * lateness percentiles, the rate, and per-occurrence counts for duplicates and misses.
 *
 * <p>Occurrence k of schedule i is due at {@code firstDue(i) + k * period}; only occurrences {@code
 * k < expected(i)} are counted, so executions after the measured window are ignored. A one-time
 * task is the case {@code period = 0}, one occurrence each. Thread-safe and allocation-free on the
 * recording path: the peers call it from their worker threads.
 */
public final class ExecutionLog {

  private final int ids;
  private final int maxOccurrences;
  private final long[] firstDue;
  private final int[] expected;
  private final long period;
  private final AtomicIntegerArray counts;
  private final long[] lateness;
  private final AtomicInteger latenessCount = new AtomicInteger();
  private final AtomicLong firstRun = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastRun = new AtomicLong(Long.MIN_VALUE);
  private final AtomicInteger outside = new AtomicInteger();

  /**
   * @param firstDue epoch millis of each schedule's first occurrence
   * @param expected occurrences of each schedule inside the measured window
   * @param period millis between occurrences; 0 for one-time tasks
   */
  public ExecutionLog(long[] firstDue, int[] expected, long period) {
    this.ids = firstDue.length;
    this.firstDue = firstDue.clone();
    this.expected = expected.clone();
    this.period = period;
    this.maxOccurrences = Arrays.stream(expected).max().orElse(1);
    this.counts = new AtomicIntegerArray(ids * Math.max(1, maxOccurrences));
    // Room for every expected execution twice over: duplicates must be seen, not dropped.
    long total = Arrays.stream(expected).asLongStream().sum();
    this.lateness = new long[(int) Math.min(Integer.MAX_VALUE - 8, Math.max(16, total * 2))];
  }

  /** n one-time tasks, all due at {@code due}. */
  public static ExecutionLog oneTime(int n, long due) {
    long[] first = new long[n];
    Arrays.fill(first, due);
    int[] expected = new int[n];
    Arrays.fill(expected, 1);
    return new ExecutionLog(first, expected, 0);
  }

  /**
   * Called by a scheduler's task: schedule {@code id} ran its occurrence due at {@code dueMillis}.
   */
  public void record(int id, long dueMillis) {
    recordAt(id, dueMillis, System.currentTimeMillis());
  }

  /** Like {@link #record} with the execution time given (e.g. a Kafka record's timestamp). */
  public void recordAt(int id, long dueMillis, long now) {
    if (id < 0 || id >= ids) {
      outside.incrementAndGet();
      return;
    }
    long k = period == 0 ? 0 : Math.floorDiv(dueMillis - firstDue[id], period);
    if (k < 0 || k >= expected[id] || (period == 0 && dueMillis != firstDue[id])) {
      outside.incrementAndGet();
      return;
    }
    counts.incrementAndGet(id * maxOccurrences + (int) k);
    int slot = latenessCount.getAndIncrement();
    if (slot < lateness.length) {
      lateness[slot] = now - dueMillis;
    }
    firstRun.accumulateAndGet(now, Math::min);
    lastRun.accumulateAndGet(now, Math::max);
  }

  /** Executions recorded inside the window, duplicates included. */
  public int executions() {
    return Math.min(latenessCount.get(), lateness.length);
  }

  /** Occurrences expected inside the window. */
  public long expectedTotal() {
    return Arrays.stream(expected).asLongStream().sum();
  }

  /** Distinct occurrences that ran at least once. */
  public long distinctExecuted() {
    long n = 0;
    for (int i = 0; i < ids; i++) {
      for (int k = 0; k < expected[i]; k++) {
        if (counts.get(i * maxOccurrences + k) > 0) {
          n++;
        }
      }
    }
    return n;
  }

  /** Executions beyond the first of the same occurrence. */
  public long duplicates() {
    long d = 0;
    for (int i = 0; i < counts.length(); i++) {
      d += Math.max(0, counts.get(i) - 1);
    }
    return d;
  }

  /** Expected occurrences that never ran. */
  public long misses() {
    return expectedTotal() - distinctExecuted();
  }

  /** Schedules with at least one duplicate, and with at least one miss. */
  public int[] schedulesWithDuplicatesAndMisses() {
    int dup = 0;
    int miss = 0;
    for (int i = 0; i < ids; i++) {
      boolean d = false;
      boolean m = false;
      for (int k = 0; k < expected[i]; k++) {
        int c = counts.get(i * maxOccurrences + k);
        d |= c > 1;
        m |= c == 0;
      }
      dup += d ? 1 : 0;
      miss += m ? 1 : 0;
    }
    return new int[] {dup, miss};
  }

  /** Executions reported for occurrences outside the window (after it, or unknown ids). */
  public int outsideWindow() {
    return outside.get();
  }

  public long firstRunMillis() {
    return firstRun.get();
  }

  public long lastRunMillis() {
    return lastRun.get();
  }

  /**
   * Lateness percentiles in ms over the expected occurrences; occurrences that never ran count as
   * infinitely late (so a p99 over an unfinished run is not flattered).
   */
  public Percentiles latenessPercentiles() {
    int n = executions();
    long[] sorted = Arrays.copyOf(lateness, n);
    Arrays.sort(sorted);
    long total = Math.max(expectedTotal(), n);
    return new Percentiles(sorted, total);
  }

  /** Nearest-rank percentiles over {@code total} values of which only {@code sorted} are finite. */
  public record Percentiles(long[] sorted, long total) {
    /** The q-quantile (0..1] in ms, or empty (+infinity) when it falls among the missing. */
    public java.util.OptionalLong at(double q) {
      if (total == 0) {
        return java.util.OptionalLong.empty();
      }
      long rank = Math.max(1, (long) Math.ceil(q * total));
      return rank <= sorted.length
          ? java.util.OptionalLong.of(sorted[(int) rank - 1])
          : java.util.OptionalLong.empty();
    }

    public java.util.OptionalLong max() {
      return sorted.length == total && total > 0
          ? java.util.OptionalLong.of(sorted[sorted.length - 1])
          : java.util.OptionalLong.empty();
    }
  }
}
