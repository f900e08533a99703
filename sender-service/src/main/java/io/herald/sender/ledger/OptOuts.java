package io.herald.sender.ledger;

import java.util.concurrent.CompletableFuture;

/** Opt-out lookup at send time (port); thread-safe. */
public interface OptOuts {

  /**
   * True when the tenant's contact {@code contactId} (if given), or a contact of the tenant with
   * the recipient's phone number, has opted out now. Answers asynchronously so that lookups of many
   * lanes can share a query; fails with {@link LedgerException} when the lookup failed.
   */
  CompletableFuture<Boolean> optedOut(String tenantId, String contactId, String recipient);
}
