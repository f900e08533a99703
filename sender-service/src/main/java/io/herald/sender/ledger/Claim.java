package io.herald.sender.ledger;

import io.herald.contracts.outcome.DeliveryStatus;

/**
 * The answer of {@link DeliveryLedger#claim}.
 *
 * @param kind what the caller may do
 * @param attemptsSoFar transport calls already made for this id (by an earlier owner), >= 0
 * @param existing the status found when {@code kind} is {@link Kind#DUPLICATE}, else null
 */
public record Claim(Kind kind, int attemptsSoFar, DeliveryStatus existing) {

  public enum Kind {
    /** The caller owns the id now and may call the transport. */
    CLAIMED,
    /** The id already has an outcome: do not send (a suppressed duplicate). */
    DUPLICATE,
    /** An earlier owner was mid-call and never confirmed: now recorded as unknown; do not send. */
    UNKNOWN,
    /**
     * The caller's partition epoch is no longer current (it lost the partition): nothing written,
     * do not send, publish nothing, release no offset (ADR 0017).
     */
    LOST
  }

  public static Claim claimed(int attemptsSoFar) {
    return new Claim(Kind.CLAIMED, attemptsSoFar, null);
  }

  public static Claim duplicate(DeliveryStatus existing) {
    return new Claim(Kind.DUPLICATE, 0, existing);
  }

  public static Claim lost() {
    return new Claim(Kind.LOST, 0, null);
  }

  public static Claim unknown(int attempts) {
    return new Claim(Kind.UNKNOWN, attempts, DeliveryStatus.UNKNOWN);
  }
}
