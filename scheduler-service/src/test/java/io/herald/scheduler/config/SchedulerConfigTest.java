package io.herald.scheduler.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.runtime.config.ConfigException;
import io.herald.runtime.config.EnvReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SchedulerConfigTest {

  private static Map<String, String> minimal() {
    Map<String, String> env = new HashMap<>();
    env.put("HERALD_SCHEDULER_BOOTSTRAP_SERVERS", "localhost:9092");
    return env;
  }

  @Nested
  class Defaults {

    @Test
    void shouldUseDocumentedDefaultsWhenOnlyBootstrapIsSet() {
      SchedulerConfig c = SchedulerConfig.fromEnv(minimal());

      assertThat(c.bootstrapServers()).isEqualTo("localhost:9092");
      assertThat(c.applicationId()).isEqualTo("herald-scheduler");
      assertThat(c.stateDir()).isEqualTo(Path.of("./.herald/state/scheduler"));
      assertThat(c.metricsPort()).isEqualTo(9401);
      assertThat(c.punctuateInterval()).isEqualTo(Duration.ofMillis(250));
      assertThat(c.maxCommandsPerTick()).isEqualTo(SchedulerConfig.DEFAULT_MAX_COMMANDS_PER_TICK);
      assertThat(c.maxRecipients()).isEqualTo(50_000);
      assertThat(c.deviceWait()).isEqualTo(Duration.ofSeconds(30));
      assertThat(c.numStandbyReplicas()).isZero();
      assertThat(c.replicationFactor()).isEqualTo((short) 1);
      assertThat(c.partitions()).isEqualTo(6);
      assertThat(c.recurringExpiry()).isEqualTo(Duration.ofHours(6));
      assertThat(c.broadcastExpiry()).isEqualTo(Duration.ofHours(24));
      assertThat(c.kafkaPassthrough()).isEmpty();
    }
  }

  @Nested
  class Problems {

    @Test
    void shouldNameEveryBadVariableWhenSeveralAreWrong() {
      Map<String, String> env = new HashMap<>();
      env.put("HERALD_SCHEDULER_METRICS_PORT", "http");
      env.put("HERALD_SCHEDULER_PUNCTUATE_INTERVAL", "PT5S");
      env.put("HERALD_SCHEDULER_MAX_COMMANDS_PER_TICK", "0");
      env.put("HERALD_SCHEDULER_DEVICE_WAIT", "thirty seconds");
      env.put("KAFKA_PROCESSING_GUARANTEE", "at_least_once");

      assertThatThrownBy(() -> SchedulerConfig.fromEnv(env))
          .isInstanceOfSatisfying(
              ConfigException.class,
              e ->
                  assertThat(e.problems())
                      .hasSize(6)
                      .anySatisfy(p -> assertThat(p).contains("HERALD_SCHEDULER_BOOTSTRAP_SERVERS"))
                      .anySatisfy(p -> assertThat(p).contains("HERALD_SCHEDULER_METRICS_PORT"))
                      .anySatisfy(
                          p -> assertThat(p).contains("HERALD_SCHEDULER_PUNCTUATE_INTERVAL"))
                      .anySatisfy(
                          p -> assertThat(p).contains("HERALD_SCHEDULER_MAX_COMMANDS_PER_TICK"))
                      .anySatisfy(p -> assertThat(p).contains("HERALD_SCHEDULER_DEVICE_WAIT"))
                      .anySatisfy(p -> assertThat(p).contains("KAFKA_PROCESSING_GUARANTEE")));
    }

    @Test
    void shouldRejectOwnedKeyWhenPassedThroughKafkaVariables() {
      Map<String, String> env = minimal();
      env.put("KAFKA_APPLICATION_ID", "other");
      env.put("KAFKA_DEFAULT_VALUE_SERDE", "x");

      assertThatThrownBy(() -> SchedulerConfig.fromEnv(env))
          .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(2));
    }

    @Test
    void shouldRejectJdbcUrlWhenItIsNotPostgres() {
      Map<String, String> env = minimal();
      env.put("HERALD_SCHEDULER_JDBC_URL", "jdbc:mysql://x/y");

      assertThatThrownBy(() -> SchedulerConfig.fromEnv(env))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("HERALD_SCHEDULER_JDBC_URL");
    }
  }

  @Nested
  class Passthrough {

    @Test
    void shouldPassKafkaVariablesThroughWhenTheyAreNotOwned() {
      Map<String, String> env = minimal();
      env.put("KAFKA_SECURITY_PROTOCOL", "SSL");
      env.put("KAFKA_COMMIT_INTERVAL_MS", "50");

      SchedulerConfig c = SchedulerConfig.fromEnv(env);

      assertThat(c.kafkaPassthrough())
          .containsEntry("security.protocol", "SSL")
          .containsEntry("commit.interval.ms", "50");
    }
  }

  @Nested
  class Secrets {

    @Test
    void shouldHideThePasswordWhenEchoingOrPrinting() {
      Map<String, String> env = minimal();
      env.put("HERALD_SCHEDULER_JDBC_URL", "jdbc:postgresql://db/herald");
      env.put("HERALD_SCHEDULER_JDBC_PASSWORD", "s3cret");
      EnvReader reader = new EnvReader(env);

      SchedulerConfig c = SchedulerConfig.read(reader);

      assertThat(c.jdbcPassword()).isEqualTo("s3cret");
      assertThat(reader.echo()).doesNotContain("s3cret").contains("[hidden]");
      assertThat(c.toString()).doesNotContain("s3cret");
    }
  }
}
