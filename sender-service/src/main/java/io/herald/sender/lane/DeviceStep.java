package io.herald.sender.lane;

import io.herald.contracts.command.SendCommand;
import io.herald.sender.delivery.Device;
import io.herald.sender.delivery.PreCheck;
import io.herald.sender.delivery.PreChecks;
import io.herald.sender.delivery.Verdict;
import io.herald.sender.transport.Transport;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One step of a command of a lane: the pre-checks of {@link PreChecks} (expired? device known, same
 * tenant, usable configuration, active?), then pacing, then the claim ({@link ClaimStep}) and the
 * opt-out check and call ({@link CallStep}); a decided command is recorded ({@link
 * OutcomeRecorder}). Runs inside the lane's step and waits only through {@link StepHost}.
 */
final class DeviceStep {

  private final StepHost host;
  private final LaneContext ctx;
  private final PreChecks preChecks;
  private final Pacer pacer;
  private final LaneWindow window;
  private final ClaimStep claims;
  private final CallStep calls;
  private final OutcomeRecorder recorder;

  DeviceStep(
      StepHost host,
      LaneContext ctx,
      PreChecks preChecks,
      Pacer pacer,
      LaneWindow window,
      ClaimStep claims,
      CallStep calls,
      OutcomeRecorder recorder) {
    this.host = host;
    this.ctx = ctx;
    this.preChecks = preChecks;
    this.pacer = pacer;
    this.window = window;
    this.claims = claims;
    this.calls = calls;
    this.recorder = recorder;
  }

  StepResult process(LaneEntry e, Instant now) {
    if (e.terminal != null) {
      return recorder.record(e);
    }
    SendCommand cmd = e.cmd();
    // the deadline first: an expired command never waits for the device directory; one a sending
    // policy deferred (quiet hours, the messaging limit) is not expired by Herald's own hold
    Optional<PreCheck> expired = e.deferredByPolicy ? Optional.empty() : preChecks.expiry(cmd, now);
    if (expired.isPresent()) {
      return onPreCheck(e, expired.get(), now);
    }
    CompletableFuture<Optional<Device>> device = ctx.devices().find(host.deviceId());
    if (device.isDone() && !device.isCompletedExceptionally()) {
      // a cached device: go on in this step, without a hop through the executor
      return onPreCheck(e, preChecks.withDevice(cmd, device.join(), now), now);
    }
    return host.await(
        e, device, found -> onPreCheck(e, preChecks.withDevice(cmd, found, now), now));
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
            host.held(e, h);
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
    host.active();
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
    window.cap(cap);
    if (e.notBefore != null && e.notBefore.isAfter(now)) {
      return StepResult.at(e.notBefore);
    }
    // The slot is taken before the claim, so that calls in flight together keep the pacing; a
    // slot whose call never starts (a duplicate, an opt-out) is given back when the step ends.
    e.reservation =
        pacer.reserve(cmd.pacing(), cmd.scheduleKey(), cmd.recipient(), cap, e.calls == 0);
    if (e.reservation == null) {
      return StepResult.at(pacer.earliestFor(cmd.recipient(), cap));
    }
    if (!e.claimed) {
      return claims.claimThenCall(e, now, device, t);
    }
    return claims.beginAttempt(
        e,
        now,
        () -> {
          if (!e.optOutChecked) {
            return host.await(
                e, calls.optedOut(cmd), out -> calls.optOutThenCall(e, out, device, t));
          }
          return calls.call(e, device, t);
        });
  }
}
