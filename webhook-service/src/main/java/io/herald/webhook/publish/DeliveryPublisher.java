package io.herald.webhook.publish;

import io.herald.contracts.event.WebhookDelivery;
import java.time.Duration;

/** Where an accepted webhook goes: durably, before the provider is told 200 (ADR 0021). */
public interface DeliveryPublisher {

  /**
   * Publishes {@code delivery} keyed by its phone number id and waits for the acknowledgement.
   *
   * @param timeout the longest wait, sending included
   * @return true when acknowledged within {@code timeout}; false when it failed or timed out (the
   *     record may still arrive later: the provider's retry then makes a duplicate, which the
   *     projections absorb)
   */
  boolean publish(WebhookDelivery delivery, Duration timeout);
}
