package io.herald.sender.lane;

import io.herald.contracts.command.SendCommand;
import io.herald.sender.delivery.Device;
import io.herald.sender.delivery.OutcomePolicy;
import io.herald.sender.delivery.PreCheck;
import io.herald.sender.delivery.PreChecks;
import io.herald.sender.delivery.StepFailurePolicy;
import io.herald.sender.delivery.Verdict;
import io.herald.sender.transport.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
 * The queue of one device (on one partition), worked one command at a time in arrival order.
 *
 * <p>A step never sleeps: it either finishes the command at the head, or asks to be woken at an
 * instant (pacing, retry backoff, paused device), or waits for something asynchronous (a ledger
 * claim or finish, which the ledger group-commits with other lanes'; the opt-out lookup; the
 * transport call) whose completion continues the step on the executor. So a paused or slow device
 * holds no thread, other devices' lanes run on the shared executor meanwhile, and every active lane
 * can have a claim or finish waiting at once, which is what lets the ledger batch them.
 *
 * <p>Per command: the pre-checks of {@link PreChecks} (expired? device known, same tenant, usable
 * configuration, active?), pacing allows? claim in the ledger ({@link ClaimStep}: duplicates and
 * unconfirmed claims stop here), opt-out check and transport call ({@link CallStep}), the next step
 * from {@link io.herald.sender.delivery.OutcomePolicy}: retry later, or record the outcome in the
 * ledger and publish the result ({@link OutcomeRecorder}); only then is the record's offset
 * released for commit. This class keeps the queue, the stepping and the continuations; the step
 * classes run inside a step (the lane is busy) and wait only through {@link StepHost}.
 */
final class DeviceLane implements StepHost {

  private static final Logger log = LoggerFactory.getLogger(DeviceLane.class);

  private final String deviceId;
  private final int partition;
  private final LaneContext ctx;
  private final ScheduledExecutorService executor;
  private final Pacer pacer;
  private final PreChecks preChecks;
  private final OutcomeRecorder recorder;
  private final CallStep calls;
  private final ClaimStep claims;
  private final FailedStep failedStep;
  private final ArrayDeque<LaneEntry> queue = new ArrayDeque<>();

  // guarded by this
  private boolean busy;
  private boolean closed;
  private ScheduledFuture<?> timer;
  private Instant timerAt;
  private volatile boolean paused;
  private volatile int depth;

  DeviceLane(String deviceId, int partition, LaneContext ctx, ScheduledExecutorService executor) {
    this.deviceId = deviceId;
    this.partition = partition;
    this.ctx = ctx;
    this.executor = executor;
    long seed = ctx.settings().randomSeed() ^ ((long) deviceId.hashCode() << 16) ^ partition;
    this.pacer = new Pacer(ctx.clock(), new SplittableRandom(seed), ctx.pacing());
    LaneSettings settings = ctx.settings();
    this.preChecks = new PreChecks(settings.pausedRecheck());
    OutcomePolicy outcomes =
        new OutcomePolicy(settings.maxAttempts(), settings.mode(), ctx.backoff()::next);
    // the step classes hold no thread and no lock: they run inside this lane's steps
    this.recorder = new OutcomeRecorder(this, ctx);
    this.calls = new CallStep(this, ctx, pacer, outcomes, recorder);
    this.claims = new ClaimStep(this, ctx, calls, recorder);
    this.failedStep =
        new FailedStep(this, ctx, new StepFailurePolicy(settings.errorRetry()), claims);
  }

  @Override
  public String deviceId() {
    return deviceId;
  }

  @Override
  public int partition() {
    return partition;
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
    queue.addLast(new LaneEntry(p));
    depth = queue.size();
    if (!busy && timer == null) {
      scheduleLocked(ctx.clock().instant());
    }
  }

