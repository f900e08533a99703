package io.herald.sender.ledger;

import java.util.Objects;

/**
 * Who claims a command: the sender instance and the epoch of the partition it holds (ADR 0017). A
 * claim needs {@code epoch} to be the partition's current one; every later write of the claimed row
 * (begin, release, finish) needs the row's owner to be this one.
 *
 * @param group the consumer group whose partition epochs apply; null for {@link #UNFENCED}
 * @param instance the sender instance, stored as {@code deliveries.claimed_by}
 * @param partition the partition of {@code herald.send-commands} the command came from
 * @param epoch the partition's epoch when this owner was assigned it, stored as {@code claim_epoch}
 */
public record ClaimOwner(String group, String instance, int partition, long epoch) {

  /**
   * An owner outside any consumer group (tools, benchmarks, ledger tests): no partition epoch is
   * checked and the rows it claims have no owner, so unfenced writers behave as before fencing. The
   * lanes never use it.
   */
  public static final ClaimOwner UNFENCED = new ClaimOwner(null, null, -1, 0);

  /** An unfenced owner of {@code partition}, for lanes run without a consumer group (tests). */
  public static ClaimOwner unfenced(int partition) {
    return new ClaimOwner(null, null, partition, 0);
  }

  public ClaimOwner {
    if (group != null) {
      Objects.requireNonNull(instance, "instance");
      if (partition < 0 || epoch < 1) {
        throw new IllegalArgumentException("partition >= 0 and epoch >= 1 needed: " + partition);
      }
    }
  }

  public boolean fenced() {
    return group != null;
  }

  /** The owner as stored in {@code claimed_by} (null when unfenced). */
  public String claimedBy() {
    return fenced() ? instance : null;
  }

  /** The epoch as stored in {@code claim_epoch} (null when unfenced). */
  public Long claimEpoch() {
    return fenced() ? epoch : null;
  }
}
