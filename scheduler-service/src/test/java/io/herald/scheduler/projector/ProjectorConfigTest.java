package io.herald.scheduler.projector;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.runtime.config.EnvReader;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProjectorConfigTest {

  @Test
  void shouldUseApplicationIdForGroupWhenReadFromEnv() {
    EnvReader env =
        new EnvReader(
            Map.of(
                "HERALD_SCHEDULER_BOOTSTRAP_SERVERS", "localhost:9092",
                "HERALD_SCHEDULER_APPLICATION_ID", "herald-eu",
                "HERALD_SCHEDULER_JDBC_URL", "jdbc:postgresql://db/herald",
                "HERALD_SCHEDULER_JDBC_PASSWORD", "s3cret"));
    ProjectorConfig c = ProjectorConfig.fromEnv(env);
    env.failIfInvalid();

    assertThat(c.groupId()).isEqualTo("herald-eu-projector");
    assertThat(c.maxBatch()).isEqualTo(500);
    assertThat(c.toString()).doesNotContain("s3cret");
  }

  @Test
  void shouldRequireJdbcUrlWhenEnabled() {
    EnvReader env = new EnvReader(Map.of("HERALD_SCHEDULER_BOOTSTRAP_SERVERS", "localhost:9092"));
    ProjectorConfig.fromEnv(env);

    assertThat(env.problems()).anyMatch(p -> p.startsWith("HERALD_SCHEDULER_JDBC_URL"));
  }
}
