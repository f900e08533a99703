package io.herald.scheduler.topology;

import io.herald.contracts.event.DeviceInfo;
import io.herald.contracts.limit.Limits;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps the global {@code devices} store: a tombstone or a deleted device removes the entry. */
final class DevicesUpdater implements Processor<String, DeviceInfo, Void, Void> {

  private static final Logger log = LoggerFactory.getLogger(DevicesUpdater.class);

  private KeyValueStore<String, DeviceInfo> devices;

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    devices = context.getStateStore(Names.DEVICES_STORE);
  }

  private final SchedulerMetrics metrics;

  DevicesUpdater() {
    this(SchedulerMetrics.noop());
  }

  DevicesUpdater(SchedulerMetrics metrics) {
    this.metrics = metrics;
  }

  /**
   * Runs on the global thread, whose death stops the whole client: a record whose content makes the
   * update fail is logged, counted and skipped (the store keeps its previous entry), and a key over
   * {@link Limits#ID_MAX_CHARS} is never stored.
   */
  @Override
  public void process(Record<String, DeviceInfo> record) {
    if (record.key() == null) {
      return;
    }
    if (record.key().length() > Limits.ID_MAX_CHARS) {
      metrics.setAside("device");
      log.warn(
          "Global record with an oversized key skipped: store=devices keyChars={}",
          record.key().length());
      return;
    }
    try {
      update(record);
    } catch (RuntimeException | StackOverflowError e) {
      if (!RecordFailures.isRecordFailure(e)) {
        throw e;
      }
      metrics.setAside("device");
      log.error(
          "Global record skipped after a failure its content caused: store=devices key={} "
              + "failure={}",
          record.key(),
          e.toString());
    }
  }

  private void update(Record<String, DeviceInfo> record) {
    DeviceInfo device = record.value();
    if (device != null && !device.deleted() && !fits(device)) {
      // Never cut an id (a cut tenant id could name another tenant): the device is unknown to
      // the scheduler until a row within the bounds replaces it.
      metrics.setAside("device");
      log.warn("Device over its bounds treated as unknown: key={}", record.key());
      devices.delete(record.key());
      return;
    }
    if (device == null || device.deleted()) {
      devices.delete(record.key());
    } else {
      devices.put(record.key(), device);
    }
  }

  private static boolean fits(DeviceInfo d) {
    return within(d.tenantId(), Limits.ID_MAX_CHARS)
        && within(d.deviceId(), Limits.ID_MAX_CHARS)
        && within(d.status(), Limits.STATUS_MAX_CHARS)
        && within(d.transport(), Limits.RULE_TEXT_MAX_CHARS);
  }

  private static boolean within(String s, int max) {
    return s == null || s.length() <= max;
  }
}
