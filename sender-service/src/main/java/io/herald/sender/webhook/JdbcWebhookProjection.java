package io.herald.sender.webhook;

import io.herald.sender.webhook.JdbcDeviceNumbers.DeviceRef;
import io.herald.sender.webhook.ParsedWebhook.InboundMessage;
import io.herald.sender.webhook.ParsedWebhook.QualityUpdate;
import io.herald.sender.webhook.ParsedWebhook.StatusEvent;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one parsed webhook body in one transaction: provider statuses onto {@code deliveries}
 * (decided by {@link StatusTransition} on the row locked {@code FOR UPDATE}, so duplicates, replays
 * and any order end in the same row) with delivered and read counted once on the occurrence's log
 * row or the broadcast; contacts' windows ({@code GREATEST}); opt-outs; the number's quality and
 * reported limit. Never touches {@code updated_at} or definition columns: the scheduler's CDC sees
 * these writes as state-only.
 */
public final class JdbcWebhookProjection {

  private static final Logger log = LoggerFactory.getLogger(JdbcWebhookProjection.class);

  private static final String LOCK_DELIVERY =
      "SELECT command_id, provider_status, delivered_at, read_at, schedule_kind, schedule_id,"
          + " occurrence_at, user_id FROM deliveries WHERE transport_message_id = ?"
          + " AND device_id = ANY(?) FOR UPDATE";

  private static final String UPDATE_DELIVERY =
      "UPDATE deliveries SET provider_status = ?, provider_status_at = ?, delivered_at = ?,"
          + " read_at = ?, provider_error_code = CASE WHEN ? THEN ? ELSE provider_error_code END,"
          + " provider_error_message = CASE WHEN ? THEN ? ELSE provider_error_message END"
          + " WHERE command_id = ?";

  private static final String COUNT_BROADCAST =
      "UPDATE broadcasts SET delivered_count = delivered_count + ?, read_count = read_count + ?"
          + " WHERE id = ?";

  /**
   * Upserted: the result projector may not have written the log row yet (it lags, or the status
   * beat it); its own upsert keeps these counts. {@code %1$s}: log table, {@code %2$s}: its
   * schedule column. Closed rows count too: statuses arrive after an occurrence closes.
   */
  private static final String COUNT_LOG =
      "INSERT INTO %1$s (%2$s, user_id, occurrence_at, delivered_count, read_count)"
          + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (%2$s, occurrence_at) DO UPDATE SET"
          + " delivered_count = %1$s.delivered_count + EXCLUDED.delivered_count,"
          + " read_count = %1$s.read_count + EXCLUDED.read_count";

  private static final String WINDOW =
      "INSERT INTO contact_windows (device_id, wa_id, last_inbound_at) VALUES (?, ?, ?)"
          + " ON CONFLICT (device_id, wa_id) DO UPDATE SET last_inbound_at ="
          + " GREATEST(contact_windows.last_inbound_at, EXCLUDED.last_inbound_at)"
          + " WHERE contact_windows.last_inbound_at < EXCLUDED.last_inbound_at";

  /** The tenant's contacts with this number, stored with or without the '+'. */
  private static final String OPT_OUT =
      "UPDATE contacts SET opted_out = true WHERE user_id = ? AND phone_number IN (?, ?)"
          + " AND NOT opted_out";

  private static final String QUALITY =
      "UPDATE devices SET quality_rating = COALESCE(?, quality_rating),"
          + " messaging_limit_reported = CASE WHEN ? THEN ? ELSE messaging_limit_reported END"
          + " WHERE id = ANY(?)";

  private final DataSource dataSource;
  private final JdbcDeviceNumbers devices;

