package io.herald.console.action;

import io.herald.console.auth.Principal;
import io.herald.console.read.Db;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who changed what from the console: a {@code console_audit} row written in the same transaction as
 * the change (no change without its row, no row without its change) and an INFO log line.
 */
public final class Audit {

  public static final int LATEST = 50;

  private static final Logger log = LoggerFactory.getLogger(Audit.class);

  public record Entry(
      long id, Instant at, String principal, String action, String target, String detail) {}

  private final Db db;

  public Audit(Db db) {
    this.db = db;
  }

  /** Records the action in {@code c}'s transaction; logs it once the caller has committed. */
  public static void record(
      Connection c, Principal who, String action, String target, String detail)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO console_audit (principal, action, target, detail) VALUES (?, ?, ?, ?)")) {
      ps.setString(1, who.name());
      ps.setString(2, action);
      ps.setString(3, target);
      ps.setString(4, detail);
      ps.executeUpdate();
    }
  }

  /** The log line of a committed action (names only: no token, no payload, no number). */
  public static void logged(Principal who, String action, String target) {
    log.info("console action: {} {} {}", who.name(), action, target);
  }

  public List<Entry> latest() throws SQLException {
    List<Entry> out = new ArrayList<>();
    try (Connection c = db.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT id, at, principal, action, target, detail FROM console_audit"
                    + " ORDER BY id DESC LIMIT "
                    + LATEST);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(
            new Entry(
                rs.getLong("id"),
                rs.getTimestamp("at").toInstant(),
                rs.getString("principal"),
                rs.getString("action"),
                rs.getString("target"),
                rs.getString("detail")));
      }
    }
    return out;
  }
}
