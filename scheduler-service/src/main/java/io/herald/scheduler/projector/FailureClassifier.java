package io.herald.scheduler.projector;

import io.herald.contracts.limit.ErrorTexts;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/**
 * Whose fault a failed write-back of one record is, decided from what was thrown while that record
 * was decoded, mapped and written. Pure.
 *
 * <table>
 *   <caption>Classification</caption>
 *   <tr><th>thrown</th><th>fault</th><th>why</th></tr>
 *   <tr><td>SQLState class 22 (data exception: out of range, bad format, NUL byte)</td>
 *       <td>RECORD</td><td>the value can never be stored</td></tr>
 *   <tr><td>class 23 (integrity constraint violation)</td><td>RECORD</td>
 *       <td>the same row and value violate it again on every attempt</td></tr>
 *   <tr><td>class 54 (program limit exceeded: index row or statement too large)</td>
 *       <td>RECORD</td><td>the size comes from the record's content</td></tr>
 *   <tr><td>42804 (datatype mismatch)</td><td>RECORD</td>
 *       <td>our SQL is fixed: only a value of the wrong type can cause it</td></tr>
 *   <tr><td>other class 42 (undefined table or column, privilege)</td><td>INFRASTRUCTURE</td>
 *       <td>a migration or grant is missing: every record would fail, none may be dropped</td></tr>
 *   <tr><td>08 connection, 53 insufficient resources (disk, memory, connections), 57 operator
 *       intervention (57P01 admin shutdown, 57014 statement timeout), 58 system error, 40
 *       rollback (serialization, deadlock), 25 transaction state, XX internal, any other or no
 *       SQLState, {@link SQLTransientException}, {@link SQLRecoverableException}, {@link
 *       SQLNonTransientConnectionException}</td>
 *       <td>INFRASTRUCTURE</td><td>retrying later can succeed; nothing is skipped</td></tr>
 *   <tr><td>a {@link RuntimeException} with no SQLException in its causes</td><td>RECORD</td>
 *       <td>thrown while decoding or mapping the record's content (e.g. an instant outside
 *       {@code OffsetDateTime}'s range): it is thrown again on every attempt</td></tr>
 *   <tr><td>an {@link Error}</td><td>INFRASTRUCTURE</td>
 *       <td>the JVM, not the record</td></tr>
 * </table>
 *
 * <p>Unknown SQLStates count as infrastructure on purpose: a projector that retries a record it
 * could have skipped stalls visibly (failures metric, logs), one that dead-letters on a database
 * outage loses state silently.
 */
final class FailureClassifier {

  /** Who has to change for the write to succeed. */
  enum Fault {
    /** The record: dead-letter it, mark its row, continue with the next record. */
    RECORD,
    /** The database or the way to it: roll back, rewind the batch, retry with backoff. */
    INFRASTRUCTURE
  }

  /** Causes looked through; a longer (or cyclic) chain is not the database's. */
  private static final int MAX_CAUSES = 16;

  private FailureClassifier() {}

  /**
   * @param thrown what applying one record threw (decoding, mapping, its statements or commit)
   */
  static Fault classify(Throwable thrown) {
    if (thrown instanceof Error) {
      return Fault.INFRASTRUCTURE;
    }
    SQLException sql = sqlCause(thrown);
    if (sql == null) {
      return thrown instanceof RuntimeException ? Fault.RECORD : Fault.INFRASTRUCTURE;
    }
    if (sql instanceof SQLTransientException
        || sql instanceof SQLRecoverableException
        || sql instanceof SQLNonTransientConnectionException) {
      return Fault.INFRASTRUCTURE;
    }
    String state = sql.getSQLState();
    if (state == null || state.length() != 5) {
      return sql instanceof SQLDataException
              || sql instanceof SQLIntegrityConstraintViolationException
          ? Fault.RECORD
          : Fault.INFRASTRUCTURE;
    }
    String cls = state.substring(0, 2);
    if (cls.equals("22") || cls.equals("23") || cls.equals("54") || state.equals("42804")) {
      return Fault.RECORD;
    }
    return Fault.INFRASTRUCTURE;
  }

  /**
   * A one-line reason for a row's last_error and a dead letter's header: the first line of the
   * message (PostgreSQL's "ERROR: ..." without its Detail, which may quote the row) and the
   * SQLState, bounded by {@link ErrorTexts#reason}.
   */
  static String reason(Throwable thrown) {
    SQLException sql = sqlCause(thrown);
    Throwable t = sql != null ? sql : thrown;
    String message = firstLine(t.getMessage());
    String text;
    if (sql != null) {
      text =
          (message.isEmpty() ? "database refused the write" : message)
              + (sql.getSQLState() == null ? "" : " (SQLState " + sql.getSQLState() + ")");
    } else {
      text = t.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    }
    return ErrorTexts.reason(text);
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
