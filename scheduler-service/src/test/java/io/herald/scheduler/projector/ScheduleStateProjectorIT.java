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
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
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
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private ScheduleStateProjector projector;
  private KafkaProducer<String, byte[]> producer;

  @BeforeEach
  void setUp() {
    io.herald.scheduler.cdc.CdcItSupport.createLikeProvisioner(
        broker, Topics.SCHEDULE_STATES, Topics.OCCURRENCES, Topics.SCHEDULE_ERRORS);
    Properties p = new Properties();
    p.putAll(broker.clientConfig());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    producer = new KafkaProducer<>(p);
    projector =
        new ScheduleStateProjector(
            ProjectorConfig.of(
                appId, broker.bootstrapServers(), db.jdbcUrl(), db.user(), db.password()),
            registry);
    projector.start();
  }

  @AfterEach
  void tearDown() {
    projector.close();
    producer.close();
  }

  @Test
  void shouldWriteStateColumnsAndLogRowsAndIgnoreReplaysWhenEventsArrive() throws Exception {
    UUID recurring =
        insert(
            "INSERT INTO recurring_messages (id, user_id, message, frequency)"
                + " VALUES (?, gen_random_uuid(), 'Hi', 'daily')");
    UUID autopost =
        insert(
            "INSERT INTO auto_post_schedules (id, user_id, message, frequency)"
                + " VALUES (?, gen_random_uuid(), 'News', 'daily')");
    UUID broadcast =
        insert(
            "INSERT INTO broadcasts (id, user_id, message, status)"
                + " VALUES (?, gen_random_uuid(), 'Launch', 'scheduled')");
    UUID invalid =
        insert(
            "INSERT INTO recurring_messages (id, user_id, message, frequency)"
                + " VALUES (?, gen_random_uuid(), 'Hi', 'fortnightly')");
    UUID invalidBroadcast =
        insert(
            "INSERT INTO broadcasts (id, user_id, message, status)"
                + " VALUES (?, gen_random_uuid(), 'Launch', 'scheduled')");
    String rKey = "recurring:" + recurring;
    String aKey = "autopost:" + autopost;
    String bKey = "broadcast:" + broadcast;

    List<ProducerRecord<String, byte[]>> events = new ArrayList<>();
    events.add(state(rKey, ScheduleKind.RECURRING, "active", T0.plusSeconds(3600), 0, null, T0));
    events.add(
        occurrence(
            rKey,
            ScheduleKind.RECURRING,
            T0.plusSeconds(3600),
            25,
            1,
            T0.plusSeconds(90_000),
            false));
    events.add(
        occurrence(
            rKey,
            ScheduleKind.RECURRING,
            T0.plusSeconds(90_000),
            25,
            2,
            T0.plusSeconds(176_400),
            false));
    events.add(occurrence(aKey, ScheduleKind.AUTOPOST, T0.plusSeconds(3600), 5, 1, null, true));
    events.add(occurrence(bKey, ScheduleKind.BROADCAST, T0.plusSeconds(60), 40, 1, null, true));
    events.add(
        error(
            "recurring:" + invalid,
            ScheduleKind.RECURRING,
            "frequency 'fortnightly' is not one of once, daily, weekly, monthly, custom"));
    events.add(
        state(
            "broadcast:" + invalidBroadcast,
            ScheduleKind.BROADCAST,
            "invalid",
            null,
            0,
            "target_contacts must be a JSON array of E.164 numbers or contact ids, got an object",
            T0.plusSeconds(5)));
    send(events);

    await("write-back of every event")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                longColumn("recurring_messages", recurring, "execution_count") == 2
                    && "finished".equals(textColumn("auto_post_schedules", autopost, "status"))
                    && "processing".equals(textColumn("broadcasts", broadcast, "status"))
                    && "invalid".equals(textColumn("recurring_messages", invalid, "status"))
                    && "failed".equals(textColumn("broadcasts", invalidBroadcast, "status")));
    Map<String, Object> expected =
        snapshot(recurring, autopost, broadcast, invalid, invalidBroadcast);
    assertThat(expected)
        .containsEntry("r.next_send_at", T0.plusSeconds(176_400))
        .containsEntry("r.status", "active")
        .containsEntry("r.last_error", null)
        .containsEntry("r.logs", 2L)
        .containsEntry("a.execution_count", 1L)
        .containsEntry("a.next_send_at", null)
        .containsEntry("b.started_at", T0.plusSeconds(61))
        .containsEntry("b.total_count", 40L)
        .containsEntry(
            "i.last_error",
            "frequency 'fortnightly' is not one of once, daily, weekly, monthly, custom")
        .containsEntry(
            "ib.last_error",
            "target_contacts must be a JSON array of E.164 numbers or contact ids, got an object");
    assertThat(logRows(recurring))
        .containsExactly(
            List.of(T0.plusSeconds(3600), T0.plusSeconds(3601), 25L, "processing"),
            List.of(T0.plusSeconds(90_000), T0.plusSeconds(90_001), 25L, "processing"));

    // Replay everything, plus a stale state from before the two occurrences.
    List<ProducerRecord<String, byte[]>> replay = new ArrayList<>(events);
    replay.add(
        state(
            rKey,
            ScheduleKind.RECURRING,
            "active",
            T0.plusSeconds(3600),
            0,
            null,
            T0.plusSeconds(1)));
    send(replay);
    awaitCaughtUp();

    assertThat(snapshot(recurring, autopost, broadcast, invalid, invalidBroadcast))
        .isEqualTo(expected);
  }

  @Test
  void shouldCompleteTheLogRowWhenTheSenderCreatedItFirst() throws Exception {
    UUID recurring =
        insert(
            "INSERT INTO recurring_messages (id, user_id, message, frequency)"
                + " VALUES (?, gen_random_uuid(), 'Hi', 'daily')");
    Instant occurrenceAt = T0.plusSeconds(3600);
    try (Connection c = db.connection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO recurring_message_logs"
                    + " (recurring_message_id, occurrence_at, sent_to_count) VALUES (?, ?, 3)")) {
      // What the sender's projection writes when results beat the occurrence of a long fan-out.
      ps.setObject(1, recurring);
      ps.setObject(2, java.sql.Timestamp.from(occurrenceAt));
      ps.executeUpdate();
    }

    send(
        List.of(
            occurrence(
                "recurring:" + recurring,
                ScheduleKind.RECURRING,
                occurrenceAt,
                25,
                1,
                T0.plusSeconds(90_000),
                false)));

    // Until then execution_time is null, which logRows cannot read: ignore that.
    await("log row completed")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(() -> logRows(recurring).get(0).get(2).equals(25L));
    assertThat(logRows(recurring))
        .containsExactly(List.of(occurrenceAt, occurrenceAt.plusSeconds(1), 25L, "processing"));
    try (Connection c = db.connection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT sent_to_count FROM recurring_message_logs"
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
    UUID id =
        insert(
            "INSERT INTO recurring_messages (id, user_id, message, frequency)"
                + " VALUES (?, gen_random_uuid(), 'Hi', 'daily')");
    String key = "recurring:" + id;
    // The newer state is produced first: the older error (another topic) must not win.
    send(
        List.of(
            state(
                key,
                ScheduleKind.RECURRING,
                "active",
                T0.plusSeconds(7200),
                0,
                null,
                T0.plusSeconds(10)),
            error(
                key,
                ScheduleKind.RECURRING,
                "timezone 'Mars/Base' is not an IANA zone",
                T0.plusSeconds(5))));
    awaitCaughtUp();

    assertThat(textColumn("recurring_messages", id, "status")).isEqualTo("active");
    assertThat(textColumn("recurring_messages", id, "last_error")).isNull();
    assertThat(instantColumn("recurring_messages", id, "next_send_at"))
        .isEqualTo(T0.plusSeconds(7200));
  }

  @Test
  void shouldDeadLetterUnreadableRecordAndContinueWhenPayloadIsNotJson() throws Exception {
    UUID id =
        insert(
            "INSERT INTO recurring_messages (id, user_id, message, frequency)"
                + " VALUES (?, gen_random_uuid(), 'Hi', 'daily')");
    String key = "recurring:" + id;
    byte[] garbage = "{not json".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    send(
        List.of(
            new ProducerRecord<>(Topics.OCCURRENCES.name(), key, garbage),
            occurrence(key, ScheduleKind.RECURRING, T0, 3, 1, T0.plusSeconds(86_400), false)));

    await("valid record after the poison applied")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> longColumn("recurring_messages", id, "execution_count") == 1);
    var letter = deadLetters(List.of(Topics.OCCURRENCES), List.of(key)).get(key);
    assertThat(letter.value()).isEqualTo(garbage);
    assertThat(header(letter, Topics.DLQ_HEADER_TOPIC)).isEqualTo(Topics.OCCURRENCES.name());
    assertThat(letter.headers().lastHeader(Topics.DLQ_HEADER_OFFSET)).isNotNull();
  }

  @Test
  void shouldDeadLetterPoisonRecordsAndProjectTheOthersWhenPostgresRefusesTheirContent()
      throws Exception {
    String insertRecurring =
        "INSERT INTO recurring_messages (id, user_id, message, frequency)"
            + " VALUES (?, gen_random_uuid(), 'Hi', 'daily')";
    UUID before = insert(insertRecurring);
    UUID after = insert(insertRecurring);
    UUID tooMany = insert(insertRecurring);
    UUID farFuture = insert(insertRecurring);
    UUID nul = insert(insertRecurring);
    UUID unmappable =
        insert(
            "INSERT INTO auto_post_schedules (id, user_id, message, frequency)"
                + " VALUES (?, gen_random_uuid(), 'News', 'daily')");
    UUID broadcast =
        insert(
            "INSERT INTO broadcasts (id, user_id, message, status)"
                + " VALUES (?, gen_random_uuid(), 'Launch', 'scheduled')");
    Instant year300000 = Instant.parse("+300000-01-01T00:00:00Z"); // past timestamptz's range
    String tooManyKey = "recurring:" + tooMany;
    String farFutureKey = "recurring:" + farFuture;
    String unmappableKey = "autopost:" + unmappable;
    String broadcastKey = "broadcast:" + broadcast;
    String foreignKey = "recurring:not-a-uuid";
    String hugeKey = "recurring:" + "x".repeat(10 * 1024);

    send(
        List.of(
            state(
                "recurring:" + before,
                ScheduleKind.RECURRING,
                "active",
                T0.plusSeconds(60),
                0,
                null,
                T0),
            // execution_count is an integer column: 22003 numeric value out of range
            state(
                tooManyKey,
                ScheduleKind.RECURRING,
                "active",
                T0.plusSeconds(60),
                3_000_000_000L,
                null,
                T0),
            // the log row's occurrence_at: 22008 timestamp out of range
            occurrence(farFutureKey, ScheduleKind.RECURRING, year300000, 3, 1, null, false),
            // started_at of a broadcast: the same, on the broadcasts table
            new ProducerRecord<>(
                Topics.OCCURRENCES.name(),
                broadcastKey,
                Topics.OCCURRENCES
                    .valueSerde()
                    .serializer()
                    .serialize(
                        Topics.OCCURRENCES.name(),
                        new Occurrence(
                            1,
                            broadcastKey,
                            ScheduleKind.BROADCAST,
                            null,
                            T0,
                            year300000,
                            40,
                            0,
                            1,
                            null,
                            true))),
            // no OffsetDateTime holds Instant.MAX: the mapping throws before any SQL
            state(unmappableKey, ScheduleKind.AUTOPOST, "active", Instant.MAX, 0, null, T0),
            // a NUL in last_error is made a space, not refused
            state(
                "recurring:" + nul,
                ScheduleKind.RECURRING,
                "invalid",
                null,
                0,
                "bad\u0000template",
                T0),
            // keys naming no row of ours are skipped, as before
            error(foreignKey, ScheduleKind.RECURRING, "from another service\u0000"),
            state(hugeKey, ScheduleKind.RECURRING, "active", T0, 0, null, T0),
            state(
                "recurring:" + after,
                ScheduleKind.RECURRING,
                "active",
                T0.plusSeconds(120),
                0,
                null,
                T0)));

    await("records around the poison ones written back")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                "active".equals(textColumn("recurring_messages", after, "status"))
                    && "active".equals(textColumn("recurring_messages", before, "status"))
                    && "invalid".equals(textColumn("recurring_messages", nul, "status")));
    assertThat(instantColumn("recurring_messages", after, "next_send_at"))
        .isEqualTo(T0.plusSeconds(120));
    assertThat(textColumn("recurring_messages", nul, "last_error")).isEqualTo("bad template");

    List<String> poison = List.of(tooManyKey, farFutureKey, broadcastKey, unmappableKey);
    Map<String, ConsumerRecord<String, byte[]>> letters =
        deadLetters(List.of(Topics.SCHEDULE_STATES, Topics.OCCURRENCES), poison);
    assertThat(header(letters.get(tooManyKey), Topics.DLQ_HEADER_REASON))
        .startsWith(ScheduleStateProjector.UNRECORDED_PREFIX)
        .contains("22003");
    assertThat(header(letters.get(farFutureKey), Topics.DLQ_HEADER_REASON))
        .startsWith(ScheduleStateProjector.UNRECORDED_PREFIX)
        .contains("SQLState 22");
    assertThat(header(letters.get(broadcastKey), Topics.DLQ_HEADER_REASON))
        .startsWith(ScheduleStateProjector.UNRECORDED_PREFIX)
        .contains("SQLState 22");
    assertThat(header(letters.get(unmappableKey), Topics.DLQ_HEADER_REASON))
        .startsWith(ScheduleStateProjector.UNRECORDED_PREFIX)
        .contains("DateTimeException");
    assertThat(header(letters.get(tooManyKey), Topics.DLQ_HEADER_TOPIC))
        .isEqualTo(Topics.SCHEDULE_STATES.name());
    assertThat(letters.get(tooManyKey).headers().lastHeader(Topics.DLQ_HEADER_OFFSET)).isNotNull();

    // Each poison row says why it shows no state; the broadcast that had not started failed.
    for (var row :
        List.of(
            List.of("recurring_messages", tooMany),
            List.of("recurring_messages", farFuture),
            List.of("auto_post_schedules", unmappable))) {
      UUID id = (UUID) row.get(1);
      assertThat(textColumn((String) row.get(0), id, "status")).as("%s", row).isEqualTo("invalid");
      assertThat(textColumn((String) row.get(0), id, "last_error"))
          .as("%s", row)
          .startsWith(ScheduleStateProjector.UNRECORDED_PREFIX)
          .hasSizeLessThanOrEqualTo(io.herald.contracts.limit.Limits.ERROR_TEXT_MAX_CHARS);
    }
    assertThat(textColumn("broadcasts", broadcast, "status")).isEqualTo("failed");
    assertThat(textColumn("broadcasts", broadcast, "last_error"))
        .startsWith(ScheduleStateProjector.UNRECORDED_PREFIX);
    assertThat(logRows(farFuture)).isEmpty();

    awaitCaughtUp();
    assertThat(projector.healthy()).isTrue();
    // Counted once their batch's offsets are committed, just after the group's offsets move.
    await("dead letters counted")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                deadLettersCounted(Topics.SCHEDULE_STATES) >= 2
                    && deadLettersCounted(Topics.OCCURRENCES) >= 2);
  }

  private double deadLettersCounted(TopicSpec<String, ?> topic) {
    return registry
        .get("herald.scheduler.projector.dead.letters")
        .tag("topic", topic.name())
        .tag("reason", "unwritable")
        .counter()
        .count();
  }

  @Test
  void shouldRetryAndSkipNothingWhenPostgresIsUnreachable() throws Exception {
    UUID id =
        insert(
            "INSERT INTO recurring_messages (id, user_id, message, frequency)"
                + " VALUES (?, gen_random_uuid(), 'Hi', 'daily')");
    String key = "recurring:" + id;
    send(List.of(state(key, ScheduleKind.RECURRING, "active", T0.plusSeconds(60), 0, null, T0)));
    String unreachableAppId = appId + "-down";
    SimpleMeterRegistry downRegistry = new SimpleMeterRegistry();
    try (ServerSocket closed = new ServerSocket(0)) {
      String url = "jdbc:postgresql://127.0.0.1:" + closed.getLocalPort() + "/herald";
      closed.close(); // nothing listens there any more: every connection attempt is refused
      try (ScheduleStateProjector down =
          new ScheduleStateProjector(
              ProjectorConfig.of(unreachableAppId, broker.bootstrapServers(), url, "herald", null),
              downRegistry)) {
        down.start();
        await("retries against an unreachable database")
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(50))
            .until(
                () ->
                    downRegistry.get("herald.scheduler.projector.failures").counter().count() >= 3);
        assertThat(down.healthy()).as("retrying is not stopping").isTrue();
        try (Admin admin = Admin.create(broker.clientConfig())) {
          assertThat(
                  admin
                      .listConsumerGroupOffsets(unreachableAppId + "-projector")
                      .partitionsToOffsetAndMetadata()
                      .get(10, TimeUnit.SECONDS)
                      .values())
              .as("no offset moves while nothing is written")
              .allMatch(o -> o == null);
        }
        assertThat(
                downRegistry
                    .get("herald.scheduler.projector.dead.letters")
                    .tag("topic", Topics.SCHEDULE_STATES.name())
                    .tag("reason", "unwritable")
                    .counter()
                    .count())
            .isZero();
      }
    }
  }

  @Test
  void shouldReportUnhealthyWithAReasonWhenTheProjectorStopsOnAFailureItDoesNotRetry() {
    // A new group with auto.offset.reset=none: the first poll throws NoOffsetForPartition.
    ProjectorConfig config =
        new ProjectorConfig(
            true,
            appId + "-no-offsets",
            broker.bootstrapServers(),
            db.jdbcUrl(),
            db.user(),
            db.password(),
            ProjectorConfig.DEFAULT_MAX_BATCH,
            ProjectorConfig.DEFAULT_RETRY_BACKOFF_MAX,
            Map.of("auto.offset.reset", "none"));
    try (ScheduleStateProjector stopping =
        new ScheduleStateProjector(config, new SimpleMeterRegistry())) {
      assertThat(stopping.healthy()).isTrue();
      stopping.start();
      await("projector stopped on its own")
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> !stopping.healthy());
      assertThat(stopping.stopReason()).contains("NoOffsetForPartition");
    }
  }

  // --- dead letters ---------------------------------------------------------------------------

  /** The first dead letter of each key, read from the start of the topics' dead-letter topics. */
  private Map<String, ConsumerRecord<String, byte[]>> deadLetters(
      List<TopicSpec<String, ?>> topics, List<String> keys) {
    Properties p = new Properties();
    p.putAll(broker.clientConfig());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, appId + "-dlq-reader-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    Map<String, ConsumerRecord<String, byte[]>> seen = new LinkedHashMap<>();
    try (KafkaConsumer<String, byte[]> dlq = new KafkaConsumer<>(p)) {
      dlq.subscribe(topics.stream().map(TopicSpec::dlqName).toList());
      await("dead letters of " + keys)
          .atMost(WAIT)
          .pollInSameThread()
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> r : dlq.poll(Duration.ofMillis(100))) {
                  if (keys.contains(r.key())) {
                    seen.putIfAbsent(r.key(), r);
                  }
                }
                return seen.keySet().containsAll(keys);
              });
    }
    return seen;
  }

  private static String header(ConsumerRecord<String, byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  // --- events ---------------------------------------------------------------------------------

  private static ProducerRecord<String, byte[]> state(
      String key,
      ScheduleKind kind,
      String status,
      Instant next,
      long executions,
      String lastError,
      Instant at) {
    ScheduleState s =
        new ScheduleState(1, key, kind, null, status, next, executions, lastError, 1L, at);
    return record(Topics.SCHEDULE_STATES, key, s);
  }

  private static ProducerRecord<String, byte[]> occurrence(
      String key,
      ScheduleKind kind,
      Instant occurrenceAt,
      int recipients,
      long executions,
      Instant next,
      boolean finished) {
    Occurrence o =
        new Occurrence(
            1,
            key,
            kind,
            null,
            occurrenceAt,
            occurrenceAt.plusSeconds(1),
            recipients,
            0,
            executions,
            next,
            finished);
    return record(Topics.OCCURRENCES, key, o);
  }

  private static ProducerRecord<String, byte[]> error(
      String key, ScheduleKind kind, String message) {
    return error(key, kind, message, T0);
  }

  private static ProducerRecord<String, byte[]> error(
      String key, ScheduleKind kind, String message, Instant at) {
    ScheduleError e =
        new ScheduleError(
            1, key, kind, null, ErrorReason.INVALID_RULE, List.of(message), message, 1L, at);
    return record(Topics.SCHEDULE_ERRORS, key, e);
  }

  private static <V> ProducerRecord<String, byte[]> record(
      TopicSpec<String, V> topic, String key, V value) {
    return new ProducerRecord<>(
        topic.name(), key, topic.valueSerde().serializer().serialize(topic.name(), value));
  }

  private void send(List<ProducerRecord<String, byte[]>> records) throws Exception {
    for (ProducerRecord<String, byte[]> r : records) {
      producer.send(r).get(10, TimeUnit.SECONDS);
    }
  }

  /** The projector's committed offsets reached the end of its three topics. */
  private void awaitCaughtUp() {
    try (Admin admin = Admin.create(broker.clientConfig())) {
      await("projector group caught up")
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                Map<TopicPartition, OffsetAndMetadata> committed =
                    admin
                        .listConsumerGroupOffsets(appId + "-projector")
                        .partitionsToOffsetAndMetadata()
                        .get(10, TimeUnit.SECONDS);
                Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
                for (String t :
                    List.of(
                        Topics.SCHEDULE_STATES.name(),
                        Topics.OCCURRENCES.name(),
                        Topics.SCHEDULE_ERRORS.name())) {
                  admin
                      .describeTopics(List.of(t))
                      .allTopicNames()
                      .get(10, TimeUnit.SECONDS)
                      .get(t)
                      .partitions()
                      .forEach(
                          p ->
                              latest.put(
                                  new TopicPartition(t, p.partition()), OffsetSpec.latest()));
                }
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                    admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
                return ends.entrySet().stream()
                    .allMatch(
                        e ->
                            e.getValue().offset() == 0
                                || (committed.get(e.getKey()) != null
                                    && committed.get(e.getKey()).offset()
                                        >= e.getValue().offset()));
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
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT occurrence_at, execution_time,"
                    + " recipient_count, status FROM recurring_message_logs"
                    + " WHERE recurring_message_id = ? ORDER BY occurrence_at")) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(
              List.of(
                  rs.getObject(1, OffsetDateTime.class).toInstant(),
                  rs.getObject(2, OffsetDateTime.class).toInstant(),
                  rs.getLong(3),
                  rs.getString(4)));
        }
      }
    }
    return rows;
  }

  private Object column(String table, UUID id, String column) throws SQLException {
    try (Connection c = db.connection();
        PreparedStatement ps =
            c.prepareStatement("SELECT " + column + " FROM " + table + " WHERE id = ?")) {
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
        PreparedStatement ps =
            c.prepareStatement("SELECT " + column + " FROM " + table + " WHERE id = ?")) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        OffsetDateTime t = rs.getObject(1, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
      }
    }
  }
}
