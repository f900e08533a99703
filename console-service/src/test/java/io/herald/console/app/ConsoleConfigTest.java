package io.herald.console.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.runtime.config.ConfigException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsoleConfigTest {

  private static Map<String, String> enabled() {
    Map<String, String> env = new HashMap<>();
    env.put("HERALD_CONSOLE_ENABLED", "true");
    env.put("HERALD_CONSOLE_TOKENS_FILE", "/etc/herald/console-tokens");
    env.put("HERALD_CONSOLE_BOOTSTRAP_SERVERS", "kafka:9092");
    env.put("HERALD_CONSOLE_JDBC_URL", "jdbc:postgresql://db:5432/herald");
    env.put("HERALD_CONSOLE_JDBC_PASSWORD", "pg-secret");
    return env;
  }

  @Test
  void offByDefaultOnLoopbackWithTheDocumentedPorts() {
    ConsoleConfig c = ConsoleConfig.fromEnv(Map.of());
    assertThat(c.enabled()).isFalse();
    assertThat(c.port()).isEqualTo(9404);
    assertThat(c.metricsPort()).isEqualTo(9414);
    assertThat(c.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(c.tls()).isFalse();
    assertThat(c.consumerGroups()).contains("herald-scheduler", "herald-sender");
  }

  @Test
  void enabledNeedsTokensKafkaAndPostgres() {
    assertThatThrownBy(() -> ConsoleConfig.fromEnv(Map.of("HERALD_CONSOLE_ENABLED", "true")))
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e ->
                assertThat(((ConfigException) e).problems())
                    .containsExactlyInAnyOrder(
                        "HERALD_CONSOLE_TOKENS_FILE is required but not set",
                        "HERALD_CONSOLE_BOOTSTRAP_SERVERS is required but not set",
                        "HERALD_CONSOLE_JDBC_URL is required but not set"));
    ConsoleConfig c = ConsoleConfig.fromEnv(enabled());
    assertThat(c.enabled()).isTrue();
    assertThat(c.echo())
        .contains("HERALD_CONSOLE_JDBC_PASSWORD=[hidden]")
        .doesNotContain("pg-secret");
  }

  @Test
  void mtlsNeedsAllThreeSettings() {
    Map<String, String> env = enabled();
    env.put("HERALD_CONSOLE_TLS_KEYSTORE", "/tls/server.p12");
    assertThatThrownBy(() -> ConsoleConfig.fromEnv(env)).hasMessageContaining("mTLS needs all of");
    env.put("HERALD_CONSOLE_TLS_PASSWORD_FILE", "/tls/password");
    env.put("HERALD_CONSOLE_TLS_TRUSTSTORE", "/tls/clients.p12");
    assertThat(ConsoleConfig.fromEnv(env).tls()).isTrue();
  }

  @Test
  void refusesBadPortsAndUrls() {
    Map<String, String> env = enabled();
    env.put("HERALD_CONSOLE_PORT", "70000");
    env.put("HERALD_CONSOLE_JDBC_URL", "jdbc:mysql://db/herald");
    env.put("HERALD_CONSOLE_CONSUMER_GROUPS", " a, ,b ");
    assertThatThrownBy(() -> ConsoleConfig.fromEnv(env))
        .satisfies(
            e ->
                assertThat(((ConfigException) e).problems())
                    .anyMatch(p -> p.startsWith("HERALD_CONSOLE_PORT=70000"))
                    .anyMatch(p -> p.startsWith("HERALD_CONSOLE_JDBC_URL=")));
    env.put("HERALD_CONSOLE_PORT", "0");
    env.put("HERALD_CONSOLE_JDBC_URL", "jdbc:postgresql://db/herald");
    assertThat(ConsoleConfig.fromEnv(env).consumerGroups()).isEqualTo(List.of("a", "b"));
  }
}
