package io.herald.scheduler.topology;

import io.herald.contracts.event.DeviceInfo;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** Keeps the global {@code devices} store: a tombstone or a deleted device removes the entry. */
final class DevicesUpdater implements Processor<String, DeviceInfo, Void, Void> {

  private KeyValueStore<String, DeviceInfo> devices;

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    devices = context.getStateStore(Names.DEVICES_STORE);
  }

  @Override
  public void process(Record<String, DeviceInfo> record) {
    if (record.key() == null) {
      return;
    }
    DeviceInfo device = record.value();
    if (device == null || device.deleted()) {
      devices.delete(record.key());
    } else {
      devices.put(record.key(), device);
    }
  }
}
