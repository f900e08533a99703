package io.herald.sender.lane;

import io.herald.sender.backlog.ParkedBacklog;
import io.herald.sender.backlog.ParkedCommand;
import io.herald.sender.backlog.ReadAhead;
import io.herald.sender.delivery.OutcomePolicy;
import io.herald.sender.delivery.PreCheck;
import io.herald.sender.delivery.PreChecks;
import io.herald.sender.delivery.StepFailurePolicy;
import io.herald.sender.ledger.ClaimOwner;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The queue of one device (on one partition), worked with up to W commands in flight ({@link
 * LaneWindow}: W from the device's rate and its calls' latency), one at a time per recipient and in
 * order per recipient; the pacer spaces their starts (ADR 0020).
 *
 * <p>A step never sleeps: it finishes its command, or asks to be woken at an instant (pacing, retry
 * backoff, paused device), or waits for something asynchronous (a group-committed ledger claim or
 * finish, the opt-out lookup, the transport call) whose completion continues it on the executor. So
 * a paused or slow device holds no thread, and every lane can have claims and finishes waiting at
 * once, which is what lets the ledger batch them.
 *
 * <p>Per command: the pre-checks of {@link PreChecks} (expired? device known, same tenant, usable
 * configuration, active?), pacing allows? claim in the ledger ({@link ClaimStep}: duplicates and
 * unconfirmed claims stop here), opt-out check and transport call ({@link CallStep}), the next step
 * from {@link io.herald.sender.delivery.OutcomePolicy}: retry later, or record the outcome in the
 * ledger and publish the result ({@link OutcomeRecorder}); only then is the record's offset
 * released for commit. This class keeps the queue, the stepping and the continuations; the step
 * classes run inside an entry's step and wait only through {@link StepHost}.
 */
final class DeviceLane implements StepHost {

  private static final Logger log = LoggerFactory.getLogger(DeviceLane.class);
  private static final Duration MAX_TIMER = Duration.ofHours(1);

  private final String deviceId;
  private final ClaimOwner owner;
  private final LaneContext ctx;
  private final ScheduledExecutorService executor;
  private final Pacer pacer;
  private final LaneWindow window;
  private final DeviceStep steps;
  private final FailedStep failedStep;
  private final FairQueue queue = new FairQueue();
  private final LaneBacklog backlog;

  // guarded by this
  private final LaneSlots slots;
  private boolean closed;
  private ScheduledFuture<?> timer;
  private Instant timerAt;
  private volatile boolean paused;
  private volatile int depth;

  DeviceLane(
      String deviceId,
      ClaimOwner owner,
      LaneContext ctx,
      ScheduledExecutorService executor,
      ParkedBacklog store,
      ReadAhead readAhead) {
    this.deviceId = deviceId;
    this.owner = owner;
    this.ctx = ctx;
    this.executor = executor;
    long seed = ctx.settings().randomSeed() ^ ((long) deviceId.hashCode() << 16) ^ partition();
    this.pacer = new Pacer(ctx.clock(), new SplittableRandom(seed), ctx.pacing());
    LaneSettings settings = ctx.settings();
    this.window = new LaneWindow(settings.maxInFlightPerDevice());
    this.slots = new LaneSlots(queue, pacer, window);
    PreChecks preChecks = new PreChecks(settings.pausedRecheck());
    OutcomePolicy outcomes =
        new OutcomePolicy(settings.maxAttempts(), settings.mode(), ctx.backoff()::next);
    // the step classes hold no thread and no lock: they run inside this lane's steps
    OutcomeRecorder recorder = new OutcomeRecorder(this, ctx);
    CallStep calls = new CallStep(this, ctx, pacer, window, outcomes, recorder);
    ClaimStep claims = new ClaimStep(this, ctx, calls, recorder);
    this.steps = new DeviceStep(this, ctx, preChecks, pacer, window, claims, calls, recorder);
    this.failedStep =
        new FailedStep(this, ctx, new StepFailurePolicy(settings.errorRetry()), claims);
    this.backlog = new LaneBacklog(store, readAhead, this, executor, ctx);
  }

