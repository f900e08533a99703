package io.herald.sender.ledger;

import io.herald.contracts.command.SendCommand;
import io.herald.sender.delivery.QuietWindow;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Quiet hours (port; issue 19): the window in force for a command — its definition's, else its
 * tenant's — and the visible record of a send deferred by it. Thread-safe.
 */
public interface QuietHours {

  /** The quiet window for {@code cmd}, empty when none applies. */
  CompletableFuture<Optional<QuietWindow>> windowFor(SendCommand cmd);

  /** Records {@code cmd} as deferred to {@code until} by {@code window} (visible to the tenant). */
  CompletableFuture<Void> deferred(SendCommand cmd, QuietWindow window, Instant until, Instant now);

  /** The command left its quiet window: its deferral record goes. */
  CompletableFuture<Void> resumed(SendCommand cmd);

  /** No quiet hours anywhere. */
  QuietHours NONE =
      new QuietHours() {
        @Override
        public CompletableFuture<Optional<QuietWindow>> windowFor(SendCommand cmd) {
          return CompletableFuture.completedFuture(Optional.empty());
        }

        @Override
        public CompletableFuture<Void> deferred(
            SendCommand cmd, QuietWindow window, Instant until, Instant now) {
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> resumed(SendCommand cmd) {
          return CompletableFuture.completedFuture(null);
        }
      };
}
