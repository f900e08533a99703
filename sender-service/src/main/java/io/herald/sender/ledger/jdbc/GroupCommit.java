package io.herald.sender.ledger.jdbc;

import io.herald.runtime.loop.ServiceLoop;
import io.herald.sender.ledger.LedgerException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Group commit: requests submitted from many threads are handed to a {@link Handler} together, one
 * batch at a time on one thread of its own. There is no artificial wait: a batch is whatever queued
 * while the previous batch was in flight (at most {@code maxBatch}), so a lone request at low load
 * goes at once and a busy one shares a database round trip and commit with its neighbours.
 *
 * <p>A handler failure (even an {@link Error}) fails exactly the requests of that batch, with a
 * {@link LedgerException}; the next batch is tried as usual: a dead batch thread would leave every
 * later request waiting forever. Futures complete on the batch thread: dependants must hand longer
 * work to their own executor, or they delay the next batch.
 *
 * <p>The batch thread ({@code herald-<name>}) is a {@link ServiceLoop}: one iteration waits for
 * requests and runs one batch, the loop's wakeup signals that wait, and the loop counts its batches
 * in {@code herald.loop.iterations}. Only a failure outside the handler (a {@link Listener} that
 * throws) reaches the loop, and it is fatal: the batch's futures are completed first, then the loop
 * ends, {@link #healthy()} turns false, whatever is queued fails, later requests fail at once and
 * the {@link Supervision#onFatal()} callback is told.
 *
 * @param <I> a request
 * @param <O> its answer
 */
public final class GroupCommit<I, O> implements AutoCloseable {

  /** Runs one batch; returns one answer per request, in the same order. */
  @FunctionalInterface
  public interface Handler<I, O> {
    List<O> run(List<I> batch) throws Exception;
  }

  /** Told about every batch run (for metrics). */
  @FunctionalInterface
  public interface Listener {
    Listener NONE = (size, nanos, ok) -> {};

    void onBatch(int size, long nanos, boolean ok);
  }

  /**
   * Where the batch thread reports, as every {@link ServiceLoop} does.
   *
   * @param metrics gets {@code herald.loop.iterations} and {@code herald.loop.failures}, tagged
   *     {@code loop=herald-<name>}
   * @param onFatal called once, on the batch thread, when it ended on a failure it does not absorb
   *     (the app reports not ready and exits); must return at once
   */
  public record Supervision(MeterRegistry metrics, Consumer<Throwable> onFatal) {
    public Supervision {
      Objects.requireNonNull(metrics, "metrics");
      Objects.requireNonNull(onFatal, "onFatal");
    }

    /** Loop metrics in a registry of their own that nobody reads, no callback: tests and tools. */
    public static Supervision unsupervised() {
      return new Supervision(new SimpleMeterRegistry(), e -> {});
    }
  }

  private record Request<I, O>(I input, CompletableFuture<O> answer) {}

  private final String name;
  private final Handler<I, O> handler;
  private final int maxBatch;
  private final Listener listener;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition queued = lock.newCondition();
  private final ServiceLoop loop;

  // guarded by lock
  private final ArrayDeque<Request<I, O>> queue = new ArrayDeque<>();
  private boolean closing;

  /** Starts an unsupervised batch thread ({@link Supervision#unsupervised()}). */
  public GroupCommit(String name, int maxBatch, Handler<I, O> handler, Listener listener) {
    this(name, maxBatch, handler, listener, Supervision.unsupervised());
  }

  /**
   * Starts the batch thread ({@code herald-<name>}, a daemon).
   *
   * @param name what is batched, for the thread name and error messages
   */
  public GroupCommit(
      String name,
      int maxBatch,
      Handler<I, O> handler,
      Listener listener,
      Supervision supervision) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be >= 1");
    }
    this.name = Objects.requireNonNull(name, "name");
    this.handler = Objects.requireNonNull(handler, "handler");
    this.listener = Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(supervision, "supervision");
    this.maxBatch = maxBatch;
    this.loop =
        ServiceLoop.named("herald-" + name)
            .metrics(supervision.metrics())
            .body(this::runOnce)
            .wakeup(this::wake)
            .tearDown(this::failLeftovers)
            .onFatal(supervision.onFatal())
            .daemon(true)
            .build();
    loop.start();
  }

  /** Queues {@code input} for the next batch; fails at once when closed. */
  public CompletableFuture<O> submit(I input) {
    CompletableFuture<O> answer = new CompletableFuture<>();
    lock.lock();
    try {
      if (closing) {
        answer.completeExceptionally(
            new LedgerException(name + " is closed", new IllegalStateException("closed")));
        return answer;
      }
      queue.addLast(new Request<>(input, answer));
      queued.signal();
    } finally {
      lock.unlock();
    }
    return answer;
  }

  /** Requests queued and not yet taken into a batch. */
  public int queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /** False once the batch thread ended on a failure outside the handler (see the class doc). */
  public boolean healthy() {
    return loop.healthy();
  }

  /**
   * One iteration: waits for requests and runs one batch. Once closing and drained, stops its own
   * loop (which returns at once on the loop's thread) instead of waiting again.
   */
  private boolean runOnce() {
    List<Request<I, O>> batch = takeBatch();
    if (batch == null) {
      loop.stop(Duration.ZERO);
      return false;
    }
    runBatch(batch);
    return true;
  }

  /** The next batch, waiting for one; null when closing (or stopping) with nothing queued. */
  private List<Request<I, O>> takeBatch() {
    lock.lock();
    try {
      while (queue.isEmpty() && !closing && !loop.stopping()) {
        queued.awaitUninterruptibly();
      }
      if (queue.isEmpty()) {
        return null;
      }
      int n = Math.min(maxBatch, queue.size());
      List<Request<I, O>> batch = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        batch.add(queue.pollFirst());
      }
      return batch;
    } finally {
      lock.unlock();
    }
  }

  private void runBatch(List<Request<I, O>> batch) {
    List<I> inputs = new ArrayList<>(batch.size());
    for (Request<I, O> r : batch) {
      inputs.add(r.input());
    }
    long start = System.nanoTime();
    List<O> answers;
    try {
      answers = handler.run(inputs);
      if (answers == null || answers.size() != batch.size()) {
        String got = answers == null ? "null" : Integer.toString(answers.size());
        throw new IllegalStateException("handler answered " + got + " of " + batch.size());
      }
    } catch (Throwable e) {
      // even an Error: a dead batch thread would leave every later request waiting forever
      LedgerException failure =
          new LedgerException(name + ": batch of " + batch.size() + " failed", e);
      try {
        listener.onBatch(batch.size(), System.nanoTime() - start, false);
      } finally {
        for (Request<I, O> r : batch) {
          r.answer().completeExceptionally(failure);
        }
      }
      return;
    }
    try {
      listener.onBatch(batch.size(), System.nanoTime() - start, true);
    } finally {
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).answer().complete(answers.get(i));
      }
    }
  }

  /** The loop's wakeup: a stop ends the wait for requests. */
  private void wake() {
    lock.lock();
    try {
      queued.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The loop's tear-down: however it ended, nothing queued waits forever, nothing more queues. */
  private void failLeftovers() {
    lock.lock();
    try {
      closing = true;
    } finally {
      lock.unlock();
    }
    failQueued();
  }

  /** Fails whatever is still queued; true when nothing was. */
  private boolean failQueued() {
    List<Request<I, O>> left;
    lock.lock();
    try {
      left = new ArrayList<>(queue);
      queue.clear();
    } finally {
      lock.unlock();
    }
    LedgerException failure =
        new LedgerException(
            name + " closed before this request ran", new IllegalStateException("closed"));
    for (Request<I, O> r : left) {
      r.answer().completeExceptionally(failure);
    }
    return left.isEmpty();
  }

  /**
   * Stops taking requests and runs those already queued, waiting up to {@code timeout}; whatever is
   * still queued then fails with a {@link LedgerException} (a batch in flight finishes or fails on
   * its own).
   *
   * @return true when everything queued was run (false too when the batch thread had died)
   */
  public boolean close(Duration timeout) {
    lock.lock();
    try {
      closing = true;
      queued.signalAll();
    } finally {
      lock.unlock();
    }
    boolean ended = ended(timeout);
    boolean nothingLeft = failQueued();
    return nothingLeft && (ended || ended(Duration.ZERO)) && loop.healthy();
  }

  private boolean ended(Duration timeout) {
    try {
      return loop.awaitExit(timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }
}
