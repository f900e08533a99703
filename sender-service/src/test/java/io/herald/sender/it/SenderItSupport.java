package io.herald.sender.it;

import static org.awaitility.Awaitility.await;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.command.RecipientType;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.topic.Topics;
import io.herald.sender.app.SenderApp;
import io.herald.sender.config.SenderConfig;
import io.herald.testsupport.FakeWhatsAppApi;
import io.herald.testsupport.KafkaTestBroker;
import io.herald.testsupport.PostgresTestDatabase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Shared plumbing of the sender ITs: the JVM-wide broker and database, topics, a consumer group per
 * test that starts at the current end of {@code herald.send-commands} (old tests' records stay
 * unread), devices, commands and queries. Each test uses fresh tenant, device and schedule ids, so
 * tests never see each other's rows.
 */
public abstract class SenderItSupport {

  protected static final int PARTITIONS = 6;
  protected static final String TOKEN_ENV = "HERALD_TOKEN_IT";

  protected static KafkaTestBroker broker;
  protected static PostgresTestDatabase db;

  protected final String tenant = UUID.randomUUID().toString();
  protected final String groupId = "it-sender-" + UUID.randomUUID();
  protected final List<SenderApp> apps = new ArrayList<>();
  protected FakeWhatsAppApi fake;

  protected static void setUpInfra() {
    broker = KafkaTestBroker.shared();
    db = PostgresTestDatabase.shared();
    broker.createTopic(Topics.SEND_COMMANDS.name(), PARTITIONS);
    broker.createTopic(Topics.SEND_COMMANDS.dlqName(), 1);
    broker.createTopic(Topics.DELIVERY_RESULTS.name(), PARTITIONS);
    // every sender runs the webhook projection: its topic exists, as in a deployment
    broker.createTopic(Topics.WHATSAPP_WEBHOOKS.name(), PARTITIONS);
    broker.createTopic(Topics.WHATSAPP_WEBHOOKS.dlqName(), 1);
  }

  protected void tearDownApps() {
    for (SenderApp app : apps) {
      app.close();
    }
    apps.clear();
    if (fake != null) {
      fake.close();
    }
  }

