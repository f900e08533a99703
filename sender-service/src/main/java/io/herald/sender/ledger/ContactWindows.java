package io.herald.sender.ledger;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The recipients' 24-hour windows at send time (port; ADR 0021): a contact's last inbound message
 * on a device, as the webhook projection records it. Thread-safe.
 */
public interface ContactWindows {

  /**
   * The last inbound message of {@code recipient} (a phone number, any format) on {@code deviceId},
   * empty when none is known; fails with {@link LedgerException} when the lookup failed.
   */
  CompletableFuture<Optional<Instant>> lastInbound(String deviceId, String recipient);

  /** No windows known: every recipient is outside its window. */
  ContactWindows NONE =
      (deviceId, recipient) -> CompletableFuture.completedFuture(Optional.empty());
}
