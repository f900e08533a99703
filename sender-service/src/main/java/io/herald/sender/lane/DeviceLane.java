package io.herald.sender.lane;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.outcome.DeliveryResult;
import io.herald.contracts.outcome.DeliveryStatus;
import io.herald.sender.delivery.AfterFailure;
import io.herald.sender.delivery.AttemptSignal;
import io.herald.sender.delivery.Device;
import io.herald.sender.delivery.NextStep;
import io.herald.sender.delivery.Outcome;
import io.herald.sender.delivery.OutcomePolicy;
import io.herald.sender.delivery.PreCheck;
import io.herald.sender.delivery.PreChecks;
import io.herald.sender.delivery.StepFailurePolicy;
import io.herald.sender.delivery.Verdict;
import io.herald.sender.lane.Pacer.AttemptResult;
import io.herald.sender.ledger.Claim;
import io.herald.sender.ledger.Finish;
import io.herald.sender.ledger.LedgerException;
import io.herald.sender.transport.Transport;
import io.herald.sender.transport.TransportResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.concurrent.TimeoutException;
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
 * <p>Per command: expired? device known, same tenant, usable configuration, active? pacing allows?
 * claim in the ledger (duplicates and unconfirmed claims stop here), opt-out check, transport call,
 * classification, then retry later, or record the outcome in the ledger and publish the result;
 * only then is the record's offset released for commit.
 */
final class DeviceLane {

  private static final Logger log = LoggerFactory.getLogger(DeviceLane.class);

  /** What a step decided. */
  private static final class Next {
    static final Next DONE = new Next(null, false);
    static final Next ASYNC = new Next(null, true);
    final Instant at;
    final boolean async;

    private Next(Instant at, boolean async) {
      this.at = at;
      this.async = async;
    }

    static Next at(Instant at) {
      return new Next(at, false);
    }

    boolean done() {
      return this == DONE;
    }
  }

  /** A command in the lane and what is known about it so far. */
  private static final class Entry {
    final PendingCommand pending;
    boolean claimed;
    boolean optOutChecked;
    int calls;
    Instant notBefore;
    Terminal terminal;

    /** Failed steps whose failure the command's content caused (not the database). */
    int contentFailures;

    Entry(PendingCommand pending) {
      this.pending = pending;
    }

    SendCommand cmd() {
      return pending.command();
    }
  }

  /** A decided outcome not yet fully recorded (the ledger write or the publish may be retried). */
  private static final class Terminal {
    final Finish finish;
    final String transport;
    boolean ledgerWritten;

    Terminal(Finish finish, String transport, boolean ledgerWritten) {
      this.finish = finish;
      this.transport = transport;
      this.ledgerWritten = ledgerWritten;
    }
  }

