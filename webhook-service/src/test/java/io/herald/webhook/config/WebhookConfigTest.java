package io.herald.webhook.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.herald.runtime.config.ConfigException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookConfigTest {

  private static final String SECRET = "app-secret-value-123";
  private static final String TOKEN = "verify-token-value-456";

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("HERALD_WEBHOOK_BOOTSTRAP_SERVERS", "kafka:9092");
    env.put(WebhookConfig.DEFAULT_APP_SECRET_ENV, SECRET);
    env.put(WebhookConfig.DEFAULT_VERIFY_TOKEN_ENV, TOKEN);
    return env;
  }

  @Test
  void shouldUseTheDocumentedDefaultsWhenOnlyTheRequiredValuesAreSet() {
    WebhookConfig c = WebhookConfig.fromEnv(env());
    assertThat(c.bindAddress()).isEqualTo("0.0.0.0");
    assertThat(c.port()).isEqualTo(8088);
    assertThat(c.metricsPort()).isEqualTo(9403);
    assertThat(c.maxBodyBytes()).isEqualTo(262_144);
    assertThat(c.produceTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.threads()).isEqualTo(16);
    assertThat(c.appSecret()).isEqualTo(SECRET);
    assertThat(c.verifyToken()).isEqualTo(TOKEN);
  }

  @Test
  void shouldReadTheSecretsFromTheVariablesNamedWhenTheNamesAreConfigured() {
    Map<String, String> env = new HashMap<>();
    env.put("HERALD_WEBHOOK_BOOTSTRAP_SERVERS", "kafka:9092");
    env.put("HERALD_WEBHOOK_APP_SECRET_ENV", "HERALD_TOKEN_ACME_APP_SECRET");
    env.put("HERALD_WEBHOOK_VERIFY_TOKEN_ENV", "HERALD_TOKEN_ACME_VERIFY");
    env.put("HERALD_TOKEN_ACME_APP_SECRET", "s1");
    env.put("HERALD_TOKEN_ACME_VERIFY", "t1");
    WebhookConfig c = WebhookConfig.fromEnv(env);
    assertThat(c.appSecret()).isEqualTo("s1");
    assertThat(c.verifyToken()).isEqualTo("t1");
  }

  @Test
  void shouldNameTheMissingVariableAndWhoNamedItWhenASecretIsNotSet() {
    Map<String, String> env = env();
    env.remove(WebhookConfig.DEFAULT_APP_SECRET_ENV);
    env.put(WebhookConfig.DEFAULT_VERIFY_TOKEN_ENV, " ");
    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> WebhookConfig.fromEnv(env));
    assertThat(e.problems())
        .containsExactlyInAnyOrder(
            "HERALD_TOKEN_WHATSAPP_APP_SECRET (named by HERALD_WEBHOOK_APP_SECRET_ENV) is required"
                + " but not set",
            "HERALD_TOKEN_WHATSAPP_VERIFY_TOKEN (named by HERALD_WEBHOOK_VERIFY_TOKEN_ENV) is"
                + " required but not set");
  }

  @Test
  void shouldNameEveryBadVariableAtOnceWhenSeveralAreWrong() {
    Map<String, String> env = env();
    env.remove("HERALD_WEBHOOK_BOOTSTRAP_SERVERS");
    env.put("HERALD_WEBHOOK_PORT", "70000");
    env.put("HERALD_WEBHOOK_MAX_BODY_BYTES", "2000000");
    env.put("HERALD_WEBHOOK_PRODUCE_TIMEOUT", "PT0S");
    env.put("HERALD_WEBHOOK_THREADS", "0");
    env.put("HERALD_WEBHOOK_APP_SECRET_ENV", "lower-case");
    env.put("KAFKA_ACKS", "1");
    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> WebhookConfig.fromEnv(env));
    assertThat(String.join("\n", e.problems()))
        .contains("HERALD_WEBHOOK_BOOTSTRAP_SERVERS is required")
        .contains("HERALD_WEBHOOK_PORT=70000")
        .contains("HERALD_WEBHOOK_MAX_BODY_BYTES=2000000")
        .contains("HERALD_WEBHOOK_PRODUCE_TIMEOUT=PT0S")
        .contains("HERALD_WEBHOOK_THREADS=0")
        .contains("HERALD_WEBHOOK_APP_SECRET_ENV: must name an environment variable")
        .contains("KAFKA_ACKS: Herald sets acks itself");
    assertThat(e.problems()).hasSize(7);
  }

  @Test
  void shouldRefuseWhenASecretWouldLiveInAnEchoedSetting() {
    Map<String, String> env = env();
    env.put("HERALD_WEBHOOK_APP_SECRET_ENV", "HERALD_WEBHOOK_SECRET");
    env.put("HERALD_WEBHOOK_SECRET", SECRET);
    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> WebhookConfig.fromEnv(env));
    assertThat(e.problems()).singleElement().asString().contains("echoed in the log");
    assertThat(e.getMessage()).doesNotContain(SECRET);
  }

  @Test
  void shouldRefuseTheSamePortForTheEndpointAndTheAdminServer() {
    Map<String, String> env = env();
    env.put("HERALD_WEBHOOK_PORT", "9000");
    env.put("HERALD_WEBHOOK_METRICS_PORT", "9000");
    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> WebhookConfig.fromEnv(env));
    assertThat(e.problems()).singleElement().asString().contains("must differ");
  }

  @Test
  void shouldHideTheSecretsWhenEchoedOrPrinted() {
    WebhookConfig c = WebhookConfig.fromEnv(env());
    assertThat(c.echo())
        .contains("HERALD_TOKEN_WHATSAPP_APP_SECRET=[hidden]")
        .contains("HERALD_TOKEN_WHATSAPP_VERIFY_TOKEN=[hidden]")
        .doesNotContain(SECRET)
        .doesNotContain(TOKEN);
    assertThat(c.toString()).doesNotContain(SECRET).doesNotContain(TOKEN);
  }
}
