package io.herald.sender.lane;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.outcome.DeliveryResult;
import io.herald.contracts.outcome.DeliveryStatus;
import io.herald.sender.ledger.Fence;
import io.herald.sender.ledger.Finish;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step of a decided command: writes the ledger row (once), then publishes the result; the
 * record's offset is released on the publish's ack.
 */
final class OutcomeRecorder {

  private static final Logger log = LoggerFactory.getLogger(OutcomeRecorder.class);

  private final StepHost host;
  private final LaneContext ctx;

  OutcomeRecorder(StepHost host, LaneContext ctx) {
    this.host = host;
    this.ctx = ctx;
  }

  /**
   * Writes the ledger row (once) and publishes the result once the write committed. A failed write
   * fails the step: the lane writes again later and publishes nothing before.
   */
  StepResult record(LaneEntry e) {
    LaneEntry.Terminal term = e.terminal;
    SendCommand cmd = e.cmd();
    Finish f = term.finish;
    if (!term.ledgerWritten) {
      return host.await(
          e,
          ctx.ledger().finish(cmd.commandId(), host.owner(), f),
          fence -> {
            if (fence.lost()) {
              return lost(e, fence, "finish " + f.status().wire());
            }
            if (fence == Fence.ALREADY_FINAL) {
              log.warn(
                  "Outcome not recorded, the ledger row was already final: commandId={} status={}",
                  cmd.commandId(),
                  f.status().wire());
            }
            term.ledgerWritten = true;
            ctx.metrics().delivery(f.status().wire(), term.transport);
            if (f.status() == DeliveryStatus.SENT && fence != Fence.ALREADY_FINAL) {
              // finishedAt is the answer's instant: the one queue time per sent delivery
              ctx.metrics().times().sent(cmd.occurrenceAt(), f.finishedAt());
            }
            return publish(e);
          });
    }
    return publish(e);
  }

  /**
   * The ledger refused a write of this command's claim (ADR 0017): another owner has it. The lane
   * stops working it: no call, no result. Its offset is released only while this sender still holds
   * the partition ({@link Fence#TAKEN}); a zombie ({@link Fence#PARTITION_LOST}) releases nothing,
   * the partition's new owner decides.
   */
  StepResult lost(LaneEntry e, Fence why, String step) {
    ctx.metrics().claimLost();
    log.warn(
        "Claim lost, not working the command any further: commandId={} step={} why={} device={}"
            + " partition={} epoch={} offset={}",
        e.cmd().commandId(),
        step,
        why,
        host.deviceId(),
        host.partition(),
        host.owner().epoch(),
        e.pending.offset());
    if (why == Fence.TAKEN) {
      e.pending.onRecorded().run();
    }
    return StepResult.DONE;
  }

  private StepResult publish(LaneEntry e) {
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
          host.deviceId(),
          f.status().wire(),
          f.attempts(),
          host.partition(),
          e.pending.offset());
    }
    return StepResult.DONE;
  }
}
