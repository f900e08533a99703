package io.herald.quickstart;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The quick start's demo: one tenant, two devices whose schedules pace differently, 50 contacts, a
 * recurring message every minute, a broadcast now, a broadcast 30 s ahead and an auto-post to 3
 * groups. Ids are fixed so a second start recognises its own data instead of seeding twice.
 */
public final class DemoData {

  public static final UUID TENANT = UUID.fromString("00000000-0000-4000-8000-0000000000a1");
  public static final UUID DEVICE_A = UUID.fromString("00000000-0000-4000-8000-0000000000d1");
  public static final UUID DEVICE_B = UUID.fromString("00000000-0000-4000-8000-0000000000d2");
  public static final UUID RECURRING = UUID.fromString("00000000-0000-4000-8000-000000000101");
  public static final UUID BROADCAST_NOW = UUID.fromString("00000000-0000-4000-8000-000000000201");
  public static final UUID BROADCAST_LATER =
      UUID.fromString("00000000-0000-4000-8000-000000000202");
  public static final UUID AUTOPOST = UUID.fromString("00000000-0000-4000-8000-000000000301");
  public static final int CONTACTS = 50;

  private static final String[] NAMES = {
    "Ayu", "Budi", "Citra", "Dewi", "Eko", "Fitri", "Gilang", "Hana", "Indra", "Joko"
  };

  private DemoData() {}

  /** True when the demo tenant's rows exist already (a second start on kept data). */
  public static boolean present(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM devices WHERE id = ?")) {
      ps.setObject(1, DEVICE_A);
      return ps.executeQuery().next();
    }
  }

  /** Inserts the demo rows in one transaction, relative to {@code now}. */
  public static void seed(String jdbcUrl, String user, String password, Instant now)
      throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
      if (present(c)) {
        return;
      }
      c.setAutoCommit(false);
      exec(
          c,
          "INSERT INTO devices(id, user_id, name, phone_number, transport, transport_config, status)"
              + " VALUES (?, ?, 'Sales phone (manual 2 s, batches of 5)', '+15550100001', 'simulated', '{}'::jsonb, 'active'),"
              + "        (?, ?, 'Support phone (adaptive)', '+15550100002', 'simulated', '{}'::jsonb, 'active')",
          DEVICE_A,
          TENANT,
          DEVICE_B,
          TENANT);
      List<String> contactIds = new ArrayList<>();
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO contacts(id, user_id, phone_number, name, fields) VALUES (?, ?, ?, ?, ?::jsonb)")) {
        for (int i = 0; i < CONTACTS; i++) {
          UUID id = UUID.fromString(String.format("00000000-0000-4000-8000-%012d", 1000 + i));
          contactIds.add(id.toString());
          ps.setObject(1, id);
          ps.setObject(2, TENANT);
          ps.setString(3, String.format("+1555020%04d", i));
          ps.setString(4, NAMES[i % NAMES.length] + " " + (i + 1));
          ps.setString(5, "{\"city\":\"Jakarta\"}");
          ps.addBatch();
        }
        ps.executeBatch();
      }
      String first10 = jsonArray(contactIds.subList(0, 10));
      String all = jsonArray(contactIds);
      exec(
          c,
          "INSERT INTO recurring_messages(id, user_id, device_id, name, message, target_contacts,"
              + " frequency, interval_value, interval_unit, timezone, start_date, catch_up,"
              + " delay_type, delay_seconds, randomize_delay, batch_size, pause_between_batches, status)"
              + " VALUES (?, ?, ?, 'Minute tip', '{Hi|Hello} {name}, your tip for {time}: drink water.', ?::jsonb,"
              + " 'custom', 1, 'minutes', 'UTC', (now() at time zone 'UTC')::date - 1, 'skip',"
              + " 'manual', 2, false, 5, 10, 'active')",
          RECURRING,
          TENANT,
          DEVICE_A,
          first10);
      exec(
          c,
          "INSERT INTO broadcasts(id, user_id, device_id, name, message, target_contacts, scheduled_at,"
              + " status, delay_type, delay_seconds, randomize_delay)"
              + " VALUES (?, ?, ?, 'Launch announcement (now)', 'Hello {name}! Herald is live.', ?::jsonb, NULL,"
              + " 'scheduled', 'adaptive', 1, true)",
          BROADCAST_NOW,
          TENANT,
          DEVICE_B,
          all);
      exec(
          c,
          "INSERT INTO broadcasts(id, user_id, device_id, name, message, target_contacts, scheduled_at,"
              + " status, delay_type, delay_seconds, randomize_delay)"
              + " VALUES (?, ?, ?, 'Reminder (in 30 s)', 'Reminder for {name}: see you at {time}.', ?::jsonb, ?,"
              + " 'scheduled', 'manual', 1, false)",
          BROADCAST_LATER,
          TENANT,
          DEVICE_A,
          first10,
          Timestamp.from(now.plusSeconds(30)));
      exec(
          c,
          "INSERT INTO auto_post_schedules(id, user_id, device_id, name, message, target_groups,"
              + " frequency, interval_value, interval_unit, timezone, start_date, catch_up,"
              + " delay_type, delay_seconds, randomize_delay, status)"
              + " VALUES (?, ?, ?, 'Group digest', 'Digest of {date} {time}', ?::jsonb,"
              + " 'custom', 2, 'minutes', 'UTC', (now() at time zone 'UTC')::date - 1, 'skip',"
              + " 'manual', 1, false, 'active')",
          AUTOPOST,
          TENANT,
          DEVICE_B,
          "[\"120363000000000001@g.us\",\"120363000000000002@g.us\",\"120363000000000003@g.us\"]");
      c.commit();
    }
  }

  private static void exec(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      ps.executeUpdate();
    }
  }

  private static String jsonArray(List<String> values) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) {
      sb.append(i == 0 ? "" : ",").append('"').append(values.get(i)).append('"');
    }
    return sb.append(']').toString();
  }
}
