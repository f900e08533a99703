package io.herald.runtime.loop;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A named thread that runs a {@link Body} again and again until {@link #close()} (or {@link
 * #stop(Duration)}) or a fatal failure ends it.
 *
 * <ul>
 *   <li><b>Stop protocol.</b> {@code close()} sets the stop flag, ends a backoff wait at once,
 *       calls the wakeup hook (e.g. {@code consumer::wakeup}) and joins the thread for at most the
 *       join timeout. Whatever the body throws once stopping has begun ends the loop cleanly.
 *   <li><b>Failures.</b> The owner's {@link FailurePolicy} sees each failure with its consecutive
 *       attempt number and the backoff that follows: {@link Decision#RETRY} waits that backoff
 *       (exponential from {@code min} to {@code max}, reset by an iteration that did work) and runs
 *       the body again; {@link Decision#FATAL} ends the loop.
 *   <li><b>Fatal end.</b> The loop logs why at ERROR, {@link #healthy()} turns false, {@link
 *       #failure()} holds the cause and {@code onFatal} is called once on the loop's thread, after
 *       the tear-down, so the app can report not ready and exit with a code. A loop that ends
 *       without being stopped (a failure in set-up, an {@link Error}) ends fatally too: never
 *       silently.
 *   <li><b>Metrics.</b> {@code herald.loop.iterations} and {@code herald.loop.failures}, tagged
 *       {@code loop=<name>} only.
 * </ul>
 */
public final class ServiceLoop implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ServiceLoop.class);

  /** One iteration of the loop. */
  @FunctionalInterface
  public interface Body {
    /**
     * Runs one iteration; throws to report a failure to the {@link FailurePolicy}.
     *
     * @return true when the iteration did work (it resets the backoff and the attempt count), false
     *     when it was idle (e.g. an empty poll), which leaves both as they are
     */
    boolean runOnce() throws Exception;
  }

  /** What to do with a failed iteration. */
  public enum Decision {
    /** Wait the backoff, then run the body again. */
    RETRY,
    /** End the loop: the instance cannot do its work until restarted. */
    FATAL
  }

  /** The owner's classification of a failed iteration; may log and clean up before answering. */
  @FunctionalInterface
  public interface FailurePolicy {
    /**
     * @param error what the body threw
     * @param attempt consecutive failures since the last iteration that did work, from 1
     * @param backoff how long the loop waits before the next iteration if the answer is retry
     */
    Decision onFailure(Throwable error, int attempt, Duration backoff);
  }

  private final String name;
  private final Body body;
  private final FailurePolicy policy;
  private final Duration backoffMin;
  private final Duration backoffMax;
  private final Runnable setUp;
  private final Runnable tearDown;
  private final Runnable wakeup;
  private final Consumer<Throwable> onFatal;
  private final Duration joinTimeout;
  private final Counter iterations;
  private final Counter failures;
  private final Thread thread;
  private final CountDownLatch stopSignal = new CountDownLatch(1);
  private final CountDownLatch ended = new CountDownLatch(1);
  private volatile boolean stopping;
  private volatile boolean started;
  private volatile Throwable failure;

  private ServiceLoop(Builder b) {
    this.name = b.name;
    this.body = Objects.requireNonNull(b.body, "body");
    this.policy = b.policy;
    this.backoffMin = b.backoffMin;
    this.backoffMax = b.backoffMax;
    this.setUp = b.setUp;
    this.tearDown = b.tearDown;
    this.wakeup = b.wakeup;
    this.onFatal = b.onFatal;
    this.joinTimeout = b.joinTimeout;
    MeterRegistry registry = Objects.requireNonNull(b.registry, "registry");
    this.iterations =
        Counter.builder("herald.loop.iterations")
            .description("Iterations a background loop ran, failed or not")
            .tag("loop", name)
            .register(registry);
    this.failures =
        Counter.builder("herald.loop.failures")
            .description("Iterations of a background loop that failed, retried or fatal")
            .tag("loop", name)
            .register(registry);
    this.thread = new Thread(this::run, name);
    this.thread.setDaemon(b.daemon);
  }

  /** A builder for a loop whose thread is called {@code name} (e.g. {@code herald-projector}). */
  public static Builder named(String name) {
    return new Builder(name);
  }

  /** The thread's name, also the metrics' {@code loop} tag. */
  public String name() {
    return name;
  }

  /** Starts the thread; a second call does nothing. */
  public synchronized ServiceLoop start() {
    if (!started) {
      started = true;
      thread.start();
    }
    return this;
  }

  /**
   * False once the loop ended on a fatal failure; true before start, while running (also while it
   * retries) and after a clean stop.
   */
  public boolean healthy() {
    return failure == null;
  }

  /** True from start until the loop ends or a stop is asked for. */
  public boolean running() {
    return started && !stopping && ended.getCount() > 0;
  }

  /** The failure that ended the loop, or null. */
  public Throwable failure() {
    return failure;
  }

  /** True once stopping began; the body may check it between steps of a long iteration. */
  public boolean stopping() {
    return stopping;
  }

  /**
   * Waits {@code duration} unless a stop begins first; for a body that runs on a fixed cadence.
   *
   * @return true when the full duration passed, false when stopping
   */
  public boolean pause(Duration duration) throws InterruptedException {
    return !stopSignal.await(duration.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Blocks until the loop has ended or {@code timeout} passed; true when it has ended (or was never
   * started: nothing runs).
   */
  public boolean awaitExit(Duration timeout) throws InterruptedException {
    if (!started) {
      return true;
    }
    return ended.await(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
  }

  /** Stops with the join timeout given to the builder. */
  @Override
  public void close() {
    stop(joinTimeout);
  }

  /**
   * Sets the stop flag, ends a backoff wait, calls the wakeup hook and waits at most {@code
   * timeout} for the thread to end; true when it ended. Idempotent.
   */
  public boolean stop(Duration timeout) {
    synchronized (this) {
      if (!started) {
        stopping = true;
        return true;
      }
    }
    if (!stopping) {
      stopping = true;
      stopSignal.countDown();
      try {
        wakeup.run();
      } catch (RuntimeException e) {
        log.warn("Loop wakeup failed: loop={} error={}", name, e.toString());
      }
    }
    if (Thread.currentThread() == thread) {
      return false; // stopped from its own body: the loop ends after this iteration
    }
    try {
      if (ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return true;
      }
      log.error("Loop did not stop in time: loop={} timeout={}", name, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  private void run() {
    Throwable fatal = null;
    try {
      setUp.run();
      int attempt = 0;
      long backoffMs = backoffMin.toMillis();
      while (!stopping) {
        iterations.increment();
        try {
          if (body.runOnce()) {
            attempt = 0;
            backoffMs = backoffMin.toMillis();
          }
        } catch (Throwable e) {
          if (stopping) {
            break; // e.g. the wakeup's exception: the stop, not a failure
          }
          failures.increment();
          attempt++;
          Duration wait = Duration.ofMillis(backoffMs);
          if (policy.onFailure(e, attempt, wait) == Decision.FATAL) {
            fatal = e;
            break;
          }
          if (stopSignal.await(backoffMs, TimeUnit.MILLISECONDS)) {
            break;
          }
          backoffMs = Math.min(backoffMs * 2, backoffMax.toMillis());
        }
      }
    } catch (InterruptedException e) {
      if (!stopping) {
        fatal = e;
      }
    } catch (Throwable e) {
      if (!stopping) {
        fatal = e;
      }
    } finally {
      if (fatal == null && !stopping) {
        fatal = new IllegalStateException("loop " + name + " ended without being stopped");
      }
      if (fatal != null) {
        failure = fatal; // before the tear-down, which may act on it (e.g. skip a final commit)
        log.error(
            "Loop stopped on a failure it does not retry; the instance reports not ready and"
                + " must be restarted: loop={}",
            name,
            fatal);
      }
      try {
        tearDown.run();
      } catch (RuntimeException e) {
        log.warn("Loop tear-down failed: loop={} error={}", name, e.toString());
      }
      ended.countDown();
      if (fatal != null) {
        try {
          onFatal.accept(fatal);
        } catch (RuntimeException e) {
          log.warn("Loop onFatal callback failed: loop={} error={}", name, e.toString());
        }
      } else {
        log.info("Loop stopped: loop={}", name);
      }
    }
  }

  /** Settings of a {@link ServiceLoop}; {@link #metrics} and {@link #body} are required. */
  public static final class Builder {
    private final String name;
    private MeterRegistry registry;
    private Body body;
    private FailurePolicy policy = (e, attempt, backoff) -> Decision.FATAL;
    private Duration backoffMin = Duration.ofMillis(200);
    private Duration backoffMax = Duration.ofSeconds(30);
    private Runnable setUp = () -> {};
    private Runnable tearDown = () -> {};
    private Runnable wakeup = () -> {};
    private Consumer<Throwable> onFatal = e -> {};
    private Duration joinTimeout = Duration.ofSeconds(30);
    private boolean daemon;

    private Builder(String name) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("a loop needs a name");
      }
      this.name = name;
    }

    /** Where the loop's iteration and failure counters go. */
    public Builder metrics(MeterRegistry registry) {
      this.registry = registry;
      return this;
    }

    /** The iteration. */
    public Builder body(Body body) {
      this.body = body;
      return this;
    }

    /** Classifies failures; by default every failure is fatal. */
    public Builder onFailure(FailurePolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Exponential backoff between retried failures; default 200 ms to 30 s. */
    public Builder backoff(Duration min, Duration max) {
      if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
        throw new IllegalArgumentException("backoff needs 0 < min <= max: " + min + ", " + max);
      }
      this.backoffMin = min;
      this.backoffMax = max;
      return this;
    }

    /** Runs once on the loop's thread before the first iteration; a failure is fatal. */
    public Builder setUp(Runnable setUp) {
      this.setUp = Objects.requireNonNull(setUp, "setUp");
      return this;
    }

    /**
     * Runs once on the loop's thread when the loop ends, however it ends (e.g. close clients);
     * {@link ServiceLoop#failure()} is already set when it ended fatally.
     */
    public Builder tearDown(Runnable tearDown) {
      this.tearDown = Objects.requireNonNull(tearDown, "tearDown");
      return this;
    }

    /** Called by a stop to interrupt a blocking body (e.g. {@code consumer::wakeup}). */
    public Builder wakeup(Runnable wakeup) {
      this.wakeup = Objects.requireNonNull(wakeup, "wakeup");
      return this;
    }

    /** Called once, on the loop's thread, when the loop ended fatally; must return at once. */
    public Builder onFatal(Consumer<Throwable> onFatal) {
      this.onFatal = Objects.requireNonNull(onFatal, "onFatal");
      return this;
    }

    /** How long {@link ServiceLoop#close()} waits for the thread; default 30 s. */
    public Builder joinTimeout(Duration joinTimeout) {
      this.joinTimeout = Objects.requireNonNull(joinTimeout, "joinTimeout");
      return this;
    }

    /** Whether the thread is a daemon; default false. */
    public Builder daemon(boolean daemon) {
      this.daemon = daemon;
      return this;
    }

    public ServiceLoop build() {
      return new ServiceLoop(this);
    }
  }
}
