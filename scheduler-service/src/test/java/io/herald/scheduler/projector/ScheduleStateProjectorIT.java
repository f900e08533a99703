package io.herald.scheduler.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.ErrorReason;
import io.herald.contracts.outcome.Occurrence;
import io.herald.contracts.outcome.ScheduleError;
import io.herald.contracts.outcome.ScheduleState;
import io.herald.contracts.topic.TopicSpec;
import io.herald.contracts.topic.Topics;
import io.herald.testsupport.KafkaTestBroker;
import io.herald.testsupport.PostgresTestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The write-back against a real broker and a real PostgreSQL. */
class ScheduleStateProjectorIT {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");

  private final KafkaTestBroker broker = KafkaTestBroker.shared();
  private final PostgresTestDatabase db = PostgresTestDatabase.shared();
  private final String appId = "herald-it-" + UUID.randomUUID().toString().substring(0, 8);
  private ScheduleStateProjector projector;
  private KafkaProducer<String, byte[]> producer;

  @BeforeEach
  void setUp() {
    io.herald.scheduler.cdc.CdcItSupport.createLikeProvisioner(broker, Topics.SCHEDULE_STATES,
        Topics.OCCURRENCES, Topics.SCHEDULE_ERRORS);
    Properties p = new Properties();
    p.putAll(broker.clientConfig());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    producer = new KafkaProducer<>(p);
    projector = new ScheduleStateProjector(
        ProjectorConfig.of(appId, broker.bootstrapServers(), db.jdbcUrl(), db.user(),
            db.password()),
        new SimpleMeterRegistry());
    projector.start();
  }

  @AfterEach
  void tearDown() {
    projector.close();
    producer.close();
  }

  @Test
  void shouldWriteStateColumnsAndLogRowsAndIgnoreReplaysWhenEventsArrive() throws Exception {
    UUID recurring = insert("INSERT INTO recurring_messages (id, user_id, message, frequency)"
        + " VALUES (?, gen_random_uuid(), 'Hi', 'daily')");
    UUID autopost = insert("INSERT INTO auto_post_schedules (id, user_id, message, frequency)"
        + " VALUES (?, gen_random_uuid(), 'News', 'daily')");
    UUID broadcast = insert("INSERT INTO broadcasts (id, user_id, message, status)"
        + " VALUES (?, gen_random_uuid(), 'Launch', 'scheduled')");
    UUID invalid = insert("INSERT INTO recurring_messages (id, user_id, message, frequency)"
        + " VALUES (?, gen_random_uuid(), 'Hi', 'fortnightly')");
    UUID invalidBroadcast = insert("INSERT INTO broadcasts (id, user_id, message, status)"
        + " VALUES (?, gen_random_uuid(), 'Launch', 'scheduled')");
    String rKey = "recurring:" + recurring;
    String aKey = "autopost:" + autopost;
    String bKey = "broadcast:" + broadcast;

    List<ProducerRecord<String, byte[]>> events = new ArrayList<>();
    events.add(state(rKey, ScheduleKind.RECURRING, "active", T0.plusSeconds(3600), 0, null, T0));
    events.add(occurrence(rKey, ScheduleKind.RECURRING, T0.plusSeconds(3600), 25, 1,
        T0.plusSeconds(90_000), false));
    events.add(occurrence(rKey, ScheduleKind.RECURRING, T0.plusSeconds(90_000), 25, 2,
        T0.plusSeconds(176_400), false));
    events.add(occurrence(aKey, ScheduleKind.AUTOPOST, T0.plusSeconds(3600), 5, 1, null, true));
    events.add(occurrence(bKey, ScheduleKind.BROADCAST, T0.plusSeconds(60), 40, 1, null, true));
    events.add(error("recurring:" + invalid, ScheduleKind.RECURRING,
        "frequency 'fortnightly' is not one of once, daily, weekly, monthly, custom"));
    events.add(state("broadcast:" + invalidBroadcast, ScheduleKind.BROADCAST, "invalid", null, 0,
        "target_contacts must be a JSON array of E.164 numbers or contact ids, got an object",
        T0.plusSeconds(5)));
    send(events);

    await("write-back of every event").atMost(WAIT).pollInterval(Duration.ofMillis(50))
        .until(() -> longColumn("recurring_messages", recurring, "execution_count") == 2
            && "finished".equals(textColumn("auto_post_schedules", autopost, "status"))
            && "processing".equals(textColumn("broadcasts", broadcast, "status"))
            && "invalid".equals(textColumn("recurring_messages", invalid, "status"))
            && "failed".equals(textColumn("broadcasts", invalidBroadcast, "status")));
    Map<String, Object> expected = snapshot(recurring, autopost, broadcast, invalid,
        invalidBroadcast);
    assertThat(expected).containsEntry("r.next_send_at", T0.plusSeconds(176_400))
        .containsEntry("r.status", "active")
        .containsEntry("r.last_error", null)
        .containsEntry("r.logs", 2L)
        .containsEntry("a.execution_count", 1L)
        .containsEntry("a.next_send_at", null)
        .containsEntry("b.started_at", T0.plusSeconds(61))
        .containsEntry("b.total_count", 40L)
        .containsEntry("i.last_error",
            "frequency 'fortnightly' is not one of once, daily, weekly, monthly, custom")
        .containsEntry("ib.last_error",
            "target_contacts must be a JSON array of E.164 numbers or contact ids, got an object");
    assertThat(logRows(recurring)).containsExactly(
        List.of(T0.plusSeconds(3600), T0.plusSeconds(3601), 25L, "processing"),
        List.of(T0.plusSeconds(90_000), T0.plusSeconds(90_001), 25L, "processing"));

    // Replay everything, plus a stale state from before the two occurrences.
    List<ProducerRecord<String, byte[]>> replay = new ArrayList<>(events);
    replay.add(state(rKey, ScheduleKind.RECURRING, "active", T0.plusSeconds(3600), 0, null,
        T0.plusSeconds(1)));
    send(replay);
    awaitCaughtUp();

    assertThat(snapshot(recurring, autopost, broadcast, invalid, invalidBroadcast))
        .isEqualTo(expected);
  }

