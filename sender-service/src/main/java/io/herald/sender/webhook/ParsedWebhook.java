package io.herald.sender.webhook;

import java.time.Instant;
import java.util.List;

/**
 * What one webhook body says, as far as Herald uses it: bounded lists, strings clipped, no message
 * text kept except the opt-out check's verdict. Produced by {@link WebhookParser}.
 *
 * @param statuses delivery statuses, in body order
 * @param messages inbound messages, in body order
 * @param qualityUpdates {@code phone_number_quality_update} changes, in body order
 * @param invalidItems items skipped because a field Herald needs was missing or unusable
 * @param droppedItems items beyond the per-body caps, not read
 */
public record ParsedWebhook(
    List<StatusEvent> statuses,
    List<InboundMessage> messages,
    List<QualityUpdate> qualityUpdates,
    int invalidItems,
    int droppedItems) {

  public ParsedWebhook {
    statuses = List.copyOf(statuses);
    messages = List.copyOf(messages);
    qualityUpdates = List.copyOf(qualityUpdates);
  }

  /**
   * One entry of {@code value.statuses[]}.
   *
   * @param phoneNumberId the change's {@code metadata.phone_number_id} (the device)
   * @param messageId the {@code wamid…} the send answered, {@code deliveries.transport_message_id}
   * @param status the status
   * @param at the provider's timestamp, null when absent or unreadable
   * @param errorCode {@code errors[0].code}, null when none
   * @param errorMessage {@code errors[0].title} and {@code message}, clipped; null when none
   */
  public record StatusEvent(
      String phoneNumberId,
      String messageId,
      ProviderStatus status,
      Instant at,
      String errorCode,
      String errorMessage) {}

  /**
   * One entry of {@code value.messages[]}.
   *
   * @param phoneNumberId the change's {@code metadata.phone_number_id} (the device)
   * @param from the contact's wa_id (E.164 digits without '+')
   * @param at the provider's timestamp, null when absent or unreadable
   * @param optOut a text message that is exactly an opt-out keyword
   */
  public record InboundMessage(String phoneNumberId, String from, Instant at, boolean optOut) {}

  /**
   * One {@code phone_number_quality_update} change. Its value names the number by {@code
   * display_phone_number}; {@code phone_number_id} is read when a body carries it.
   *
   * @param phoneNumberId {@code metadata.phone_number_id} or {@code phone_number_id}, usually null
   * @param displayPhoneNumber the business number's digits, null when absent
   * @param event {@code event} (FLAGGED, UNFLAGGED, DOWNGRADE, UPGRADE, ...), clipped
   * @param rating the quality rating when the value names one ({@code quality_rating}), else the
   *     event word: what {@code devices.quality_rating} records
   * @param limit the messaging-limit tier reported, null when none usable (leave as it is)
   */
  public record QualityUpdate(
      String phoneNumberId,
      String displayPhoneNumber,
      String event,
      String rating,
      ReportedLimit limit) {}
}
