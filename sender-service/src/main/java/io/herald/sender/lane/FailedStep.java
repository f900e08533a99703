package io.herald.sender.lane;

import io.herald.sender.delivery.AfterFailure;
import io.herald.sender.delivery.StepFailurePolicy;
import io.herald.sender.ledger.LedgerException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lane step that threw: tells a failure of the command's own content from one of the database,
 * the network or a timeout, and acts on what {@link StepFailurePolicy} decides (step again later,
 * or set the command aside without a call). Runs inside the failed step, on the lane executor.
 */
final class FailedStep {

  private static final Logger log = LoggerFactory.getLogger(FailedStep.class);

  private final StepHost host;
  private final LaneContext ctx;
  private final StepFailurePolicy failures;
  private final ClaimStep claims;

  FailedStep(StepHost host, LaneContext ctx, StepFailurePolicy failures, ClaimStep claims) {
    this.host = host;
    this.ctx = ctx;
    this.failures = failures;
    this.claims = claims;
  }

  /** What follows a step that failed with {@code ex}: retried later, or the command set aside. */
  StepResult handle(LaneEntry e, RuntimeException ex, Instant now) {
    ctx.metrics().laneError();
    boolean content = e.terminal == null && causedByContent(ex);
    if (content) {
      e.contentFailures++;
    }
    AfterFailure after =
        failures.afterFailure(
            content ? e.contentFailures : 0, e.calls, ex.getClass().getSimpleName(), now);
    return after.then(
        new AfterFailure.Steps<StepResult>() {
          @Override
          public StepResult retryStep(AfterFailure.RetryStepAt retry) {
            log.warn(
                "Lane step failed, retrying: commandId={} device={} partition={} offset={}"
                    + " error={}",
                e.cmd().commandId(),
                host.deviceId(),
                host.partition(),
                e.pending.offset(),
                ex.toString());
            return StepResult.at(retry.at());
          }

          @Override
          public StepResult setAside(AfterFailure.SetAside aside) {
            // The same command failed the same way again, and not for the database or the
            // network: retrying forever would hold this device's queue and its partition's
            // offset for good. Decided without another call; UNKNOWN if a call was made.
            log.error(
                "Command set aside after failing {} times on its content: commandId={} device={}"
                    + " partition={} offset={} error={}",
                e.contentFailures,
                e.cmd().commandId(),
                host.deviceId(),
                host.partition(),
                e.pending.offset(),
                ex.toString());
            return claims.decideWithoutCall(e, now, aside.verdict(), null);
          }
        });
  }

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
