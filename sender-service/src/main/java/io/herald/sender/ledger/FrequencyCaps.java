package io.herald.sender.ledger;

import io.herald.contracts.command.SendCommand;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * Per-contact frequency caps across every schedule of a tenant (port; issue 19): durable and shared
 * by every sender instance. Thread-safe.
 */
public interface FrequencyCaps {

  /**
   * Counts {@code cmd} against its tenant's caps at {@code now}, or refuses it: empty when admitted
   * (also when the tenant has no caps, or this command was admitted before), else the cap reached
   * ({@code "3 per 24 h"}). Fails with {@link LedgerException} when the store did not answer.
   */
  CompletableFuture<java.util.Optional<String>> admit(SendCommand cmd, Instant now);

  /** No caps anywhere. */
  FrequencyCaps NONE = (cmd, now) -> CompletableFuture.completedFuture(java.util.Optional.empty());
}
