package io.herald.quickstart;

import io.herald.console.read.DefinitionSql;
import io.herald.console.read.Definitions;
import io.herald.console.read.Definitions.History;
import io.herald.console.read.Definitions.Row;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads what {@code herald status} shows from PostgreSQL: per definition (recurring, broadcast,
 * autopost) its state and the outcomes of its recipients (delivered and read as the provider's
 * webhooks reported them, ADR 0021), and for one definition its occurrence history, with the
 * console's statements and mapping ({@link Definitions}). Reads only; Herald's services write these
 * rows. Neither recipients nor message texts are selected.
 */
final class StatusView {

  /** Occurrences {@code status --id} lists; the rest are counted. */
  static final int HISTORY_LIMIT = DefinitionSql.HISTORY_LIMIT;

  private final String jdbcUrl;
  private final String user;
  private final String password;

  StatusView(String jdbcUrl, String user, String password) {
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
  }

  /** Every definition with its totals, as printable lines (a header first). */
  List<String> overview() throws SQLException {
    List<String> lines = new ArrayList<>();
    lines.add(StatusFormat.overviewHeader());
    try (Connection c = connect()) {
      Definitions.all(c).forEach(row -> lines.add(StatusFormat.overviewLine(row)));
    }
    return lines;
  }

  /** The definition with this id and its occurrence history; empty when no table holds it. */
  Optional<List<String>> detail(UUID id) throws SQLException {
    try (Connection c = connect()) {
      // one snapshot for the totals and the history
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      try {
        // no tenant: the operator's CLI sees every tenant's definitions
        Optional<Row> row = Definitions.find(c, id, null);
        if (row.isEmpty()) {
          return Optional.empty();
        }
        History history = Definitions.history(c, row.get());
        List<String> lines =
            new ArrayList<>(StatusFormat.detail(row.get(), history.newest(), history.count()));
        deferred(c, id).ifPresent(line -> lines.add(Math.min(lines.size(), 7), line));
        return Optional.of(lines);
      } finally {
        c.rollback();
      }
    }
  }

  /**
   * Sends of the definition held back by the number's messaging limit and not sent since (ADR
   * 0021): how many, and when the next slot frees.
   */
  private static Optional<String> deferred(Connection c, UUID id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT count(*), min(d.until_at) FROM deferred_sends d JOIN deliveries x"
                + " ON x.command_id = d.command_id AND x.status = 'claimed'"
                + " WHERE d.schedule_id = ?")) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getLong(1) == 0) {
          return Optional.empty();
        }
        return Optional.of(StatusFormat.deferred(rs.getLong(1), instant(rs.getTimestamp(2))));
      }
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl, user, password);
  }

  private static Instant instant(Timestamp ts) {
    return ts == null ? null : ts.toInstant();
  }
}
