package io.herald.console.read;

import io.herald.runtime.jdbc.JdbcTimeouts;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Connections to Herald's PostgreSQL, one per request: an admin page is asked for rarely, and a
 * pool would hold connections the services need. Every connection carries Herald's timeouts.
 */
public final class Db {

  private final String url;
  private final Properties properties;

  public Db(String url, String user, String password) {
    this.url = url;
    this.properties = JdbcTimeouts.with(user, password);
    properties.setProperty("ApplicationName", "herald-console");
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url, properties);
  }

  /** A read-only connection in one snapshot (repeatable read); the caller closes it. */
  public Connection snapshot() throws SQLException {
    Connection c = connect();
    try {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      return c;
    } catch (SQLException e) {
      c.close();
      throw e;
    }
  }

  public String url() {
    return url;
  }
}
