package io.herald.sender.app;

import io.herald.sender.config.SenderConfig;
import io.herald.sender.health.DeviceProber;
import io.herald.sender.health.GatewayProbe;
import io.herald.sender.health.HealthDecision;
import io.herald.sender.health.JdbcDeviceHealth;
import io.herald.sender.policy.DevicePolicy;
import io.herald.sender.transport.HttpGatewayTransport;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.sql.DataSource;

/** Builds and starts the gateway device prober (issue 19 §3) from the sender's config. */
final class DeviceProbeWiring {

  private DeviceProbeWiring() {}

  static DeviceProber prober(
      SenderConfig config,
      Function<String, String> env,
      DataSource dataSource,
      MeterRegistry registry,
      Consumer<Throwable> onFatal) {
    // the same reach rules as the transports (ADR 0014): one policy built from the same settings
    DevicePolicy policy =
        new DevicePolicy(
            config.tokenEnvPrefix(), config.endpointAllowlist(), config.mediaUrlAllowlist());
    // its own client: a slow gateway's probes never queue behind (or ahead of) sends
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    return new DeviceProber(
            new JdbcDeviceHealth(
                dataSource, HttpGatewayTransport.KIND.equals(config.defaultTransport())),
            new GatewayProbe(http, config.gatewayBaseUrl(), config.httpTimeout(), env, policy),
            new HealthDecision(config.activeDeviceStatuses()),
            config.deviceProbeInterval(),
            registry,
            onFatal)
        .start();
  }
}
