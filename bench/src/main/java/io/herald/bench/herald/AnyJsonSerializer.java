package io.herald.bench.herald;

import io.herald.contracts.event.DeviceInfo;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.topic.Topics;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serializes schedule changes and devices with the contracts' own serdes, so one producer can write
 * both topics exactly as CDC would.
 */
public final class AnyJsonSerializer implements Serializer<Object> {

  @Override
  public byte[] serialize(String topic, Object value) {
    if (value instanceof ScheduleChange c) {
      return Topics.SCHEDULE_CHANGES.valueSerde().serializer().serialize(topic, c);
    }
    if (value instanceof DeviceInfo d) {
      return Topics.DEVICES.valueSerde().serializer().serialize(topic, d);
    }
    throw new IllegalArgumentException("not a Herald event: " + value);
  }
}
