package io.herald.e2e;

import static org.awaitility.Awaitility.await;

import io.herald.contracts.command.CommandId;
import io.herald.testsupport.FakeWhatsAppApi;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The tenant that must not notice anything: its own device, two contacts, and one recurring message
 * row firing every minute (custom rule, every 1 minute from yesterday 00:00 UTC, so on each minute
 * boundary), addressed to the contacts by id. It reaches the scheduler like a user's row (CDC), is
 * rendered per contact and sent through the fake Cloud API, so every stage a poison input could
 * stop is on its path.
 *
 * <p>It is judged per minute: for every minute boundary {@code M} in a window, each contact's
 * command id {@code CommandId.of(key, M, contactId)} reached the fake at most {@link #LATENESS}
 * after {@code M}, exactly once. {@code fire_all} catch-up makes a stalled scheduler show as late
 * sends rather than as silently skipped minutes; both count as missed.
 */
final class HealthyTenant {

  /** Normal lateness of a minute's send: tick, fan-out, command topic, sender lane, HTTP. */
  static final Duration LATENESS = Duration.ofSeconds(10);

  final Workload workload;
  final Workload.Device device;
  final List<String> contactIds = new ArrayList<>();
  final String rowId = UUID.randomUUID().toString();
  final String key = "recurring:" + rowId;

  private HealthyTenant(Workload workload, Workload.Device device) {
    this.workload = workload;
    this.device = device;
  }

  /** Inserts tenant, device, contacts and the every-minute row; does not wait. */
  static HealthyTenant create(Pipeline pipeline) {
    Workload w = new Workload(pipeline);
    HealthyTenant t = new HealthyTenant(w, w.device());
    try (Connection c = pipeline.db.connect()) {
      List<String> phones = w.phones(2);
      String[] names = {"Bea", "Ben"};
      for (int i = 0; i < phones.size(); i++) {
        String id = UUID.randomUUID().toString();
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO contacts (id, user_id, phone_number, name, fields)"
                    + " VALUES (?, ?, ?, ?, '{\"city\":\"Lyon\"}'::jsonb)")) {
          ps.setObject(1, UUID.fromString(id), Types.OTHER);
          ps.setObject(2, UUID.fromString(w.tenant), Types.OTHER);
          ps.setString(3, phones.get(i));
          ps.setString(4, names[i]);
          ps.executeUpdate();
        }
        t.contactIds.add(id);
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO recurring_messages (id, user_id, device_id, name, message,"
                  + " target_contacts, frequency, interval_value, interval_unit, timezone, start_date,"
                  + " catch_up, catch_up_grace_seconds, is_active, delay_type, delay_seconds,"
                  + " randomize_delay) VALUES (?, ?, ?, 'healthy tenant, every minute', ?, ?::jsonb,"
                  + " 'custom', 1, 'minutes', 'UTC', ?::date, 'fire_all', 3600, true, 'manual', 0,"
                  + " false)")) {
        ps.setObject(1, UUID.fromString(t.rowId), Types.OTHER);
        ps.setObject(2, UUID.fromString(w.tenant), Types.OTHER);
        ps.setObject(3, UUID.fromString(t.device.id()), Types.OTHER);
        ps.setString(4, w.message());
        ps.setString(5, Workload.jsonArray(t.contactIds));
        ps.setString(6, LocalDate.now(ZoneOffset.UTC).minusDays(1).toString());
        ps.executeUpdate();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot insert the healthy tenant", e);
    }
    return t;
  }

  /** Waits for the first minute that reached every contact; returns that minute. */
  Instant awaitFirstMinute(Duration timeout) {
    Instant[] first = new Instant[1];
    await("the healthy tenant's first every-minute send")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              Map<String, Instant> got = received();
              for (Instant m = Instant.now().truncatedTo(ChronoUnit.MINUTES);
                  m.isAfter(Instant.now().minus(Duration.ofMinutes(3)));
                  m = m.minusSeconds(60)) {
                Instant minute = m;
                if (contactIds.stream().allMatch(c -> got.containsKey(id(minute, c)))) {
                  first[0] = minute;
                  return true;
                }
              }
              return false;
            });
    return first[0];
  }

  String id(Instant minute, String contactId) {
    return CommandId.of(key, minute, contactId).value();
  }

  /** Command id → first arrival at the fake, for this tenant's device. */
  private Map<String, Instant> received() {
    Map<String, Instant> out = new HashMap<>();
    for (FakeWhatsAppApi.Request r : workload.pipeline.fake.requests()) {
      if (device.phoneNumberId().equals(r.phoneNumberId()) && r.commandId().isPresent()) {
        out.merge(r.commandId().get(), r.receivedAt(), (a, b) -> a.isBefore(b) ? a : b);
      }
    }
    return out;
  }

  private Map<String, Integer> receivedCounts() {
    Map<String, Integer> out = new HashMap<>();
    for (FakeWhatsAppApi.Request r : workload.pipeline.fake.requests()) {
      if (device.phoneNumberId().equals(r.phoneNumberId()) && r.commandId().isPresent()) {
        out.merge(r.commandId().get(), 1, Integer::sum);
      }
    }
    return out;
  }

  /**
   * The minutes in {@code (from, to]} that some contact did not receive on time, or received twice;
   * each with what was wrong. {@code all}: judge every one of them (the caller waited for the
   * last); otherwise only those whose deadline ({@code M + LATENESS}) has passed.
   */
  List<String> missedMinutes(Instant from, Instant to, boolean all) {
    Map<String, Instant> got = received();
    Map<String, Integer> counts = receivedCounts();
    List<String> missed = new ArrayList<>();
    Instant now = Instant.now();
    for (Instant m = from.truncatedTo(ChronoUnit.MINUTES).plusSeconds(60);
        !m.isAfter(to);
        m = m.plusSeconds(60)) {
      if (!all && m.plus(LATENESS).isAfter(now)) {
        break;
      }
      for (String c : contactIds) {
        Instant at = got.get(id(m, c));
        if (at == null) {
          missed.add(m + " not sent to contact " + c);
        } else if (Duration.between(m, at).compareTo(LATENESS) > 0) {
          missed.add(m + " sent " + Duration.between(m, at).toMillis() + " ms late");
        } else if (counts.getOrDefault(id(m, c), 0) > 1) {
          missed.add(m + " sent " + counts.get(id(m, c)) + " times to contact " + c);
        }
      }
    }
    return missed;
  }

  /** Minute boundaries in {@code (from, to]}. */
  static long minutesIn(Instant from, Instant to) {
    return ChronoUnit.MINUTES.between(
        from.truncatedTo(ChronoUnit.MINUTES), to.truncatedTo(ChronoUnit.MINUTES));
  }

  /** Deactivates the row so that later test classes of this JVM see no minute sends. */
  void stop() {
    try (Connection c = workload.pipeline.db.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE recurring_messages SET is_active = false, updated_at = now() WHERE id = ?")) {
      ps.setObject(1, UUID.fromString(rowId), Types.OTHER);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot deactivate the healthy tenant's row", e);
    }
  }
}
