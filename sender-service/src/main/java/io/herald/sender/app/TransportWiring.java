package io.herald.sender.app;

import io.herald.sender.config.SenderConfig;
import io.herald.sender.ledger.DeviceVetting;
import io.herald.sender.policy.DevicePolicy;
import io.herald.sender.policy.HostResolver;
import io.herald.sender.transport.DeviceReach;
import io.herald.sender.transport.HttpGatewayTransport;
import io.herald.sender.transport.SimulatedTransport;
import io.herald.sender.transport.Transport;
import io.herald.sender.transport.Transports;
import io.herald.sender.transport.WhatsAppCloudTransport;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/** Builds the transport adapters and what they share: the HTTP client and the device policy. */
final class TransportWiring {

  private TransportWiring() {}

  /**
   * The adapters of {@code config}; their threads are pushed on {@code closeables}.
   *
   * @param env looks up the variables device rows name (the tokens)
   */
  static Transports transports(
      SenderConfig config, Function<String, String> env, Deque<AutoCloseable> closeables) {
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    ScheduledExecutorService simTimer =
        Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "herald-simulated-transport"));
    closeables.push(simTimer::shutdownNow);
    // media host look-ups (ADR 0014) run here, never on a lane thread
    ExecutorService mediaDns = Executors.newFixedThreadPool(2, r -> daemon(r, "herald-media-dns"));
    closeables.push(mediaDns::shutdownNow);
    DeviceReach reach =
        new DeviceReach(
            new DevicePolicy(
                config.tokenEnvPrefix(), config.endpointAllowlist(), config.mediaUrlAllowlist()),
            HostResolver.SYSTEM,
            mediaDns);
    List<Transport> adapters =
        List.of(
            new WhatsAppCloudTransport(
                http,
                config.whatsappBaseUrl(),
                config.whatsappApiVersion(),
                config.httpTimeout(),
                env,
                reach),
            new HttpGatewayTransport(
                http, config.gatewayBaseUrl(), config.httpTimeout(), env, reach),
            new SimulatedTransport(
                config.simulatedLatency(),
                config.simulatedFailureRate(),
                config.simulatedSeed(),
                simTimer));
    return new Transports(adapters, config.defaultTransport());
  }

  /**
   * A device row is vetted by its transport's {@link Transport#configProblem}; a transport kind no
   * adapter serves is left to the lane, which fails its commands as unsupported.
   */
  static DeviceVetting vetting(Transports transports) {
    return device ->
        transports
            .forKind(device.transport())
            .flatMap(t -> t.configProblem(device.transportConfig()));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
