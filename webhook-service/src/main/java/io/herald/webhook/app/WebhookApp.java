package io.herald.webhook.app;

import io.herald.contracts.event.WebhookDelivery;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.topic.Topics;
import io.herald.runtime.app.ServiceMain;
import io.herald.runtime.http.AdminServer;
import io.herald.runtime.kafka.KafkaClients;
import io.herald.runtime.metrics.MetricsRegistries;
import io.herald.webhook.check.SignatureCheck;
import io.herald.webhook.check.VerifyHandshake;
import io.herald.webhook.config.WebhookConfig;
import io.herald.webhook.http.WebhookHandler;
import io.herald.webhook.http.WebhookServer;
import io.herald.webhook.metrics.WebhookMetrics;
import io.herald.webhook.publish.KafkaDeliveryPublisher;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook receiver process (ADR 0021 §3): wires the components from {@link WebhookConfig},
 * starts them in dependency order (metrics, producer, webhook endpoint, admin endpoints) and closes
 * them in reverse, so requests in progress finish before the producer goes. No database: it can run
 * at the edge, and a slow database never makes the provider see timeouts. {@link #start} serves
 * {@code main}, the quick start and the integration tests alike.
 */
public final class WebhookApp implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WebhookApp.class);

  private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final WebhookConfig config;

  private PrometheusMeterRegistry registry;
  private WebhookServer server;
  private AdminServer admin;

  private WebhookApp(WebhookConfig config) {
    this.config = config;
  }

  public static void main(String[] args) {
    ServiceMain.boundHttpRequestTime();
    ServiceMain.runAndExit(
        "webhook",
        () -> WebhookConfig.fromEnv(System.getenv()),
        config -> start(config, Clock.systemUTC()),
        app -> {
          app.awaitClose();
          return ServiceMain.EXIT_OK;
        });
  }

  /** Builds and starts a receiver; on failure closes what started and rethrows. */
  public static WebhookApp start(WebhookConfig config, Clock clock) {
    WebhookApp app = new WebhookApp(config);
    try {
      app.startComponents(clock);
      return app;
    } catch (RuntimeException e) {
      app.close();
      throw e;
    }
  }

  private void startComponents(Clock clock) {
    log.info("Starting webhook receiver with effective config: {}", config.echo());
    registry = MetricsRegistries.create("webhook");
    WebhookMetrics metrics = new WebhookMetrics(registry);

    KafkaProducer<String, WebhookDelivery> producer =
        new KafkaProducer<>(
            producerProps(),
            new StringSerializer(),
            Topics.WHATSAPP_WEBHOOKS.valueSerde().serializer());
    closeables.push(() -> producer.close(Duration.ofSeconds(10)));
    KafkaClientMetrics producerMetrics = new KafkaClientMetrics(producer);
    producerMetrics.bindTo(registry);
    closeables.push(producerMetrics);

    WebhookHandler handler =
        new WebhookHandler(
            new SignatureCheck(config.appSecret()),
            new VerifyHandshake(config.verifyToken()),
            new KafkaDeliveryPublisher(producer, Topics.WHATSAPP_WEBHOOKS),
            metrics,
            config.maxBodyBytes(),
            config.produceTimeout(),
            clock);
    server =
        new WebhookServer(
                new InetSocketAddress(config.bindAddress(), config.port()),
                config.threads(),
                handler)
            .start();
    closeables.push(server);

    admin = new AdminServer(config.metricsPort(), registry, this::ready).start();
    closeables.push(admin);
    log.info("Webhook receiver started: port={} metricsPort={}", server.port(), admin.port());
  }

  private Map<String, Object> producerProps() {
    long blockMs = config.produceTimeout().toMillis();
    return KafkaClients.producer(config.bootstrapServers(), config.kafka(), Limits.MAX_RECORD_BYTES)
        .clientId("herald-webhook-" + ProcessHandle.current().pid())
        .set(ProducerConfig.ACKS_CONFIG, "all")
        .set(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
        // send() may wait for metadata or buffer space: never longer than the answer may wait
        .set(ProducerConfig.MAX_BLOCK_MS_CONFIG, blockMs)
        // a request waits for the POST that follows it only briefly
        .byDefault(ProducerConfig.LINGER_MS_CONFIG, 1)
        .toMap();
  }

  /**
   * Ready while the webhook endpoint listens. Kafka's health is not part of it on purpose: a
   * receiver taken out of rotation would see no request that could tell it Kafka is back, and a
   * POST Kafka does not take is answered 503, which the provider retries.
   */
  public boolean ready() {
    return server != null && server.running();
  }

  /** The port of the webhook endpoint (the callback URL's). */
  public int port() {
    return server.port();
  }

  /** The port of the admin endpoints. */
  public int adminPort() {
    return admin.port();
  }

  /** The registry serving {@code /metrics}. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Blocks until {@link #close()} ends. */
  void awaitClose() {
    try {
      closed.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public synchronized void close() {
    while (!closeables.isEmpty()) {
      AutoCloseable c = closeables.pop();
      try {
        c.close();
      } catch (Exception e) {
        log.warn(
            "Error while stopping a component: component={} error={}",
            c.getClass().getSimpleName(),
            e.toString());
      }
    }
    closed.countDown();
  }
}