  /** The environment of a sender in this test. */
  protected Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("HERALD_SENDER_BOOTSTRAP_SERVERS", broker.bootstrapServers());
    env.put("HERALD_SENDER_JDBC_URL", db.jdbcUrl());
    if (db.user() != null) {
      env.put("HERALD_SENDER_JDBC_USER", db.user());
    }
    env.put("HERALD_SENDER_JDBC_PASSWORD", db.password());
    env.put("HERALD_SENDER_JDBC_POOL_SIZE", "4");
    env.put("HERALD_SENDER_GROUP_ID", groupId);
    env.put("HERALD_SENDER_METRICS_PORT", "0");
    env.put("HERALD_SENDER_WHATSAPP_BASE_URL", fake.baseUrl());
    env.put("HERALD_SENDER_DEVICE_REFRESH", "PT0.5S");
    env.put("HERALD_SENDER_RETRY_BASE", "PT0.2S");
    env.put("HERALD_SENDER_REVOKE_TIMEOUT", "PT10S");
    env.put("HERALD_SENDER_HTTP_TIMEOUT", "PT8S");
    env.put("KAFKA_SESSION_TIMEOUT_MS", "6000");
    env.put("KAFKA_HEARTBEAT_INTERVAL_MS", "1000");
    env.put(TOKEN_ENV, fake.accessToken());
    return env;
  }

  protected SenderApp startSender(Map<String, String> env) {
    SenderApp app = SenderApp.start(SenderConfig.fromEnv(env), env::get, Clock.systemUTC());
    apps.add(app);
    return app;
  }

  protected SenderApp startSenderAndAwaitReady() {
    SenderApp app = startSender(env());
    await("sender ready").atMost(Duration.ofSeconds(30)).until(app::ready);
    return app;
  }

  /**
   * Commits the current end offsets of send-commands for this test's group, of delivery-results for
   * its result projector ({@code <group>-projector}) and of whatsapp-webhooks for its webhook
   * projection ({@code <group>-webhooks}), before it starts: a new projector group would otherwise
   * read every earlier test's results first (tens of thousands after the noisy-neighbour IT) before
   * this test's own.
   */
  protected void startGroupAtEnd() throws Exception {
    try (Admin admin = Admin.create(broker.clientConfig())) {
      commitEnds(admin, Topics.SEND_COMMANDS.name(), groupId);
      commitEnds(admin, Topics.DELIVERY_RESULTS.name(), groupId + "-projector");
      commitEnds(admin, Topics.WHATSAPP_WEBHOOKS.name(), groupId + "-webhooks");
    }
  }

  private static void commitEnds(Admin admin, String topic, String group) throws Exception {
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      specs.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Map<TopicPartition, OffsetAndMetadata> ends = new HashMap<>();
    admin
        .listOffsets(specs)
        .all()
        .get(30, TimeUnit.SECONDS)
        .forEach((tp, info) -> ends.put(tp, new OffsetAndMetadata(info.offset())));
    admin.alterConsumerGroupOffsets(group, ends).all().get(30, TimeUnit.SECONDS);
  }

  protected String insertDevice(String transport, String configJson, Double maxPerSecond)
      throws SQLException {
    return insertDevice(tenant, transport, configJson, maxPerSecond);
  }

  protected String insertDevice(
      String owner, String transport, String configJson, Double maxPerSecond) throws SQLException {
    String id = UUID.randomUUID().toString();
    try (Connection c = db.connection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO devices (id, user_id, name, transport, transport_config, status,"
                    + " max_per_second) VALUES (?, ?, 'it', ?, ?::jsonb, 'active', ?)")) {
      ps.setObject(1, UUID.fromString(id), Types.OTHER);
      ps.setObject(2, UUID.fromString(owner), Types.OTHER);
      ps.setString(3, transport);
      ps.setString(4, configJson);
      if (maxPerSecond == null) {
        ps.setNull(5, Types.NUMERIC);
      } else {
        ps.setDouble(5, maxPerSecond);
      }
      ps.executeUpdate();
    }
    return id;
  }

  protected String cloudDevice() throws SQLException {
    return insertDevice(
        "whatsapp_cloud",
        "{\"phone_number_id\":\"1234567890\",\"token_env\":\""
            + TOKEN_ENV
            + "\",\"api_version\":\"v21.0\"}",
        null);
  }

  protected SendCommand command(
      String deviceId,
      String scheduleKey,
      Instant occurrence,
      String recipient,
      PacingSpec pacing) {
    ScheduleKind kind = ScheduleKind.fromWire(scheduleKey.substring(0, scheduleKey.indexOf(':')));
    return new SendCommand(
        SendCommand.SCHEMA_VERSION,
        CommandId.of(scheduleKey, occurrence, recipient),
        tenant,
        deviceId,
        scheduleKey,
        kind,
        occurrence,
        recipient,
        RecipientType.INDIVIDUAL,
        null,
        "Hello " + recipient.substring(recipient.length() - 3),
        null,
        pacing,
        1,
        null);
  }

  protected static String phone(int i) {
    return String.format("+62811%07d", i);
  }

  /** Produces commands, to {@code partition} when given, else by key. */
  protected void produce(List<SendCommand> commands, Integer partition) {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (SendCommand c : commands) {
      byte[] value =
          Topics.SEND_COMMANDS.valueSerde().serializer().serialize(Topics.SEND_COMMANDS.name(), c);
      records.add(
          new ProducerRecord<>(Topics.SEND_COMMANDS.name(), partition, key(c.deviceId()), value));
    }
    produceRaw(records);
  }

  protected void produceRaw(List<ProducerRecord<byte[], byte[]>> records) {
    Map<String, Object> cfg = broker.clientConfig();
    cfg.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> p =
        new KafkaProducer<>(cfg, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (ProducerRecord<byte[], byte[]> r : records) {
        p.send(r);
      }
      p.flush();
    }
  }

  protected static byte[] key(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  protected List<Map<String, Object>> query(String sql, Object... params) throws SQLException {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        Object p = params[i];
        if (p instanceof UUID) {
          ps.setObject(i + 1, p, Types.OTHER);
        } else {
          ps.setObject(i + 1, p);
        }
      }
      List<Map<String, Object>> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        ResultSetMetaData md = rs.getMetaData();
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int i = 1; i <= md.getColumnCount(); i++) {
            row.put(md.getColumnLabel(i), rs.getObject(i));
          }
          rows.add(row);
        }
      }
      return rows;
    }
  }

  protected int update(String sql, Object... params) throws SQLException {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        Object p = params[i];
        if (p instanceof UUID) {
          ps.setObject(i + 1, p, Types.OTHER);
        } else {
          ps.setObject(i + 1, p);
        }
      }
      return ps.executeUpdate();
    }
  }

  /** Delivery status per command id of this test's tenant. */
  protected Map<String, String> statuses() throws SQLException {
    return query(
            "SELECT command_id, status FROM deliveries WHERE user_id = ?", UUID.fromString(tenant))
        .stream()
        .collect(
            Collectors.toMap(r -> (String) r.get("command_id"), r -> (String) r.get("status")));
  }

  /** Requests the fake received, per command id. */
  protected Map<String, Long> requestsPerCommand() {
    return fake.requests().stream()
        .filter(r -> r.commandId().isPresent())
        .collect(Collectors.groupingBy(r -> r.commandId().get(), Collectors.counting()));
  }

  protected static double counter(SenderApp app, String name) {
    Counter c = app.registry().find(name).counter();
    return c == null ? 0 : c.count();
  }

  protected static double counter(SenderApp app, String name, String tagKey, String tagValue) {
    return app.registry().find(name).tag(tagKey, tagValue).counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  protected static double gauge(SenderApp app, String name) {
    Gauge g = app.registry().find(name).gauge();
    return g == null ? Double.NaN : g.value();
  }
}
