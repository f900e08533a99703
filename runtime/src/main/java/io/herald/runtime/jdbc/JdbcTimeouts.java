package io.herald.runtime.jdbc;

import java.time.Duration;
import java.util.Properties;

/**
 * The PostgreSQL driver's timeouts every Herald connection carries, so that a database that stops
 * answering (or a lock a writer holds forever) ends a call with an error instead of holding a
 * thread: connect 10 s, login (connect and start-up handshake together) 15 s, socket read 60 s,
 * statement 30 s, lock wait 10 s. They are connection properties of pgjdbc; a parameter of the same
 * name in the JDBC URL wins, which is how an operator changes one ({@code ...?socketTimeout=120}).
 */
public final class JdbcTimeouts {

  public static final Duration CONNECT = Duration.ofSeconds(10);

  /** A server that accepts the connection but never answers the start-up (frozen) ends here. */
  public static final Duration LOGIN = Duration.ofSeconds(15);

  public static final Duration SOCKET = Duration.ofSeconds(60);
  public static final Duration STATEMENT = Duration.ofSeconds(30);
  public static final Duration LOCK = Duration.ofSeconds(10);

  private JdbcTimeouts() {}

  /** The driver properties, to add to a connection's (user, password, application name...). */
  public static Properties properties() {
    Properties p = new Properties();
    p.setProperty("connectTimeout", Long.toString(CONNECT.toSeconds()));
    p.setProperty("loginTimeout", Long.toString(LOGIN.toSeconds()));
    p.setProperty("socketTimeout", Long.toString(SOCKET.toSeconds()));
    // server-side: sent as startup options, so every statement of the session is bounded
    p.setProperty(
        "options",
        "-c statement_timeout=" + STATEMENT.toMillis() + " -c lock_timeout=" + LOCK.toMillis());
    return p;
  }

  /** {@link #properties()} plus user and password (either may be null: the driver's default). */
  public static Properties with(String user, String password) {
    Properties p = properties();
    if (user != null) {
      p.setProperty("user", user);
    }
    if (password != null) {
      p.setProperty("password", password);
    }
    return p;
  }
}
