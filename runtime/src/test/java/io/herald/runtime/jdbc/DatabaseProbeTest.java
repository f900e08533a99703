package io.herald.runtime.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DatabaseProbeTest {

  @Test
  void shouldReportNotAnsweringWhenConnectionFailsAndKeepAnswerBetweenChecks() {
    AtomicInteger opens = new AtomicInteger();
    DatabaseProbe probe =
        new DatabaseProbe(
            () -> {
              opens.incrementAndGet();
              throw new SQLException("connection refused", "08001");
            },
            Duration.ofHours(1),
            Duration.ofSeconds(1));

    assertThat(probe.answers()).isFalse();
    assertThat(probe.answers()).isFalse();
    assertThat(opens).hasValue(1); // within the interval the last answer stands
  }

  @Test
  void shouldCheckAgainOnceTheIntervalPassed() {
    AtomicInteger opens = new AtomicInteger();
    DatabaseProbe probe =
        new DatabaseProbe(
            () -> {
              opens.incrementAndGet();
              throw new IllegalStateException("pool closed");
            },
            Duration.ZERO,
            Duration.ofSeconds(1));

    assertThat(probe.answers()).isFalse();
    assertThat(probe.answers()).isFalse();
    assertThat(opens).hasValue(2);
  }

  @Test
  void shouldBoundEveryStatementAndLockWaitOnTheServer() {
    assertThat(JdbcTimeouts.properties().getProperty("options"))
        .contains("statement_timeout=30000")
        .contains("lock_timeout=10000");
    assertThat(JdbcTimeouts.with("u", null).getProperty("user")).isEqualTo("u");
    assertThat(JdbcTimeouts.with("u", null).getProperty("password")).isNull();
    assertThat(JdbcTimeouts.properties().getProperty("socketTimeout")).isEqualTo("60");
  }
}