  @Test
  void shouldCompleteTheLogRowWhenTheSenderCreatedItFirst() throws Exception {
    UUID recurring = insert("INSERT INTO recurring_messages (id, user_id, message, frequency)"
        + " VALUES (?, gen_random_uuid(), 'Hi', 'daily')");
    Instant occurrenceAt = T0.plusSeconds(3600);
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO recurring_message_logs"
            + " (recurring_message_id, occurrence_at, sent_to_count) VALUES (?, ?, 3)")) {
      // What the sender's projection writes when results beat the occurrence of a long fan-out.
      ps.setObject(1, recurring);
      ps.setObject(2, java.sql.Timestamp.from(occurrenceAt));
      ps.executeUpdate();
    }

    send(List.of(occurrence("recurring:" + recurring, ScheduleKind.RECURRING, occurrenceAt, 25, 1,
        T0.plusSeconds(90_000), false)));

    // Until then execution_time is null, which logRows cannot read: ignore that.
    await("log row completed").atMost(WAIT).pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(() -> logRows(recurring).get(0).get(2).equals(25L));
    assertThat(logRows(recurring)).containsExactly(
        List.of(occurrenceAt, occurrenceAt.plusSeconds(1), 25L, "processing"));
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement("SELECT sent_to_count FROM recurring_message_logs"
            + " WHERE recurring_message_id = ?")) {
      ps.setObject(1, recurring);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getInt(1)).as("the sender's count is kept").isEqualTo(3);
      }
    }
  }

  @Test
  void shouldShowFixedScheduleAsActiveWhenNewerStateFollowsError() throws Exception {
    UUID id = insert("INSERT INTO recurring_messages (id, user_id, message, frequency)"
        + " VALUES (?, gen_random_uuid(), 'Hi', 'daily')");
    String key = "recurring:" + id;
    // The newer state is produced first: the older error (another topic) must not win.
    send(List.of(
        state(key, ScheduleKind.RECURRING, "active", T0.plusSeconds(7200), 0, null,
            T0.plusSeconds(10)),
        error(key, ScheduleKind.RECURRING, "timezone 'Mars/Base' is not an IANA zone",
            T0.plusSeconds(5))));
    awaitCaughtUp();

    assertThat(textColumn("recurring_messages", id, "status")).isEqualTo("active");
    assertThat(textColumn("recurring_messages", id, "last_error")).isNull();
    assertThat(instantColumn("recurring_messages", id, "next_send_at"))
        .isEqualTo(T0.plusSeconds(7200));
  }

  @Test
  void shouldDeadLetterUnreadableRecordAndContinueWhenPayloadIsNotJson() throws Exception {
    UUID id = insert("INSERT INTO recurring_messages (id, user_id, message, frequency)"
        + " VALUES (?, gen_random_uuid(), 'Hi', 'daily')");
    String key = "recurring:" + id;
    byte[] garbage = "{not json".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    send(List.of(
        new ProducerRecord<>(Topics.OCCURRENCES.name(), key, garbage),
        occurrence(key, ScheduleKind.RECURRING, T0, 3, 1, T0.plusSeconds(86_400), false)));

    await("valid record after the poison applied").atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> longColumn("recurring_messages", id, "execution_count") == 1);
    Properties p = new Properties();
    p.putAll(broker.clientConfig());
    p.put(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG, appId + "-dlq-reader");
    p.put(org.apache.kafka.clients.consumer.ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(org.apache.kafka.clients.consumer.ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
        org.apache.kafka.common.serialization.StringDeserializer.class.getName());
    p.put(org.apache.kafka.clients.consumer.ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
        org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
    try (org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]> dlq =
        new org.apache.kafka.clients.consumer.KafkaConsumer<>(p)) {
      dlq.subscribe(List.of(Topics.OCCURRENCES.dlqName()));
      List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> seen =
          new ArrayList<>();
      await("dead letter of " + key).atMost(WAIT).pollInSameThread()
          .until(() -> {
            dlq.poll(Duration.ofMillis(100)).forEach(seen::add);
            return seen.stream().anyMatch(r -> key.equals(r.key()));
          });
      var letter = seen.stream().filter(r -> key.equals(r.key())).findFirst().orElseThrow();
      assertThat(letter.value()).isEqualTo(garbage);
      assertThat(new String(letter.headers().lastHeader(Topics.DLQ_HEADER_TOPIC).value(),
          java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(Topics.OCCURRENCES.name());
      assertThat(letter.headers().lastHeader(Topics.DLQ_HEADER_OFFSET)).isNotNull();
    }
  }

  // --- events ---------------------------------------------------------------------------------

  private static ProducerRecord<String, byte[]> state(String key, ScheduleKind kind,
      String status, Instant next, long executions, String lastError, Instant at) {
    ScheduleState s = new ScheduleState(1, key, kind, null, status, next, executions, lastError,
        1L, at);
    return record(Topics.SCHEDULE_STATES, key, s);
  }

  private static ProducerRecord<String, byte[]> occurrence(String key, ScheduleKind kind,
      Instant occurrenceAt, int recipients, long executions, Instant next, boolean finished) {
    Occurrence o = new Occurrence(1, key, kind, null, occurrenceAt, occurrenceAt.plusSeconds(1),
        recipients, 0, executions, next, finished);
    return record(Topics.OCCURRENCES, key, o);
  }

  private static ProducerRecord<String, byte[]> error(String key, ScheduleKind kind,
      String message) {
    return error(key, kind, message, T0);
  }

  private static ProducerRecord<String, byte[]> error(String key, ScheduleKind kind,
      String message, Instant at) {
    ScheduleError e = new ScheduleError(1, key, kind, null, ErrorReason.INVALID_RULE,
        List.of(message), message, 1L, at);
    return record(Topics.SCHEDULE_ERRORS, key, e);
  }

  private static <V> ProducerRecord<String, byte[]> record(TopicSpec<String, V> topic,
      String key, V value) {
    return new ProducerRecord<>(topic.name(), key,
        topic.valueSerde().serializer().serialize(topic.name(), value));
  }

  private void send(List<ProducerRecord<String, byte[]>> records) throws Exception {
    for (ProducerRecord<String, byte[]> r : records) {
      producer.send(r).get(10, TimeUnit.SECONDS);
    }
  }

  /** The projector's committed offsets reached the end of its three topics. */
  private void awaitCaughtUp() {
    try (Admin admin = Admin.create(broker.clientConfig())) {
      await("projector group caught up").atMost(WAIT).pollInterval(Duration.ofMillis(100))
          .until(() -> {
            Map<TopicPartition, OffsetAndMetadata> committed = admin
                .listConsumerGroupOffsets(appId + "-projector").partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
            for (String t : List.of(Topics.SCHEDULE_STATES.name(), Topics.OCCURRENCES.name(),
                Topics.SCHEDULE_ERRORS.name())) {
              admin.describeTopics(List.of(t)).allTopicNames().get(10, TimeUnit.SECONDS).get(t)
                  .partitions().forEach(p -> latest.put(new TopicPartition(t, p.partition()),
                      OffsetSpec.latest()));
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
            return ends.entrySet().stream().allMatch(e -> e.getValue().offset() == 0
                || (committed.get(e.getKey()) != null
                    && committed.get(e.getKey()).offset() >= e.getValue().offset()));
          });
    }
  }

  // --- database -------------------------------------------------------------------------------

  private UUID insert(String sql) throws SQLException {
    UUID id = UUID.randomUUID();
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, id);
      ps.executeUpdate();
    }
    return id;
  }

  private Map<String, Object> snapshot(UUID r, UUID a, UUID b, UUID i, UUID ib)
      throws SQLException {
    Map<String, Object> m = new LinkedHashMap<>();
    for (String col : List.of("next_send_at", "scheduler_state_at")) {
      m.put("r." + col, instantColumn("recurring_messages", r, col));
      m.put("a." + col, instantColumn("auto_post_schedules", a, col));
    }
    for (String col : List.of("status", "last_error")) {
      m.put("r." + col, textColumn("recurring_messages", r, col));
      m.put("a." + col, textColumn("auto_post_schedules", a, col));
      m.put("b." + col, textColumn("broadcasts", b, col));
      m.put("i." + col, textColumn("recurring_messages", i, col));
      m.put("ib." + col, textColumn("broadcasts", ib, col));
    }
    m.put("r.execution_count", longColumn("recurring_messages", r, "execution_count"));
    m.put("a.execution_count", longColumn("auto_post_schedules", a, "execution_count"));
    m.put("b.total_count", longColumn("broadcasts", b, "total_count"));
    m.put("b.started_at", instantColumn("broadcasts", b, "started_at"));
    m.put("r.logs", (long) logRows(r).size());
    return m;
  }

  private List<List<Object>> logRows(UUID id) throws SQLException {
    List<List<Object>> rows = new ArrayList<>();
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement("SELECT occurrence_at, execution_time,"
            + " recipient_count, status FROM recurring_message_logs"
            + " WHERE recurring_message_id = ? ORDER BY occurrence_at")) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(List.of(rs.getObject(1, OffsetDateTime.class).toInstant(),
              rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getLong(3), rs.getString(4)));
        }
      }
    }
    return rows;
  }

  private Object column(String table, UUID id, String column) throws SQLException {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT " + column + " FROM " + table + " WHERE id = ?")) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).as("row %s in %s", id, table).isTrue();
        return rs.getObject(1);
      }
    }
  }

  private String textColumn(String table, UUID id, String column) throws SQLException {
    return (String) column(table, id, column);
  }

  private Long longColumn(String table, UUID id, String column) throws SQLException {
    Object v = column(table, id, column);
    return v == null ? null : ((Number) v).longValue();
  }

  private Instant instantColumn(String table, UUID id, String column) throws SQLException {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT " + column + " FROM " + table + " WHERE id = ?")) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        OffsetDateTime t = rs.getObject(1, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
      }
    }
  }
}
