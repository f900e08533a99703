package io.herald.contracts.event;

import java.time.Instant;

/**
 * One webhook POST from the WhatsApp Cloud API, accepted by Herald's webhook receiver after its
 * signature checked out, keyed by the business number's {@code phone_number_id} (the device) on
 * {@code herald.whatsapp-webhooks}. The body is kept as received: statuses, inbound messages and
 * account updates are read from it by the projections, which must be idempotent (the provider
 * retries, duplicates and reorders).
 *
 * @param schemaVersion payload version
 * @param receivedAt when the receiver accepted the POST
 * @param phoneNumberId the first {@code metadata.phone_number_id} of the body, null when none
 * @param body the raw JSON body, as signed (bounded by the receiver)
 */
public record WebhookDelivery(
    int schemaVersion, Instant receivedAt, String phoneNumberId, String body) {

  public static final int SCHEMA_VERSION = 1;
}
