package io.herald.runtime.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
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
  void shouldReportNotAnsweringWhenCheckHangsAndAnsweringOnceItReturns() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger opens = new AtomicInteger();
    DatabaseProbe probe =
        new DatabaseProbe(
            () -> {
              if (opens.incrementAndGet() == 1) {
                try {
                  // a server that accepted the connection and never answers
                  release.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                throw new SQLException("socket timeout", "08006");
              }
              return validConnection();
            },
            Duration.ZERO,
            Duration.ofMillis(200));

    long t0 = System.nanoTime();
    assertThat(probe.answers()).isFalse(); // not the stale "answers" while the check hangs
    assertThat(probe.answers()).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    assertThat(opens).hasValue(1); // never two checks at once
    release.countDown();
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    boolean back = false;
    while (!back && System.nanoTime() < deadline) {
      back = probe.answers();
      Thread.sleep(20);
    }
    assertThat(back).as("answers once the database answers again").isTrue();
  }

  private static Connection validConnection() {
    return (Connection)
        Proxy.newProxyInstance(
            DatabaseProbeTest.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "isValid" -> true;
                  case "close" -> null;
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }

  @Test
  void shouldBoundEveryStatementAndLockWaitOnTheServer() {
    assertThat(JdbcTimeouts.properties().getProperty("options"))
        .contains("statement_timeout=30000")
        .contains("lock_timeout=10000");
    assertThat(JdbcTimeouts.with("u", null).getProperty("user")).isEqualTo("u");
    assertThat(JdbcTimeouts.with("u", null).getProperty("password")).isNull();
    assertThat(JdbcTimeouts.properties().getProperty("socketTimeout")).isEqualTo("60");
    assertThat(JdbcTimeouts.properties().getProperty("loginTimeout")).isEqualTo("15");
  }
}
