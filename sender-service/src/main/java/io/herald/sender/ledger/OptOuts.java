package io.herald.sender.ledger;

/** Opt-out lookup at send time (port); thread-safe. */
public interface OptOuts {

  /**
   * True when the tenant's contact {@code contactId} (if given), or a contact of the tenant with
   * the recipient's phone number, has opted out now.
   */
  boolean optedOut(String tenantId, String contactId, String recipient);
}
