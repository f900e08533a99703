package io.herald.sender.delivery;

import java.time.Instant;
import java.util.Objects;

/** What the checks before any claim or call decided for the command at the head of a lane. */
public sealed interface PreCheck permits PreCheck.Proceed, PreCheck.Hold, PreCheck.Decided {

  /** Hands this decision to the matching step of {@code steps}. */
  <R> R then(Steps<R> steps);

  /** What a lane does with each decision. */
  interface Steps<R> {
    R proceed(Proceed proceed);

    R hold(Hold hold);

    R decided(Decided decided);
  }

  /** The device is known, the tenant's, usable and active: go on to pacing, claim and call. */
  record Proceed(Device device) implements PreCheck {
    public Proceed {
      Objects.requireNonNull(device, "device");
    }

    @Override
    public <R> R then(Steps<R> steps) {
      return steps.proceed(this);
    }
  }

  /**
   * The device is not active: hold the command (and its lane) and look at the device again at
   * {@code recheckAt}. Nothing is claimed, nothing is decided.
   */
  record Hold(Device device, Instant recheckAt) implements PreCheck {
    public Hold {
      Objects.requireNonNull(device, "device");
      Objects.requireNonNull(recheckAt, "recheckAt");
    }

    @Override
    public <R> R then(Steps<R> steps) {
      return steps.hold(this);
    }
  }

  /** Final without a call (expired, unknown device, other tenant, unusable configuration). */
  record Decided(Verdict verdict) implements PreCheck {
    public Decided {
      Objects.requireNonNull(verdict, "verdict");
    }

    @Override
    public <R> R then(Steps<R> steps) {
      return steps.decided(this);
    }
  }
}