  private final String deviceId;
  private final int partition;
  private final LaneContext ctx;
  private final ScheduledExecutorService executor;
  private final Pacer pacer;
  private final PreChecks preChecks;
  private final OutcomePolicy outcomes;
  private final StepFailurePolicy failures;
  private final ArrayDeque<Entry> queue = new ArrayDeque<>();

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
    this.outcomes = new OutcomePolicy(settings.maxAttempts(), settings.mode(), ctx.backoff()::next);
    this.failures = new StepFailurePolicy(settings.errorRetry());
  }

  int partition() {
    return partition;
  }

  int depth() {
    return depth;
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
    queue.addLast(new Entry(p));
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
    Entry e;
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
    Next next;
    MDC.put("commandId", e.cmd().commandId().value());
    MDC.put("device", deviceId);
    try {
      next = process(e, now);
    } catch (RuntimeException ex) {
      next = failedStep(e, ex, now);
    } finally {
      MDC.remove("commandId");
      MDC.remove("device");
    }
    if (!next.async) {
      endStep(e, next);
    }
  }

  private Entry firstExpired(Instant now) {
    for (Entry e : queue) {
      Instant na = e.cmd().notAfter();
      if (na != null && now.isAfter(na)) {
        return e;
      }
    }
    return null;
  }

  private void endStep(Entry e, Next next) {
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
        for (Entry q : queue) {
          Instant na = q.cmd().notAfter();
          if (na != null && na.isBefore(at)) {
            at = na.plusMillis(1);
          }
        }
      }
      scheduleLocked(at);
    }
  }

  private Next process(Entry e, Instant now) {
    if (e.terminal != null) {
      return record(e);
    }
    SendCommand cmd = e.cmd();
    // the deadline first: an expired command never waits for the device directory
    Optional<PreCheck> expired = preChecks.expiry(cmd, now);
    PreCheck check =
        expired.isPresent()
            ? expired.get()
            : preChecks.withDevice(cmd, ctx.devices().find(deviceId), now);
    return check.then(
        new PreCheck.Steps<Next>() {
          @Override
          public Next proceed(PreCheck.Proceed p) {
            return proceedWith(e, p.device(), now);
          }

          @Override
          public Next hold(PreCheck.Hold h) {
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
            return Next.at(h.recheckAt());
          }

          @Override
          public Next decided(PreCheck.Decided d) {
            return decideWithoutCall(e, now, d.verdict(), null);
          }
        });
  }

  /** The device passed the pre-checks: pacing, then claim, opt-out and the call. */
  private Next proceedWith(Entry e, Device device, Instant now) {
    SendCommand cmd = e.cmd();
    if (paused) {
      paused = false;
      log.info("Device active again, resuming its lane: device={} queued={}", deviceId, depth);
    }
    Optional<Transport> transport = ctx.transports().forKind(device.transport());
    if (transport.isEmpty()) {
      return decideWithoutCall(e, now, Verdict.unsupportedTransport(device.transport()), null);
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
      return Next.at(earliest);
    }
    if (!e.claimed) {
      return claimThenCall(e, now, device, t);
    } else if (!ctx.ledger().beginAttempt(cmd.commandId(), now)) {
      log.warn(
          "Command no longer claimed by this sender, dropping it: commandId={} device={}"
              + " partition={} offset={}",
          cmd.commandId(),
          deviceId,
          partition,
          e.pending.offset());
      e.pending.onRecorded().run();
      return Next.DONE;
    }
    if (!e.optOutChecked) {
      return await(e, optedOut(cmd), out -> optOutThenCall(e, out, device, t));
    }
    return call(e, device, t);
  }

  /**
   * Claims the head and, alongside, looks up its opt-out (used only when the claim is won): the
   * lane waits for one batch instead of two in a row. The transport call starts only after the
   * claim's transaction committed.
   */
  private Next claimThenCall(Entry e, Instant now, Device device, Transport t) {
    CompletableFuture<Claim> claim = ctx.ledger().claim(e.cmd(), ctx.settings().mode(), now);
    CompletableFuture<Boolean> optOut = optedOut(e.cmd());
    CompletableFuture<Void> both = CompletableFuture.allOf(claim, optOut).handle((v, err) -> null);
    return await(
        e,
        both,
        ignored -> {
          Next stop = onClaim(e, result(claim), now, t.kind());
          if (stop != null) {
            return stop;
          }
          // a failed lookup fails the step here; the retry begins another attempt of this claim
          return optOutThenCall(e, result(optOut), device, t);
        });
  }

  private CompletableFuture<Boolean> optedOut(SendCommand cmd) {
    return ctx.optOuts().optedOut(cmd.tenantId(), cmd.contactId(), cmd.recipient());
  }

  private Next optOutThenCall(Entry e, boolean optedOut, Device device, Transport t) {
    if (optedOut) {
      e.terminal = terminal(Verdict.optedOut(), e.calls, ctx.clock().instant(), t.kind());
      return record(e);
    }
    e.optOutChecked = true;
    return call(e, device, t);
  }

  /** Starts the transport call; its completion continues the step. */
  private Next call(Entry e, Device device, Transport t) {
    SendCommand cmd = e.cmd();
    e.calls++;
    long start = System.nanoTime();
    CompletableFuture<TransportResponse> sent;
    try {
      sent = t.send(device.transportConfig(), cmd);
    } catch (RuntimeException refused) {
      // The adapter refused before returning a future: no request left, so not a call.
      e.calls--;
      throw refused;
    }
    sent.whenComplete(
        (resp, err) -> {
          // an adapter broke its contract: the request may have left, so not "not sent"
          TransportResponse r =
              resp != null
                  ? resp
                  : TransportResponse.connectionLost(
                      "transport error: " + (err == null ? "none" : err.getClass().getName()));
          // executor shut down (hard stop): the claim stays, the next owner reports unknown
          continueLater(e, () -> afterCall(e, t, r, start));
        });
    return Next.ASYNC;
  }

  /**
   * Continues the step with {@code then} once {@code f} completes, on the lane executor (not on the
   * ledger's or the transport's thread); a failure of {@code f} fails the step.
   */
  private <T> Next await(Entry e, CompletableFuture<T> f, Function<T, Next> then) {
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
    return Next.ASYNC;
  }

  private void continueLater(Entry e, Supplier<Next> body) {
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

  private void resume(Entry e, Supplier<Next> body) {
    Next next;
    MDC.put("commandId", e.cmd().commandId().value());
    MDC.put("device", deviceId);
    try {
      next = body.get();
    } catch (RuntimeException ex) {
      next = failedStep(e, ex, ctx.clock().instant());
    } finally {
      MDC.remove("commandId");
      MDC.remove("device");
    }
    if (!next.async) {
      endStep(e, next);
    }
  }

  private static <T> T result(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException ex) {
      throw unwrap(ex);
    }
  }

  private static RuntimeException unwrap(Throwable err) {
    Throwable t = err;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof RuntimeException ? (RuntimeException) t : new IllegalStateException(t);
  }

  /** Acts on the head's claim; returns a step result when it must not be sent, else null. */
  private Next onClaim(Entry e, Claim claim, Instant now, String transport) {
    SendCommand cmd = e.cmd();
    switch (claim.kind()) {
      case DUPLICATE:
        ctx.metrics().duplicateSuppressed();
        log.info(
            "Duplicate command suppressed: commandId={} existing={} device={} partition={}"
                + " offset={}",
            cmd.commandId(),
            claim.existing(),
            deviceId,
            partition,
            e.pending.offset());
        e.pending.onRecorded().run();
        return Next.DONE;
      case UNKNOWN:
        ctx.metrics().unknownOutcome();
        log.warn(
            "Command was claimed and never confirmed, reporting unknown and not resending:"
                + " commandId={} device={} partition={} offset={}",
            cmd.commandId(),
            deviceId,
            partition,
            e.pending.offset());
        e.terminal =
            new Terminal(
                new Finish(
                    DeliveryStatus.UNKNOWN,
                    claim.attemptsSoFar(),
                    null,
                    "unknown",
                    "claimed by an earlier owner and never confirmed",
                    now),
                transport,
                true);
        ctx.metrics().delivery("unknown", transport);
        return record(e);
      case CLAIMED:
      default:
        e.claimed = true;
        e.calls = claim.attemptsSoFar();
        return null;
    }
  }

  /** Expired, unknown device, tenant mismatch...: claim (to dedupe), then record without a call. */
  private Next decideWithoutCall(Entry e, Instant now, Verdict verdict, String transport) {
    if (!e.claimed) {
      return await(
          e,
          ctx.ledger().claim(e.cmd(), ctx.settings().mode(), now),
          claim -> {
            Next stop = onClaim(e, claim, now, transport);
            return stop != null ? stop : terminalWithoutCall(e, now, verdict, transport);
          });
    }
    return terminalWithoutCall(e, now, verdict, transport);
  }

  private Next terminalWithoutCall(Entry e, Instant now, Verdict verdict, String transport) {
    if (verdict.status() == DeliveryStatus.FAILED) {
      log.warn(
          "Command failed without a call: commandId={} device={} tenant={} code={} partition={}"
              + " offset={}",
          e.cmd().commandId(),
          deviceId,
          e.cmd().tenantId(),
          verdict.code(),
          partition,
          e.pending.offset());
    }
    e.terminal = terminal(verdict, e.calls, now, transport);
    return record(e);
  }

  private Next afterCall(Entry e, Transport t, TransportResponse r, long startNanos) {
    Instant now = ctx.clock().instant();
    SendCommand cmd = e.cmd();
    ctx.metrics().latency(Duration.ofNanos(System.nanoTime() - startNanos));
    Outcome o = ctx.classifier().classify(r);
    NextStep step = outcomes.afterCall(o, e.calls, now);
    pacer.onAttempt(
        cmd.pacing(),
        cmd.scheduleKey(),
        cmd.recipient(),
        attemptResult(step.signal()),
        step.last());
    return step.then(
        new NextStep.Steps<Next>() {
          @Override
          public Next conclude(NextStep.Conclude c) {
            e.terminal = terminal(c.verdict(), e.calls, now, t.kind());
            return record(e);
          }

          @Override
          public Next retry(NextStep.RetryAt retry) {
            return retryLater(e, t, retry);
          }

          @Override
          public Next reportUnknown(NextStep.ReportUnknown u) {
            return DeviceLane.this.reportUnknown(e, t, u, now);
          }

          @Override
          public Next concludeAndPause(NextStep.ConcludeAndPause p) {
            e.terminal = terminal(p.verdict(), e.calls, now, t.kind());
            pauseDevice(p);
            return record(e);
          }
        });
  }

  private static AttemptResult attemptResult(AttemptSignal signal) {
    switch (signal) {
      case SUCCESS:
        return AttemptResult.SUCCESS;
      case RATE_LIMITED:
        return AttemptResult.RATE_LIMITED;
      default:
        return AttemptResult.OTHER;
    }
  }

  private static Terminal terminal(Verdict v, int calls, Instant at, String transport) {
    return new Terminal(
        new Finish(v.status(), calls, v.messageId(), v.code(), v.reason(), at), transport, false);
  }

  /**
   * A transient failure with attempts left: the claim is released (nothing in flight) and the lane
   * wakes up for the next attempt after the backoff.
   */
  private Next retryLater(Entry e, Transport t, NextStep.RetryAt retry) {
    SendCommand cmd = e.cmd();
    e.notBefore = retry.at();
    ctx.metrics().retry(t.kind());
    log.info(
        "Delivery failed, will retry: commandId={} device={} attempt={} code={} retryAt={}",
        cmd.commandId(),
        deviceId,
        e.calls,
        retry.code(),
        e.notBefore);
    try {
      ctx.ledger().releaseForRetry(cmd.commandId(), e.calls, retry.code(), retry.reason());
    } catch (RuntimeException ex) {
      // the row keeps claimed_at: a crash before the retry reports unknown (conservative)
      log.warn(
          "Cannot release claim for retry: commandId={} error={}", cmd.commandId(), ex.toString());
    }
    return Next.at(e.notBefore);
  }

  /**
   * The request may have reached WhatsApp and nothing says whether it sent the message: like a
   * crash mid-call, the command is recorded {@code unknown}, counted and not resent (at-most-once;
   * in at-least-once only once its attempts are spent). The claim keeps {@code claimed_at} until
   * the outcome is written, so a crash in between is reported unknown by the next owner too.
   */
  private Next reportUnknown(Entry e, Transport t, NextStep.ReportUnknown u, Instant now) {
    SendCommand cmd = e.cmd();
    ctx.metrics().unknownOutcome();
    log.warn(
        "No answer says whether the message went out, reporting unknown: commandId={} device={}"
            + " attempt={} code={} reason={} partition={} offset={}",
        cmd.commandId(),
        deviceId,
        e.calls,
        u.verdict().code(),
        u.cause(),
        partition,
        e.pending.offset());
    e.terminal = terminal(u.verdict(), e.calls, now, t.kind());
    return record(e);
  }

  private void pauseDevice(NextStep.ConcludeAndPause p) {
    paused = true;
    ctx.metrics().devicePaused();
    log.error(
        "Account in danger, pausing device until an operator sets it active again: device={}"
            + " code={} queued={}",
        deviceId,
        p.verdict().code(),
        depth);
    try {
      ctx.devices().pause(deviceId, p.pauseReason());
    } catch (RuntimeException ex) {
      log.error(
          "Cannot mark device paused in the database: device={} error={}", deviceId, ex.toString());
    }
  }

  /**
   * Writes the ledger row (once) and publishes the result once the write committed; the offset is
   * released on the publish's ack. A failed write fails the step: the lane writes again later and
   * publishes nothing before.
   */
  private Next record(Entry e) {
    Terminal term = e.terminal;
    SendCommand cmd = e.cmd();
    Finish f = term.finish;
    if (!term.ledgerWritten) {
      return await(
          e,
          ctx.ledger().finish(cmd.commandId(), f),
          updated -> {
            if (!updated) {
              log.warn(
                  "Outcome not recorded, the ledger row was already final: commandId={} status={}",
                  cmd.commandId(),
                  f.status().wire());
            }
            term.ledgerWritten = true;
            ctx.metrics().delivery(f.status().wire(), term.transport);
            return publish(e);
          });
    }
    return publish(e);
  }

  private Next publish(Entry e) {
    SendCommand cmd = e.cmd();
    Finish f = e.terminal.finish;
    DeliveryResult result =
        new DeliveryResult(
            DeliveryResult.SCHEMA_VERSION,
            cmd.commandId(),
            cmd.tenantId(),
            cmd.deviceId(),
            cmd.scheduleKey(),
            cmd.kind(),
            cmd.occurrenceAt(),
            f.status(),
            f.attempts(),
            f.transportMessageId(),
            f.errorCode(),
            f.errorMessage(),
            f.finishedAt());
    ctx.results().publish(result, e.pending.onRecorded());
    if (log.isDebugEnabled()) {
      log.debug(
          "Outcome recorded: commandId={} device={} status={} attempts={} partition={} offset={}",
          cmd.commandId(),
          deviceId,
          f.status().wire(),
          f.attempts(),
          partition,
          e.pending.offset());
    }
    return Next.DONE;
  }

  private Next failedStep(Entry e, RuntimeException ex, Instant now) {
    ctx.metrics().laneError();
    boolean content = e.terminal == null && causedByContent(ex);
    if (content) {
      e.contentFailures++;
    }
    AfterFailure after =
        failures.afterFailure(
            content ? e.contentFailures : 0, e.calls, ex.getClass().getSimpleName(), now);
    return after.then(
        new AfterFailure.Steps<Next>() {
          @Override
          public Next retryStep(AfterFailure.RetryStepAt retry) {
            log.warn(
                "Lane step failed, retrying: commandId={} device={} partition={} offset={}"
                    + " error={}",
                e.cmd().commandId(),
                deviceId,
                partition,
                e.pending.offset(),
                ex.toString());
            return Next.at(retry.at());
          }

          @Override
          public Next setAside(AfterFailure.SetAside aside) {
            // The same command failed the same way again, and not for the database or the
            // network: retrying forever would hold this device's queue and its partition's
            // offset for good. Decided without another call; UNKNOWN if a call was made.
            log.error(
                "Command set aside after failing {} times on its content: commandId={} device={}"
                    + " partition={} offset={} error={}",
                e.contentFailures,
                e.cmd().commandId(),
                deviceId,
                partition,
                e.pending.offset(),
                ex.toString());
            return decideWithoutCall(e, now, aside.verdict(), null);
          }
        });
  }

  /** Steps a command may fail on its own content before it is decided without a call. */
  static final int MAX_CONTENT_FAILURES = StepFailurePolicy.MAX_CONTENT_FAILURES;

  /**
   * True unless the failure comes from the ledger or a directory (the database: they wrap every
   * JDBC failure in a {@link LedgerException}), the network or a timeout: those say nothing about
   * the command, and the step is retried as long as they last.
   */
  static boolean causedByContent(Throwable failure) {
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 20; t = t.getCause(), depth++) {
      if (t instanceof LedgerException
          || t instanceof IOException
          || t instanceof UncheckedIOException
          || t instanceof TimeoutException
          || t instanceof RejectedExecutionException) {
        return false;
      }
    }
    return failure instanceof RuntimeException;
  }
}
