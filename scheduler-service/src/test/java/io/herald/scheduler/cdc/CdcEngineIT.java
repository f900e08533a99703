package io.herald.scheduler.cdc;

import static io.herald.scheduler.cdc.CdcItSupport.execute;
import static io.herald.scheduler.cdc.CdcItSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.event.ChangeOp;
import io.herald.contracts.event.ContactInfo;
import io.herald.contracts.event.DeviceInfo;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.topic.Topics;
import io.herald.testsupport.KafkaTestBroker;
import io.herald.testsupport.PostgresTestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The CDC engine against a real PostgreSQL and a real broker. */
class CdcEngineIT {

  private static final Duration EVENT_WAIT = Duration.ofSeconds(30);

  private final KafkaTestBroker broker = KafkaTestBroker.shared();
  private final PostgresTestDatabase db = PostgresTestDatabase.shared();
  private final String slot = unique("herald_it_");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private CdcConfig config;
  private CdcItSupport.EventReader reader;
  private CdcEngine engine;

  @BeforeEach
  void setUp() {
    CdcItSupport.createEventTopics(broker);
    config = CdcItSupport.config(broker, db, slot);
    reader = new CdcItSupport.EventReader(broker);
  }

  @AfterEach
  void tearDown() {
    if (engine != null) {
      engine.close();
    }
    reader.close();
    db.dropReplicationSlot(slot);
  }

