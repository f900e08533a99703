package io.herald.contracts.event;

/**
 * A device (WhatsApp number) as the scheduler and sender need it, keyed by device id on {@code
 * herald.devices}. Credentials are never here: {@code transport_config} names environment
 * variables, and only the sender reads it from PostgreSQL.
 *
 * @param schemaVersion payload version
 * @param deviceId device id (uuid)
 * @param tenantId owner; a schedule of another tenant may not use this device
 * @param transport {@code whatsapp_cloud | http_gateway | simulated}
 * @param status {@code active | paused | disabled | ...}
 * @param maxPerSecond optional cap on messages per second across all schedules of the device
 * @param deleted true when the row was deleted
 */
public record DeviceInfo(
    int schemaVersion,
    String deviceId,
    String tenantId,
    String transport,
    String status,
    Double maxPerSecond,
    boolean deleted) {

  public static final int SCHEMA_VERSION = 1;
}
