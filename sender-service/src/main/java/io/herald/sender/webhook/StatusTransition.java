package io.herald.sender.webhook;

import java.time.Instant;

/**
 * What one status webhook does to one delivery, decided from the delivery's current provider state
 * alone, so that duplicates and any arrival order end in the same row: a status applies only when
 * it ranks above the current one ({@link ProviderStatus}); reaching delivered (or read, which
 * implies it) for the first time sets {@code delivered_at} and counts once, reaching read for the
 * first time sets {@code read_at} and counts once. Pure.
 *
 * @param forward false when the status is a duplicate or older than the current one: nothing
 *     changes
 * @param status the provider status after the transition
 * @param statusAt when the provider reported {@code status}
 * @param deliveredAt the delivery's {@code delivered_at} after the transition (null: not yet)
 * @param readAt the delivery's {@code read_at} after the transition (null: not yet)
 * @param firstDelivered this transition is the first to reach delivered: count it
 * @param firstRead this transition is the first to reach read: count it
 */
public record StatusTransition(
    boolean forward,
    ProviderStatus status,
    Instant statusAt,
    Instant deliveredAt,
    Instant readAt,
    boolean firstDelivered,
    boolean firstRead) {

  /**
   * @param current the delivery's provider status, null when none arrived yet
   * @param deliveredAt its {@code delivered_at}, null when not delivered yet
   * @param readAt its {@code read_at}, null when not read yet
   * @param incoming the status the webhook reports
   * @param at when the provider says {@code incoming} happened
   */
  public static StatusTransition decide(
      ProviderStatus current,
      Instant deliveredAt,
      Instant readAt,
      ProviderStatus incoming,
      Instant at) {
    if (incoming == null || (current != null && incoming.rank() <= current.rank())) {
      return new StatusTransition(false, current, null, deliveredAt, readAt, false, false);
    }
    boolean reachesDelivered =
        incoming == ProviderStatus.DELIVERED || incoming == ProviderStatus.READ;
    boolean firstDelivered = reachesDelivered && deliveredAt == null;
    boolean firstRead = incoming == ProviderStatus.READ && readAt == null;
    return new StatusTransition(
        true,
        incoming,
        at,
        firstDelivered ? at : deliveredAt,
        firstRead ? at : readAt,
        firstDelivered,
        firstRead);
  }
}
