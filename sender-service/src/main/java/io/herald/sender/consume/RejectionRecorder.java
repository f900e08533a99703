package io.herald.sender.consume;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.outcome.DeliveryResult;
import io.herald.contracts.outcome.DeliveryStatus;
import io.herald.sender.lane.ResultSink;
import io.herald.sender.ledger.DeliveryLedger;
import io.herald.sender.ledger.Finish;
import io.herald.sender.metrics.SenderMetrics;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a command the consumer rejected (invalid content, or handling it threw) as a failed
 * delivery: a {@code failed} ledger row with the reason, then a {@code failed} result on {@code
 * herald.delivery-results}, so the schedule's counts and its owner see it. Best effort after the
 * dead letter, which is the durable copy: a database outage here is logged, never retried, and
 * never holds the partition's offset.
 */
public final class RejectionRecorder {

  /** Error code of a command rejected by the sender before any attempt. */
  public static final String INVALID_COMMAND = "invalid_command";

  private static final Logger log = LoggerFactory.getLogger(RejectionRecorder.class);

  private final DeliveryLedger ledger;
  private final ResultSink results;
  private final SenderMetrics metrics;
  private final Clock clock;

  public RejectionRecorder(
      DeliveryLedger ledger, ResultSink results, SenderMetrics metrics, Clock clock) {
    this.ledger = Objects.requireNonNull(ledger, "ledger");
    this.results = Objects.requireNonNull(results, "results");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * True when {@code cmd}'s id can key a ledger row and a result: present, within {@link
   * Limits#ID_MAX_CHARS}, no control characters.
   */
  public static boolean hasUsableId(SendCommand cmd) {
    return cmd != null
        && cmd.commandId() != null
        && !cmd.commandId().value().isBlank()
        && CommandValidator.storable(cmd.commandId().value(), Limits.ID_MAX_CHARS);
  }

  /**
   * Writes the failed row and publishes the failed result, asynchronously. {@code cmd} must have a
   * usable id ({@link #hasUsableId}).
   */
  public void reject(SendCommand cmd, String reason) {
    Finish finish =
        new Finish(DeliveryStatus.FAILED, 0, null, INVALID_COMMAND, reason, clock.instant());
    ledger
        .reject(cmd, finish)
        .whenComplete(
            (written, err) -> {
              if (err != null) {
                log.warn(
                    "Rejected command not recorded in the ledger, its dead letter stays:"
                        + " commandId={} error={}",
                    cmd.commandId(),
                    err.toString());
                return;
              }
              if (!written) {
                log.info(
                    "Rejected command already had an outcome, not reported again: commandId={}",
                    cmd.commandId());
                return;
              }
              metrics.delivery("failed", null);
              results.publish(result(cmd, finish), () -> {});
            });
  }

  /** The failed result; fields over their bounds are left out (null) rather than echoed. */
  static DeliveryResult result(SendCommand cmd, Finish f) {
    return new DeliveryResult(
        DeliveryResult.SCHEMA_VERSION,
        cmd.commandId(),
        bounded(cmd.tenantId(), Limits.ID_MAX_CHARS),
        bounded(cmd.deviceId(), Limits.ID_MAX_CHARS),
        bounded(cmd.scheduleKey(), Limits.SCHEDULE_KEY_MAX_CHARS),
        cmd.kind(),
        inRange(cmd),
        f.status(),
        f.attempts(),
        null,
        f.errorCode(),
        f.errorMessage(),
        f.finishedAt());
  }

  private static String bounded(String s, int max) {
    return CommandValidator.storable(s, max) ? s : null;
  }

  private static Instant inRange(SendCommand cmd) {
    Instant occ = cmd.occurrenceAt();
    if (occ == null
        || occ.isBefore(CommandValidator.EARLIEST_OCCURRENCE)
        || occ.isAfter(CommandValidator.LATEST_OCCURRENCE)) {
      return null;
    }
    return occ;
  }
}
