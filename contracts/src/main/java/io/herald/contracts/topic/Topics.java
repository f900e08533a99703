package io.herald.contracts.topic;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.ContactInfo;
import io.herald.contracts.event.DeviceInfo;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.WebhookDelivery;
import io.herald.contracts.outcome.DeliveryResult;
import io.herald.contracts.outcome.Occurrence;
import io.herald.contracts.outcome.ScheduleError;
import io.herald.contracts.outcome.ScheduleState;
import io.herald.contracts.serde.JsonSerde;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** The catalogue of Herald's topics. Constants only: no registry, nothing to reset. */
public final class Topics {

  private static final Serde<String> KEY = Serdes.String();

  /** Schedule definitions; key = schedule key ({@code recurring:<id>}); compacted. */
  public static final TopicSpec<String, ScheduleChange> SCHEDULE_CHANGES =
      new TopicSpec<>(
          "herald.schedule-changes",
          KEY,
          new JsonSerde<>(ScheduleChange.class),
          "schedule key (<kind>:<id>)",
          true);

  /** Devices for tenant checks; key = device id; compacted. */
  public static final TopicSpec<String, DeviceInfo> DEVICES =
      new TopicSpec<>("herald.devices", KEY, new JsonSerde<>(DeviceInfo.class), "device id", true);

  /** Contacts for recipient resolution, rendering and opt-out; key = contact id; compacted. */
  public static final TopicSpec<String, ContactInfo> CONTACTS =
      new TopicSpec<>(
          "herald.contacts", KEY, new JsonSerde<>(ContactInfo.class), "contact id", true);

  /** One command per recipient and occurrence; key = device id (a device's lane, one partition). */
  public static final TopicSpec<String, SendCommand> SEND_COMMANDS =
      new TopicSpec<>(
          "herald.send-commands", KEY, new JsonSerde<>(SendCommand.class), "device id", false);

  /** One record per fired occurrence; key = schedule key. */
  public static final TopicSpec<String, Occurrence> OCCURRENCES =
      new TopicSpec<>(
          "herald.occurrences", KEY, new JsonSerde<>(Occurrence.class), "schedule key", false);

  /** Rejected definitions with reasons; key = schedule key. */
  public static final TopicSpec<String, ScheduleError> SCHEDULE_ERRORS =
      new TopicSpec<>(
          "herald.schedule-errors",
          KEY,
          new JsonSerde<>(ScheduleError.class),
          "schedule key",
          false);

  /**
   * Latest scheduler state per schedule (armed, finished, invalid...); key = schedule key;
   * compacted.
   */
  public static final TopicSpec<String, ScheduleState> SCHEDULE_STATES =
      new TopicSpec<>(
          "herald.schedule-states",
          KEY,
          new JsonSerde<>(ScheduleState.class),
          "schedule key",
          true);

  /** Outcome of every command; key = device id. */
  public static final TopicSpec<String, DeliveryResult> DELIVERY_RESULTS =
      new TopicSpec<>(
          "herald.delivery-results",
          KEY,
          new JsonSerde<>(DeliveryResult.class),
          "device id",
          false);

  /**
   * Cloud API webhook POSTs whose signature checked out (statuses, inbound messages, account
   * updates); key = the business number's phone_number_id.
   */
  public static final TopicSpec<String, WebhookDelivery> WHATSAPP_WEBHOOKS =
      new TopicSpec<>(
          "herald.whatsapp-webhooks",
          KEY,
          new JsonSerde<>(WebhookDelivery.class),
          "phone_number_id",
          false);

  /** Every topic, in pipeline order. */
  public static final List<TopicSpec<String, ?>> ALL =
      List.of(
          SCHEDULE_CHANGES,
          DEVICES,
          CONTACTS,
          SEND_COMMANDS,
          OCCURRENCES,
          SCHEDULE_ERRORS,
          SCHEDULE_STATES,
          DELIVERY_RESULTS,
          WHATSAPP_WEBHOOKS);

  /** Header names on dead-letter records. */
  public static final String DLQ_HEADER_TOPIC = "herald.dlq.topic";

  public static final String DLQ_HEADER_PARTITION = "herald.dlq.partition";
  public static final String DLQ_HEADER_OFFSET = "herald.dlq.offset";
  public static final String DLQ_HEADER_REASON = "herald.dlq.reason";
  public static final String DLQ_HEADER_EXCEPTION = "herald.dlq.exception";

  private Topics() {}
}