  @Test
  void shouldProduceCanonicalEventsWhenDefinitionRowsChange() throws Exception {
    engine = new CdcEngine(config, registry);
    engine.start();
    CdcItSupport.awaitStreaming(engine, db, slot, Duration.ofSeconds(40));
    UUID tenant = UUID.randomUUID();
    UUID device = UUID.randomUUID();
    UUID recurring = UUID.randomUUID();
    UUID broadcast = UUID.randomUUID();
    UUID autopost = UUID.randomUUID();
    UUID contact = UUID.randomUUID();

    execute(
        db,
        "INSERT INTO devices (id, user_id, transport, status, max_per_second)"
            + " VALUES (?, ?, 'simulated', 'active', 2.5)",
        device,
        tenant);
    execute(
        db,
        "INSERT INTO contacts (id, user_id, phone_number, name, fields)"
            + " VALUES (?, ?, '+4915112345678', 'Ada', '{\"company\":\"ACME\"}')",
        contact,
        tenant);
    execute(
        db,
        "INSERT INTO recurring_messages (id, user_id, device_id, name, message,"
            + " target_contacts, frequency, time_of_day, days_of_week, timezone, start_date)"
            + " VALUES (?, ?, ?, 'Daily', 'Hello {name}', '[\"+4915112345678\"]', 'weekly',"
            + " '09:30', '{1,3}', 'Europe/Berlin', '2026-01-01')",
        recurring,
        tenant,
        device);
    execute(
        db,
        "INSERT INTO broadcasts (id, user_id, device_id, message, target_contacts,"
            + " scheduled_at, status) VALUES (?, ?, ?, 'Launch', '[\"+4915112345678\"]',"
            + " '2026-02-01T10:00:00Z', 'scheduled')",
        broadcast,
        tenant,
        device);
    execute(
        db,
        "INSERT INTO auto_post_schedules (id, user_id, device_id, message, target_groups,"
            + " frequency, time_of_day) VALUES (?, ?, ?, 'News', '[\"team@g.us\"]', 'daily',"
            + " '08:00')",
        autopost,
        tenant,
        device);

    DeviceInfo d =
        reader.await(Topics.DEVICES, device.toString(), l -> !l.isEmpty(), EVENT_WAIT).get(0);
    assertThat(d)
        .isEqualTo(
            new DeviceInfo(
                1, device.toString(), tenant.toString(), "simulated", "active", 2.5, false));
    ContactInfo ci =
        reader.await(Topics.CONTACTS, contact.toString(), l -> !l.isEmpty(), EVENT_WAIT).get(0);
    assertThat(ci.fields()).containsEntry("company", "ACME");
    ScheduleChange r =
        reader
            .await(Topics.SCHEDULE_CHANGES, "recurring:" + recurring, l -> !l.isEmpty(), EVENT_WAIT)
            .get(0);
    assertThat(r.op()).isEqualTo(ChangeOp.UPSERT);
    assertThat(r.tenantId()).isEqualTo(tenant.toString());
    assertThat(r.recipients()).containsExactly("+4915112345678");
    assertThat(r.rule().timeOfDay()).isEqualTo("09:30:00");
    assertThat(r.rule().daysOfWeek()).containsExactly(1, 3);
    assertThat(r.rule().startDate()).isEqualTo("2026-01-01");
    assertThat(r.sourceVersion()).isPositive();
    ScheduleChange b =
        reader
            .await(Topics.SCHEDULE_CHANGES, "broadcast:" + broadcast, l -> !l.isEmpty(), EVENT_WAIT)
            .get(0);
    assertThat(b.rule().scheduledAt()).isEqualTo("2026-02-01T10:00:00Z");
    assertThat(b.active()).isTrue();
    ScheduleChange a =
        reader
            .await(Topics.SCHEDULE_CHANGES, "autopost:" + autopost, l -> !l.isEmpty(), EVENT_WAIT)
            .get(0);
    assertThat(a.kind()).isEqualTo(ScheduleKind.AUTOPOST);
    assertThat(a.recipients()).containsExactly("team@g.us");

    // A write-back of state columns, then a user's edit: CDC is ordered, so once the edit's
    // event is there, an event of the write-back would already be there too.
    execute(
        db,
        "UPDATE recurring_messages SET next_send_at = now(), total_sent = 5,"
            + " updated_at = now() WHERE id = ?",
        recurring);
    execute(db, "UPDATE recurring_messages SET time_of_day = '10:15' WHERE id = ?", recurring);
    List<ScheduleChange> changes =
        reader.await(
            Topics.SCHEDULE_CHANGES, "recurring:" + recurring, l -> l.size() >= 2, EVENT_WAIT);
    assertThat(changes).hasSize(2);
    assertThat(changes.get(1).rule().timeOfDay()).isEqualTo("10:15:00");
    assertThat(changes.get(1).sourceVersion()).isGreaterThan(changes.get(0).sourceVersion());
    assertThat(
            registry
                .get("herald.scheduler.cdc.dropped.state.only")
                .tag("table", "recurring_messages")
                .counter()
                .count())
        .isGreaterThanOrEqualTo(1);

    execute(db, "DELETE FROM recurring_messages WHERE id = ?", recurring);
    execute(db, "DELETE FROM devices WHERE id = ?", device);
    List<ScheduleChange> afterDelete =
        reader.await(
            Topics.SCHEDULE_CHANGES, "recurring:" + recurring, l -> l.size() >= 3, EVENT_WAIT);
    assertThat(afterDelete.get(2))
        .isEqualTo(
            ScheduleChange.delete(
                "recurring:" + recurring,
                ScheduleKind.RECURRING,
                afterDelete.get(2).sourceVersion()));
    List<DeviceInfo> devices =
        reader.await(Topics.DEVICES, device.toString(), l -> l.size() >= 2, EVENT_WAIT);
    assertThat(devices.get(1).deleted()).isTrue();
    assertThat(
            registry
                .get("herald.scheduler.cdc.events")
                .tag("table", "recurring_messages")
                .tag("op", "delete")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(registry.get("herald.scheduler.cdc.lag").timer().count()).isPositive();
  }

  @Test
  void shouldResumeWithoutLossOrRepeatedSnapshotWhenRestartedWithSameOffsets() throws Exception {
    UUID before = insertRecurring();
    engine = new CdcEngine(config, registry);
    engine.start();
    CdcItSupport.awaitStreaming(engine, db, slot, Duration.ofSeconds(40));
    reader.await(Topics.SCHEDULE_CHANGES, "recurring:" + before, l -> !l.isEmpty(), EVENT_WAIT);
    UUID during = insertRecurring();
    reader.await(Topics.SCHEDULE_CHANGES, "recurring:" + during, l -> !l.isEmpty(), EVENT_WAIT);
    // offsets are flushed every second: a stop sooner may find only the snapshot's (CI once)
    CdcItSupport.awaitStreamingOffsetCommitted(broker, config.offsetsTopic());

    assertThat(engine.stop(Duration.ofSeconds(30))).isTrue();
    engine.close();
    UUID whileStopped1 = insertRecurring();
    UUID whileStopped2 = insertRecurring();
    execute(
        db, "UPDATE recurring_messages SET message = 'edited while stopped' WHERE id = ?", during);

    SimpleMeterRegistry second = new SimpleMeterRegistry();
    engine = new CdcEngine(config, second);
    engine.start();
    reader.await(
        Topics.SCHEDULE_CHANGES, "recurring:" + whileStopped1, l -> !l.isEmpty(), EVENT_WAIT);
    reader.await(
        Topics.SCHEDULE_CHANGES, "recurring:" + whileStopped2, l -> !l.isEmpty(), EVENT_WAIT);
    List<ScheduleChange> edited =
        reader.await(
            Topics.SCHEDULE_CHANGES,
            "recurring:" + during,
            l -> l.stream().anyMatch(c -> "edited while stopped".equals(c.message())),
            EVENT_WAIT);

    // The offsets were committed on the graceful stop: nothing is replayed, nothing snapshotted.
    assertThat(reader.values(Topics.SCHEDULE_CHANGES, "recurring:" + before)).hasSize(1);
    assertThat(edited).hasSize(2);
    for (String op : List.of("read")) {
      for (String table : RowMapper.TABLES) {
        assertThat(
                second
                    .get("herald.scheduler.cdc.events")
                    .tag("table", table)
                    .tag("op", op)
                    .counter()
                    .count())
            .as("snapshot events of %s after restart", table)
            .isZero();
      }
    }
  }

  @Test
  void shouldRejectOversizedDefinitionAndKeepStreamingWhenARowIsOverTheLimit() throws Exception {
    engine = new CdcEngine(config, registry);
    engine.start();
    CdcItSupport.awaitStreaming(engine, db, slot, Duration.ofSeconds(40));
    UUID tenant = UUID.randomUUID();
    UUID device = UUID.randomUUID();
    UUID big = UUID.randomUUID();
    UUID normal = UUID.randomUUID();

    // ~5 MB of message text: over MAX_DEFINITION_BYTES, under the producer's max.request.size.
    execute(
        db,
        "INSERT INTO recurring_messages (id, user_id, device_id, message,"
            + " target_contacts, frequency, time_of_day) VALUES (?, ?, ?, ?,"
            + " '[\"+4915112345678\"]', 'daily', '09:00')",
        big,
        tenant,
        device,
        "m".repeat(5 * 1024 * 1024));
    String afterBig = currentWalLsn();
    execute(
        db,
        "INSERT INTO recurring_messages (id, user_id, device_id, message,"
            + " target_contacts, frequency, time_of_day) VALUES (?, ?, ?, 'Hi',"
            + " '[\"+4915112345678\"]', 'daily', '09:00')",
        normal,
        tenant,
        device);

    ScheduleChange n =
        reader
            .await(Topics.SCHEDULE_CHANGES, "recurring:" + normal, l -> !l.isEmpty(), EVENT_WAIT)
            .get(0);
    assertThat(n.message()).isEqualTo("Hi");
    ScheduleChange stub =
        reader
            .await(Topics.SCHEDULE_CHANGES, "recurring:" + big, l -> !l.isEmpty(), EVENT_WAIT)
            .get(0);
    assertThat(stub.op()).isEqualTo(ChangeOp.UPSERT);
    assertThat(stub.tenantId()).isEqualTo(tenant.toString());
    assertThat(stub.deviceId()).isEqualTo(device.toString());
    assertThat(stub.message()).isNull();
    assertThat(stub.recipients()).isNull();
    assertThat(stub.sourceVersion()).isPositive();
    assertThat(stub.mappingErrors())
        .singleElement()
        .asString()
        .matches("definition too large: 5,[0-9]{3},[0-9]{3} bytes, limit 4,194,304");

    // Still the same run, and the slot moved past the poison row (its WAL can be released).
    assertThat(engine.isStreaming()).isTrue();
    assertThat(registry.get("herald.scheduler.cdc.restarts").counter().count()).isZero();
    assertThat(
            registry
                .get("herald.scheduler.cdc.poison.rows")
                .tag("table", "recurring_messages")
                .tag("reason", "too_large")
                .counter()
                .count())
        .isEqualTo(1);
    // The engine commits offsets, and confirms their LSN to the slot, when a batch arrives after
    // the flush interval; on a database gone quiet that needs a later change, so one small
    // unrelated change per second stands for the traffic a real database has.
    org.awaitility.Awaitility.await("slot " + slot + " confirmed past " + afterBig)
        .atMost(EVENT_WAIT)
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              execute(
                  db,
                  "INSERT INTO contacts (id, user_id, phone_number) VALUES (?, ?, '+4915100000000')",
                  UUID.randomUUID(),
                  UUID.randomUUID());
              return slotConfirmedPast(afterBig);
            });
  }

  private String currentWalLsn() throws Exception {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement("SELECT pg_current_wal_lsn()::text");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getString(1);
    }
  }

  private boolean slotConfirmedPast(String lsn) throws Exception {
    try (Connection c = db.connection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT confirmed_flush_lsn >= ?::pg_lsn"
                    + " FROM pg_replication_slots WHERE slot_name = ?")) {
      ps.setString(1, lsn);
      ps.setString(2, slot);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  private UUID insertRecurring() throws Exception {
    UUID id = UUID.randomUUID();
    execute(
        db,
        "INSERT INTO recurring_messages (id, user_id, device_id, message,"
            + " target_contacts, frequency, time_of_day) VALUES (?, gen_random_uuid(),"
            + " gen_random_uuid(), 'Hi', '[\"+4915112345678\"]', 'daily', '09:00')",
        id);
    return id;
  }
}
