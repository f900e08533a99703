package io.herald.scheduler.app;

/**
 * Something {@link SchedulerApp} starts after Kafka Streams and closes before it: the CDC engine
 * and the schedule-state projector plug in here. {@link #close()} must return within a bounded
 * time and be idempotent.
 */
public interface Component extends AutoCloseable {

  /** Starts the component's threads; returns promptly. */
  void start();

  /** Stops the component; bounded and idempotent; never throws checked exceptions. */
  @Override
  void close();

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
      public String name() {
        return name;
      }
    };
  }
}
