package io.herald.sender.lane;

import java.time.Instant;

/**
 * What one lane step decided: the head is done, or the lane wakes up at an instant (or at once), or
 * something asynchronous continues the step when it completes.
 */
final class StepResult {
  static final StepResult DONE = new StepResult(null, false);
  static final StepResult ASYNC = new StepResult(null, true);

  /** When to step again, or null for at once. */
  final Instant at;

  /** True when a continuation on the executor ends the step (the lane stays busy until then). */
  final boolean async;

  private StepResult(Instant at, boolean async) {
    this.at = at;
    this.async = async;
  }

  static StepResult at(Instant at) {
    return new StepResult(at, false);
  }

  boolean done() {
    return this == DONE;
  }
}
