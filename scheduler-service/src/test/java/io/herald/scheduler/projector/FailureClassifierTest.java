package io.herald.scheduler.projector;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.limit.Limits;
import io.herald.scheduler.projector.FailureClassifier.Fault;
import java.io.UncheckedIOException;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.time.DateTimeException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FailureClassifierTest {

  @ParameterizedTest(name = "SQLState {0} -> {1}")
  @CsvSource({
    // data exceptions: the value can never be stored
    "22001, RECORD", // string data right truncation (value too long for a column)
    "22003, RECORD", // numeric value out of range
    "22007, RECORD", // invalid datetime format
    "22008, RECORD", // datetime field overflow (timestamp out of range)
    "22021, RECORD", // character not in repertoire (NUL byte)
    "22023, RECORD", // invalid parameter value (pgjdbc: zero bytes in a string parameter)
    "22P02, RECORD", // invalid text representation (e.g. not a uuid)
    "22P05, RECORD", // untranslatable character
    // integrity constraints: the same row and value violate them every time
    "23502, RECORD", // not null
    "23503, RECORD", // foreign key
    "23505, RECORD", // unique
    "23514, RECORD", // check
    // program limits: the size comes from the content
    "54000, RECORD", // program limit exceeded (index row too big)
    "54001, RECORD", // statement too complex
    "42804, RECORD", // datatype mismatch: our SQL is fixed, only a value can cause it
    // the rest of class 42: schema or grants, every record would fail
    "42P01, INFRASTRUCTURE", // undefined table (migration missing)
    "42703, INFRASTRUCTURE", // undefined column
    "42501, INFRASTRUCTURE", // insufficient privilege
    "42601, INFRASTRUCTURE", // syntax error
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
    assertThat(FailureClassifier.classify(new SQLException("ERROR: x", state))).isEqualTo(expected);
  }

  @Test
  void shouldRetryWhenTheSqlStateIsMissingOrMalformed() {
    assertThat(FailureClassifier.classify(new SQLException("I/O error")))
        .isEqualTo(Fault.INFRASTRUCTURE);
    assertThat(FailureClassifier.classify(new SQLException("odd", "22")))
        .isEqualTo(Fault.INFRASTRUCTURE);
  }

  @Test
  void shouldTrustTheJdbcSubclassWhenThereIsNoSqlState() {
    assertThat(FailureClassifier.classify(new SQLDataException("too long")))
        .isEqualTo(Fault.RECORD);
    assertThat(FailureClassifier.classify(new SQLIntegrityConstraintViolationException("dup")))
        .isEqualTo(Fault.RECORD);
  }

  @Test
  void shouldRetryConnectionAndTimeoutSubclassesWhatEverTheirSqlState() {
    assertThat(FailureClassifier.classify(new SQLTimeoutException("slow", "22000")))
        .isEqualTo(Fault.INFRASTRUCTURE);
    assertThat(FailureClassifier.classify(new SQLTransientConnectionException("gone", "23000")))
        .isEqualTo(Fault.INFRASTRUCTURE);
    assertThat(FailureClassifier.classify(new SQLRecoverableException("reconnect", "22000")))
        .isEqualTo(Fault.INFRASTRUCTURE);
    assertThat(FailureClassifier.classify(new SQLNonTransientConnectionException("no", "22000")))
        .isEqualTo(Fault.INFRASTRUCTURE);
  }

  @Nested
  class WithoutSqlException {

    @Test
    void shouldBlameTheRecordWhenDecodingOrMappingThrows() {
      assertThat(FailureClassifier.classify(new SerializationException("not json")))
          .isEqualTo(Fault.RECORD);
      assertThat(FailureClassifier.classify(new DateTimeException("Instant exceeds maximum")))
          .isEqualTo(Fault.RECORD);
      assertThat(FailureClassifier.classify(new NullPointerException())).isEqualTo(Fault.RECORD);
    }

    @Test
    void shouldClassifyTheWrappedSqlExceptionWhenARuntimeExceptionCarriesOne() {
      assertThat(
              FailureClassifier.classify(
                  new IllegalStateException("wrapped", new SQLException("gone", "08006"))))
          .isEqualTo(Fault.INFRASTRUCTURE);
      assertThat(
              FailureClassifier.classify(
                  new UncheckedIOException(
                      "x", new java.io.IOException(new SQLException("range", "22003")))))
          .isEqualTo(Fault.RECORD);
    }

    @Test
    void shouldNotBlameTheRecordWhenTheJvmFails() {
      assertThat(FailureClassifier.classify(new OutOfMemoryError()))
          .isEqualTo(Fault.INFRASTRUCTURE);
    }
  }

  @Nested
  class Reason {

    @Test
    void shouldKeepTheFirstLineAndTheSqlStateWhenTheDatabaseRefused() {
      SQLException e =
          new SQLException(
              "ERROR: integer out of range\n  Detail: Failing row contains (secret, 5)", "22003");
      assertThat(FailureClassifier.reason(e))
          .isEqualTo("ERROR: integer out of range" + " (SQLState 22003)");
    }

    @Test
    void shouldNameTheExceptionWhenMappingThrew() {
      assertThat(FailureClassifier.reason(new DateTimeException("Instant exceeds maximum")))
          .isEqualTo("DateTimeException: Instant exceeds maximum");
      assertThat(FailureClassifier.reason(new NullPointerException()))
          .isEqualTo("NullPointerException");
    }

    @Test
    void shouldBeBoundedAndNulFreeWhenTheMessageIsNot() {
      String reason =
          FailureClassifier.reason(
              new SQLException("ERROR: bad \u0000 value " + "x".repeat(10_000), "22021"));
      assertThat(reason)
          .hasSizeLessThanOrEqualTo(Limits.ERROR_REASON_MAX_CHARS)
          .doesNotContain("\u0000");
    }
  }
}
