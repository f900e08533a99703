package io.herald.runtime.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.runtime.jdbc.SqlFailures.Fault;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.sql.BatchUpdateException;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.time.DateTimeException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one rule set of both projectors: the scheduler's and the sender's cases together. */
class SqlFailuresTest {

  @ParameterizedTest(name = "SQLState {0} -> {1}")
  @CsvSource({
    // data exceptions: the value can never be stored
    "22001, DATA", // string data right truncation (value too long for a column)
    "22003, DATA", // numeric value out of range
    "22007, DATA", // invalid datetime format
    "22008, DATA", // datetime field overflow (a year PostgreSQL cannot store)
    "22021, DATA", // character not in repertoire (NUL byte in text)
    "22023, DATA", // invalid parameter value (pgjdbc: zero bytes in a string parameter)
    "22P02, DATA", // invalid text representation (e.g. not a uuid)
    "22P05, DATA", // untranslatable character
    // integrity constraints: the same row and value violate them every time
    "23502, DATA", // not null
    "23503, DATA", // foreign key
    "23505, DATA", // unique
    "23514, DATA", // check
    // program limits: the size comes from the content
    "54000, DATA", // program limit exceeded (index row too big)
    "54001, DATA", // statement too complex
    // datatype mismatch: the SQL is fixed, only a value's type can cause it
    "42804, DATA",
    // the rest of class 42: schema or grants, every record would fail
    "42P01, INFRASTRUCTURE", // undefined table (migration missing)
    "42703, INFRASTRUCTURE", // undefined column
    "42501, INFRASTRUCTURE", // insufficient privilege
    "42601, INFRASTRUCTURE", // syntax error
    "42883, INFRASTRUCTURE", // undefined function
    // connection and server state
    "08000, INFRASTRUCTURE",
    "08001, INFRASTRUCTURE", // cannot connect
    "08006, INFRASTRUCTURE", // connection failure (pgjdbc on I/O errors)
    "57P01, INFRASTRUCTURE", // admin shutdown
    "57P02, INFRASTRUCTURE", // crash shutdown
    "57P03, INFRASTRUCTURE", // cannot connect now (starting up)
    "57014, INFRASTRUCTURE", // query cancelled (statement timeout)
    "53100, INFRASTRUCTURE", // disk full
    "53200, INFRASTRUCTURE", // out of memory
    "53300, INFRASTRUCTURE", // too many connections
    "58030, INFRASTRUCTURE", // I/O error
    "40001, INFRASTRUCTURE", // serialization failure
    "40P01, INFRASTRUCTURE", // deadlock
    "25P02, INFRASTRUCTURE", // in failed transaction
    "55P03, INFRASTRUCTURE", // lock not available
    "XX000, INFRASTRUCTURE", // internal error
    "XX001, INFRASTRUCTURE", // data corrupted
  })
  void shouldClassifyBySqlStateWhenTheDatabaseRefusesAWrite(String state, Fault expected) {
    assertThat(SqlFailures.classify(new SQLException("ERROR: x", state))).isEqualTo(expected);
  }

  @Test
  void shouldRetryWhenTheSqlStateIsMissingOrMalformed() {
    assertThat(SqlFailures.classify(new SQLException("I/O error"))).isEqualTo(Fault.INFRASTRUCTURE);
    assertThat(SqlFailures.classify(new SQLException("odd", "22"))).isEqualTo(Fault.INFRASTRUCTURE);
  }

  @Test
  void shouldTrustTheJdbcSubclassWhenThereIsNoSqlState() {
    assertThat(SqlFailures.classify(new SQLDataException("too long"))).isEqualTo(Fault.DATA);
    assertThat(SqlFailures.classify(new SQLIntegrityConstraintViolationException("dup")))
        .isEqualTo(Fault.DATA);
    assertThat(SqlFailures.classify(new SQLSyntaxErrorException("no such table")))
        .isEqualTo(Fault.INFRASTRUCTURE);
  }

  @Test
  void shouldRetryConnectionAndTimeoutSubclassesWhatEverTheirSqlState() {
    assertThat(SqlFailures.classify(new SQLTimeoutException("slow", "22000")))
        .isEqualTo(Fault.INFRASTRUCTURE);
    assertThat(SqlFailures.classify(new SQLTransientConnectionException("gone", "23000")))
        .isEqualTo(Fault.INFRASTRUCTURE);
    assertThat(SqlFailures.classify(new SQLTransientConnectionException("pool timeout")))
        .isEqualTo(Fault.INFRASTRUCTURE);
    assertThat(SqlFailures.classify(new SQLRecoverableException("reconnect", "22000")))
        .isEqualTo(Fault.INFRASTRUCTURE);
    assertThat(SqlFailures.classify(new SQLNonTransientConnectionException("no", "22000")))
        .isEqualTo(Fault.INFRASTRUCTURE);
  }

