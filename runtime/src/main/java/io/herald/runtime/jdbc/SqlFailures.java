package io.herald.runtime.jdbc;

import java.io.IOException;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.concurrent.TimeoutException;

/**
 * Whose fault a failed write of one record is: the record's data (dead-letter it, go on with the
 * next) or the infrastructure (retry with backoff, the record is fine). Decided from what was
 * thrown while that record was decoded, mapped and written, and its causes. Pure: {@code java.*}
 * only. The one rule set of both projectors (the scheduler's write-back and the sender's results).
 *
 * <table>
 *   <caption>Classification</caption>
 *   <tr><th>thrown (first match wins)</th><th>fault</th><th>why</th></tr>
 *   <tr><td>an {@link Error}</td><td>INFRASTRUCTURE</td><td>the JVM, not the record</td></tr>
 *   <tr><td>in the chain, the first {@link SQLException} that is a {@link SQLTransientException},
 *       {@link SQLRecoverableException} or {@link SQLNonTransientConnectionException}, whatever
 *       its SQLState</td>
 *       <td>INFRASTRUCTURE</td><td>the driver or the pool says retrying can succeed</td></tr>
 *   <tr><td>in the chain, the first SQLException with a five-character SQLState: class 22
 *       (data exception: out of range, bad format, NUL byte, bad uuid, timestamp overflow)</td>
 *       <td>DATA</td><td>the value can never be stored</td></tr>
 *   <tr><td>class 23 (integrity constraint violation)</td><td>DATA</td>
 *       <td>the same row and value violate it again on every attempt</td></tr>
 *   <tr><td>class 54 (program limit exceeded: index row or statement too large)</td>
 *       <td>DATA</td><td>the size comes from the record's content</td></tr>
 *   <tr><td>42804 (datatype mismatch)</td><td>DATA</td>
 *       <td>the statements are fixed text, so a column and an expression of different types
 *       come from a value the record carried (e.g. bound with {@code setObject}, whose SQL type
 *       follows the Java value): the other records pass, this one fails every time</td></tr>
 *   <tr><td>any other state: the rest of class 42 (undefined table or column, privilege, syntax),
 *       08 connection, 25 transaction state, 40 rollback (serialization, deadlock), 53
 *       insufficient resources, 55 object state (lock not available), 57 operator intervention
 *       (57P01 admin shutdown, 57014 statement timeout), 58 system error, XX internal</td>
 *       <td>INFRASTRUCTURE</td><td>a migration, grant, the server or the way to it: every record
 *       would fail, none may be dropped; retrying later can succeed</td></tr>
 *   <tr><td>SQLExceptions without a usable SQLState (missing or malformed) and none further down:
 *       the outermost is a {@link SQLDataException} or {@link
 *       SQLIntegrityConstraintViolationException}</td><td>DATA</td>
 *       <td>the JDBC type says what the state would have</td></tr>
 *   <tr><td>... any other such SQLException</td><td>INFRASTRUCTURE</td>
 *       <td>nothing says the record is at fault</td></tr>
 *   <tr><td>no SQLException, but an {@link IOException} or a {@link TimeoutException} in the
 *       chain</td><td>INFRASTRUCTURE</td><td>the network or disk on the way</td></tr>
 *   <tr><td>any other {@link RuntimeException}</td><td>DATA</td>
 *       <td>thrown while decoding or mapping the record's content (e.g. an instant outside
 *       {@code OffsetDateTime}'s range, a null where a value was expected): it is thrown again on
 *       every attempt</td></tr>
 *   <tr><td>any other (checked) exception</td><td>INFRASTRUCTURE</td><td>not the record's</td></tr>
 * </table>
 *
 * <p>Wrappers are looked through: a stateless SQLException (a batch wrapper) defers to its causes,
 * and a SQLException anywhere in the chain decides before an I/O cause does. Unknown SQLStates
 * count as infrastructure on purpose: a projector that retries a record it could have skipped
 * stalls visibly (failures metric, logs), one that dead-letters on a database outage loses state
 * silently.
 */
public final class SqlFailures {

  /** Who has to change for the write to succeed. */
  public enum Fault {
    /** The record's data: dead-letter it, continue with the next record. */
    DATA,
    /** The database, broker or the way to them: roll back, retry the same work later. */
    INFRASTRUCTURE
  }

  /** Causes looked through; a longer (or cyclic) chain is not the database's. */
  private static final int MAX_CAUSES = 20;

  private SqlFailures() {}

  /**
   * @param thrown what applying one record threw (decoding, mapping, its statements or commit)
   */
  public static Fault classify(Throwable thrown) {
    if (thrown instanceof Error) {
      return Fault.INFRASTRUCTURE;
    }
    Fault byJdbcType = null; // from the outermost SQLException without a usable state
    boolean io = false;
    Throwable t = thrown;
    for (int depth = 0; t != null && depth < MAX_CAUSES; depth++, t = t.getCause()) {
      if (t instanceof SQLException) {
        SQLException sql = (SQLException) t;
        if (sql instanceof SQLTransientException
            || sql instanceof SQLRecoverableException
            || sql instanceof SQLNonTransientConnectionException) {
          return Fault.INFRASTRUCTURE;
        }
        String state = sql.getSQLState();
        if (state != null && state.length() == 5) {
          return byState(state);
        }
        if (byJdbcType == null) {
          byJdbcType =
              sql instanceof SQLDataException
                      || sql instanceof SQLIntegrityConstraintViolationException
                  ? Fault.DATA
                  : Fault.INFRASTRUCTURE;
        }
      } else if (t instanceof IOException || t instanceof TimeoutException) {
        io = true;
      }
    }
    if (byJdbcType != null) {
      return byJdbcType;
    }
    if (io) {
      return Fault.INFRASTRUCTURE;
    }
    return thrown instanceof RuntimeException ? Fault.DATA : Fault.INFRASTRUCTURE;
  }

  /** The fault a five-character SQLState names (see the class table). */
  static Fault byState(String state) {
    String cls = state.substring(0, 2);
    if (cls.equals("22") || cls.equals("23") || cls.equals("54") || state.equals("42804")) {
      return Fault.DATA;
    }
    return Fault.INFRASTRUCTURE;
  }

  /**
   * A one-line summary for logs, a row's last error or a dead letter's header: for a database
   * failure the first line of its message (PostgreSQL's "ERROR: ..." without its Detail, which may
   * quote the row) and the SQLState; otherwise the exception's simple name and first line. Not
   * bounded: callers clip it (e.g. {@code ErrorTexts.reason}).
   */
  public static String summary(Throwable thrown) {
    SQLException sql = sqlCause(thrown);
    Throwable t = sql != null ? sql : thrown;
    String message = firstLine(t.getMessage());
    if (sql != null) {
      return (message.isEmpty() ? "database refused the write" : message)
          + (sql.getSQLState() == null ? "" : " (SQLState " + sql.getSQLState() + ")");
    }
    return t.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
  }

  private static SQLException sqlCause(Throwable thrown) {
    Throwable t = thrown;
    for (int depth = 0; t != null && depth < MAX_CAUSES; depth++, t = t.getCause()) {
      if (t instanceof SQLException) {
        return (SQLException) t;
      }
    }
    return null;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).strip();
  }
}