  @Override
  public String deviceId() {
    return deviceId;
  }

  @Override
  public int partition() {
    return owner.partition();
  }

  @Override
  public ClaimOwner owner() {
    return owner;
  }

  @Override
  public int depth() {
    return depth;
  }

  @Override
  public void markPaused() {
    paused = true;
  }

  boolean paused() {
    return paused;
  }

  double adaptiveFactor() {
    return pacer.adaptiveFactor();
  }

  synchronized void enqueue(PendingCommand p) {
    if (closed) {
      return; // the partition was revoked; the new owner reads the record again
    }
    if (backlog.shouldPark(ParkedCommand.scheduleKeyOf(p.command()), queue, paused)) {
      backlog.park(p);
      return;
    }
    queue.add(new LaneEntry(p));
    depth = queue.size();
    kickLocked();
  }

  /** Parked commands found for this lane when its partition was assigned. */
  synchronized void restore(String scheduleKey, int parked) {
    backlog.restore(scheduleKey, parked);
    kickLocked();
  }

  /** Parked commands of this lane not in memory. */
  synchronized int parked() {
    return backlog.total();
  }

  synchronized boolean isClosed() {
    return closed;
  }

  synchronized int inFlight() {
    return slots.inFlight();
  }

  /** Steps soon unless a step is due: something became possible (a park is durable). */
  synchronized void kick() {
    kickLocked();
  }

  private void kickLocked() {
    if (!closed && timer == null) {
      scheduleLocked(ctx.clock().instant());
    }
  }

  /** A load of parked commands answered: they join the queue behind their schedule's. */
  void onLoaded(LaneBacklog.Load load, List<ParkedCommand> got, Throwable err) {
    synchronized (this) {
      if (closed) {
        return;
      }
      if (err != null) {
        backlog.loadFailed();
        log.warn("Loading parked commands failed: device={} error={}", deviceId, err.toString());
        scheduleLocked(ctx.clock().instant().plus(ctx.settings().errorRetry()));
        return;
      }
      for (ParkedCommand c : backlog.loaded(load, got)) {
        queue.add(backlog.entry(c));
      }
      depth = queue.size();
      kickLocked();
    }
  }

