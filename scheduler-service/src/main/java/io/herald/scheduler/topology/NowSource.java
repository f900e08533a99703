package io.herald.scheduler.topology;

import java.time.Clock;

/**
 * Where the topology reads "now" for its decisions (what is due, lateness, record times).
 *
 * <p>Kafka Streams schedules wall-clock punctuations on its own {@code Time}: if that time steps
 * backwards (an NTP step, a VM restore), Streams waits until it catches up and no timer fires for
 * the length of the step. So in production Streams runs on {@link MonotonicTime} (punctuations keep
 * their cadence) and decisions read the host's wall clock here (a corrected clock is followed; an
 * occurrence already fired never fires again, whichever way the clock moves).
 */
@FunctionalInterface
public interface NowSource {

  /**
   * @param streamsMillis the Streams clock's reading at this point (the punctuation timestamp or
   *     {@code currentSystemTimeMs()})
   * @return now, in epoch milliseconds
   */
  long nowMillis(long streamsMillis);

  /** Decisions on the Streams clock itself: what {@code TopologyTestDriver} tests advance. */
  static NowSource streamsClock() {
    return streamsMillis -> streamsMillis;
  }

  /** Decisions on {@code clock}, e.g. {@link Clock#systemUTC()}. */
  static NowSource of(Clock clock) {
    return streamsMillis -> clock.millis();
  }
}
