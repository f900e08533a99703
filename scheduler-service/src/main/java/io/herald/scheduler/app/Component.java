package io.herald.scheduler.app;

import java.util.function.BooleanSupplier;

/**
 * Something {@link SchedulerApp} starts after Kafka Streams and closes before it: the CDC engine
 * and the schedule-state projector plug in here. {@link #close()} must return within a bounded time
 * and be idempotent.
 */
public interface Component extends AutoCloseable {

  /** Starts the component's threads; returns promptly. */
  void start();

  /** Stops the component; bounded and idempotent; never throws checked exceptions. */
  @Override
  void close();

  /**
   * False when the component stopped on its own and the service cannot do its work until it is
   * restarted; readiness reports it. A component that retries its failures stays healthy.
   */
  default boolean healthy() {
    return true;
  }

  /** A short name for logs. */
  default String name() {
    return getClass().getSimpleName();
  }

  /** A component that does nothing, for a slot with nothing plugged in. */
  static Component none(String name) {
    return of(name, () -> {}, () -> {});
  }

  /**
   * Adapts anything with a start and a close, e.g. {@code Component.of("cdc", engine::start,
   * engine::close)}.
   */
  static Component of(String name, Runnable start, Runnable close) {
    return of(name, start, close, () -> true);
  }

  /** Like {@link #of(String, Runnable, Runnable)} with the component's {@link #healthy()}. */
  static Component of(String name, Runnable start, Runnable close, BooleanSupplier healthy) {
    return new Component() {
      @Override
      public void start() {
        start.run();
      }

      @Override
      public void close() {
        close.run();
      }

      @Override
      public boolean healthy() {
        return healthy.getAsBoolean();
      }

      @Override
      public String name() {
        return name;
      }
    };
  }
}
