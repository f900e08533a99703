package io.herald.sender.ledger;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The fencing tokens of the partitions a sender is assigned (port; ADR 0017): each assignment of a
 * partition bumps its epoch, so whoever held it before is refused from then on.
 */
public interface PartitionEpochs {

  /** No fencing: every partition is owned by {@link ClaimOwner#unfenced} (tests, tools). */
  PartitionEpochs UNFENCED =
      partitions -> {
        Map<Integer, ClaimOwner> out = new HashMap<>();
        partitions.forEach(p -> out.put(p, ClaimOwner.unfenced(p)));
        return out;
      };

  /**
   * Bumps the epoch of each newly assigned partition, durably, and answers this sender's owner for
   * each. Called from the consumer's thread on assignment; throws {@link LedgerException} when the
   * store does not answer.
   */
  Map<Integer, ClaimOwner> assign(Collection<Integer> partitions);
}
