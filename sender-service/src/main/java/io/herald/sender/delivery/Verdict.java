package io.herald.sender.delivery;

import io.herald.contracts.outcome.DeliveryStatus;
import java.util.Objects;

/**
 * A command's final outcome as decided, before the lane adds the attempt count and the instant and
 * records it.
 *
 * @param status a final status (sent, failed, unknown, expired, skipped)
 * @param messageId the transport's message id when sent, else null
 * @param code transport code or Herald reason ({@code expired}, {@code opted_out}...), null when
 *     sent
 * @param reason short reason without message text, null when sent
 */
public record Verdict(DeliveryStatus status, String messageId, String code, String reason) {

  public Verdict {
    Objects.requireNonNull(status, "status");
  }

  public static Verdict sent(String messageId) {
    return new Verdict(DeliveryStatus.SENT, messageId, null, null);
  }

  public static Verdict failed(String code, String reason) {
    return new Verdict(DeliveryStatus.FAILED, null, code, reason);
  }

  public static Verdict unknown(String code, String reason) {
    return new Verdict(DeliveryStatus.UNKNOWN, null, code, reason);
  }

  /** Past its not-after deadline: never sent late. */
  public static Verdict expired() {
    return new Verdict(DeliveryStatus.EXPIRED, null, "expired", "past its not-after deadline");
  }

  /** The contact opted out: skipped, never sent. */
  public static Verdict optedOut() {
    return new Verdict(DeliveryStatus.SKIPPED, null, "opted_out", "contact opted out");
  }

  /** Outside the recipient's 24-hour window, and the definition skips those (ADR 0021). */
  public static Verdict outsideWindow() {
    return new Verdict(
        DeliveryStatus.SKIPPED,
        null,
        io.herald.contracts.outcome.SkipReasons.OUTSIDE_WINDOW,
        "outside the recipient's 24-hour window");
  }

  /** Over the tenant's frequency cap for this contact ({@code "3 per 24 h"}): skipped. */
  public static Verdict frequencyCapped(String cap) {
    return new Verdict(
        DeliveryStatus.SKIPPED,
        null,
        io.herald.contracts.outcome.SkipReasons.FREQUENCY_CAP,
        "the contact's frequency cap is reached: " + cap);
  }

  /** The device names a transport no adapter serves. */
  public static Verdict unsupportedTransport(String transport) {
    return failed("unsupported_transport", "no transport adapter for '" + transport + "'");
  }
}
