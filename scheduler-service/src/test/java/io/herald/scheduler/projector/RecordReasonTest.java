package io.herald.scheduler.projector;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.limit.Limits;
import java.sql.SQLException;
import java.time.DateTimeException;
import org.junit.jupiter.api.Test;

/**
 * The reason a poison record's row and dead letter carry. Whose fault a failure is is decided by
 * the runtime's {@code SqlFailures} (tested there, for both projectors).
 */
class RecordReasonTest {

  @Test
  void shouldKeepTheFirstLineAndTheSqlStateWhenTheDatabaseRefused() {
    SQLException e =
        new SQLException(
            "ERROR: integer out of range\n  Detail: Failing row contains (secret, 5)", "22003");
    assertThat(BatchApplier.reason(e))
        .isEqualTo("ERROR: integer out of range" + " (SQLState 22003)");
  }

  @Test
  void shouldNameTheExceptionWhenMappingThrew() {
    assertThat(BatchApplier.reason(new DateTimeException("Instant exceeds maximum")))
        .isEqualTo("DateTimeException: Instant exceeds maximum");
    assertThat(BatchApplier.reason(new NullPointerException())).isEqualTo("NullPointerException");
  }

  @Test
  void shouldBeBoundedAndNulFreeWhenTheMessageIsNot() {
    String reason =
        BatchApplier.reason(
            new SQLException("ERROR: bad \u0000 value " + "x".repeat(10_000), "22021"));
    assertThat(reason)
        .hasSizeLessThanOrEqualTo(Limits.ERROR_REASON_MAX_CHARS)
        .doesNotContain("\u0000");
  }
}