  @Test
  void shouldLookThroughStatelessWrappersWhenTheStateIsOnTheCause() {
    SQLException inner = new SQLException("bad uuid", "22P02");
    SQLException wrapper = new SQLException("batch failed", (String) null, inner);
    assertThat(SqlFailures.classify(wrapper)).isEqualTo(Fault.DATA);
    assertThat(SqlFailures.classify(new RuntimeException("wrapped", inner))).isEqualTo(Fault.DATA);
    BatchUpdateException batch = new BatchUpdateException("batch", null, 0, new int[0]);
    batch.initCause(new SQLException("gone", "08006"));
    assertThat(SqlFailures.classify(batch)).isEqualTo(Fault.INFRASTRUCTURE);
    // a stateless data wrapper around a connection failure: the state below decides
    assertThat(
            SqlFailures.classify(
                new SQLDataException("wrapper", null, new SQLException("gone", "08006"))))
        .isEqualTo(Fault.INFRASTRUCTURE);
  }

  @Nested
  class WithoutSqlException {

    @Test
    void shouldBlameTheRecordWhenDecodingOrMappingThrows() {
      assertThat(SqlFailures.classify(new IllegalArgumentException("instant overflow")))
          .isEqualTo(Fault.DATA);
      assertThat(SqlFailures.classify(new DateTimeException("Instant exceeds maximum")))
          .isEqualTo(Fault.DATA);
      assertThat(SqlFailures.classify(new NullPointerException())).isEqualTo(Fault.DATA);
    }

    @Test
    void shouldClassifyTheWrappedSqlExceptionWhenARuntimeExceptionCarriesOne() {
      assertThat(
              SqlFailures.classify(
                  new IllegalStateException("wrapped", new SQLException("gone", "08006"))))
          .isEqualTo(Fault.INFRASTRUCTURE);
      // the database's verdict on the value decides before the I/O wrapper around it
      assertThat(
              SqlFailures.classify(
                  new UncheckedIOException(
                      "x", new IOException(new SQLException("range", "22003")))))
          .isEqualTo(Fault.DATA);
    }

    @Test
    void shouldRetryWhenTheNetworkOrAWaitFailed() {
      assertThat(
              SqlFailures.classify(
                  new UncheckedIOException(new SocketTimeoutException("read timed out"))))
          .isEqualTo(Fault.INFRASTRUCTURE);
      assertThat(SqlFailures.classify(new IllegalStateException(new TimeoutException("slow"))))
          .isEqualTo(Fault.INFRASTRUCTURE);
    }

    @Test
    void shouldNotBlameTheRecordWhenTheJvmFailsOrACheckedExceptionIsNotSql() {
      assertThat(SqlFailures.classify(new OutOfMemoryError())).isEqualTo(Fault.INFRASTRUCTURE);
      // an Error wins even over a data SQLState below it
      assertThat(SqlFailures.classify(new AssertionError("bug", new SQLException("x", "22003"))))
          .isEqualTo(Fault.INFRASTRUCTURE);
      assertThat(SqlFailures.classify(new InterruptedException())).isEqualTo(Fault.INFRASTRUCTURE);
    }
  }

  @Nested
  class Summary {

    @Test
    void shouldKeepTheFirstLineAndTheSqlStateWhenTheDatabaseRefused() {
      SQLException e =
          new SQLException(
              "ERROR: integer out of range\n  Detail: Failing row contains (secret, 5)", "22003");
      assertThat(SqlFailures.summary(e)).isEqualTo("ERROR: integer out of range (SQLState 22003)");
      assertThat(SqlFailures.summary(new RuntimeException("wrapped", e)))
          .isEqualTo("ERROR: integer out of range (SQLState 22003)");
      assertThat(SqlFailures.summary(new SQLException((String) null)))
          .isEqualTo("database refused the write");
    }

    @Test
    void shouldNameTheExceptionWhenMappingThrew() {
      assertThat(SqlFailures.summary(new DateTimeException("Instant exceeds maximum")))
          .isEqualTo("DateTimeException: Instant exceeds maximum");
      assertThat(SqlFailures.summary(new NullPointerException())).isEqualTo("NullPointerException");
    }
  }
}
