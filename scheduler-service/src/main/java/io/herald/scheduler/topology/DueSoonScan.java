package io.herald.scheduler.topology;

import io.herald.scheduler.timer.TimerKeyCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * "Due in the next minutes" of the seed's monitoring (issue 20): armed timers of one task due
 * within 1, 5, 15 and 60 minutes of now. One bounded range scan of the timers store from now to now
 * + 60 min (byte order is time order, ADR 0002), at most every {@link #INTERVAL}: never per record,
 * never a scan of schedules. Keys are compared as bytes against each window's bound, so nothing is
 * decoded. Timers already due and not yet fired (a backlog) are {@code due_now}'s.
 */
final class DueSoonScan {

  /** The windows, shortest first; the gauge's {@code within} tag names them. */
  static final List<Duration> WINDOWS =
      List.of(
          Duration.ofMinutes(1),
          Duration.ofMinutes(5),
          Duration.ofMinutes(15),
          Duration.ofHours(1));

  static final List<String> WITHIN = List.of("1m", "5m", "15m", "60m");

  /** A minute-level figure refreshed every 15 s is fresh enough, and the scan is not per tick. */
  static final Duration INTERVAL = Duration.ofSeconds(15);

  /**
   * Timers counted per scan at most. A task with more due within the hour reports the counts
   * reached so far and sets the capped flag, instead of reading an unbounded range every 15 s. A
   * scan costs about 1 to 6 µs per timer (RocksDB through the test driver, 300,000 timers in the
   * store, on a shared 2-core machine): at the cap 50 to 330 ms every 15 s, during which this
   * task's timers wait.
   */
  static final int MAX_TIMERS = 50_000;

  private final KeyValueStore<Bytes, String> timers;
  private final SchedulerMetrics.TaskGauges gauges;
  private final int max;
  private Instant nextScan;

  DueSoonScan(KeyValueStore<Bytes, String> timers, SchedulerMetrics.TaskGauges gauges, int max) {
    this.timers = timers;
    this.gauges = gauges;
    this.max = max;
  }

  /** Scans when the last scan is {@link #INTERVAL} old (or there was none). */
  void maybeScan(Instant now) {
    if (nextScan != null && now.isBefore(nextScan)) {
      return;
    }
    nextScan = now.plus(INTERVAL);
    scan(now);
  }

  void scan(Instant now) {
    Bytes[] bounds = new Bytes[WINDOWS.size()];
    for (int i = 0; i < bounds.length; i++) {
      bounds[i] = Bytes.wrap(TimerKeyCodec.upperBoundAtOrBefore(now.plus(WINDOWS.get(i))));
    }
    long[] inWindow = new long[bounds.length];
    int window = 0;
    int seen = 0;
    boolean capped = false;
    try (KeyValueIterator<Bytes, String> it =
        timers.range(Bytes.wrap(TimerKeyCodec.instantPrefix(now)), bounds[bounds.length - 1])) {
      while (it.hasNext()) {
        if (seen == max) {
          capped = true;
          break;
        }
        Bytes key = it.next().key;
        seen++;
        // keys come in time order: a key past a window's bound is past it for every later key
        while (key.compareTo(bounds[window]) >= 0) {
          window++;
        }
        inWindow[window]++;
      }
    }
    long[] within = new long[inWindow.length];
    long sum = 0;
    for (int i = 0; i < inWindow.length; i++) {
      sum += inWindow[i];
      within[i] = sum;
    }
    gauges.setDueSoon(within, capped);
  }
}
