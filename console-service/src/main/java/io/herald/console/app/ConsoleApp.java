package io.herald.console.app;

import io.herald.console.action.Replay;
import io.herald.console.auth.Sessions;
import io.herald.console.auth.TokensFile;
import io.herald.console.http.ConsoleServer;
import io.herald.console.http.Pages;
import io.herald.console.read.ConsumerLag;
import io.herald.console.read.Db;
import io.herald.console.read.DeadLetterReader;
import io.herald.console.read.Definitions;
import io.herald.contracts.limit.Limits;
import io.herald.database.Migrations;
import io.herald.runtime.app.ServiceMain;
import io.herald.runtime.http.AdminServer;
import io.herald.runtime.kafka.KafkaClients;
import io.herald.runtime.metrics.MetricsRegistries;
import io.herald.scheduler.cli.JdbcRuleReader;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator console's process (ADR 0023): reads the tokens file, migrates the schema (its two
 * tables), opens its Kafka clients and serves the pages; closes in reverse. {@link #start} serves
 * {@code main}, {@code herald up} and the integration tests alike.
 */
public final class ConsoleApp implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ConsoleApp.class);

  private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private ConsoleServer server;
  private AdminServer adminServer;

  private ConsoleApp() {}

  public static void main(String[] args) {
    ServiceMain.boundHttpRequestTime();
    ServiceMain.runAndExit(
        "console",
        () -> ConsoleConfig.fromEnv(System.getenv()),
        config -> {
          if (!config.enabled()) {
            // off unless asked for: a deployment that ships the image runs no console by
            // accident
            log.info("Console disabled (HERALD_CONSOLE_ENABLED is not true); exiting");
            return null;
          }
          return start(config, Clock.systemUTC());
        },
        app -> {
          app.awaitClose();
          return ServiceMain.EXIT_OK;
        });
  }

  /**
   * Builds and starts a console (whether or not {@code enabled}); on failure closes what started.
   */
  public static ConsoleApp start(ConsoleConfig config, Clock clock) {
    ConsoleApp app = new ConsoleApp();
    try {
      app.startComponents(config, clock);
      return app;
    } catch (RuntimeException e) {
      app.close();
      throw e;
    }
  }

  private void startComponents(ConsoleConfig config, Clock clock) {
    log.info("Starting console with effective config: {}", config.echo());
    TokensFile tokens;
    try {
      tokens = TokensFile.read(config.tokensFile());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read HERALD_CONSOLE_TOKENS_FILE " + config.tokensFile() + ": " + e.getMessage(),
          e);
    }
    if (tokens.tokenCount() == 0 && tokens.certificateCount() == 0) {
      throw new IllegalStateException("HERALD_CONSOLE_TOKENS_FILE holds no credential");
    }
    if (config.migrate()) {
      Migrations.migrate(config.jdbcUrl(), config.jdbcUser(), config.jdbcPassword());
    }
    Db db = new Db(config.jdbcUrl(), config.jdbcUser(), config.jdbcPassword());

    Admin admin =
        Admin.create(
            KafkaClients.admin(config.bootstrapServers(), config.kafka())
                .clientId("herald-console-admin")
                .toProperties());
    closeables.push(() -> admin.close(Duration.ofSeconds(5)));
    Producer<byte[], byte[]> producer =
        new KafkaProducer<>(
            KafkaClients.producer(
                    config.bootstrapServers(), config.kafka(), Limits.MAX_RECORD_BYTES)
                .clientId("herald-console-replay")
                .set(ProducerConfig.ACKS_CONFIG, "all")
                .set(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
                .toProperties(),
            new ByteArraySerializer(),
            new ByteArraySerializer());
    closeables.push(() -> producer.close(Duration.ofSeconds(5)));

    DeadLetterReader deadLetters =
        new DeadLetterReader(
            admin,
            () ->
                new KafkaConsumer<>(
                    KafkaClients.admin(config.bootstrapServers(), config.kafka())
                        .clientId("herald-console-reader")
                        // aborted dead-letter writes are not dead letters
                        .set(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                        .set(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
                        .toProperties(),
                    new ByteArrayDeserializer(),
                    new ByteArrayDeserializer()));
    Pages pages =
        new Pages(
            db,
            new Definitions(
                db, new JdbcRuleReader(config.jdbcUrl(), config.jdbcUser(), config.jdbcPassword())),
            deadLetters,
            new ConsumerLag(admin, config.consumerGroups()),
            new Replay(db, producer),
            clock);
    server =
        ConsoleServer.start(
            new InetSocketAddress(config.bindAddress(), config.port()),
            config.tls() ? Tls.context(config) : null,
            tokens,
            new Sessions(clock),
            pages);
    closeables.push(server);
    PrometheusMeterRegistry registry = MetricsRegistries.create("console");
    adminServer = new AdminServer(config.metricsPort(), registry, () -> true).start();
    closeables.push(adminServer);
    log.info(
        "Console listening at {} ({} token(s), {} certificate name(s))",
        server.url(),
        tokens.tokenCount(),
        tokens.certificateCount());
  }

  public int port() {
    return server.port();
  }

  /** Where /metrics and /health listen. */
  public int adminPort() {
    return adminServer.port();
  }

  /** The base URL, e.g. {@code http://127.0.0.1:9404/}. */
  public String url() {
    return server.url();
  }

  public void awaitClose() {
    try {
      closed.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public synchronized void close() {
    if (closed.getCount() == 0) {
      return;
    }
    while (!closeables.isEmpty()) {
      try {
        closeables.pop().close();
      } catch (Exception e) {
        log.warn("Closing a console component failed: {}", e.toString());
      }
    }
    closed.countDown();
  }
}
