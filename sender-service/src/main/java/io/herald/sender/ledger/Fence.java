package io.herald.sender.ledger;

/**
 * What a write of a claimed row found ({@link DeliveryLedger#beginAttempt}, {@link
 * DeliveryLedger#releaseForRetry}, {@link DeliveryLedger#finish}); ADR 0017.
 */
public enum Fence {
  /** Written: the caller still owns the claim. */
  HELD,
  /**
   * Not written, the row is final under the caller's own claim (an earlier write of the caller's
   * committed, or an operator decided): nothing is lost, the caller goes on as before fencing.
   */
  ALREADY_FINAL,
  /**
   * Not written: another owner holds (or decided) the row while the caller still holds the
   * partition (another deployment under another group, an operator). The caller stops working the
   * command and releases its offset.
   */
  TAKEN,
  /**
   * Not written: the partition moved to a newer epoch (the caller is a zombie after a rebalance or
   * a long pause). The caller stops working the command, publishes nothing and releases no offset.
   */
  PARTITION_LOST;

  /** True when the caller no longer owns the claim. */
  public boolean lost() {
    return this == TAKEN || this == PARTITION_LOST;
  }
}
