package io.herald.sender.ledger.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.sender.ledger.LedgerException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Batching without a database: a handler that records its batches and can be held or fail. */
class GroupCommitTest {

  private final List<List<Integer>> batches = new CopyOnWriteArrayList<>();
  private final List<Integer> listened = new CopyOnWriteArrayList<>();
  private final List<Boolean> listenedOk = new CopyOnWriteArrayList<>();
  private volatile CountDownLatch hold = new CountDownLatch(0);
  private volatile CountDownLatch entered = new CountDownLatch(1);
  private GroupCommit<Integer, String> group;

  private void start(int maxBatch) {
    group =
        new GroupCommit<>(
            "test",
            maxBatch,
            batch -> {
              batches.add(List.copyOf(batch));
              entered.countDown();
              hold.await();
              if (batch.contains(-1)) {
                throw new java.sql.SQLException("bad row in batch");
              }
              return batch.stream().map(i -> "r" + i).toList();
            },
            (size, nanos, ok) -> {
              listened.add(size);
              listenedOk.add(ok);
            });
  }

  @AfterEach
  void stop() {
    hold = new CountDownLatch(0);
    if (group != null) {
      group.close(Duration.ofSeconds(2));
    }
  }

  @Test
  void shouldRunLoneRequestAtOnceWhenIdle() throws Exception {
    start(100);
    long t0 = System.nanoTime();
    assertThat(group.submit(7).get(1, TimeUnit.SECONDS)).isEqualTo("r7");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(500));
    assertThat(batches).containsExactly(List.of(7));
  }

  @Test
  void shouldBatchWhatQueuedWhileBatchInFlightUpToMax() throws Exception {
    start(10);
    hold = new CountDownLatch(1);
    CompletableFuture<String> first = group.submit(0);
    assertThat(entered.await(2, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<String>> rest = new ArrayList<>();
    for (int i = 1; i <= 25; i++) {
      rest.add(group.submit(i));
    }
    assertThat(group.queued()).isEqualTo(25);
    hold.countDown();

    assertThat(first.get(2, TimeUnit.SECONDS)).isEqualTo("r0");
    for (int i = 0; i < rest.size(); i++) {
      assertThat(rest.get(i).get(2, TimeUnit.SECONDS)).isEqualTo("r" + (i + 1));
    }
    assertThat(batches).extracting(List::size).containsExactly(1, 10, 10, 5);
    assertThat(batches.get(1)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10); // arrival order
    assertThat(listened).containsExactly(1, 10, 10, 5);
  }

  @Test
  void shouldFailOnlyThatBatchAndGoOnWhenHandlerThrows() throws Exception {
    start(10);
    hold = new CountDownLatch(1);
    CompletableFuture<String> first = group.submit(0);
    assertThat(entered.await(2, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> a = group.submit(1);
    CompletableFuture<String> bad = group.submit(-1);
    hold.countDown();
    assertThat(first.get(2, TimeUnit.SECONDS)).isEqualTo("r0");
    assertThatThrownBy(() -> a.get(2, TimeUnit.SECONDS))
        .hasCauseInstanceOf(LedgerException.class)
        .hasRootCauseMessage("bad row in batch");
    assertThatThrownBy(bad::join).isInstanceOf(CompletionException.class);

    assertThat(group.submit(2).get(2, TimeUnit.SECONDS)).isEqualTo("r2");
    assertThat(listenedOk).containsExactly(true, false, true);
  }

  @Test
  void shouldFailBatchWhenHandlerAnswersWrongCount() {
    group = new GroupCommit<>("test", 10, batch -> List.of(), GroupCommit.Listener.NONE);
    assertThatThrownBy(() -> group.submit(1).join()).hasCauseInstanceOf(LedgerException.class);
  }

  @Test
  void shouldRunQueuedRequestsThenRefuseNewOnesWhenClosed() throws Exception {
    start(3);
    hold = new CountDownLatch(1);
    CompletableFuture<String> first = group.submit(0);
    assertThat(entered.await(2, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<String>> queued = new ArrayList<>();
    for (int i = 1; i <= 7; i++) {
      queued.add(group.submit(i));
    }
    CompletableFuture<Boolean> closed =
        CompletableFuture.supplyAsync(() -> group.close(Duration.ofSeconds(5)));
    Thread.sleep(100); // close() is waiting for the held batch
    assertThat(group.submit(99)).isCompletedExceptionally();
    hold.countDown();

    assertThat(closed.get(5, TimeUnit.SECONDS)).isTrue();
    assertThat(first).isCompletedWithValue("r0");
    assertThat(queued).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
  }

  @Test
  void shouldFailQueuedRequestsWhenCloseTimesOut() throws Exception {
    start(3);
    hold = new CountDownLatch(1);
    CompletableFuture<String> first = group.submit(0);
    assertThat(entered.await(2, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> queued = group.submit(1);

    assertThat(group.close(Duration.ofMillis(100))).isFalse();
    assertThatThrownBy(queued::join).hasCauseInstanceOf(LedgerException.class);
    hold.countDown();
    assertThat(first.get(2, TimeUnit.SECONDS)).isEqualTo("r0"); // the batch in flight finishes
    assertThat(batches).hasSize(1);
  }

  @Test
  void shouldRunOnANamedServiceLoopThatCountsItsBatchesWhenSupervised() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<String> threads = new CopyOnWriteArrayList<>();
    group =
        new GroupCommit<>(
            "named",
            10,
            batch -> {
              threads.add(Thread.currentThread().getName());
              return batch.stream().map(i -> "r" + i).toList();
            },
            GroupCommit.Listener.NONE,
            new GroupCommit.Supervision(registry, e -> {}));
    assertThat(group.submit(1).get(2, TimeUnit.SECONDS)).isEqualTo("r1");
    assertThat(group.submit(2).get(2, TimeUnit.SECONDS)).isEqualTo("r2");

    assertThat(threads).containsOnly("herald-named");
    assertThat(registry.get("herald.loop.iterations").tag("loop", "herald-named").counter().count())
        .isGreaterThanOrEqualTo(2);
    assertThat(group.healthy()).isTrue();
    assertThat(group.close(Duration.ofSeconds(2))).isTrue();
    assertThat(threads).containsOnly("herald-named");
    assertThat(registry.get("herald.loop.failures").tag("loop", "herald-named").counter().count())
        .isZero();
    assertThat(group.healthy()).isTrue(); // a clean stop is not a failure
  }

  @Test
  void shouldKeepRunningAndStayHealthyWhenHandlerThrowsAnError() throws Exception {
    group =
        new GroupCommit<>(
            "test",
            10,
            batch -> {
              if (batch.contains(-1)) {
                throw new OutOfMemoryError("simulated");
              }
              return batch.stream().map(i -> "r" + i).toList();
            },
            GroupCommit.Listener.NONE);
    assertThatThrownBy(() -> group.submit(-1).get(2, TimeUnit.SECONDS))
        .hasCauseInstanceOf(LedgerException.class)
        .hasRootCauseInstanceOf(OutOfMemoryError.class);
    assertThat(group.submit(3).get(2, TimeUnit.SECONDS)).isEqualTo("r3");
    assertThat(group.healthy()).isTrue();
  }

  @Test
  void shouldCompleteTheBatchThenEndFatallyAndFailFastWhenListenerThrows() throws Exception {
    CompletableFuture<Throwable> fatal = new CompletableFuture<>();
    hold = new CountDownLatch(1);
    group =
        new GroupCommit<>(
            "test",
            1,
            batch -> {
              entered.countDown();
              hold.await();
              return batch.stream().map(i -> "r" + i).toList();
            },
            (size, nanos, ok) -> {
              throw new IllegalStateException("listener broke");
            },
            new GroupCommit.Supervision(new SimpleMeterRegistry(), fatal::complete));
    CompletableFuture<String> first = group.submit(1);
    assertThat(entered.await(2, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> queued = group.submit(2);
    hold.countDown();

    assertThat(first.get(2, TimeUnit.SECONDS)).isEqualTo("r1"); // its batch ran: answered
    assertThat(fatal.get(2, TimeUnit.SECONDS)).hasMessage("listener broke");
    assertThat(group.healthy()).isFalse();
    // nothing waits forever on a dead batch thread
    assertThatThrownBy(() -> queued.get(2, TimeUnit.SECONDS))
        .hasCauseInstanceOf(LedgerException.class);
    assertThat(group.submit(3)).isCompletedExceptionally();
    assertThat(group.close(Duration.ofSeconds(1))).isFalse();
  }
}
