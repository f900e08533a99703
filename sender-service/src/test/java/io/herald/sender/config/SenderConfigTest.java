package io.herald.sender.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.runtime.config.ConfigException;
import io.herald.sender.delivery.DeliveryMode;
import io.herald.sender.delivery.ErrorClass;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SenderConfigTest {

  private static Map<String, String> minimal() {
    Map<String, String> env = new HashMap<>();
    env.put("HERALD_SENDER_BOOTSTRAP_SERVERS", "localhost:9092");
    env.put("HERALD_SENDER_JDBC_URL", "jdbc:postgresql://localhost/herald");
    return env;
  }

  @Test
  void shouldUseDefaultsWhenOnlyRequiredSet() {
    SenderConfig c = SenderConfig.fromEnv(minimal());
    assertThat(c.groupId()).isEqualTo("herald-sender");
    assertThat(c.maxAttempts()).isEqualTo(3);
    assertThat(c.deliveryMode()).isEqualTo(DeliveryMode.AT_MOST_ONCE);
    assertThat(c.metricsPort()).isEqualTo(9402);
    assertThat(c.pairGap()).isEqualTo(Duration.ofSeconds(6));
    assertThat(c.autoFloor()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.projectorEnabled()).isTrue();
    assertThat(c.webhooks().enabled()).isTrue();
    assertThat(c.webhooks().optOutKeywords()).containsExactly("STOP", "BERHENTI");
    assertThat(c.kafka()).isEmpty();
  }

  @Test
  void shouldReadWebhookSettingsWhenSet() {
    Map<String, String> env = minimal();
    env.put("HERALD_SENDER_WEBHOOK_PROJECTION", "false");
    env.put("HERALD_OPT_OUT_KEYWORDS", " unsubscribe , ,Stop all ");
    SenderConfig c = SenderConfig.fromEnv(env);
    assertThat(c.webhooks().enabled()).isFalse();
    assertThat(c.webhooks().optOutKeywords()).containsExactly("unsubscribe", "Stop all");
  }

  @Test
  void shouldParseEveryKnobWhenSet() {
    Map<String, String> env = minimal();
    env.put("HERALD_SENDER_DELIVERY_MODE", "at-least-once");
    env.put("HERALD_SENDER_MAX_ATTEMPTS", "5");
    env.put("HERALD_SENDER_SIMULATED_LATENCY", "PT0.2S");
    env.put("HERALD_SENDER_SIMULATED_FAILURE_RATE", "0.1");
    env.put("HERALD_SENDER_PAIR_GAP", "PT10S");
    env.put("HERALD_SENDER_ERROR_CLASSES", "131049=transient, 470=permanent, 131000=unknown");
    env.put("KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
    SenderConfig c = SenderConfig.fromEnv(env);
    assertThat(c.deliveryMode()).isEqualTo(DeliveryMode.AT_LEAST_ONCE);
    assertThat(c.maxAttempts()).isEqualTo(5);
    assertThat(c.simulatedLatency()).isEqualTo(Duration.ofMillis(200));
    assertThat(c.simulatedFailureRate()).isEqualTo(0.1);
    assertThat(c.pairGap()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.errorClasses())
        .containsEntry("131049", ErrorClass.TRANSIENT)
        .containsEntry("470", ErrorClass.PERMANENT)
        .containsEntry("131000", ErrorClass.UNKNOWN);
    assertThat(c.kafka()).containsEntry("security.protocol", "SASL_SSL");
  }

  @Test
  void shouldNameEveryProblemWhenSeveralSettingsAreBad() {
    Map<String, String> env = new HashMap<>();
    env.put("HERALD_SENDER_JDBC_URL", "mysql://x");
    env.put("HERALD_SENDER_MAX_ATTEMPTS", "0");
    env.put("HERALD_SENDER_DELIVERY_MODE", "exactly_once");
    env.put("HERALD_SENDER_SIMULATED_LATENCY", "5s");
    env.put("HERALD_SENDER_SIMULATED_FAILURE_RATE", "2");
    env.put("HERALD_SENDER_AUTO_FLOOR", "PT0.5S");
    env.put("HERALD_SENDER_WHATSAPP_BASE_URL", "graph.facebook.com");
    env.put("HERALD_SENDER_ERROR_CLASSES", "131048=ignore");
    env.put("KAFKA_ENABLE_AUTO_COMMIT", "true");
    assertThatThrownBy(() -> SenderConfig.fromEnv(env))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(String.join("\n", e.problems()))
                    .contains("HERALD_SENDER_BOOTSTRAP_SERVERS")
                    .contains("HERALD_SENDER_JDBC_URL")
                    .contains("HERALD_SENDER_MAX_ATTEMPTS")
                    .contains("HERALD_SENDER_DELIVERY_MODE")
                    .contains("HERALD_SENDER_SIMULATED_LATENCY")
                    .contains("HERALD_SENDER_SIMULATED_FAILURE_RATE")
                    .contains("HERALD_SENDER_AUTO_FLOOR")
                    .contains("HERALD_SENDER_WHATSAPP_BASE_URL")
                    .contains("HERALD_SENDER_ERROR_CLASSES")
                    .contains("KAFKA_ENABLE_AUTO_COMMIT"));
  }

  @Test
  void shouldHidePasswordWhenEchoingConfig() {
    Map<String, String> env = minimal();
    env.put("HERALD_SENDER_JDBC_PASSWORD", "s3cret");
    SenderConfig c = SenderConfig.fromEnv(env);
    assertThat(c.jdbcPassword()).isEqualTo("s3cret");
    assertThat(c.echo()).contains("HERALD_SENDER_JDBC_PASSWORD=[hidden]").doesNotContain("s3cret");
    assertThat(c.toString()).doesNotContain("s3cret");
  }

  @Test
  void shouldDefaultDeviceReachWhenUnset() {
    SenderConfig c = SenderConfig.fromEnv(minimal());
    assertThat(c.tokenEnvPrefix()).isEqualTo("HERALD_TOKEN_");
    assertThat(c.urlAllowlist()).isEmpty();
    assertThat(c.mediaUrlAllowlist()).isEmpty();
    assertThat(c.endpointAllowlist()).containsExactly("https://graph.facebook.com");
  }

  @Test
  void shouldAllowOperatorDefaultsAndListedUrlsWhenSet() {
    Map<String, String> env = minimal();
    env.put("HERALD_SENDER_TOKEN_ENV_PREFIX", "ACME_WA_");
    env.put("HERALD_SENDER_URL_ALLOWLIST", " https://waha.acme.example , http://10.0.0.5:3000/t1,");
    env.put("HERALD_SENDER_MEDIA_URL_ALLOWLIST", "http://127.0.0.1:8089/media");
    env.put("HERALD_SENDER_GATEWAY_BASE_URL", "http://waha:3000");
    SenderConfig c = SenderConfig.fromEnv(env);
    assertThat(c.tokenEnvPrefix()).isEqualTo("ACME_WA_");
    assertThat(c.urlAllowlist())
        .containsExactly("https://waha.acme.example", "http://10.0.0.5:3000/t1");
    assertThat(c.mediaUrlAllowlist()).containsExactly("http://127.0.0.1:8089/media");
    assertThat(c.endpointAllowlist())
        .containsExactly(
            "https://waha.acme.example",
            "http://10.0.0.5:3000/t1",
            "https://graph.facebook.com",
            "http://waha:3000");
  }

  @Test
  void shouldNameEveryReachProblemWithoutEchoingUserInfo() {
    Map<String, String> env = minimal();
    env.put("HERALD_SENDER_TOKEN_ENV_PREFIX", "HERALD_");
    env.put("HERALD_SENDER_URL_ALLOWLIST", "https://ok.example,https://u:hunter2@gw.example");
    env.put("HERALD_SENDER_MEDIA_URL_ALLOWLIST", "cdn.example");
    env.put("HERALD_SENDER_WHATSAPP_BASE_URL", "https://graph.facebook.com/?x=1");
    assertThatThrownBy(() -> SenderConfig.fromEnv(env))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(String.join("\n", e.problems()))
                    .contains("HERALD_SENDER_TOKEN_ENV_PREFIX=HERALD_: overlaps HERALD_SENDER_")
                    .contains("HERALD_SENDER_URL_ALLOWLIST: entry 2 refused: user info")
                    .contains("HERALD_SENDER_MEDIA_URL_ALLOWLIST: entry 1 refused")
                    .contains("HERALD_SENDER_WHATSAPP_BASE_URL: a query or fragment")
                    .doesNotContain("hunter2"));
  }

  @Test
  void shouldPurgeAfterDefaultAgesWhenRetentionNotSet() {
    RetentionSettings r = SenderConfig.fromEnv(minimal()).retention();
    assertThat(r.interval()).isEqualTo(Duration.ofMinutes(10));
    assertThat(r.deliveries()).isEqualTo(Duration.ofDays(30));
    assertThat(r.history()).isEqualTo(Duration.ofDays(400));
    assertThat(r.batchSize()).isEqualTo(1000);
    assertThat(r.off()).isFalse();
  }

  @Test
  void shouldTurnEachPartOffWhenOffOrZero() {
    Map<String, String> env = minimal();
    env.put("HERALD_SENDER_RETENTION_DELIVERIES", "OFF");
    env.put("HERALD_SENDER_RETENTION_HISTORY", "P0D");
    SenderConfig c = SenderConfig.fromEnv(env);
    assertThat(c.retention().deliveries()).isZero();
    assertThat(c.retention().history()).isZero();
    assertThat(c.retention().off()).isTrue();
    assertThat(c.echo()).contains("HERALD_SENDER_RETENTION_DELIVERIES=OFF");
  }

  @Test
  void shouldNameEveryRetentionProblemWhenValuesAreBad() {
    Map<String, String> env = minimal();
    env.put("HERALD_SENDER_RETENTION_INTERVAL", "PT0S");
    env.put("HERALD_SENDER_RETENTION_DELIVERIES", "PT1H");
    env.put("HERALD_SENDER_RETENTION_BATCH", "0");
    assertThatThrownBy(() -> SenderConfig.fromEnv(env))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(String.join("\n", e.problems()))
                    .contains("HERALD_SENDER_RETENTION_INTERVAL=PT0S: must be longer than zero")
                    .contains("HERALD_SENDER_RETENTION_DELIVERIES=PT1H: must be at least P1D")
                    .contains("HERALD_SENDER_RETENTION_BATCH=0"));
    Map<String, String> shorter = minimal();
    shorter.put("HERALD_SENDER_RETENTION_DELIVERIES", "P60D");
    shorter.put("HERALD_SENDER_RETENTION_HISTORY", "P30D");
    assertThatThrownBy(() -> SenderConfig.fromEnv(shorter))
        .hasMessageContaining("HERALD_SENDER_RETENTION_HISTORY=PT720H: must not be shorter");
  }

  @Test
  void shouldProbeGatewayDevicesEveryTenSecondsUnlessTurnedOff() {
    assertThat(SenderConfig.fromEnv(minimal()).deviceProbeInterval())
        .isEqualTo(Duration.ofSeconds(10));
    for (String off : new String[] {"0", " 0 ", "PT0S"}) {
      Map<String, String> env = minimal();
      env.put("HERALD_SENDER_DEVICE_PROBE_INTERVAL", off);
      assertThat(SenderConfig.fromEnv(env).deviceProbeInterval()).as(off).isZero();
    }
    Map<String, String> bad = minimal();
    bad.put("HERALD_SENDER_DEVICE_PROBE_INTERVAL", "-PT1S");
    assertThatThrownBy(() -> SenderConfig.fromEnv(bad))
        .hasMessageContaining("HERALD_SENDER_DEVICE_PROBE_INTERVAL");
  }
}
