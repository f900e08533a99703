package io.herald.sender.projector;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.sender.projector.FailureClassifier.Kind;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FailureClassifierTest {

  @ParameterizedTest(name = "SQLState {0} -> {1}")
  @CsvSource({
    "22021, DATA", // invalid byte sequence: NUL in text
    "22P02, DATA", // invalid text representation: bad uuid
    "22008, DATA", // datetime field overflow: a year PostgreSQL cannot store
    "23502, DATA", // not-null violation
    "23503, DATA", // foreign key violation
    "23505, DATA", // unique violation
    "54000, DATA", // program limit exceeded
    "54001, DATA", // statement too complex
    "08006, INFRASTRUCTURE", // connection failure
    "08001, INFRASTRUCTURE", // cannot connect
    "57P01, INFRASTRUCTURE", // admin shutdown
    "57014, INFRASTRUCTURE", // query cancelled (statement timeout)
    "53300, INFRASTRUCTURE", // too many connections
    "53100, INFRASTRUCTURE", // disk full
    "40001, INFRASTRUCTURE", // serialization failure
    "42P01, INFRASTRUCTURE", // undefined table: schema, not the record
  })
  void shouldClassifyBySqlStateClassWhenJdbcFails(String state, Kind expected) {
    assertThat(FailureClassifier.classify(new SQLException("x", state))).isEqualTo(expected);
  }

  @Test
  void shouldLookThroughWrappersWhenTheStateIsOnTheCause() {
    SQLException inner = new SQLException("bad uuid", "22P02");
    SQLException wrapper = new SQLException("batch failed", (String) null, inner);
    assertThat(FailureClassifier.classify(wrapper)).isEqualTo(Kind.DATA);
    assertThat(FailureClassifier.classify(new RuntimeException("wrapped", inner)))
        .isEqualTo(Kind.DATA);
  }

  @Test
  void shouldBeInfrastructureWhenConnectionTimesOutOrNoStateIsKnown() {
    assertThat(FailureClassifier.classify(new SQLTransientConnectionException("pool timeout")))
        .isEqualTo(Kind.INFRASTRUCTURE);
    assertThat(FailureClassifier.classify(new SQLTimeoutException("slow", "22000")))
        .isEqualTo(Kind.INFRASTRUCTURE);
    assertThat(FailureClassifier.classify(new SQLException("no state")))
        .isEqualTo(Kind.INFRASTRUCTURE);
    assertThat(
            FailureClassifier.classify(
                new UncheckedIOException(new SocketTimeoutException("read timed out"))))
        .isEqualTo(Kind.INFRASTRUCTURE);
  }

  @Test
  void shouldBeDataWhenARecordsValueBreaksPlainJavaCode() {
    assertThat(FailureClassifier.classify(new IllegalArgumentException("instant overflow")))
        .isEqualTo(Kind.DATA);
    assertThat(FailureClassifier.classify(new NullPointerException())).isEqualTo(Kind.DATA);
  }

  @Test
  void shouldBackOffExponentiallyUpToThirtySecondsWhenFailuresRepeat() {
    assertThat(ResultProjector.backoff(1).toMillis()).isEqualTo(200);
    assertThat(ResultProjector.backoff(2).toMillis()).isEqualTo(400);
    assertThat(ResultProjector.backoff(5).toMillis()).isEqualTo(3_200);
    assertThat(ResultProjector.backoff(9).toMillis()).isEqualTo(30_000);
    assertThat(ResultProjector.backoff(1_000).toMillis()).isEqualTo(30_000);
  }
}
