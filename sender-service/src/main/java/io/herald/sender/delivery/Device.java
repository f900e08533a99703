package io.herald.sender.delivery;

import java.util.Locale;
import java.util.Map;

/**
 * A device as the sender needs it, from the {@code devices} table.
 *
 * @param id device id
 * @param tenantId {@code user_id}: the only tenant whose commands the device may send
 * @param transport {@code whatsapp_cloud | http_gateway | simulated}, lower case, or null
 * @param transportConfig the {@code transport_config} JSON object with values as strings; names
 *     environment variables for secrets, never the secrets themselves
 * @param status {@code active}, {@code paused}, ...
 * @param maxPerSecond {@code max_per_second}, or null for the transport's default
 * @param pausedReason why the device is paused, or null
 * @param unusableReason why the device cannot send at all (its {@code transport_config} is too
 *     large, not JSON, or nested too deeply), or null when it is usable; its commands fail with
 *     this reason
 */
public record Device(
    String id,
    String tenantId,
    String transport,
    Map<String, String> transportConfig,
    String status,
    Double maxPerSecond,
    String pausedReason,
    String unusableReason) {

  /** A usable device. */
  public Device(
      String id,
      String tenantId,
      String transport,
      Map<String, String> transportConfig,
      String status,
      Double maxPerSecond,
      String pausedReason) {
    this(id, tenantId, transport, transportConfig, status, maxPerSecond, pausedReason, null);
  }

  /** The status a sender writes on a row it cannot use (with {@code devices.last_error}). */
  public static final String INVALID = "invalid";

  public Device {
    transportConfig = transportConfig == null ? Map.of() : Map.copyOf(transportConfig);
    transport = transport == null ? null : transport.trim().toLowerCase(Locale.ROOT);
  }

  /** Status {@code invalid}: the row's configuration cannot be used, for {@code reason}. */
  public Device invalid(String reason) {
    return new Device(
        id, tenantId, transport, transportConfig, INVALID, maxPerSecond, pausedReason, reason);
  }

  /** The same device with another {@code status}. */
  public Device withStatus(String newStatus) {
    return new Device(
        id,
        tenantId,
        transport,
        transportConfig,
        newStatus,
        maxPerSecond,
        pausedReason,
        unusableReason);
  }

  /** True when the row carries the status Herald gives a device it cannot use. */
  public boolean markedInvalid() {
    return status != null && INVALID.equalsIgnoreCase(status.trim());
  }

  /** False when the device's configuration cannot be used: see {@link #unusableReason()}. */
  public boolean usable() {
    return unusableReason == null;
  }

  /** Only an active device sends; any other status holds its commands. */
  public boolean active() {
    return status == null || "active".equalsIgnoreCase(status.trim());
  }

  /** {@code max_per_second}, else {@code transport_config.max_per_second}, else null. */
  public Double effectiveMaxPerSecond() {
    if (maxPerSecond != null && maxPerSecond > 0) {
      return maxPerSecond;
    }
    String v = transportConfig.get("max_per_second");
    if (v != null) {
      try {
        double d = Double.parseDouble(v);
        return d > 0 ? d : null;
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }
}
