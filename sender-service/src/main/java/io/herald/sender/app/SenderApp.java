package io.herald.sender.app;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.outcome.DeliveryResult;
import io.herald.contracts.topic.Topics;
import io.herald.database.Migrations;
import io.herald.runtime.app.ServiceMain;
import io.herald.runtime.http.AdminServer;
import io.herald.runtime.jdbc.DatabaseProbe;
import io.herald.runtime.jdbc.JdbcTimeouts;
import io.herald.runtime.kafka.KafkaClients;
import io.herald.runtime.metrics.MetricsRegistries;
import io.herald.sender.config.SenderConfig;
import io.herald.sender.consume.CommandConsumer;
import io.herald.sender.consume.ConsumerSettings;
import io.herald.sender.consume.KafkaResultSink;
import io.herald.sender.consume.RejectionRecorder;
import io.herald.sender.delivery.DeliveryMode;
import io.herald.sender.lane.LaneContext;
import io.herald.sender.lane.LaneScheduler;
import io.herald.sender.ledger.jdbc.JdbcDeliveryLedger;
import io.herald.sender.metrics.SenderMetrics;
import io.herald.sender.projector.JdbcProjection;
import io.herald.sender.projector.ResultProjector;
import io.herald.sender.transport.OutcomeClassifier;
import io.herald.sender.transport.Transports;
import io.herald.sender.webhook.JdbcWebhookProjection;
import io.herald.sender.webhook.WebhookProjector;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sender process: wires the components from {@link SenderConfig}, starts them in dependency
 * order (database, producers, transports, lanes, consumer, projectors, retention purge, admin
 * endpoints) and closes them in reverse. {@link #start} serves {@code main} and the integration
 * tests alike.
 */
public final class SenderApp implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SenderApp.class);

  private final Deque<AutoCloseable> closeables = new ArrayDeque<>();

  /** Counted down by a loop that stopped fatally or by the end of {@link #close()}. */
  private final CountDownLatch exit = new CountDownLatch(1);

  private volatile Throwable fatal;
  private final SenderConfig config;

  /** This process's id in {@code deliveries.claimed_by} (ADR 0017): unique per start. */
  private final String instanceId =
      "sender-"
          + ProcessHandle.current().pid()
          + "-"
          + UUID.randomUUID().toString().substring(0, 8);

  private PrometheusMeterRegistry registry;
  private HikariDataSource dataSource;
  private CommandConsumer consumer;
  private ResultProjector projector;
  private WebhookProjector webhooks;
  private LaneScheduler lanes;
  private LedgerAdapters ledgers;
  private AdminServer admin;
  private DatabaseProbe database;

  private SenderApp(SenderConfig config) {
    this.config = config;
  }

  public static void main(String[] args) {
    ServiceMain.runAndExit(
        "sender",
        () -> SenderConfig.fromEnv(System.getenv()),
        config -> start(config, System::getenv, Clock.systemUTC()),
        // a consumer that ended on a failure: the shutdown hook closes the rest
        app -> app.awaitConsumerExit() == null ? ServiceMain.EXIT_OK : ServiceMain.EXIT_FAILED);
  }

  /**
   * Builds and starts a sender.
   *
   * @param env looks up the environment variables that device configs name for tokens and keys
   */
  public static SenderApp start(SenderConfig config, Function<String, String> env, Clock clock) {
    SenderApp app = new SenderApp(config);
    try {
      app.startComponents(env, clock);
      return app;
    } catch (RuntimeException e) {
      app.close();
      throw e;
    }
  }

  private void startComponents(Function<String, String> env, Clock clock) {
    log.info("Starting sender with effective config: {}", config.echo());
    registry = MetricsRegistries.create("sender");

    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(config.jdbcUrl());
    hc.setUsername(config.jdbcUser());
    hc.setPassword(config.jdbcPassword());
    hc.setMaximumPoolSize(config.jdbcPoolSize());
    hc.setPoolName("herald-sender-db");
    // connect, socket, statement and lock timeouts on every connection; a URL parameter wins
    hc.setDataSourceProperties(JdbcTimeouts.properties());
    hc.setConnectionTimeout(Duration.ofSeconds(10).toMillis());
    hc.setMetricRegistry(null);
    dataSource = new HikariDataSource(hc);
    closeables.push(dataSource);
    database =
        new DatabaseProbe(dataSource::getConnection, Duration.ofSeconds(2), Duration.ofSeconds(1));
    if (config.migrate()) {
      Migrations.migrate(dataSource);
    }

    KafkaProducer<String, DeliveryResult> resultProducer =
        new KafkaProducer<>(
            producerProps("results"),
            new StringSerializer(),
            Topics.DELIVERY_RESULTS.valueSerde().serializer());
    closeables.push(() -> resultProducer.close(Duration.ofSeconds(10)));
    bind(new KafkaClientMetrics(resultProducer));
    KafkaProducer<byte[], byte[]> dlqProducer =
        new KafkaProducer<>(
            producerProps("dlq"), new ByteArraySerializer(), new ByteArraySerializer());
    closeables.push(() -> dlqProducer.close(Duration.ofSeconds(10)));

    Transports transports = TransportWiring.transports(config, env, closeables);
    SenderMetrics metrics = new SenderMetrics(registry, transports.kinds());

    OutcomeClassifier classifier = new OutcomeClassifier(config.errorClasses());
    Set<String> resent = classifier.resentAlthoughMaybeReceived();
    if (!resent.isEmpty() && config.deliveryMode() == DeliveryMode.AT_MOST_ONCE) {
      log.warn(
          "HERALD_SENDER_ERROR_CLASSES retries calls that may have reached WhatsApp ({}): a"
              + " message can go out twice although HERALD_SENDER_DELIVERY_MODE=at_most_once",
          resent);
    }
    // closed after the lanes (pushed before them): lanes still finishing a call need the ledger,
    // may look a device up or pause it; a dead batch thread makes the sender not ready and exit
    ledgers =
        new LedgerAdapters(
            dataSource,
            metrics,
            clock,
            config.deviceRefresh(),
            TransportWiring.vetting(transports),
            config.activeDeviceStatuses(),
            config.groupId(),
            instanceId,
            registry,
            this::onFatal);
    closeables.push(ledgers);
    log.info("Sender instance: id={} group={}", instanceId, config.groupId());
    JdbcDeliveryLedger ledger = ledgers.ledger;
    KafkaResultSink resultSink = new KafkaResultSink(resultProducer, metrics);
    LaneContext ctx =
        ledgers.laneContext(config, transports, classifier, resultSink, metrics, clock);
    lanes =
        new LaneScheduler(
            ctx, config.laneThreads(), ledgers.backlog, config.readAhead(), ledgers.epochs);
    closeables.push(() -> lanes.close(config.revokeTimeout()));

    KafkaConsumer<byte[], byte[]> kafkaConsumer =
        new KafkaConsumer<>(
            consumerProps(config.groupId()),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    bind(new KafkaClientMetrics(kafkaConsumer));
    consumer =
        new CommandConsumer(
            kafkaConsumer,
            dlqProducer,
            lanes,
            new RejectionRecorder(ledger, resultSink, metrics, clock),
            metrics,
            new ConsumerSettings(
                Topics.SEND_COMMANDS.name(),
                Topics.SEND_COMMANDS.dlqName(),
                config.maxInFlightPerPartition(),
                config.revokeTimeout(),
                Duration.ofMillis(500)),
            registry,
            this::onFatal);
    consumer.start();
    closeables.push(consumer);

    if (config.projectorEnabled()) {
      KafkaConsumer<byte[], byte[]> pc =
          new KafkaConsumer<>(
              consumerProps(config.groupId() + "-projector"),
              new ByteArrayDeserializer(),
              new ByteArrayDeserializer());
      projector =
          new ResultProjector(
                  pc,
                  dlqProducer,
                  new JdbcProjection(dataSource),
                  metrics,
                  Duration.ofSeconds(5),
                  registry,
                  this::onFatal)
              .start();
      closeables.push(projector);
    }

    if (config.webhooks().enabled()) {
      webhooks =
          WebhookProjector.create(
                  new KafkaConsumer<>(
                      consumerProps(config.groupId() + "-webhooks"),
                      new ByteArrayDeserializer(),
                      new ByteArrayDeserializer()),
                  dlqProducer,
                  new JdbcWebhookProjection(dataSource, config.deviceRefresh()),
                  config.webhooks().optOutKeywords(),
                  clock,
                  registry,
                  this::onFatal)
              .start();
      closeables.push(webhooks);
    }

    if (!config.retention().off()) {
      // one sender at a time purges (advisory lock); the others' passes find it taken and skip
      closeables.push(
          new RetentionLoop(dataSource, config.retention(), clock, registry, this::onFatal)
              .start());
    }

    if (!config.deviceProbeInterval().isZero()) {
      closeables.push(DeviceProbeWiring.prober(config, env, dataSource, registry, this::onFatal));
    }

    admin = new AdminServer(config.metricsPort(), registry, this::ready).start();
    closeables.push(admin);
    log.info("Sender started: metricsPort={} transports={}", admin.port(), transports.kinds());
  }

  private void bind(KafkaClientMetrics m) {
    m.bindTo(registry);
    closeables.push(m);
  }

  private Map<String, Object> producerProps(String role) {
    // one record bound end to end: what this producer accepts every Herald topic accepts
    return KafkaClients.producer(config.bootstrapServers(), config.kafka(), Limits.MAX_RECORD_BYTES)
        .clientId(config.groupId() + "-" + role + "-" + ProcessHandle.current().pid())
        .byDefault(ProducerConfig.ACKS_CONFIG, "all")
        .byDefault(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
        .byDefault(ProducerConfig.LINGER_MS_CONFIG, 5)
        .toMap();
  }

  private Map<String, Object> consumerProps(String groupId) {
    return KafkaClients.consumer(config.bootstrapServers(), config.kafka(), groupId)
        .byDefault(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
        .byDefault(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500)
        .set(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
        .toMap();
  }

  /**
   * Ready: partitions assigned, the projectors (when enabled) running, the ledger's batch threads
   * alive, and the database answers (checked at most every 2 s).
   */
  public boolean ready() {
    if (consumer == null || !consumer.ready() || !ledgers.healthy()) {
      return false;
    }
    if (config.projectorEnabled() && (projector == null || !projector.ready())) {
      return false;
    }
    if (config.webhooks().enabled() && (webhooks == null || !webhooks.ready())) {
      return false;
    }
    return database.answers();
  }

  /** This sender's instance id, as its claims record it in {@code deliveries.claimed_by}. */
  public String instanceId() {
    return instanceId;
  }

  /** The registry serving {@code /metrics}. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The port of the admin endpoints. */
  public int adminPort() {
    return admin.port();
  }

  /** A loop (consumer, projector, batch thread) stopped on a failure it does not retry: exit. */
  private void onFatal(Throwable e) {
    if (fatal == null) {
      fatal = e;
    }
    exit.countDown();
  }

  /**
   * Blocks until the consumer or the projector loop stops on an error, or {@link #close()} ends;
   * returns the fatal error, or null after a clean stop.
   */
  Throwable awaitConsumerExit() {
    try {
      exit.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return fatal;
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
    exit.countDown();
  }
}