  /**
   * Stops the lane: drops queued commands (their offsets stay uncommitted) and waits up to {@code
   * timeout} for a step in progress (a transport call) to record its outcome.
   *
   * @return true when no step was left running
   */
  synchronized boolean close(Duration timeout) {
    closed = true;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (busy) {
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
    return !busy;
  }

  private void scheduleLocked(Instant at) {
    if (timer != null) {
      if (!timerAt.isAfter(at)) {
        return;
      }
      timer.cancel(false);
    }
    long delayNanos = Math.max(0, Duration.between(ctx.clock().instant(), at).toNanos());
    timerAt = at;
    timer = executor.schedule(this::step, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void step() {
    LaneEntry e;
    Instant now = ctx.clock().instant();
    synchronized (this) {
      timer = null;
      timerAt = null;
      if (busy || closed) {
        return;
      }
      e = paused ? firstExpired(now) : null;
      if (e == null) {
        e = queue.peekFirst();
      }
      if (e == null) {
        return;
      }
      busy = true;
    }
    StepResult next;
    MDC.put("commandId", e.cmd().commandId().value());
    MDC.put("device", deviceId);
    try {
      next = process(e, now);
    } catch (RuntimeException ex) {
      next = failedStep.handle(e, ex, now);
    } finally {
      MDC.remove("commandId");
      MDC.remove("device");
    }
    if (!next.async) {
      endStep(e, next);
    }
  }

  private LaneEntry firstExpired(Instant now) {
    for (LaneEntry e : queue) {
      Instant na = e.cmd().notAfter();
      if (na != null && now.isAfter(na)) {
        return e;
      }
    }
    return null;
  }

  private void endStep(LaneEntry e, StepResult next) {
    synchronized (this) {
      busy = false;
      if (next.done()) {
        queue.remove(e);
        depth = queue.size();
      }
      notifyAll();
      if (closed || queue.isEmpty()) {
        return;
      }
      Instant now = ctx.clock().instant();
      Instant at = next.at == null ? now : next.at;
      if (paused) {
        // a paused lane still wakes up for the earliest deadline among its commands
        for (LaneEntry q : queue) {
          Instant na = q.cmd().notAfter();
          if (na != null && na.isBefore(at)) {
            at = na.plusMillis(1);
          }
        }
      }
      scheduleLocked(at);
    }
  }

  private StepResult process(LaneEntry e, Instant now) {
    if (e.terminal != null) {
      return recorder.record(e);
    }
    SendCommand cmd = e.cmd();
    // the deadline first: an expired command never waits for the device directory
    Optional<PreCheck> expired = preChecks.expiry(cmd, now);
    if (expired.isPresent()) {
      return onPreCheck(e, expired.get(), now);
    }
    CompletableFuture<Optional<Device>> device = ctx.devices().find(deviceId);
    if (device.isDone() && !device.isCompletedExceptionally()) {
      // a cached device: go on in this step, without a hop through the executor
      return onPreCheck(e, preChecks.withDevice(cmd, device.join(), now), now);
    }
    return await(e, device, found -> onPreCheck(e, preChecks.withDevice(cmd, found, now), now));
  }

  private StepResult onPreCheck(LaneEntry e, PreCheck check, Instant now) {
    return check.then(
        new PreCheck.Steps<StepResult>() {
          @Override
          public StepResult proceed(PreCheck.Proceed p) {
            return proceedWith(e, p.device(), now);
          }

          @Override
          public StepResult hold(PreCheck.Hold h) {
            if (!paused) {
              paused = true;
              log.warn(
                  "Device not active, holding its commands: device={} status={} reason={}"
                      + " queued={}",
                  deviceId,
                  h.device().status(),
                  h.device().pausedReason(),
                  depth);
            }
            return StepResult.at(h.recheckAt());
          }

          @Override
          public StepResult decided(PreCheck.Decided d) {
            return claims.decideWithoutCall(e, now, d.verdict(), null);
          }
        });
  }

  /** The device passed the pre-checks: pacing, then claim, opt-out and the call. */
  private StepResult proceedWith(LaneEntry e, Device device, Instant now) {
    SendCommand cmd = e.cmd();
    if (paused) {
      paused = false;
      log.info("Device active again, resuming its lane: device={} queued={}", deviceId, depth);
    }
    Optional<Transport> transport = ctx.transports().forKind(device.transport());
    if (transport.isEmpty()) {
      return claims.decideWithoutCall(
          e, now, Verdict.unsupportedTransport(device.transport()), null);
    }
    Transport t = transport.get();
    Double cap = device.effectiveMaxPerSecond();
    if (cap == null) {
      cap = t.defaultMaxPerSecond();
    }
    Instant earliest = pacer.earliestFor(cmd.recipient(), cap);
    if (e.notBefore != null && e.notBefore.isAfter(earliest)) {
      earliest = e.notBefore;
    }
    if (earliest.isAfter(now)) {
      return StepResult.at(earliest);
    }
    if (!e.claimed) {
      return claims.claimThenCall(e, now, device, t);
    }
    return claims.beginAttempt(
        e,
        now,
        () -> {
          if (!e.optOutChecked) {
            return await(e, calls.optedOut(cmd), out -> calls.optOutThenCall(e, out, device, t));
          }
          return calls.call(e, device, t);
        });
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
                    throw unwrap(err);
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
        busy = false;
        notifyAll();
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

  static RuntimeException unwrap(Throwable err) {
    Throwable t = err;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof RuntimeException ? (RuntimeException) t : new IllegalStateException(t);
  }

  /** Steps a command may fail on its own content before it is decided without a call. */
  static final int MAX_CONTENT_FAILURES = StepFailurePolicy.MAX_CONTENT_FAILURES;
}
