package io.herald.sender.ledger;

import io.herald.contracts.command.SendCommand;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * Messaging-limit admission (port; ADR 0021 §5): a business number may message at most its tier's
 * unique recipients outside their 24-hour window per rolling 24 hours. Durable and shared by every
 * sender instance. Thread-safe.
 */
public interface MessagingLimits {

  /**
   * Admits {@code cmd} (going out on {@code deviceId} to a recipient outside its window) at {@code
   * now}: admitted when the device has no limit, when the recipient already counts in the last 24
   * hours, or when a count below the limit takes it; otherwise deferred, with a visible deferral
   * recorded. Fails with {@link LedgerException} when the store did not answer.
   */
  CompletableFuture<Admission> admit(SendCommand cmd, String deviceId, Instant now);

  /**
   * An admission's answer.
   *
   * @param admitted whether the send may go now
   * @param until when admitted: null; when deferred: when the oldest counted recipient leaves the
   *     rolling window (the earliest a slot frees)
   * @param limit the number's limit in force, or null when none
   * @param detail why, for the deferral's row and the logs (no phone number)
   */
  record Admission(boolean admitted, Instant until, Integer limit, String detail) {

    public static final Admission UNLIMITED = new Admission(true, null, null, null);
  }

  /** No limits anywhere: everything is admitted. */
  MessagingLimits NONE =
      (cmd, deviceId, now) -> CompletableFuture.completedFuture(Admission.UNLIMITED);
}
