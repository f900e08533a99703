package io.herald.sender.delivery;

import java.time.Instant;
import java.util.Objects;

/**
 * What follows a transport call, decided by {@link OutcomePolicy} from the classified answer. Every
 * step tells the pacer what the attempt showed ({@link #signal()}) and whether it was the command's
 * last ({@link #last()}).
 */
public sealed interface NextStep
    permits NextStep.Conclude, NextStep.RetryAt, NextStep.ReportUnknown, NextStep.ConcludeAndPause {

  /** What the attempt tells the pacer. */
  AttemptSignal signal();

  /** True when no further call of this command follows. */
  boolean last();

  /** Hands this step to the matching step of {@code steps}. */
  <R> R then(Steps<R> steps);

  /** What a lane does with each step. */
  interface Steps<R> {
    R conclude(Conclude conclude);

    R retry(RetryAt retry);

    R reportUnknown(ReportUnknown unknown);

    R concludeAndPause(ConcludeAndPause pause);
  }

  /** Final: sent, failed at once, or failed with its attempts spent. */
  record Conclude(Verdict verdict, AttemptSignal signal) implements NextStep {
    public Conclude {
      Objects.requireNonNull(verdict, "verdict");
      Objects.requireNonNull(signal, "signal");
    }

    @Override
    public boolean last() {
      return true;
    }

    @Override
    public <R> R then(Steps<R> steps) {
      return steps.conclude(this);
    }
  }

  /**
   * Not final: release the claim (nothing in flight) and call again at {@code at}.
   *
   * @param code the failure's code, for the ledger row and the log
   * @param reason the failure's short reason, for the ledger row
   */
  record RetryAt(Instant at, String code, String reason, AttemptSignal signal) implements NextStep {
    public RetryAt {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(signal, "signal");
    }

    @Override
    public boolean last() {
      return false;
    }

    @Override
    public <R> R then(Steps<R> steps) {
      return steps.retry(this);
    }
  }

  /**
   * Final {@code unknown}: the request may have reached the transport and nothing says whether it
   * went out; counted and not resent.
   *
   * @param cause the transport's own reason (the verdict's reason adds what Herald did)
   */
  record ReportUnknown(Verdict verdict, String cause) implements NextStep {
    public ReportUnknown {
      Objects.requireNonNull(verdict, "verdict");
    }

    @Override
    public AttemptSignal signal() {
      return AttemptSignal.OTHER;
    }

    @Override
    public boolean last() {
      return true;
    }

    @Override
    public <R> R then(Steps<R> steps) {
      return steps.reportUnknown(this);
    }
  }

  /**
   * Final failure whose answer puts the account in danger: the device is paused until an operator
   * sets it active again.
   *
   * @param pauseReason what the device row records as its pause reason
   */
  record ConcludeAndPause(Verdict verdict, String pauseReason) implements NextStep {
    public ConcludeAndPause {
      Objects.requireNonNull(verdict, "verdict");
    }

    @Override
    public AttemptSignal signal() {
      return AttemptSignal.OTHER;
    }

    @Override
    public boolean last() {
      return true;
    }

    @Override
    public <R> R then(Steps<R> steps) {
      return steps.concludeAndPause(this);
    }
  }
}
