package io.herald.sender.webhook;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The devices a webhook is about: Cloud API devices whose {@code
 * transport_config->>'phone_number_id'} is the change's {@code metadata.phone_number_id}, cached
 * for {@code maxAge} (statuses arrive in bursts per number; an unknown number is cached as unknown
 * too). A quality update names only the display number, matched against {@code
 * devices.phone_number} (or {@code transport_config->>'display_phone_number'}) by digits, uncached:
 * it is rare. Several devices may share one number (two tenants configured the same); each gets
 * what the number's webhooks say.
 */
final class JdbcDeviceNumbers {

  /** One device and its tenant ({@code devices.user_id}). */
  record DeviceRef(UUID id, UUID tenant) {}

  /** Devices per number, at most: more is a misconfiguration, not a use. */
  static final int MAX_DEVICES = 16;

  private static final int MAX_CACHED = 10_000;

  private static final String BY_ID =
      "SELECT id, user_id FROM devices WHERE transport = 'whatsapp_cloud'"
          + " AND transport_config->>'phone_number_id' = ? ORDER BY id LIMIT "
          + MAX_DEVICES;

  private static final String BY_DISPLAY =
      "SELECT id, user_id FROM devices WHERE transport = 'whatsapp_cloud'"
          + " AND (regexp_replace(COALESCE(phone_number, ''), '[^0-9]', '', 'g') = ?"
          + " OR regexp_replace(COALESCE(transport_config->>'display_phone_number', ''),"
          + " '[^0-9]', '', 'g') = ?) ORDER BY id LIMIT "
          + MAX_DEVICES;

  private record Cached(List<DeviceRef> devices, long loadedNanos) {}

  private final Map<String, Cached> byId = new ConcurrentHashMap<>();
  private final long maxAgeNanos;
  private final LongSupplier nanos;

  JdbcDeviceNumbers(Duration maxAge, LongSupplier nanos) {
    this.maxAgeNanos = maxAge.toNanos();
    this.nanos = nanos;
  }

  List<DeviceRef> byPhoneNumberId(Connection c, String phoneNumberId) throws SQLException {
    long now = nanos.getAsLong();
    Cached hit = byId.get(phoneNumberId);
    if (hit != null && now - hit.loadedNanos() < maxAgeNanos) {
      return hit.devices();
    }
    List<DeviceRef> devices = query(c, BY_ID, phoneNumberId);
    if (byId.size() >= MAX_CACHED) {
      byId.clear(); // bounded: numbers are few; a flood of made-up ones must not grow the heap
    }
    byId.put(phoneNumberId, new Cached(devices, now));
    return devices;
  }

  List<DeviceRef> byDisplayNumber(Connection c, String digits) throws SQLException {
    return query(c, BY_DISPLAY, digits, digits);
  }

  private static List<DeviceRef> query(Connection c, String sql, String... params)
      throws SQLException {
    List<DeviceRef> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setString(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new DeviceRef((UUID) rs.getObject(1), (UUID) rs.getObject(2)));
        }
      }
    }
    return List.copyOf(out);
  }
}
