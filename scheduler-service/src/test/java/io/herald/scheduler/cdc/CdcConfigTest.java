package io.herald.scheduler.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.runtime.config.ConfigException;
import io.herald.runtime.config.EnvReader;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CdcConfigTest {

  private static final Map<String, String> MINIMAL =
      Map.of(
          "HERALD_SCHEDULER_BOOTSTRAP_SERVERS", "localhost:9092",
          "HERALD_SCHEDULER_JDBC_URL", "jdbc:postgresql://db.internal:6543/herald?sslmode=require",
          "HERALD_SCHEDULER_JDBC_USER", "herald",
          "HERALD_SCHEDULER_JDBC_PASSWORD", "s3cret");

  @Test
  void shouldUseDocumentedDefaultsWhenOnlyConnectionIsSet() {
    EnvReader env = new EnvReader(MINIMAL);
    CdcConfig c = CdcConfig.fromEnv(env);
    env.failIfInvalid();

    assertThat(c.enabled()).isTrue();
    assertThat(c.applicationId()).isEqualTo("herald-scheduler");
    assertThat(c.slotName()).isEqualTo("herald_cdc");
    assertThat(c.pollInterval()).isEqualTo(Duration.ofMillis(50));
    assertThat(c.offsetsTopic()).isEqualTo("herald.cdc-offsets");
    assertThat(c.leaderTopic()).isEqualTo("herald.cdc-leader");
    assertThat(c.leaderGroupId()).isEqualTo("herald-scheduler-cdc-leader");
    assertThat(c.leaderSessionTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(CdcConfig.JdbcTarget.parse(c.jdbcUrl()))
        .isEqualTo(new CdcConfig.JdbcTarget("db.internal", 6543, "herald"));
  }

  @Test
  void shouldHidePasswordWhenPrintedOrEchoed() {
    EnvReader env = new EnvReader(MINIMAL);
    CdcConfig c = CdcConfig.fromEnv(env);

    assertThat(c.toString()).doesNotContain("s3cret").contains("[hidden]");
    assertThat(env.echo()).doesNotContain("s3cret");
  }

  @Test
  void shouldReportEveryProblemWhenSettingsAreBad() {
    EnvReader env =
        new EnvReader(
            Map.of(
                "HERALD_SCHEDULER_JDBC_URL", "jdbc:mysql://x/y",
                "HERALD_SCHEDULER_CDC_SLOT", "Herald-CDC",
                "HERALD_SCHEDULER_CDC_POLL_INTERVAL", "PT0S",
                "HERALD_SCHEDULER_CDC_LEADER_SESSION_TIMEOUT", "PT1S",
                "KAFKA_ACKS", "1"));
    CdcConfig.fromEnv(env);

    assertThatThrownBy(env::failIfInvalid)
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e ->
                assertThat(((ConfigException) e).problems())
                    .hasSize(7)
                    .anyMatch(p -> p.startsWith("HERALD_SCHEDULER_BOOTSTRAP_SERVERS"))
                    .anyMatch(p -> p.startsWith("HERALD_SCHEDULER_JDBC_USER"))
                    .anyMatch(p -> p.startsWith("HERALD_SCHEDULER_JDBC_URL"))
                    .anyMatch(p -> p.startsWith("HERALD_SCHEDULER_CDC_SLOT=Herald-CDC"))
                    .anyMatch(p -> p.startsWith("HERALD_SCHEDULER_CDC_POLL_INTERVAL"))
                    .anyMatch(p -> p.startsWith("HERALD_SCHEDULER_CDC_LEADER_SESSION_TIMEOUT"))
                    .anyMatch(p -> p.startsWith("KAFKA_ACKS")));
  }

  @Test
  void shouldNotRequireDatabaseWhenCdcIsDisabled() {
    EnvReader env =
        new EnvReader(
            Map.of(
                "HERALD_SCHEDULER_BOOTSTRAP_SERVERS",
                "localhost:9092",
                "HERALD_SCHEDULER_CDC_ENABLED",
                "false"));
    CdcConfig c = CdcConfig.fromEnv(env);
    env.failIfInvalid();

    assertThat(c.enabled()).isFalse();
  }

  @Test
  void shouldConfigureKafkaOffsetsAndPublicationWhenBuildingEngineProperties() {
    EnvReader env = new EnvReader(MINIMAL);
    CdcEngine engine =
        new CdcEngine(
            CdcConfig.fromEnv(env), new io.micrometer.core.instrument.simple.SimpleMeterRegistry());

    assertThat(engine.debeziumProperties())
        .containsEntry("offset.storage", "org.apache.kafka.connect.storage.KafkaOffsetBackingStore")
        .containsEntry("offset.storage.topic", "herald.cdc-offsets")
        .containsEntry("offset.storage.partitions", "1")
        .containsEntry("offset.storage.replication.factor", "1")
        .containsEntry("publication.name", "herald_publication")
        .containsEntry("publication.autocreate.mode", "disabled")
        .containsEntry("snapshot.mode", "initial")
        .containsEntry("poll.interval.ms", "50")
        .containsEntry("slot.name", "herald_cdc")
        .containsEntry("database.hostname", "db.internal")
        .containsEntry("database.port", "6543")
        .containsEntry("database.dbname", "herald")
        .containsEntry(
            "table.include.list",
            "public.recurring_messages,public.broadcasts,"
                + "public.auto_post_schedules,public.devices,public.contacts");
  }
}
