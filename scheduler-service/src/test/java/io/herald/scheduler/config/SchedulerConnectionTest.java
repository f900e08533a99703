package io.herald.scheduler.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.runtime.config.EnvReader;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchedulerConnectionTest {

  @Test
  void shouldReadEveryConnectionSettingOnceAndHideThePassword() {
    EnvReader env =
        new EnvReader(
            Map.of(
                "HERALD_SCHEDULER_BOOTSTRAP_SERVERS", "b:9092",
                "HERALD_SCHEDULER_JDBC_URL", "jdbc:postgresql://db/herald",
                "HERALD_SCHEDULER_JDBC_USER", "herald",
                "HERALD_SCHEDULER_JDBC_PASSWORD", "s3cret"));

    SchedulerConnection c = SchedulerConnection.read(env);

    assertThat(c)
        .isEqualTo(
            new SchedulerConnection(
                "b:9092",
                SchedulerConfig.DEFAULT_APPLICATION_ID,
                "jdbc:postgresql://db/herald",
                "herald",
                "s3cret"));
    assertThat(c.toString()).doesNotContain("s3cret").contains("[hidden]");
    assertThat(env.problems()).isEmpty();
  }

  @Test
  void shouldReportTheDatabaseMissingOnlyWhenAPartRequiresIt() {
    EnvReader env = new EnvReader(Map.of("HERALD_SCHEDULER_BOOTSTRAP_SERVERS", "b:9092"));
    SchedulerConnection c = SchedulerConnection.read(env);
    assertThat(env.problems()).isEmpty();

    c.requireJdbcUrl(env);
    c.requireJdbcUrl(env);
    c.requireJdbcUser(env);

    assertThat(env.problems())
        .containsExactly(
            "HERALD_SCHEDULER_JDBC_URL is required but not set",
            "HERALD_SCHEDULER_JDBC_USER is required but not set");
  }
}