  /**
   * @param deviceCacheAge how long a number's devices are cached (the sender's device refresh)
   */
  public JdbcWebhookProjection(DataSource dataSource, Duration deviceCacheAge) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.devices = new JdbcDeviceNumbers(deviceCacheAge, System::nanoTime);
  }

  /**
   * Applies one body in one transaction.
   *
   * @param keyPhoneNumberId the record's {@code phoneNumberId}, for a quality update that names
   *     only its display number; may be null
   * @param receivedAt when the receiver accepted it: the time of a status or message whose own
   *     timestamp is missing
   */
  WebhookOutcome apply(ParsedWebhook w, String keyPhoneNumberId, Instant receivedAt)
      throws SQLException {
    WebhookOutcome out = new WebhookOutcome();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        for (StatusEvent s : w.statuses()) {
          status(c, s, receivedAt, out);
        }
        for (InboundMessage m : w.messages()) {
          inbound(c, m, receivedAt, out);
        }
        for (QualityUpdate q : w.qualityUpdates()) {
          quality(c, q, keyPhoneNumberId, out);
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
    return out;
  }

  private void status(Connection c, StatusEvent s, Instant receivedAt, WebhookOutcome out)
      throws SQLException {
    List<DeviceRef> refs = devices.byPhoneNumberId(c, s.phoneNumberId());
    if (refs.isEmpty()) {
      out.unmatchedDevices++;
      return;
    }
    Instant at = s.at() != null ? s.at() : receivedAt;
    List<Locked> rows = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(LOCK_DELIVERY)) {
      ps.setString(1, s.messageId());
      ps.setArray(2, ids(c, refs));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(
              new Locked(
                  rs.getString(1),
                  ProviderStatus.fromWire(rs.getString(2)),
                  instant(rs.getTimestamp(3)),
                  instant(rs.getTimestamp(4)),
                  rs.getString(5),
                  (UUID) rs.getObject(6),
                  instant(rs.getTimestamp(7)),
                  (UUID) rs.getObject(8)));
        }
      }
    }
    if (rows.isEmpty()) {
      out.unmatchedMessages++; // purged, or sent by another tool on the same number
      return;
    }
    for (Locked row : rows) {
      StatusTransition t =
          StatusTransition.decide(row.status, row.deliveredAt, row.readAt, s.status(), at);
      if (!t.forward()) {
        out.notForward++;
        continue;
      }
      boolean failed = t.status() == ProviderStatus.FAILED;
      try (PreparedStatement ps = c.prepareStatement(UPDATE_DELIVERY)) {
        ps.setString(1, t.status().wire());
        ps.setTimestamp(2, Timestamp.from(t.statusAt()));
        ps.setTimestamp(3, t.deliveredAt() == null ? null : Timestamp.from(t.deliveredAt()));
        ps.setTimestamp(4, t.readAt() == null ? null : Timestamp.from(t.readAt()));
        ps.setBoolean(5, failed);
        ps.setString(6, s.errorCode());
        ps.setBoolean(7, failed);
        ps.setString(8, s.errorMessage());
        ps.setString(9, row.commandId);
        ps.executeUpdate();
      }
      out.applied(t.status());
      if (t.firstDelivered() || t.firstRead()) {
        count(c, row, t.firstDelivered() ? 1 : 0, t.firstRead() ? 1 : 0);
      }
    }
  }

  private record Locked(
      String commandId,
      ProviderStatus status,
      Instant deliveredAt,
      Instant readAt,
      String kind,
      UUID scheduleId,
      Instant occurrenceAt,
      UUID tenant) {}

  /** Counts a first delivered or read on the broadcast or the occurrence's log row. */
  private static void count(Connection c, Locked row, int delivered, int read) throws SQLException {
    if (row.scheduleId == null || row.kind == null) {
      return; // a delivery of no schedule: nothing to count on
    }
    if (row.kind.equals("broadcast")) {
      try (PreparedStatement ps = c.prepareStatement(COUNT_BROADCAST)) {
        ps.setInt(1, delivered);
        ps.setInt(2, read);
        ps.setObject(3, row.scheduleId, Types.OTHER);
        ps.executeUpdate();
      }
      return;
    }
    String sql;
    if (row.kind.equals("recurring")) {
      sql = String.format(COUNT_LOG, "recurring_message_logs", "recurring_message_id");
    } else if (row.kind.equals("autopost")) {
      sql = String.format(COUNT_LOG, "auto_post_logs", "auto_post_schedule_id");
    } else {
      return;
    }
    if (row.occurrenceAt == null) {
      return; // no occurrence, no log row (the unique key needs one)
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, row.scheduleId, Types.OTHER);
      ps.setObject(2, row.tenant, Types.OTHER);
      ps.setTimestamp(3, Timestamp.from(row.occurrenceAt));
      ps.setInt(4, delivered);
      ps.setInt(5, read);
      ps.executeUpdate();
    }
  }

  private void inbound(Connection c, InboundMessage m, Instant receivedAt, WebhookOutcome out)
      throws SQLException {
    List<DeviceRef> refs = devices.byPhoneNumberId(c, m.phoneNumberId());
    if (refs.isEmpty()) {
      out.unmatchedDevices++;
      return;
    }
    out.inbound++;
    Instant at = m.at() != null ? m.at() : receivedAt;
    try (PreparedStatement ps = c.prepareStatement(WINDOW)) {
      for (DeviceRef d : refs) {
        ps.setObject(1, d.id(), Types.OTHER);
        ps.setString(2, m.from());
        ps.setTimestamp(3, Timestamp.from(at));
        ps.addBatch();
      }
      ps.executeBatch();
    }
    if (!m.optOut()) {
      return;
    }
    out.optOuts++;
    String bare = m.from().startsWith("+") ? m.from().substring(1) : m.from();
    int contacts = 0;
    try (PreparedStatement ps = c.prepareStatement(OPT_OUT)) {
      for (UUID tenant : tenants(refs)) {
        ps.setObject(1, tenant, Types.OTHER);
        ps.setString(2, "+" + bare);
        ps.setString(3, bare);
        contacts += ps.executeUpdate();
      }
    }
    out.contactsOptedOut += contacts;
    // no number in the log: the device and how many contact rows changed
    log.info(
        "Contact opted out by keyword: devices={} contactsChanged={}",
        refs.stream().map(DeviceRef::id).toList(),
        contacts);
  }

  private void quality(Connection c, QualityUpdate q, String keyPhoneNumberId, WebhookOutcome out)
      throws SQLException {
    String id = q.phoneNumberId() != null ? q.phoneNumberId() : keyPhoneNumberId;
    List<DeviceRef> refs = List.of();
    if (id != null) {
      refs = devices.byPhoneNumberId(c, id);
    }
    if (refs.isEmpty() && q.displayPhoneNumber() != null) {
      refs = devices.byDisplayNumber(c, q.displayPhoneNumber());
    }
    if (refs.isEmpty()) {
      out.unmatchedDevices++;
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(QUALITY)) {
      ps.setString(1, q.rating());
      ps.setBoolean(2, q.limit() != null);
      if (q.limit() == null || q.limit().limit() == null) {
        ps.setNull(3, Types.INTEGER);
      } else {
        ps.setInt(3, q.limit().limit());
      }
      ps.setArray(4, ids(c, refs));
      ps.executeUpdate();
    }
    out.qualityUpdates++;
    log.info(
        "Number quality updated: devices={} event={} rating={} reportedLimit={}",
        refs.stream().map(DeviceRef::id).toList(),
        q.event(),
        q.rating(),
        q.limit() == null ? "unchanged" : q.limit().unlimited() ? "unlimited" : q.limit().limit());
  }

  private static List<UUID> tenants(List<DeviceRef> refs) {
    return refs.stream().map(DeviceRef::tenant).filter(Objects::nonNull).distinct().toList();
  }

  private static Array ids(Connection c, List<DeviceRef> refs) throws SQLException {
    return c.createArrayOf("uuid", refs.stream().map(DeviceRef::id).toArray());
  }

  private static Instant instant(Timestamp ts) {
    return ts == null ? null : ts.toInstant();
  }
}
