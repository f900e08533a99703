package io.herald.sender.delivery;

import java.time.Instant;
import java.util.Objects;

/** What follows a lane step that failed with an exception, decided by {@link StepFailurePolicy}. */
public sealed interface AfterFailure permits AfterFailure.RetryStepAt, AfterFailure.SetAside {

  /** Hands this decision to the matching step of {@code steps}. */
  <R> R then(Steps<R> steps);

  /** What a lane does with each decision. */
  interface Steps<R> {
    R retryStep(RetryStepAt retry);

    R setAside(SetAside setAside);
  }

  /** Run the step again at {@code at}; nothing is decided about the command. */
  record RetryStepAt(Instant at) implements AfterFailure {
    public RetryStepAt {
      Objects.requireNonNull(at, "at");
    }

    @Override
    public <R> R then(Steps<R> steps) {
      return steps.retryStep(this);
    }
  }

  /**
   * The command's own content keeps failing its step: decided without another call, so that it
   * stops holding its device's queue and its partition's offset.
   */
  record SetAside(Verdict verdict) implements AfterFailure {
    public SetAside {
      Objects.requireNonNull(verdict, "verdict");
    }

    @Override
    public <R> R then(Steps<R> steps) {
      return steps.setAside(this);
    }
  }
}
