package io.herald.sender.lane;

import io.herald.contracts.command.RecipientType;
import io.herald.contracts.command.SendCommand;
import io.herald.sender.delivery.AttemptSignal;
import io.herald.sender.delivery.Device;
import io.herald.sender.delivery.NextStep;
import io.herald.sender.delivery.Outcome;
import io.herald.sender.delivery.OutcomePolicy;
import io.herald.sender.delivery.QuietWindow;
import io.herald.sender.delivery.Verdict;
import io.herald.sender.delivery.WindowChoice;
import io.herald.sender.lane.Pacer.AttemptResult;
import io.herald.sender.ledger.Fence;
import io.herald.sender.ledger.MessagingLimits;
import io.herald.sender.transport.Transport;
import io.herald.sender.transport.TransportResponse;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The opt-out check and the transport call of a claimed head, then what {@link OutcomePolicy}
 * decides from the classified answer: record the outcome, retry later (claim released), report
 * unknown, or pause the device. The call's completion continues the step on the lane executor
 * through {@link StepHost#continueLater}.
 */
final class CallStep {

  private static final Logger log = LoggerFactory.getLogger(CallStep.class);

  private final StepHost host;
  private final LaneContext ctx;
  private final Pacer pacer;
  private final LaneWindow window;
  private final OutcomePolicy outcomes;
  private final OutcomeRecorder recorder;

  CallStep(
      StepHost host,
      LaneContext ctx,
      Pacer pacer,
      LaneWindow window,
      OutcomePolicy outcomes,
      OutcomeRecorder recorder) {
    this.host = host;
    this.ctx = ctx;
    this.pacer = pacer;
    this.window = window;
    this.outcomes = outcomes;
    this.recorder = recorder;
  }

  CompletableFuture<Boolean> optedOut(SendCommand cmd) {
    return ctx.optOuts().optedOut(cmd.tenantId(), cmd.contactId(), cmd.recipient());
  }

  StepResult optOutThenCall(LaneEntry e, boolean optedOut, Device device, Transport t) {
    if (optedOut) {
      e.conclude(Verdict.optedOut(), ctx.clock().instant(), t.kind());
      return recorder.record(e);
    }
    e.optOutChecked = true;
    return windowThenCall(e, device, t);
  }

  /**
   * Decides text or template by the recipient's window (looked up only when the policy needs it),
   * or skips the recipient; then calls. Decided once: a retry sends what the first attempt did.
   */
  private StepResult windowThenCall(LaneEntry e, Device device, Transport t) {
    SendCommand cmd = e.cmd();
    boolean templates = t.sendsTemplates();
    if (!WindowChoice.needsWindow(cmd, templates)) {
      return choose(e, cmd, templates, null, device, t);
    }
    return host.await(
        e,
        ctx.windows().lastInbound(host.deviceId(), cmd.recipient()),
        last -> choose(e, cmd, true, last.orElse(null), device, t));
  }

  private StepResult choose(
      LaneEntry e, SendCommand cmd, boolean templates, Instant last, Device device, Transport t) {
    Instant now = ctx.clock().instant();
    WindowChoice choice = WindowChoice.of(cmd, templates, last, now);
    if (choice == WindowChoice.SKIP) {
      e.conclude(Verdict.outsideWindow(), now, t.kind());
      return recorder.record(e);
    }
    e.outgoing = choice.apply(cmd);
    e.needsAdmission = choice == WindowChoice.TEMPLATE && !WindowChoice.inside(last, now);
    return call(e, device, t);
  }

  /**
   * Starts the transport call; first the window decision (if a failed step left it undone) and the
   * messaging limit's admission; the call's completion continues the step.
   */
  StepResult call(LaneEntry e, Device device, Transport t) {
    if (!e.quietChecked) {
      return quietThenCall(e, device, t);
    }
    if (e.outgoing == null) {
      return windowThenCall(e, device, t);
    }
    if (e.needsAdmission) {
      return host.await(
          e,
          ctx.limits().admit(e.cmd(), host.deviceId(), ctx.clock().instant()),
          a -> {
            if (!a.admitted()) {
              return defer(e, a);
            }
            e.needsAdmission = false;
            e.deferredByPolicy = false;
            return capThenSend(e, device, t);
          });
    }
    return capThenSend(e, device, t);
  }

  /**
   * The tenant's frequency caps for this contact (issue 19), counted once per command: over a cap
   * the recipient is skipped {@code frequency_cap}. A tenant without caps answers from memory.
   */
  private StepResult capThenSend(LaneEntry e, Device device, Transport t) {
    if (e.capChecked || e.cmd().recipientType() != RecipientType.INDIVIDUAL) {
      return send(e, device, t);
    }
    CompletableFuture<Optional<String>> f = ctx.caps().admit(e.cmd(), ctx.clock().instant());
    Function<Optional<String>, StepResult> then =
        reached -> {
          if (reached.isPresent()) {
            ctx.metrics().frequencyCapped();
            e.conclude(Verdict.frequencyCapped(reached.get()), ctx.clock().instant(), t.kind());
            return recorder.record(e);
          }
          e.capChecked = true;
          return send(e, device, t);
        };
    if (f.isDone() && !f.isCompletedExceptionally()) {
      return then.apply(f.join()); // no caps: no hop to another thread
    }
    return host.await(e, f, then);
  }

  /**
   * The recipient's quiet hours (issue 19), in its own zone: inside them the send waits for their
   * end, never dropped. A command without a zone (produced by another service without one) keeps no
   * quiet hours. Checked before every attempt until it passed once.
   */
  private StepResult quietThenCall(LaneEntry e, Device device, Transport t) {
    SendCommand cmd = e.cmd();
    CompletableFuture<Optional<QuietWindow>> f = ctx.quiet().windowFor(cmd);
    Function<Optional<QuietWindow>, StepResult> then =
        w -> {
          Instant now = ctx.clock().instant();
          Instant until =
              w.isEmpty() || cmd.recipientZone() == null
                  ? null
                  : w.get().deferUntil(zone(cmd.recipientZone()), now);
          if (until == null) {
            if (e.deferredByPolicy) {
              ctx.quiet().resumed(cmd); // best effort: the row only informs
            }
            e.quietChecked = true;
            e.deferredByPolicy = false;
            return call(e, device, t);
          }
          ctx.metrics().deferredByQuietHours();
          ctx.quiet().deferred(cmd, w.get(), until, now);
          return holdUntil(e, until, "quiet_hours", "quiet hours " + w.get().describe());
        };
    if (f.isDone() && !f.isCompletedExceptionally()) {
      return then.apply(f.join()); // no quiet hours: no hop to another thread
    }
    return host.await(e, f, then);
  }

  private static ZoneId zone(String id) {
    try {
      return ZoneId.of(id);
    } catch (DateTimeException ex) {
      return ZoneOffset.UTC;
    }
  }

  /**
   * Holds a claimed command until {@code until} for a sending policy: its claim is released first,
   * so that a crash meanwhile leaves a command the next owner sends, not an unknown one.
   */
  private StepResult holdUntil(LaneEntry e, Instant until, String code, String detail) {
    SendCommand cmd = e.cmd();
    e.notBefore = until;
    e.deferredByPolicy = true;
    log.info(
        "Send deferred: commandId={} device={} reason={} until={}",
        cmd.commandId(),
        host.deviceId(),
        code,
        until);
    CompletableFuture<Fence> released =
        ctx.ledger()
            .releaseForRetry(cmd.commandId(), host.owner(), e.calls, code, detail)
            .handle((fence, err) -> err != null ? Fence.HELD : fence);
    return host.await(
        e,
        released,
        fence ->
            fence.lost()
                ? recorder.lost(e, fence, "release for " + code)
                : StepResult.at(e.notBefore));
  }

  /**
   * Over the number's messaging limit: the send waits until a slot frees, never fails. Its claim is
   * released first, so that a crash meanwhile leaves a command the next owner sends, not an unknown
   * one.
   */
  private StepResult defer(LaneEntry e, MessagingLimits.Admission a) {
    ctx.metrics().deferredByMessagingLimit();
    return holdUntil(e, a.until(), "messaging_limit", a.detail());
  }

  private StepResult send(LaneEntry e, Device device, Transport t) {
    SendCommand cmd = e.outgoing;
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
    e.reservation = null; // the call started: its slot is spent
    sent.whenComplete(
        (resp, err) -> {
          // an adapter broke its contract: the request may have left, so not "not sent"
          TransportResponse r =
              resp != null
                  ? resp
                  : TransportResponse.connectionLost(
                      "transport error: " + (err == null ? "none" : err.getClass().getName()));
          // executor shut down (hard stop): the claim stays, the next owner reports unknown
          host.continueLater(e, () -> afterCall(e, t, r, start));
        });
    return StepResult.ASYNC;
  }

  private StepResult afterCall(LaneEntry e, Transport t, TransportResponse r, long startNanos) {
    Instant now = ctx.clock().instant();
    SendCommand cmd = e.cmd();
    Duration latency = Duration.ofNanos(System.nanoTime() - startNanos);
    ctx.metrics().latency(latency);
    window.observe(latency);
    Outcome o = ctx.classifier().classify(r);
    ctx.metrics().times().answered(o, Duration.ofNanos(System.nanoTime() - e.attemptStartNanos));
    NextStep step = outcomes.afterCall(o, e.calls, now);
    pacer.onResult(cmd.pacing(), cmd.recipient(), attemptResult(step.signal()));
    return step.then(
        new NextStep.Steps<StepResult>() {
          @Override
          public StepResult conclude(NextStep.Conclude c) {
            e.conclude(c.verdict(), now, t.kind());
            return recorder.record(e);
          }

          @Override
          public StepResult retry(NextStep.RetryAt retry) {
            return retryLater(e, t, retry);
          }

          @Override
          public StepResult reportUnknown(NextStep.ReportUnknown u) {
            return CallStep.this.reportUnknown(e, t, u, now);
          }

          @Override
          public StepResult concludeAndPause(NextStep.ConcludeAndPause p) {
            e.conclude(p.verdict(), now, t.kind());
            return pauseDeviceThenRecord(e, p);
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

  /**
   * A transient failure with attempts left: the claim is released (nothing in flight) and the lane
   * wakes up for the next attempt after the backoff.
   */
  private StepResult retryLater(LaneEntry e, Transport t, NextStep.RetryAt retry) {
    SendCommand cmd = e.cmd();
    e.notBefore = retry.at();
    ctx.metrics().retry(t.kind());
    log.info(
        "Delivery failed, will retry: commandId={} device={} attempt={} code={} retryAt={}",
        cmd.commandId(),
        host.deviceId(),
        e.calls,
        retry.code(),
        e.notBefore);
    // the next attempt waits for the release: a release landing after that attempt's begin would
    // hide a call in flight from the next owner
    CompletableFuture<Fence> released =
        ctx.ledger()
            .releaseForRetry(cmd.commandId(), host.owner(), e.calls, retry.code(), retry.reason())
            .handle(
                (fence, err) -> {
                  if (err != null) {
                    // the row keeps claimed_at: a crash before the retry reports unknown
                    // (conservative)
                    log.warn(
                        "Cannot release claim for retry: commandId={} error={}",
                        cmd.commandId(),
                        Failures.unwrap(err).toString());
                    return Fence.HELD;
                  }
                  return fence;
                });
    return host.await(
        e,
        released,
        fence ->
            fence.lost()
                ? recorder.lost(e, fence, "release after attempt " + e.calls)
                : StepResult.at(e.notBefore));
  }

  /**
   * The request may have reached WhatsApp and nothing says whether it sent the message: like a
   * crash mid-call, the command is recorded {@code unknown}, counted and not resent (at-most-once;
   * in at-least-once only once its attempts are spent). The claim keeps {@code claimed_at} until
   * the outcome is written, so a crash in between is reported unknown by the next owner too.
   */
  private StepResult reportUnknown(
      LaneEntry e, Transport t, NextStep.ReportUnknown u, Instant now) {
    SendCommand cmd = e.cmd();
    ctx.metrics().unknownOutcome();
    log.warn(
        "No answer says whether the message went out, reporting unknown: commandId={} device={}"
            + " attempt={} code={} reason={} partition={} offset={}",
        cmd.commandId(),
        host.deviceId(),
        e.calls,
        u.verdict().code(),
        u.cause(),
        host.partition(),
        e.pending.offset());
    e.conclude(u.verdict(), now, t.kind());
    return recorder.record(e);
  }

  /** Holds the lane at once, marks the device paused in the database, then records. */
  private StepResult pauseDeviceThenRecord(LaneEntry e, NextStep.ConcludeAndPause p) {
    host.markPaused();
    ctx.metrics().devicePaused();
    log.error(
        "Account in danger, pausing device until an operator sets it active again: device={}"
            + " code={} queued={}",
        host.deviceId(),
        p.verdict().code(),
        host.depth());
    CompletableFuture<Void> paused =
        ctx.devices()
            .pause(host.deviceId(), p.pauseReason())
            .handle(
                (v, err) -> {
                  if (err != null) {
                    log.error(
                        "Cannot mark device paused in the database: device={} error={}",
                        host.deviceId(),
                        Failures.unwrap(err).toString());
                  }
                  return null;
                });
    return host.await(e, paused, ignored -> recorder.record(e));
  }
}
