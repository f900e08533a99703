package io.herald.e2e;

import io.herald.contracts.event.ContactInfo;
import io.herald.contracts.event.DeviceInfo;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.topic.TopicSpec;
import io.herald.contracts.topic.Topics;
import io.herald.testsupport.FakeWhatsAppApi;
import io.herald.testsupport.KafkaTestBroker;
import io.herald.testsupport.PostgresTestDatabase;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole of Herald on loopback: a Kafka broker, PostgreSQL with Herald's schema, the fake
 * WhatsApp Cloud API, and the scheduler and sender(s) as child JVMs that a test can SIGKILL and
 * start again. The transport token reaches the senders only through the environment variable named
 * in each device's {@code transport_config} ({@link #TOKEN_ENV}); it is random per run so that
 * {@code SecurityIT} can look for it anywhere it must not be.
 *
 * <p>{@link #shared()} is one pipeline per test JVM (the in-JVM broker, the shared database, one
 * scheduler application id and one sender group), kept across test classes: a restarted scheduler
 * continues from its state, like in production. Faults that need a broker or database of their own
 * build a pipeline with {@link #Pipeline(String, Db, String)}.
 *
 * <p>The webhook receiver starts only when a test asks for it ({@link #startWebhook()}): the other
 * suites never send webhooks, and one JVM fewer keeps this small machine's runs as they were.
 */
final class Pipeline implements AutoCloseable {

  /**
   * Calls of one device in flight at once (ADR 0020), set low and explicit so that the faults can
   * bound what a kill mid-call leaves unknown: at most this many per device.
   */
  static final int MAX_CALLS_IN_FLIGHT_PER_DEVICE = 4;

  private static final Logger log = LoggerFactory.getLogger(Pipeline.class);

  static final String TOKEN_ENV = "HERALD_TOKEN_E2E_WA";

  /** The variable a gateway device's {@code api_key_env} names: the fake's API key. */
  static final String GATEWAY_KEY_ENV = "HERALD_TOKEN_E2E_GW";

  static final int PARTITIONS = 6;
  static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private static Pipeline shared;

  /** Where the database is; {@code user}/{@code password} may be null. */
  record Db(String jdbcUrl, String user, String password) {
    Connection connect() throws SQLException {
      Properties p = new Properties();
      if (user != null) {
        p.setProperty("user", user);
      }
      if (password != null) {
        p.setProperty("password", password);
      }
      return DriverManager.getConnection(jdbcUrl, p);
    }
  }

  final String runId;
  final String bootstrap;
  final Db db;
  final FakeWhatsAppApi fake;
  final String token;
  final Path stateDir;
  final String applicationId;
  final String senderGroup;

  /**
   * The Meta app secret and verify token of the webhook receiver, random per run like {@link
   * #token}: they reach the receiver only through its environment (the README's default variable
   * names), and a test signs with {@link #webhookAppSecret} as the provider would.
   */
  final String webhookAppSecret;

  final String webhookVerifyToken;
  private final Map<String, String> extraSchedulerEnv = new LinkedHashMap<>();
  private final Map<String, String> extraSenderEnv = new LinkedHashMap<>();
  private ServiceProcess scheduler;
  private ServiceProcess webhook;
  private int webhookPort;
  private final List<ServiceProcess> senders = new ArrayList<>();
  private final List<ServiceProcess> everyProcess = new ArrayList<>();
  private KafkaProducer<String, byte[]> producer;
  private String schedulerMainClass = "io.herald.scheduler.app.SchedulerApp";

  Pipeline(String bootstrap, Db db, String name) {
    this.runId = name + "-" + UUID.randomUUID().toString().substring(0, 8);
    this.bootstrap = bootstrap;
    this.db = db;
    this.token = "e2e-token-" + UUID.randomUUID();
    this.fake = FakeWhatsAppApi.start(token, "e2e-api-key-" + UUID.randomUUID());
    this.stateDir = Path.of("target", "e2e-state", runId).toAbsolutePath();
    this.applicationId = "herald-scheduler-" + runId;
    this.senderGroup = "herald-sender-" + runId;
    this.webhookAppSecret = "e2e-app-secret-" + UUID.randomUUID();
    this.webhookVerifyToken = "e2e-verify-" + UUID.randomUUID().toString().replace("-", "");
    createTopics();
    Runtime.getRuntime().addShutdownHook(new Thread(this::killAll, "e2e-kill-children"));
  }

  static synchronized Pipeline shared() {
    if (shared == null) {
      KafkaTestBroker broker = KafkaTestBroker.shared();
      PostgresTestDatabase pg = PostgresTestDatabase.shared();
      shared =
          new Pipeline(
              broker.bootstrapServers(), new Db(pg.jdbcUrl(), pg.user(), pg.password()), "shared");
    }
    return shared;
  }

  /** Scheduler main class, e.g. {@link SkewedClockSchedulerMain}; takes effect at next start. */
  Pipeline schedulerMainClass(String mainClass) {
    this.schedulerMainClass = mainClass;
    return this;
  }

  Pipeline schedulerEnv(String key, String value) {
    extraSchedulerEnv.put(key, value);
    return this;
  }

  Pipeline senderEnv(String key, String value) {
    extraSenderEnv.put(key, value);
    return this;
  }

  // ---------------------------------------------------------------------------------------------
  // services

  Map<String, String> schedulerEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HERALD_SCHEDULER_BOOTSTRAP_SERVERS", bootstrap);
    env.put("HERALD_SCHEDULER_APPLICATION_ID", applicationId);
    env.put("HERALD_SCHEDULER_STATE_DIR", stateDir.resolve("scheduler").toString());
    env.put("HERALD_SCHEDULER_JDBC_URL", db.jdbcUrl());
    if (db.user() != null) {
      env.put("HERALD_SCHEDULER_JDBC_USER", db.user());
    }
    if (db.password() != null) {
      env.put("HERALD_SCHEDULER_JDBC_PASSWORD", db.password());
    }
    // CDC (Debezium behind its lease) and the state projector run as in production: schedules
    // arrive both as database rows and as directly produced events. Slot, offsets and lease are
    // per pipeline so that pipelines sharing a broker or a database never share a reader.
    String suffix = runId.replaceAll("[^a-z0-9]", "_");
    env.put("HERALD_SCHEDULER_CDC_SLOT", "herald_e2e_" + suffix);
    env.put("HERALD_SCHEDULER_CDC_OFFSETS_TOPIC", "herald.cdc-offsets." + runId);
    env.put("HERALD_SCHEDULER_CDC_LEADER_TOPIC", "herald.cdc-leader." + runId);
    // A SIGKILLed instance's lease moves after this (the broker's minimum), not after 10 s.
    env.put("HERALD_SCHEDULER_CDC_LEADER_SESSION_TIMEOUT", "PT6S");
    env.put("HERALD_SCHEDULER_PARTITIONS", Integer.toString(PARTITIONS));
    env.put("HERALD_SCHEDULER_PUNCTUATE_INTERVAL", "PT0.25S");
    env.put("HERALD_SCHEDULER_DEVICE_WAIT", "PT5S");
    // 1,000 commands a second: a 10,000-recipient fan-out lasts long enough to be killed in.
    env.put("HERALD_SCHEDULER_MAX_COMMANDS_PER_TICK", "250");
    // A killed instance's partitions move after this, not after the 45 s default.
    env.put("KAFKA_SESSION_TIMEOUT_MS", "6000");
    env.put("KAFKA_HEARTBEAT_INTERVAL_MS", "1500");
    env.putAll(extraSchedulerEnv);
    return env;
  }

  Map<String, String> senderEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HERALD_SENDER_BOOTSTRAP_SERVERS", bootstrap);
    env.put("HERALD_SENDER_JDBC_URL", db.jdbcUrl());
    if (db.user() != null) {
      env.put("HERALD_SENDER_JDBC_USER", db.user());
    }
    if (db.password() != null) {
      env.put("HERALD_SENDER_JDBC_PASSWORD", db.password());
    }
    env.put("HERALD_SENDER_JDBC_POOL_SIZE", "6");
    env.put("HERALD_SENDER_GROUP_ID", senderGroup);
    env.put("HERALD_SENDER_WHATSAPP_BASE_URL", fake.baseUrl());
    env.put("HERALD_SENDER_DEVICE_REFRESH", "PT1S");
    env.put("HERALD_SENDER_RETRY_BASE", "PT0.2S");
    env.put("HERALD_SENDER_RETRY_MAX", "PT2S");
    env.put("HERALD_SENDER_PAIR_GAP", "PT0.1S");
    env.put("HERALD_SENDER_HTTP_TIMEOUT", "PT4S");
    // Devices on the simulated transport (fault 1's fan-out) answer at once: the sender's own
    // path (lane, ledger claim, result) is what is exercised, not a sleep.
    env.put("HERALD_SENDER_SIMULATED_LATENCY", "PT0S");
    env.put("HERALD_SENDER_REVOKE_TIMEOUT", "PT8S");
    env.put("HERALD_SENDER_DEVICE_MAX_IN_FLIGHT", Integer.toString(MAX_CALLS_IN_FLIGHT_PER_DEVICE));
    env.put("KAFKA_SESSION_TIMEOUT_MS", "6000");
    env.put("KAFKA_HEARTBEAT_INTERVAL_MS", "1500");
    env.put(TOKEN_ENV, token);
    // Gateway devices (SessionHoldIT): the fake is also the WAHA-style gateway, its base URL the
    // one allowed by default; its sessions are probed every second so that a lost session holds
    // a device within a test's patience (production: PT10S).
    env.put("HERALD_SENDER_GATEWAY_BASE_URL", fake.baseUrl());
    env.put(GATEWAY_KEY_ENV, fake.apiKey());
    env.put("HERALD_SENDER_DEVICE_PROBE_INTERVAL", "PT1S");
    env.putAll(extraSenderEnv);
    return env;
  }

  Map<String, String> webhookEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HERALD_WEBHOOK_BOOTSTRAP_SERVERS", bootstrap);
    // loopback only: the tests are the provider, nothing else may post
    env.put("HERALD_WEBHOOK_BIND", "127.0.0.1");
    env.put("HERALD_WEBHOOK_PORT", Integer.toString(webhookPort));
    env.put("HERALD_WEBHOOK_THREADS", "4");
    env.put(WEBHOOK_APP_SECRET_ENV, webhookAppSecret);
    env.put(WEBHOOK_VERIFY_TOKEN_ENV, webhookVerifyToken);
    return env;
  }

  /** The receiver's defaults (webhook-service README): the variables holding the two secrets. */
  static final String WEBHOOK_APP_SECRET_ENV = "HERALD_TOKEN_WHATSAPP_APP_SECRET";

  static final String WEBHOOK_VERIFY_TOKEN_ENV = "HERALD_TOKEN_WHATSAPP_VERIFY_TOKEN";

  /**
   * Starts the webhook receiver ({@code WebhookApp}) as a child JVM on 127.0.0.1 if it is not
   * running, and waits until it is ready. Its port is picked once, so a restart keeps the URL.
   */
  synchronized ServiceProcess startWebhook() {
    if (webhook == null) {
      webhookPort = ServiceProcess.freePort();
      webhook =
          new ServiceProcess(
              "webhook-" + runId,
              "io.herald.webhook.app.WebhookApp",
              webhookEnvironment(),
              "HERALD_WEBHOOK_METRICS_PORT",
              // its admin port on loopback too, as `herald up` keeps it
              List.of("-Xmx192m", "-Dherald.admin.bind-address=127.0.0.1"));
      everyProcess.add(webhook);
    }
    if (!webhook.isAlive()) {
      webhook.start();
    }
    return webhook.awaitReady(START_TIMEOUT);
  }

  ServiceProcess webhook() {
    return webhook;
  }

  /** The callback URL of the running receiver ({@link #startWebhook()} first). */
  synchronized URI webhookUrl() {
    if (webhook == null) {
      throw new IllegalStateException("the webhook receiver was not started");
    }
    return URI.create("http://127.0.0.1:" + webhookPort + "/webhooks/whatsapp");
  }

  synchronized ServiceProcess startScheduler() {
    if (scheduler == null) {
      // Streams, RocksDB, Debezium and the projector in one JVM: a little more heap.
      scheduler =
          new ServiceProcess(
              "scheduler-" + runId,
              schedulerMainClass,
              schedulerEnvironment(),
              "HERALD_SCHEDULER_METRICS_PORT",
              List.of("-Xmx512m"));
      everyProcess.add(scheduler);
    }
    if (!scheduler.isAlive()) {
      scheduler.start();
    }
    return scheduler;
  }

  /** Replaces the scheduler process definition (new main class or environment) and starts it. */
  synchronized ServiceProcess restartSchedulerAs(String mainClass) {
    if (scheduler != null) {
      scheduler.stop();
    }
    this.schedulerMainClass = mainClass;
    scheduler = null;
    return startScheduler();
  }

  ServiceProcess scheduler() {
    return scheduler;
  }

  /** Starts one more sender process in the group. */
  synchronized ServiceProcess addSender() {
    ServiceProcess s =
        new ServiceProcess(
            "sender-" + runId + "-" + (everyProcess.size() + 1),
            "io.herald.sender.app.SenderApp",
            senderEnvironment(),
            "HERALD_SENDER_METRICS_PORT");
    senders.add(s);
    everyProcess.add(s);
    return s.start();
  }

  synchronized List<ServiceProcess> senders() {
    return List.copyOf(senders);
  }

  /** Gracefully stops and forgets a sender (scale down). */
  synchronized void removeSender(ServiceProcess s) {
    s.stop();
    senders.remove(s);
  }

  /**
   * Starts the scheduler and one sender if they are not running, and waits until both are ready.
   */
  synchronized Pipeline ensureRunning() {
    ServiceProcess s = startScheduler();
    if (senders.isEmpty()) {
      addSender();
    }
    for (ServiceProcess sender : senders) {
      if (!sender.isAlive()) {
        sender.start();
      }
    }
    s.awaitReady(START_TIMEOUT);
    for (ServiceProcess sender : senders) {
      sender.awaitReady(START_TIMEOUT);
    }
    return this;
  }

  List<ServiceProcess> everyProcess() {
    return List.copyOf(everyProcess);
  }

  /**
   * Starts again every service that exited by itself (what an orchestrator does) and waits until it
   * is ready; returns their names with the exit code, for the fault's report.
   */
  synchronized List<String> restartExited() {
    List<String> restarted = new ArrayList<>();
    List<ServiceProcess> live = new ArrayList<>(senders);
    if (scheduler != null) {
      live.add(scheduler);
    }
    for (ServiceProcess p : live) {
      if (!p.isAlive()) {
        restarted.add(p.name() + " (exit " + p.exitValue() + ")");
        log.warn(
            "{} exited by itself (exit {}); restarting it as an orchestrator would",
            p.name(),
            p.exitValue());
        p.start();
      }
    }
    for (ServiceProcess p : live) {
      p.awaitReady(START_TIMEOUT);
    }
    return restarted;
  }

  // ---------------------------------------------------------------------------------------------
  // Kafka

  private Map<String, Object> clientConfig() {
    Map<String, Object> cfg = new HashMap<>();
    cfg.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return cfg;
  }

  void createTopics() {
    Map<String, NewTopic> topics = new LinkedHashMap<>();
    for (TopicSpec<String, ?> spec :
        List.of(
            Topics.SCHEDULE_CHANGES,
            Topics.DEVICES,
            Topics.CONTACTS,
            Topics.SEND_COMMANDS,
            Topics.OCCURRENCES,
            Topics.SCHEDULE_ERRORS,
            Topics.SCHEDULE_STATES,
            Topics.DELIVERY_RESULTS,
            // before the receiver's first POST, so the sender's projection finds it in place
            Topics.WHATSAPP_WEBHOOKS)) {
      Map<String, String> configs = new HashMap<>();
      if (spec.compacted()) {
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
      }
      // As the scheduler's provisioner does: one record size for every topic and dead letter.
      String maxBytes = Integer.toString(Limits.TOPIC_MAX_MESSAGE_BYTES);
      configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxBytes);
      topics.put(spec.name(), new NewTopic(spec.name(), PARTITIONS, (short) 1).configs(configs));
      topics.put(
          spec.dlqName(),
          new NewTopic(spec.dlqName(), PARTITIONS, (short) 1)
              .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxBytes)));
    }
    try (Admin admin = Admin.create(clientConfig())) {
      for (NewTopic t : topics.values()) {
        try {
          admin.createTopics(List.of(t)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("Cannot create " + t.name(), e.getCause());
          }
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("Cannot create topics at " + bootstrap + ": " + e, e);
    }
  }

  private synchronized KafkaProducer<String, byte[]> producer() {
    if (producer == null) {
      Map<String, Object> cfg = clientConfig();
      cfg.put(ProducerConfig.ACKS_CONFIG, "all");
      cfg.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      cfg.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(Limits.MAX_RECORD_BYTES));
      cfg.put(ProducerConfig.LINGER_MS_CONFIG, "5");
      cfg.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
      producer = new KafkaProducer<>(cfg, new StringSerializer(), new ByteArraySerializer());
    }
    return producer;
  }

  void produceRaw(String topic, String key, byte[] value) {
    try {
      producer().send(new ProducerRecord<>(topic, key, value)).get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot produce to " + topic + ": " + e, e);
    }
  }

  void produceChange(ScheduleChange change) {
    produceRaw(
        Topics.SCHEDULE_CHANGES.name(),
        change.scheduleKey(),
        Topics.SCHEDULE_CHANGES
            .valueSerde()
            .serializer()
            .serialize(Topics.SCHEDULE_CHANGES.name(), change));
  }

  void produceDevice(DeviceInfo device) {
    produceRaw(
        Topics.DEVICES.name(),
        device.deviceId(),
        Topics.DEVICES.valueSerde().serializer().serialize(Topics.DEVICES.name(), device));
  }

  void produceContact(ContactInfo contact) {
    produceRaw(
        Topics.CONTACTS.name(),
        contact.contactId(),
        Topics.CONTACTS.valueSerde().serializer().serialize(Topics.CONTACTS.name(), contact));
  }

  /** Every committed record of a topic, from the beginning (read_committed). */
  List<ConsumerRecord<String, byte[]>> readAll(String topic) {
    Map<String, Object> cfg = clientConfig();
    cfg.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    cfg.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    cfg.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(16 * 1024 * 1024));
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(cfg, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Reading " + topic + " took more than 60 s");
        }
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  /** End offsets of every partition of {@code topic} (the log end, uncommitted included). */
  Map<TopicPartition, Long> endOffsets(String topic) {
    Map<String, Object> cfg = clientConfig();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(cfg, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      return c.endOffsets(parts, Duration.ofSeconds(30));
    }
  }

  /** Committed records of {@code topic} from {@code start} (per partition) to the current end. */
  List<ConsumerRecord<String, byte[]>> readCommittedFrom(
      String topic, Map<TopicPartition, Long> start) {
    Map<String, Object> cfg = clientConfig();
    cfg.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    cfg.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    cfg.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(16 * 1024 * 1024));
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(cfg, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>(start.keySet());
      c.assign(parts);
      parts.forEach(p -> c.seek(p, start.get(p)));
      Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Reading " + topic + " took more than 60 s");
        }
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  /** The partition a record keyed {@code key} goes to (the default partitioner's murmur2). */
  static int partitionOf(String key, int partitions) {
    return org.apache.kafka.common.utils.Utils.toPositive(
            org.apache.kafka.common.utils.Utils.murmur2(key.getBytes(StandardCharsets.UTF_8)))
        % partitions;
  }

  static String utf8(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------------------------------------

  void killAll() {
    for (ServiceProcess p : everyProcess) {
      try {
        if (p.isAlive()) {
          p.kill();
        }
      } catch (RuntimeException e) {
        log.warn("Could not kill {}", p.name(), e);
      }
    }
  }

  /** Stops every process gracefully (SIGTERM), then the fake. */
  @Override
  public synchronized void close() {
    for (ServiceProcess p : everyProcess) {
      p.stop();
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
      producer = null;
    }
    fake.close();
  }
}
