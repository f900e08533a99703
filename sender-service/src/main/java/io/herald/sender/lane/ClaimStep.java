package io.herald.sender.lane;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.outcome.DeliveryStatus;
import io.herald.sender.delivery.Device;
import io.herald.sender.delivery.Verdict;
import io.herald.sender.ledger.Claim;
import io.herald.sender.ledger.Fence;
import io.herald.sender.ledger.Finish;
import io.herald.sender.transport.Transport;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger claim of a lane's head, before its call or before it is decided without one:
 * duplicates and claims an earlier owner never confirmed stop here. Runs inside the lane's step and
 * waits only through {@link StepHost#await}.
 */
final class ClaimStep {

  private static final Logger log = LoggerFactory.getLogger(ClaimStep.class);

  private final StepHost host;
  private final LaneContext ctx;
  private final CallStep calls;
  private final OutcomeRecorder recorder;

  ClaimStep(StepHost host, LaneContext ctx, CallStep calls, OutcomeRecorder recorder) {
    this.host = host;
    this.ctx = ctx;
    this.calls = calls;
    this.recorder = recorder;
  }

  /**
   * Claims the head and, alongside, looks up its opt-out (used only when the claim is won): the
   * lane waits for one batch instead of two in a row. The transport call starts only after the
   * claim's transaction committed.
   */
  StepResult claimThenCall(LaneEntry e, Instant now, Device device, Transport t) {
    CompletableFuture<Claim> claim =
        ctx.ledger().claim(e.cmd(), ctx.settings().mode(), now, host.owner());
    CompletableFuture<Boolean> optOut = calls.optedOut(e.cmd());
    CompletableFuture<Void> both = CompletableFuture.allOf(claim, optOut).handle((v, err) -> null);
    return host.await(
        e,
        both,
        ignored -> {
          StepResult stop = onClaim(e, result(claim), now, t.kind());
          if (stop != null) {
            return stop;
          }
          // a failed lookup fails the step here; the retry begins another attempt of this claim
          return calls.optOutThenCall(e, result(optOut), device, t);
        });
  }

  /**
   * Another attempt of a head this owner claimed and released: marks it begun in the ledger, then
   * goes on with {@code then}; drops the head (its offset released) when the row became final
   * meanwhile, and stops working it when another owner took the claim (ADR 0017). The call starts
   * only after the mark committed.
   */
  StepResult beginAttempt(LaneEntry e, Instant now, Supplier<StepResult> then) {
    SendCommand cmd = e.cmd();
    return host.await(
        e,
        ctx.ledger().beginAttempt(cmd.commandId(), host.owner(), now),
        fence -> {
          if (fence == Fence.HELD) {
            e.attemptStartNanos = System.nanoTime();
            return then.get();
          }
          if (fence.lost()) {
            return recorder.lost(e, fence, "begin attempt " + (e.calls + 1));
          }
          log.warn(
              "Command no longer claimed by this sender, dropping it: commandId={} device={}"
                  + " partition={} offset={}",
              cmd.commandId(),
              host.deviceId(),
              host.partition(),
              e.pending.offset());
          e.pending.onRecorded().run();
          return StepResult.DONE;
        });
  }

  /** Expired, unknown device, tenant mismatch...: claim (to dedupe), then record without a call. */
  StepResult decideWithoutCall(LaneEntry e, Instant now, Verdict verdict, String transport) {
    if (!e.claimed) {
      return host.await(
          e,
          ctx.ledger().claim(e.cmd(), ctx.settings().mode(), now, host.owner()),
          claim -> {
            StepResult stop = onClaim(e, claim, now, transport);
            return stop != null ? stop : terminalWithoutCall(e, now, verdict, transport);
          });
    }
    return terminalWithoutCall(e, now, verdict, transport);
  }

  private StepResult terminalWithoutCall(
      LaneEntry e, Instant now, Verdict verdict, String transport) {
    if (verdict.status() == DeliveryStatus.FAILED) {
      log.warn(
          "Command failed without a call: commandId={} device={} tenant={} code={} partition={}"
              + " offset={}",
          e.cmd().commandId(),
          host.deviceId(),
          e.cmd().tenantId(),
          verdict.code(),
          host.partition(),
          e.pending.offset());
    }
    e.conclude(verdict, now, transport);
    return recorder.record(e);
  }

  /** Acts on the head's claim; returns a step result when it must not be sent, else null. */
  private StepResult onClaim(LaneEntry e, Claim claim, Instant now, String transport) {
    SendCommand cmd = e.cmd();
    switch (claim.kind()) {
      case DUPLICATE:
        ctx.metrics().duplicateSuppressed();
        log.info(
            "Duplicate command suppressed: commandId={} existing={} device={} partition={}"
                + " offset={}",
            cmd.commandId(),
            claim.existing(),
            host.deviceId(),
            host.partition(),
            e.pending.offset());
        e.pending.onRecorded().run();
        return StepResult.DONE;
      case UNKNOWN:
        ctx.metrics().unknownOutcome();
        log.warn(
            "Command was claimed and never confirmed, reporting unknown and not resending:"
                + " commandId={} device={} partition={} offset={}",
            cmd.commandId(),
            host.deviceId(),
            host.partition(),
            e.pending.offset());
        e.terminal =
            new LaneEntry.Terminal(
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
        return recorder.record(e);
      case LOST:
        return recorder.lost(e, Fence.PARTITION_LOST, "claim");
      case CLAIMED:
      default:
        e.claimed = true;
        e.attemptStartNanos = System.nanoTime();
        e.calls = claim.attemptsSoFar();
        return null;
    }
  }

  private static <T> T result(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException ex) {
      throw Failures.unwrap(ex);
    }
  }
}
