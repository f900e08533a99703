package io.herald.quickstart;

import io.herald.webhook.app.WebhookApp;
import io.herald.webhook.config.WebhookConfig;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The webhook receiver under {@code herald up}: on loopback (a tunnel such as {@code ngrok http
 * 8088} makes it reachable for Meta), its two secrets taken from the environment or, when unset,
 * generated for this run and printed once, so the user can enter them in the Meta app.
 */
final class LocalWebhook {

  private LocalWebhook() {}

  /** The environment the receiver starts with, and which secrets were generated. */
  record Setup(Map<String, String> env, boolean secretGenerated, boolean tokenGenerated) {}

  /**
   * The quick start's receiver settings under whatever the user set ({@code HERALD_WEBHOOK_*},
   * {@code KAFKA_*} and the two secret variables win).
   */
  static Setup setup(String bootstrap, Map<String, String> env, Supplier<String> random) {
    Map<String, String> defaults = new HashMap<>();
    defaults.put("HERALD_WEBHOOK_BOOTSTRAP_SERVERS", bootstrap);
    defaults.put("HERALD_WEBHOOK_BIND", "127.0.0.1");
    defaults.put("HERALD_WEBHOOK_PORT", "8088");
    defaults.put("HERALD_WEBHOOK_METRICS_PORT", "9403");
    Map<String, String> merged = UpCommand.overlay(defaults, env, "HERALD_WEBHOOK_");
    String secretEnv =
        merged.getOrDefault("HERALD_WEBHOOK_APP_SECRET_ENV", WebhookConfig.DEFAULT_APP_SECRET_ENV);
    String tokenEnv =
        merged.getOrDefault(
            "HERALD_WEBHOOK_VERIFY_TOKEN_ENV", WebhookConfig.DEFAULT_VERIFY_TOKEN_ENV);
    boolean secretGenerated = fill(merged, env, secretEnv, random);
    boolean tokenGenerated = fill(merged, env, tokenEnv, random);
    return new Setup(merged, secretGenerated, tokenGenerated);
  }

  /** Copies the user's value of {@code name}, or generates one; true when generated. */
  private static boolean fill(
      Map<String, String> merged, Map<String, String> env, String name, Supplier<String> random) {
    String v = env.get(name);
    if (v != null && !v.isBlank()) {
      merged.put(name, v);
      return false;
    }
    merged.put(name, random.get());
    return true;
  }

  /** Starts the receiver and prints its callback URL and any secret generated for this run. */
  static WebhookApp start(String bootstrap, Map<String, String> env, PrintStream out) {
    SecureRandom rnd = new SecureRandom();
    Setup s =
        setup(
            bootstrap,
            env,
            () -> {
              byte[] b = new byte[16];
              rnd.nextBytes(b);
              return HexFormat.of().formatHex(b);
            });
    WebhookConfig config = WebhookConfig.fromEnv(s.env());
    WebhookApp app = WebhookApp.start(config, Clock.systemUTC());
    out.println(
        "herald up: webhook receiver at http://"
            + config.bindAddress()
            + ":"
            + app.port()
            + "/webhooks/whatsapp (metrics port "
            + app.adminPort()
            + ")");
    // printed once, here only: the user enters them in the Meta app (webhook-service/README.md)
    if (s.tokenGenerated()) {
      out.println(
          "herald up:   verify token for this run: "
              + config.verifyToken()
              + " (set "
              + config.verifyTokenEnv()
              + " to choose it)");
    }
    if (s.secretGenerated()) {
      out.println(
          "herald up:   app secret generated for this run (set "
              + config.appSecretEnv()
              + " to your Meta app's secret to accept its POSTs): "
              + config.appSecret());
    }
    return app;
  }
}
