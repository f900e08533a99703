package io.herald.contracts.schema;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.ContactInfo;
import io.herald.contracts.event.DeviceInfo;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.WebhookDelivery;
import io.herald.contracts.outcome.DeliveryResult;
import io.herald.contracts.outcome.Occurrence;
import io.herald.contracts.outcome.ScheduleError;
import io.herald.contracts.outcome.ScheduleState;
import io.herald.contracts.topic.TopicSpec;
import io.herald.contracts.topic.Topics;
import org.apache.kafka.common.serialization.Serde;

/**
 * Every payload with a published JSON Schema: its file name stem (schema and golden folder), its
 * topic and its record type. A topic added to {@link Topics#ALL} without an entry here fails {@code
 * SchemaContractTest}.
 */
public enum Payload {
  SCHEDULE_CHANGE("schedule-change", Topics.SCHEDULE_CHANGES, ScheduleChange.class),
  SEND_COMMAND("send-command", Topics.SEND_COMMANDS, SendCommand.class),
  OCCURRENCE("occurrence", Topics.OCCURRENCES, Occurrence.class),
  DELIVERY_RESULT("delivery-result", Topics.DELIVERY_RESULTS, DeliveryResult.class),
  SCHEDULE_ERROR("schedule-error", Topics.SCHEDULE_ERRORS, ScheduleError.class),
  SCHEDULE_STATE("schedule-state", Topics.SCHEDULE_STATES, ScheduleState.class),
  DEVICE_INFO("device-info", Topics.DEVICES, DeviceInfo.class),
  CONTACT_INFO("contact-info", Topics.CONTACTS, ContactInfo.class),
  WEBHOOK_DELIVERY("webhook-delivery", Topics.WHATSAPP_WEBHOOKS, WebhookDelivery.class);

  private final String stem;
  private final TopicSpec<String, ?> topic;
  private final Class<? extends Record> type;

  Payload(String stem, TopicSpec<String, ?> topic, Class<? extends Record> type) {
    this.stem = stem;
    this.topic = topic;
    this.type = type;
  }

  /** File name stem: {@code schemas/<stem>.schema.json}, {@code golden/<stem>/*.json}. */
  public String stem() {
    return stem;
  }

  public TopicSpec<String, ?> topic() {
    return topic;
  }

  public Class<? extends Record> type() {
    return type;
  }

  public String schemaResource() {
    return "/schemas/" + stem + ".schema.json";
  }

  /** The topic's value serde, widened so tests can pass any record through it. */
  @SuppressWarnings("unchecked")
  public Serde<Object> serde() {
    return (Serde<Object>) topic.valueSerde();
  }

  public byte[] serialize(Object value) {
    return serde().serializer().serialize(topic.name(), value);
  }

  public Object deserialize(byte[] bytes) {
    return serde().deserializer().deserialize(topic.name(), bytes);
  }

  public static Payload forType(Class<?> type) {
    for (Payload p : values()) {
      if (p.type.equals(type)) {
        return p;
      }
    }
    throw new IllegalArgumentException("no payload for " + type);
  }

  @Override
  public String toString() {
    return stem;
  }
}
