package io.herald.scheduler.schedule;

/**
 * What the scheduler knows of devices and contacts at this moment (the global tables, which reach
 * it on other topics than the schedule and may lag behind it). A port: the topology answers from
 * its stores.
 */
public interface Directory {

  /** How {@code deviceId} looks for a schedule of {@code tenantId}; never called with a null id. */
  ScheduleValidator.DeviceCheck device(String tenantId, String deviceId);

  /** Whether any row of the device arrived, deleted ones included. */
  boolean deviceSeen(String deviceId);

  /** Whether the contact (a canonical contact id) is known. */
  boolean contactKnown(String contactId);
}