  /**
   * Stops the lane: drops queued commands (their offsets stay uncommitted) and waits up to {@code
   * timeout} for the steps in progress (transport calls) to record their outcomes; true when none
   * was left running.
   */
  synchronized boolean close(Duration timeout) {
    closed = true;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (slots.inFlight() > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    queue.clear();
    depth = 0;
    return slots.inFlight() == 0;
  }

  private void scheduleLocked(Instant when) {
    // within [now, now + 1 h]: the pacer's first slot is Instant.MIN, whose nanos would overflow
    Instant now = ctx.clock().instant();
    Instant latest = now.plus(MAX_TIMER);
    Instant at = when.isBefore(now) ? now : when.isAfter(latest) ? latest : when;
    if (timer != null) {
      if (!timerAt.isAfter(at)) {
        return;
      }
      timer.cancel(false);
    }
    timerAt = at;
    timer =
        executor.schedule(this::step, Duration.between(now, at).toNanos(), TimeUnit.NANOSECONDS);
  }

  private void step() {
    List<LaneEntry> started;
    Instant now = ctx.clock().instant();
    synchronized (this) {
      timer = null;
      timerAt = null;
      if (closed) {
        return;
      }
      started = pickLocked(now);
    }
    for (LaneEntry e : started) {
      resume(e, () -> steps.process(e, now));
    }
    synchronized (this) {
      if (!closed && !paused && !started.isEmpty()) { // the next start, while these are in flight
        scheduleLocked(pacer.earliestFor(null, window.cap()));
      }
    }
  }

  /** The entries to start now, made active; schedules the next look when none can start. */
  private List<LaneEntry> pickLocked(Instant now) {
    if (queue.isEmpty() && slots.inFlight() == 0) {
      startLoad(); // an empty queue with parked commands: the first of them, or a batch
    }
    LaneSlots.Starts starts = slots.pick(now, paused);
    if (starts.lookAgainAt() != null) {
      scheduleLocked(starts.lookAgainAt());
    }
    return starts.entries();
  }

  private void deactivateLocked(LaneEntry e) {
    slots.release(e);
    notifyAll();
  }

  private void endStep(LaneEntry e, StepResult next) {
    synchronized (this) {
      deactivateLocked(e);
      if (next.done()) {
        queue.remove(e);
        depth = queue.size();
      } else {
        e.readyAt = next.at;
      }
      if (closed) {
        return;
      }
      if (!paused) {
        startLoad();
      }
      Instant at = next.at == null ? ctx.clock().instant() : next.at;
      if (queue.isEmpty()) {
        if (paused && backlog.total() > 0) {
          scheduleLocked(at); // a held device's backlog: look again at the recheck
        }
        return;
      }
      if (paused) {
        scheduleLocked(queue.firstDeadlineBefore(at)); // a paused lane still expires commands
        return;
      }
      scheduleLocked(Instant.MIN); // now: entries not ready yet are skipped until they are
    }
  }

  private void startLoad() {
    backlog.startNext(queue, paused);
  }

  @Override
  public void held(LaneEntry e, PreCheck.Hold h) {
    synchronized (this) {
      // a held device's untouched commands leave memory, so its partition's offset moves on;
      // those whose steps run (calls in flight) finish them first
      for (LaneEntry q :
          backlog.parksWhenHeld()
              ? queue.removeIf(q -> q.untouched() && (!q.active || q == e))
              : List.<LaneEntry>of()) {
        backlog.holdBack(q);
      }
      depth = queue.size();
      if (paused) {
        return;
      }
      paused = true;
    }
    log.warn(
        "Device not active, holding its commands: device={} status={} reason={} queued={}"
            + " parked={}",
        deviceId,
        h.device().status(),
        h.device().pausedReason(),
        depth,
        parked());
  }

  @Override
  public void active() {
    if (paused) {
      paused = false;
      log.info(
          "Device active again, resuming its lane: device={} queued={} parked={}",
          deviceId,
          depth,
          parked());
    }
  }

  /**
   * Continues the step with {@code then} once {@code f} completes, on the lane executor (not on the
   * ledger's or the transport's thread); a failure of {@code f} fails the step.
   */
  @Override
  public <T> StepResult await(LaneEntry e, CompletableFuture<T> f, Function<T, StepResult> then) {
    f.whenComplete(
        (v, err) ->
            continueLater(
                e,
                () -> {
                  if (err != null) {
                    throw Failures.unwrap(err);
                  }
                  return then.apply(v);
                }));
    return StepResult.ASYNC;
  }

  @Override
  public void continueLater(LaneEntry e, Supplier<StepResult> body) {
    try {
      executor.execute(() -> resume(e, body));
    } catch (RejectedExecutionException rejected) {
      log.warn(
          "Lane executor gone, step abandoned: commandId={} device={}",
          e.cmd().commandId(),
          deviceId);
      synchronized (this) {
        deactivateLocked(e);
      }
    }
  }

  private void resume(LaneEntry e, Supplier<StepResult> body) {
    StepResult next;
    MDC.put("commandId", e.cmd().commandId().value());
    MDC.put("device", deviceId);
    try {
      next = body.get();
    } catch (RuntimeException ex) {
      next = failedStep.handle(e, ex, ctx.clock().instant());
    } finally {
      MDC.remove("commandId");
      MDC.remove("device");
    }
    if (!next.async) {
      endStep(e, next);
    }
  }
}
