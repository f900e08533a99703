package io.herald.sender.ledger.jdbc;

import io.herald.sender.ledger.LedgerException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit: requests submitted from many threads are handed to a {@link Handler} together, one
 * batch at a time on one thread of its own. There is no artificial wait: a batch is whatever queued
 * while the previous batch was in flight (at most {@code maxBatch}), so a lone request at low load
 * goes at once and a busy one shares a database round trip and commit with its neighbours.
 *
 * <p>A handler failure fails exactly the requests of that batch, with a {@link LedgerException};
 * the next batch is tried as usual. Futures complete on the batch thread: dependants must hand
 * longer work to their own executor, or they delay the next batch.
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

  private record Request<I, O>(I input, CompletableFuture<O> answer) {}

  private final String name;
  private final Handler<I, O> handler;
  private final int maxBatch;
  private final Listener listener;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition queued = lock.newCondition();
  private final Thread worker;

  // guarded by lock
  private final ArrayDeque<Request<I, O>> queue = new ArrayDeque<>();
  private boolean closing;

  /**
   * Starts the batch thread ({@code herald-<name>}).
   *
   * @param name what is batched, for the thread name and error messages
   */
  public GroupCommit(String name, int maxBatch, Handler<I, O> handler, Listener listener) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be >= 1");
    }
    this.name = Objects.requireNonNull(name, "name");
    this.handler = Objects.requireNonNull(handler, "handler");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.maxBatch = maxBatch;
    this.worker = new Thread(this::loop, "herald-" + name);
    worker.setDaemon(true);
    worker.start();
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

  private void loop() {
    while (true) {
      List<Request<I, O>> batch;
      lock.lock();
      try {
        while (queue.isEmpty() && !closing) {
          queued.awaitUninterruptibly();
        }
        if (queue.isEmpty()) {
          return; // closing and drained
        }
        int n = Math.min(maxBatch, queue.size());
        batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          batch.add(queue.pollFirst());
        }
      } finally {
        lock.unlock();
      }
      runBatch(batch);
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
      listener.onBatch(batch.size(), System.nanoTime() - start, false);
      LedgerException failure =
          new LedgerException(name + ": batch of " + batch.size() + " failed", e);
      for (Request<I, O> r : batch) {
        r.answer().completeExceptionally(failure);
      }
      return;
    }
    listener.onBatch(batch.size(), System.nanoTime() - start, true);
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).answer().complete(answers.get(i));
    }
  }

  /**
   * Stops taking requests and runs those already queued, waiting up to {@code timeout}; whatever is
   * still queued then fails with a {@link LedgerException} (a batch in flight finishes or fails on
   * its own).
   *
   * @return true when everything queued was run
   */
  public boolean close(Duration timeout) {
    lock.lock();
    try {
      closing = true;
      queued.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeout.toNanos())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Request<I, O>> left = new ArrayList<>();
    lock.lock();
    try {
      left.addAll(queue);
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
    return left.isEmpty() && !worker.isAlive();
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }
}
