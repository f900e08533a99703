package io.herald.runtime.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.runtime.loop.ServiceLoop.Decision;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ServiceLoopTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private double count(String meter) {
    return registry.get(meter).tag("loop", "herald-test").counter().count();
  }

  @Nested
  class Stop {

    @Test
    void shouldRunTheBodyOnANamedThreadUntilClosed() throws Exception {
      BlockingQueue<String> threads = new LinkedBlockingQueue<>();
      CountDownLatch tornDown = new CountDownLatch(1);
      ServiceLoop loop =
          ServiceLoop.named("herald-test")
              .metrics(registry)
              .body(
                  () -> {
                    threads.offer(Thread.currentThread().getName());
                    return true;
                  })
              .tearDown(tornDown::countDown)
              .build()
              .start();
      assertThat(threads.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("herald-test");
      assertThat(loop.running()).isTrue();

      assertThat(loop.stop(WAIT)).isTrue();

      assertThat(tornDown.getCount()).isZero();
      assertThat(loop.running()).isFalse();
      assertThat(loop.healthy()).isTrue();
      assertThat(loop.failure()).isNull();
      assertThat(count("herald.loop.iterations")).isPositive();
    }

    @Test
    void shouldWakeABlockedBodyAndTreatItsExceptionAsTheStopWhenClosed() throws Exception {
      CountDownLatch blocked = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger fatal = new AtomicInteger();
      ServiceLoop loop =
          ServiceLoop.named("herald-test")
              .metrics(registry)
              .body(
                  () -> {
                    blocked.countDown();
                    release.await();
                    throw new IllegalStateException("woken");
                  })
              .wakeup(release::countDown)
              .onFatal(e -> fatal.incrementAndGet())
              .build()
              .start();
      assertThat(blocked.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

      assertThat(loop.stop(WAIT)).isTrue();

      assertThat(loop.healthy()).isTrue();
      assertThat(fatal.get()).isZero();
      assertThat(count("herald.loop.failures")).isZero();
    }

    @Test
    void shouldEndABackoffWaitAtOnceWhenClosed() throws Exception {
      CountDownLatch failed = new CountDownLatch(1);
      ServiceLoop loop =
          ServiceLoop.named("herald-test")
              .metrics(registry)
              .body(
                  () -> {
                    throw new IllegalStateException("database down");
                  })
              .backoff(Duration.ofMinutes(10), Duration.ofMinutes(10))
              .onFailure(
                  (e, attempt, backoff) -> {
                    failed.countDown();
                    return Decision.RETRY;
                  })
              .build()
              .start();
      assertThat(failed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

      long t0 = System.nanoTime();
      assertThat(loop.stop(WAIT)).isTrue();

      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(WAIT);
      assertThat(loop.healthy()).isTrue();
    }

    @Test
    void shouldReportATimeoutWhenTheBodyIgnoresTheStop() throws Exception {
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch entered = new CountDownLatch(1);
      ServiceLoop loop =
          ServiceLoop.named("herald-test")
              .metrics(registry)
              .body(
                  () -> {
                    entered.countDown();
                    release.await();
                    return true;
                  })
              .build()
              .start();
      assertThat(entered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

      assertThat(loop.stop(Duration.ofMillis(50))).isFalse();

      release.countDown();
      assertThat(loop.awaitExit(WAIT)).isTrue();
      assertThat(loop.healthy()).isTrue();
    }

    @Test
    void shouldDoNothingWhenClosedBeforeStart() {
      ServiceLoop loop =
          ServiceLoop.named("herald-test").metrics(registry).body(() -> true).build();
      loop.close();
      assertThat(loop.healthy()).isTrue();
      assertThat(loop.running()).isFalse();
    }
  }

  @Nested
  class Failures {

    @Test
    void shouldRetryWithGrowingBackoffAndResetItAfterWork() throws Exception {
      List<String> seen = new ArrayList<>();
      AtomicInteger calls = new AtomicInteger();
      CountDownLatch done = new CountDownLatch(1);
      ServiceLoop loop =
          ServiceLoop.named("herald-test")
              .metrics(registry)
              .body(
                  () -> {
                    int n = calls.incrementAndGet();
                    if (n == 4) {
                      return true; // work done: the next failure starts again from min
                    }
                    if (n == 6) {
                      done.countDown();
                      return false;
                    }
                    if (n > 6) {
                      return false;
                    }
                    throw new IllegalStateException("down " + n);
                  })
              .backoff(Duration.ofMillis(1), Duration.ofMillis(3))
              .onFailure(
                  (e, attempt, backoff) -> {
                    synchronized (seen) {
                      seen.add(attempt + "@" + backoff.toMillis());
                    }
                    return Decision.RETRY;
                  })
              .build()
              .start();
      assertThat(done.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      loop.close();

      synchronized (seen) {
        assertThat(seen).containsExactly("1@1", "2@2", "3@3", "1@1");
      }
      assertThat(count("herald.loop.failures")).isEqualTo(4.0);
      assertThat(loop.healthy()).isTrue();
    }

    @Test
    void shouldKeepTheAttemptCountAcrossIdleIterations() throws Exception {
      List<Integer> attempts = new ArrayList<>();
      AtomicInteger calls = new AtomicInteger();
      CountDownLatch done = new CountDownLatch(1);
      ServiceLoop loop =
          ServiceLoop.named("herald-test")
              .metrics(registry)
              .body(
                  () -> {
                    int n = calls.incrementAndGet();
                    if (n == 2) {
                      return false; // idle: nothing to reset
                    }
                    if (n > 3) {
                      return false;
                    }
                    throw new IllegalStateException("down");
                  })
              .backoff(Duration.ofMillis(1), Duration.ofMillis(1))
              .onFailure(
                  (e, attempt, backoff) -> {
                    synchronized (attempts) {
                      attempts.add(attempt);
                    }
                    if (attempt == 2) {
                      done.countDown();
                    }
                    return Decision.RETRY;
                  })
              .build()
              .start();
      assertThat(done.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      loop.close();

      synchronized (attempts) {
        assertThat(attempts).containsExactly(1, 2);
      }
    }

    @Test
    void shouldEndUnhealthyAndCallOnFatalOnceWhenThePolicySaysFatal() throws Exception {
      AtomicReference<Throwable> fatal = new AtomicReference<>();
      AtomicReference<Throwable> seenByTearDown = new AtomicReference<>();
      CountDownLatch called = new CountDownLatch(1);
      CountDownLatch tornDown = new CountDownLatch(1);
      IllegalStateException boom = new IllegalStateException("not authorized");
      AtomicReference<ServiceLoop> self = new AtomicReference<>();
      ServiceLoop loop =
          ServiceLoop.named("herald-test")
              .metrics(registry)
              .body(
                  () -> {
                    throw boom;
                  })
              .tearDown(
                  () -> {
                    seenByTearDown.set(self.get().failure());
                    tornDown.countDown();
                  })
              .onFatal(
                  e -> {
                    // the tear-down ran before: the app may exit from here
                    assertThat(tornDown.getCount()).isZero();
                    fatal.set(e);
                    called.countDown();
                  })
              .build();
      self.set(loop);
      loop.start();

      assertThat(called.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      assertThat(loop.awaitExit(WAIT)).isTrue();
      assertThat(fatal.get()).isSameAs(boom);
      assertThat(seenByTearDown.get()).as("the tear-down knows it ended fatally").isSameAs(boom);
      assertThat(loop.healthy()).isFalse();
      assertThat(loop.failure()).isSameAs(boom);
      assertThat(loop.running()).isFalse();
      assertThat(count("herald.loop.failures")).isEqualTo(1.0);
      loop.close();
      assertThat(loop.healthy()).as("a close after the fact does not hide it").isFalse();
    }

    @Test
    void shouldEndFatallyWhenTheSetUpFails() throws Exception {
      CountDownLatch called = new CountDownLatch(1);
      ServiceLoop loop =
          ServiceLoop.named("herald-test")
              .metrics(registry)
              .setUp(
                  () -> {
                    throw new IllegalStateException("cannot subscribe");
                  })
              .body(() -> true)
              .onFatal(e -> called.countDown())
              .build()
              .start();

      assertThat(called.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      assertThat(loop.failure()).hasMessage("cannot subscribe");
    }

    @Test
    void shouldEndFatallyOnAnErrorEvenWhenThePolicyWouldRetry() throws Exception {
      CountDownLatch called = new CountDownLatch(1);
      ServiceLoop loop =
          ServiceLoop.named("herald-test")
              .metrics(registry)
              .body(
                  () -> {
                    throw new OutOfMemoryError("simulated");
                  })
              .onFailure(
                  (e, attempt, backoff) -> e instanceof Exception ? Decision.RETRY : Decision.FATAL)
              .onFatal(e -> called.countDown())
              .build()
              .start();

      assertThat(called.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      assertThat(loop.failure()).isInstanceOf(OutOfMemoryError.class);
    }
  }
}
