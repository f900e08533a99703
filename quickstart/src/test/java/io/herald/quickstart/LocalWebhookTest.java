package io.herald.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.webhook.config.WebhookConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalWebhookTest {

  @Test
  void shouldListenOnLoopbackWithGeneratedSecretsWhenTheUserSetsNone() {
    LocalWebhook.Setup s = LocalWebhook.setup("127.0.0.1:19092", Map.of(), () -> "generated");
    assertThat(s.env())
        .containsEntry("HERALD_WEBHOOK_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
        .containsEntry("HERALD_WEBHOOK_BIND", "127.0.0.1")
        .containsEntry("HERALD_WEBHOOK_PORT", "8088")
        .containsEntry("HERALD_WEBHOOK_METRICS_PORT", "9403")
        .containsEntry(WebhookConfig.DEFAULT_APP_SECRET_ENV, "generated")
        .containsEntry(WebhookConfig.DEFAULT_VERIFY_TOKEN_ENV, "generated");
    assertThat(s.secretGenerated()).isTrue();
    assertThat(s.tokenGenerated()).isTrue();
    assertThat(WebhookConfig.fromEnv(s.env()).bindAddress()).isEqualTo("127.0.0.1");
  }

  @Test
  void shouldUseTheUsersSettingsAndSecretsWhenSet() {
    Map<String, String> user =
        Map.of(
            "HERALD_WEBHOOK_PORT", "0",
            "HERALD_WEBHOOK_VERIFY_TOKEN_ENV", "HERALD_TOKEN_MY_VERIFY",
            "HERALD_TOKEN_MY_VERIFY", "mine",
            "HERALD_TOKEN_WHATSAPP_APP_SECRET", "meta-secret",
            "HERALD_SENDER_PAIR_GAP", "PT1S");
    LocalWebhook.Setup s = LocalWebhook.setup("b:1", user, () -> "generated");
    assertThat(s.env())
        .containsEntry("HERALD_WEBHOOK_PORT", "0")
        .containsEntry("HERALD_TOKEN_MY_VERIFY", "mine")
        .containsEntry(WebhookConfig.DEFAULT_APP_SECRET_ENV, "meta-secret")
        .doesNotContainKey("HERALD_SENDER_PAIR_GAP")
        .doesNotContainKey(WebhookConfig.DEFAULT_VERIFY_TOKEN_ENV);
    assertThat(s.secretGenerated()).isFalse();
    assertThat(s.tokenGenerated()).isFalse();
    WebhookConfig c = WebhookConfig.fromEnv(s.env());
    assertThat(c.verifyToken()).isEqualTo("mine");
    assertThat(c.appSecret()).isEqualTo("meta-secret");
  }
}
