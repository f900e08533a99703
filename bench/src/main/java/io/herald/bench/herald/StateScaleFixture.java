package io.herald.bench.herald;

import io.herald.bench.scenario.BenchContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalTime;
import java.time.ZoneOffset;

/**
 * The rows {@link StateScaleScenario} writes: its device, the N daily schedules, and the re-timing
 * of every {@link StateScaleScenario#HOT_EVERY}-th one into the lateness window; and the row number
 * back from a schedule key.
 */
final class StateScaleFixture {

  static final String DEVICE = "00000000-0000-4000-8000-0000005ca1e0";

  /** Schedule ids: this prefix + the row number in 12 hex digits. */
  static final String ID_PREFIX = "00000000-5ca1-4000-8000-";

  static final String KEY_PREFIX = "recurring:" + ID_PREFIX;

  private StateScaleFixture() {}

  /** Row number of a bench schedule key ({@code recurring:<prefix><12 hex>}), or -1. */
  static int index(String key) {
    if (key == null || !key.startsWith(KEY_PREFIX) || key.length() != KEY_PREFIX.length() + 12) {
      return -1;
    }
    return (int) Long.parseLong(key.substring(KEY_PREFIX.length()), 16);
  }

  static void insertDevice(BenchContext ctx) throws SQLException {
    try (Connection c = ctx.infra().database().connection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO devices (id, user_id, name, transport, status)"
                    + " VALUES (?::uuid, ?::uuid, 'bench-state', 'simulated', 'active')")) {
      ps.setString(1, DEVICE);
      ps.setString(2, CdcLatencyScenario.TENANT);
      ps.executeUpdate();
    }
  }

  /** N daily schedules in one transaction, times of day from now+1 h spread over 22 h. */
  static void insertSchedules(BenchContext ctx, int n) throws SQLException {
    double first = LocalTime.now(ZoneOffset.UTC).toSecondOfDay() + 3600;
    double step = 22 * 3600.0 / n;
    try (Connection c = ctx.infra().database().connection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO recurring_messages (id, user_id, device_id, name, message,"
                    + " target_contacts, frequency, time_of_day, timezone, delay_type,"
                    + " delay_seconds, randomize_delay)"
                    + " SELECT ('"
                    + ID_PREFIX
                    + "' || lpad(to_hex(g), 12, '0'))::uuid, ?::uuid,"
                    + " ?::uuid, 'bench state ' || g, 'Hello from the bench',"
                    + " jsonb_build_array('+4915' || lpad(g::text, 9, '0')), 'daily',"
                    + " time '00:00' + make_interval(secs => ?::double precision"
                    + " + g * ?::double precision), 'UTC', 'manual', 0, false"
                    + " FROM generate_series(0, ? - 1) AS g")) {
      c.setAutoCommit(true);
      ps.setString(1, CdcLatencyScenario.TENANT);
      ps.setString(2, DEVICE);
      ps.setDouble(3, first);
      ps.setDouble(4, step);
      ps.setInt(5, n);
      ps.executeUpdate();
    }
  }

  /** Moves every HOT_EVERY-th schedule to whole seconds spread over the window (one UPDATE). */
  static void retime(BenchContext ctx, int n, long windowStart, long windowMs) throws SQLException {
    int hot = (n + StateScaleScenario.HOT_EVERY - 1) / StateScaleScenario.HOT_EVERY;
    long startSecOfDay = Math.floorMod(windowStart / 1000, 86_400L);
    try (Connection c = ctx.infra().database().connection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE recurring_messages SET time_of_day = time '00:00'"
                    + " + make_interval(secs => ?::double precision"
                    + " + floor((substring(name from 13))::int / "
                    + StateScaleScenario.HOT_EVERY
                    + " * ?::double precision))"
                    + " WHERE name LIKE 'bench state %'"
                    + " AND (substring(name from 13))::int % "
                    + StateScaleScenario.HOT_EVERY
                    + " = 0")) {
      c.setAutoCommit(true);
      ps.setDouble(1, startSecOfDay);
      ps.setDouble(2, (windowMs / 1000.0) / hot);
      ps.executeUpdate();
    }
  }
}
