package io.herald.sender.ledger.jdbc;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.limit.Limits;
import io.herald.sender.ledger.Finish;
import io.herald.sender.ledger.jdbc.JdbcDeliveryLedger.RejectRequest;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The SQL of {@link JdbcDeliveryLedger#reject}: one batch of commands rejected before any claim, in
 * one statement, storing only what can be stored as it is.
 */
final class JdbcRejections {

  private static final String INSERT_REJECTED =
      "INSERT INTO deliveries (command_id, user_id, device_id, schedule_kind, schedule_id,"
          + " occurrence_at, recipient, status, attempts, error_code, error_message, finished_at)"
          + " SELECT v.command_id, v.user_id, v.device_id, v.schedule_kind, v.schedule_id,"
          + " v.occurrence_at, v.recipient, v.status, 0, v.error_code, v.error_message,"
          + " v.finished_at"
          + " FROM unnest(?::text[], ?::uuid[], ?::uuid[], ?::text[], ?::uuid[],"
          + " ?::timestamptz[], ?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[])"
          + " AS v(command_id, user_id, device_id, schedule_kind, schedule_id, occurrence_at,"
          + " recipient, status, error_code, error_message, finished_at)"
          + " ON CONFLICT (command_id) DO NOTHING RETURNING command_id";

  /** Years PostgreSQL's timestamptz and ISO-8601 text both carry as they are. */
  private static final Instant EARLIEST_STORABLE = Instant.parse("0001-01-01T00:00:00Z");

  private static final Instant LATEST_STORABLE = Instant.parse("9999-12-31T23:59:59.999999Z");

  private final DataSource dataSource;

  JdbcRejections(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** One batch of rejected commands in one statement. */
  List<Boolean> rejectAll(List<RejectRequest> batch) throws SQLException {
    Map<String, RejectRequest> firsts = new TreeMap<>();
    for (RejectRequest r : batch) {
      firsts.putIfAbsent(r.command().commandId().value(), r);
    }
    List<List<String>> columns = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      columns.add(new ArrayList<>());
    }
    for (RejectRequest r : firsts.values()) {
      SendCommand cmd = r.command();
      Finish f = r.finish();
      Instant occ = cmd.occurrenceAt();
      boolean occOk =
          occ != null && !occ.isBefore(EARLIEST_STORABLE) && !occ.isAfter(LATEST_STORABLE);
      String key = storable(cmd.scheduleKey(), Limits.SCHEDULE_KEY_MAX_CHARS);
      columns.get(0).add(cmd.commandId().value());
      columns.get(1).add(text(SqlValues.uuidOrNull(storable(cmd.tenantId(), Limits.ID_MAX_CHARS))));
      columns.get(2).add(text(SqlValues.uuidOrNull(storable(cmd.deviceId(), Limits.ID_MAX_CHARS))));
      columns.get(3).add(cmd.kind() == null ? null : cmd.kind().wire());
      columns.get(4).add(text(SqlValues.scheduleId(key)));
      columns.get(5).add(occOk ? text(occ) : null);
      columns.get(6).add(storable(cmd.recipient(), Limits.RECIPIENT_MAX_CHARS));
      columns.get(7).add(f.status().wire());
      columns.get(8).add(f.errorCode());
      columns.get(9).add(f.errorMessage());
      columns.get(10).add(text(f.finishedAt()));
    }
    Set<String> inserted = new HashSet<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(INSERT_REJECTED)) {
      for (int i = 0; i < columns.size(); i++) {
        ps.setArray(i + 1, textArray(c, columns.get(i)));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          inserted.add(rs.getString(1));
        }
      }
    }
    List<Boolean> out = new ArrayList<>(batch.size());
    Set<String> answered = new HashSet<>();
    for (RejectRequest r : batch) {
      String id = r.command().commandId().value();
      out.add(answered.add(id) && inserted.contains(id));
    }
    return out;
  }

  /** {@code s} when it fits {@code max} characters without control characters, else null. */
  private static String storable(String s, int max) {
    if (s == null || s.length() > max) {
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        return null;
      }
    }
    return s;
  }

  private static Array textArray(Connection c, List<String> values) throws SQLException {
    return c.createArrayOf("text", values.toArray(new String[0]));
  }

  private static String text(UUID value) {
    return value == null ? null : value.toString();
  }

  private static String text(Instant value) {
    return value == null ? null : value.toString();
  }
}
