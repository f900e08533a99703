package io.herald.e2e;

import io.herald.runtime.config.ConfigException;
import io.herald.scheduler.app.SchedulerApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production scheduler ({@link SchedulerApp#create(java.util.Map, Runnable, Clock)}: Streams,
 * CDC, projector, admin server, all from the same environment variables) deciding on a wall clock
 * that is the host clock plus an offset read every 100 ms from the file named by {@code
 * HERALD_E2E_CLOCK_OFFSET_FILE} (milliseconds, may be negative). Writing the file makes the
 * scheduler's wall clock jump forward or backward, as an NTP step would on the host; Streams paces
 * itself on the monotonic clock, which does not jump on a real host either. Used by fault 6.
 */
public final class SkewedClockSchedulerMain {

  private static final Logger log = LoggerFactory.getLogger(SkewedClockSchedulerMain.class);

  /** Host clock plus a mutable offset. */
  static final class SkewedClock extends Clock {
    final AtomicLong offsetMs = new AtomicLong();

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      if (!ZoneOffset.UTC.equals(zone)) {
        throw new UnsupportedOperationException("the e2e skewed clock is UTC only");
      }
      return this;
    }

    @Override
    public long millis() {
      return System.currentTimeMillis() + offsetMs.get();
    }

    @Override
    public Instant instant() {
      return Instant.now().plusMillis(offsetMs.get());
    }
  }

  public static void main(String[] args) {
    Path offsetFile = Path.of(System.getenv("HERALD_E2E_CLOCK_OFFSET_FILE"));
    SkewedClock clock = new SkewedClock();
    readOffset(offsetFile, clock);
    Thread watcher =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                readOffset(offsetFile, clock);
                try {
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "e2e-clock-offset");
    watcher.setDaemon(true);
    watcher.start();

    CountDownLatch fatal = new CountDownLatch(1);
    SchedulerApp app;
    try {
      app = SchedulerApp.create(System.getenv(), fatal::countDown, clock);
    } catch (ConfigException e) {
      log.error("Invalid configuration: {}", e.problems());
      System.exit(SchedulerApp.EXIT_CONFIG);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "herald-shutdown"));
    try {
      app.start();
      fatal.await();
      log.error("Kafka Streams reached ERROR: exiting");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("Scheduler failed to start", e);
    }
    app.close();
    System.exit(SchedulerApp.EXIT_STREAMS_DIED);
  }

  /** Where the scheduler acknowledges the offset it applies. */
  static Path ackFile(Path offsetFile) {
    return offsetFile.resolveSibling(offsetFile.getFileName() + ".applied");
  }

  /** Sets the scheduler's clock offset and waits until the scheduler applies it. */
  static void jump(Path offsetFile, long offsetMs) {
    try {
      Path tmp = offsetFile.resolveSibling(offsetFile.getFileName() + ".tmp");
      Files.writeString(tmp, Long.toString(offsetMs));
      Files.move(
          tmp,
          offsetFile,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    org.awaitility.Awaitility.await("scheduler clock offset " + offsetMs + " ms applied")
        .atMost(java.time.Duration.ofSeconds(30))
        .pollInterval(java.time.Duration.ofMillis(50))
        .ignoreExceptions()
        .until(() -> Long.parseLong(Files.readString(ackFile(offsetFile)).trim()) == offsetMs);
  }

  private static void readOffset(Path offsetFile, SkewedClock clock) {
    try {
      if (Files.exists(offsetFile)) {
        long v = Long.parseLong(Files.readString(offsetFile).trim());
        if (clock.offsetMs.getAndSet(v) != v) {
          log.info("Host clock jumped: offsetMs={}", v);
        }
        // The acknowledgement the test waits for before it produces anything that depends on
        // the new clock.
        Path ack = ackFile(offsetFile);
        if (!Files.exists(ack) || Long.parseLong(Files.readString(ack).trim()) != v) {
          Path tmp = ack.resolveSibling(ack.getFileName() + ".tmp");
          Files.writeString(tmp, Long.toString(v));
          Files.move(
              tmp,
              ack,
              java.nio.file.StandardCopyOption.REPLACE_EXISTING,
              java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
      }
    } catch (Exception e) {
      // a half-written file: read it again next time
    }
  }
}
