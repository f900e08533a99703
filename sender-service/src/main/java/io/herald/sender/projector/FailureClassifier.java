package io.herald.sender.projector;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.concurrent.TimeoutException;

/**
 * Tells a failure caused by one record's content (dead-letter the record, go on) from one of the
 * infrastructure (retry with backoff, the record is fine). Pure: imports only {@code java.*}.
 *
 * <ul>
 *   <li>SQLState class 22 (data exception: NUL in text, bad uuid, timestamp out of range), 23
 *       (integrity constraint) and 54 (program limit exceeded): {@link Kind#DATA}.
 *   <li>Any other SQLState (08 connection, 53 resources, 57 operator intervention such as 57P01
 *       admin shutdown, 40 serialization, and states that mean a bug or a schema mismatch), a
 *       missing state, a transient or recoverable {@link SQLException}, an {@link IOException} or a
 *       timeout anywhere in the chain: {@link Kind#INFRASTRUCTURE}. Retrying loses nothing.
 *   <li>Any other {@link RuntimeException} (an instant JDBC cannot convert, a null where a value
 *       was expected): {@link Kind#DATA}, since the same record would fail the same way forever.
 * </ul>
 */
public final class FailureClassifier {

  /** What a failure says about the record being written. */
  public enum Kind {
    /** The record's content caused it: dead-letter the record. */
    DATA,
    /** Database, broker or disk: retry the same work later. */
    INFRASTRUCTURE
  }

  private FailureClassifier() {}

  /** The kind of {@code failure}, judged from it and its causes. */
  public static Kind classify(Throwable failure) {
    boolean sawSql = false;
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 20; t = t.getCause(), depth++) {
      if (t instanceof SQLException) {
        sawSql = true;
        Kind k = classifySql((SQLException) t);
        if (k != null) {
          return k;
        }
      } else if (t instanceof IOException || t instanceof TimeoutException) {
        return Kind.INFRASTRUCTURE;
      }
    }
    return sawSql || !(failure instanceof RuntimeException) ? Kind.INFRASTRUCTURE : Kind.DATA;
  }

  /** DATA or INFRASTRUCTURE when the SQL exception decides; null to look further down. */
  private static Kind classifySql(SQLException e) {
    if (e instanceof SQLTransientException
        || e instanceof SQLRecoverableException
        || e instanceof SQLNonTransientConnectionException) {
      return Kind.INFRASTRUCTURE;
    }
    String state = e.getSQLState();
    if (state == null || state.length() < 2) {
      return null; // a wrapper; its cause may carry the state
    }
    String cls = state.substring(0, 2);
    if (cls.equals("22") || cls.equals("23") || cls.equals("54")) {
      return Kind.DATA;
    }
    return Kind.INFRASTRUCTURE;
  }
}
