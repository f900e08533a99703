package io.herald.scheduler.pipeline;

import static io.herald.scheduler.pipeline.PipelineSupport.execute;
import static io.herald.scheduler.pipeline.PipelineSupport.row;
import static io.herald.scheduler.pipeline.PipelineSupport.wholeSecondsAhead;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.command.RecipientType;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.ScheduleKind;
import io.herald.scheduler.pipeline.PipelineSupport.CommandReader;
import io.herald.scheduler.pipeline.PipelineSupport.Deployment;
import io.herald.scheduler.pipeline.PipelineSupport.Instance;
import io.herald.scheduler.pipeline.PipelineSupport.Received;
import io.herald.testsupport.KafkaTestBroker;
import io.herald.testsupport.PostgresTestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's "done when", end to end through real rows: JDBC writes definitions into PostgreSQL, a
 * running {@code SchedulerApp} (CDC behind its lease, Streams with exactly-once, the state
 * projector) turns them into send-commands, read {@code read_committed} from the beginning of
 * {@code herald.send-commands}, and writes its state back to the rows.
 *
 * <p>One scheduler deployment (application id, slot, offsets and lease topics of its own) serves
 * every test of the class; each test uses its own schedule rows. Due instants are whole seconds a
 * few seconds ahead ({@code time_of_day} keeps whole seconds) in Europe/Berlin, so the expected
 * occurrence is exact. The last test restarts the instance with its state dir kept.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchedulerPipelineIT {

  private static final Duration FIRE_WAIT = Duration.ofSeconds(60);
  private static final Duration DB_WAIT = Duration.ofSeconds(30);

  /** How long the reader keeps reading to catch a late duplicate or a late (wrong) command. */
  private static final Duration QUIET = Duration.ofSeconds(2);

  private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
  private static final DateTimeFormatter HH_MM_SS = DateTimeFormatter.ofPattern("HH:mm:ss");

  @TempDir static Path stateRoot;

  private static KafkaTestBroker broker;
  private static PostgresTestDatabase db;
  private static Deployment deployment;
  private static Instance instance;
  private static CommandReader commands;
  private static final UUID TENANT = UUID.randomUUID();
  private static final UUID DEVICE = UUID.randomUUID();

  /** phone → name; contacts rows of the tenant. */
  private static final Map<String, String> CONTACTS = new LinkedHashMap<>();

  private static final Map<String, UUID> CONTACT_IDS = new HashMap<>();

  /** A custom every-minute message running through the whole class, for the restart test. */
  private static final UUID EVERY_MINUTE = UUID.randomUUID();

  @BeforeAll
  static void startScheduler() throws Exception {
    broker = KafkaTestBroker.shared();
    db = PostgresTestDatabase.shared();
    deployment = Deployment.unique();
    CONTACTS.put("+4915112340001", "Ada");
    CONTACTS.put("+4915112340002", "Grace");
    CONTACTS.put("+4915112340003", "Linus");
    // Devices and contacts first: rows before the engine's first start come from its snapshot.
    execute(
        db,
        "INSERT INTO devices (id, user_id, name, transport, status)"
            + " VALUES (?, ?, 'pipeline-it', 'simulated', 'active')",
        DEVICE,
        TENANT);
    for (Map.Entry<String, String> c : CONTACTS.entrySet()) {
      UUID id = UUID.randomUUID();
      CONTACT_IDS.put(c.getKey(), id);
      execute(
          db,
          "INSERT INTO contacts (id, user_id, phone_number, name) VALUES (?, ?, ?, ?)",
          id,
          TENANT,
          c.getKey(),
          c.getValue());
    }

    instance = Instance.start(env());
    await("CDC streaming from slot " + deployment.slot())
        .atMost(PipelineSupport.START_WAIT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> PipelineSupport.activeSlotPid(db, deployment.slot()) != null);
    commands = new CommandReader(broker);
    commands.failFastWhen(
        () ->
            instance != null && instance.streamsDied.get()
                ? "the scheduler's Kafka Streams reached ERROR (see the log above)"
                : null);

    execute(
        db,
        "INSERT INTO recurring_messages (id, user_id, device_id, name, message,"
            + " target_contacts, frequency, interval_value, interval_unit, timezone, catch_up)"
            + " VALUES (?, ?, ?, 'every minute', 'Tick {name}', ?::jsonb, 'custom', 1, 'minutes',"
            + " 'Europe/Berlin', 'fire_all')",
        EVERY_MINUTE,
        TENANT,
        DEVICE,
        phonesJson());
  }

  @AfterAll
  static void stopScheduler() {
    if (commands != null) {
      commands.close();
    }
    if (instance != null) {
      instance.close();
    }
    if (db != null && deployment != null) {
      db.dropReplicationSlot(deployment.slot());
      // The next class's engine would snapshot these rows and fire them under its own id.
      db.truncateAll();
    }
  }

  private static Map<String, String> env() {
    return PipelineSupport.env(broker, db, deployment, stateRoot.resolve("instance"), 0);
  }

  @Test
  @Order(1)
  void shouldSendOneCommandPerContactAndMoveNextSendAtWhenRecurringMessageIsDue() throws Exception {
    Instant due = wholeSecondsAhead(6);
    UUID id = UUID.randomUUID();
    String key = ScheduleKind.RECURRING.keyFor(id.toString());
    insertDaily(id, due, "Hello {name}", phonesJson());

    List<Received> got = commands.awaitAtLeast(key, 3, FIRE_WAIT);
    commands.assertStableFor(QUIET, Map.of(key, 3));

    assertThat(got)
        .allSatisfy(
            r -> {
              SendCommand c = r.command();
              assertThat(r.key()).as("record key").isEqualTo(DEVICE.toString());
              assertThat(c.deviceId()).isEqualTo(DEVICE.toString());
              assertThat(c.tenantId()).isEqualTo(TENANT.toString());
              assertThat(c.kind()).isEqualTo(ScheduleKind.RECURRING);
              assertThat(c.occurrenceAt()).isEqualTo(due);
              assertThat(c.recipientType()).isEqualTo(RecipientType.INDIVIDUAL);
              assertThat(c.commandId()).isEqualTo(CommandId.of(key, due, c.recipient()));
              assertThat(c.contactId()).isEqualTo(CONTACT_IDS.get(c.recipient()).toString());
              assertThat(c.text()).isEqualTo("Hello " + CONTACTS.get(c.recipient()));
              // Not fired before its instant (the reader sees it after the commit, after the fire).
              assertThat(r.seenAt()).isAfterOrEqualTo(due);
            });
    assertThat(got)
        .extracting(r -> r.command().recipient())
        .containsExactlyInAnyOrderElementsOf(CONTACTS.keySet());

    Instant next = due.atZone(ZONE).plusDays(1).toInstant();
    await("next_send_at moved to the next occurrence")
        .atMost(DB_WAIT)
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () ->
                assertThat(
                        row(
                            db,
                            "SELECT next_send_at, execution_count, status,"
                                + " last_error FROM recurring_messages WHERE id = ?",
                            id))
                    .containsEntry("next_send_at", next)
                    .containsEntry("execution_count", 1)
                    .containsEntry("status", "active")
                    .containsEntry("last_error", null));
    Map<String, Object> log =
        row(
            db,
            "SELECT user_id, occurrence_at, recipient_count, status"
                + " FROM recurring_message_logs WHERE recurring_message_id = ?",
            id);
    assertThat(log)
        .containsEntry("occurrence_at", due)
        .containsEntry("user_id", TENANT)
        .containsEntry("recipient_count", 3);
    assertThat(
            PipelineSupport.query(
                db, "SELECT 1 FROM recurring_message_logs WHERE recurring_message_id = ?", id))
        .hasSize(1);
  }

  @Test
  @Order(2)
  void shouldNeverFireOldTimerWhenRowIsRetimedDeactivatedOrDeleted() throws Exception {
    Instant due = wholeSecondsAhead(15);
    Instant retimed = due.plusSeconds(5);
    String phone = CONTACTS.keySet().iterator().next();
    String one = "[\"" + phone + "\"]";
    UUID control = UUID.randomUUID();
    UUID moved = UUID.randomUUID();
    UUID deactivated = UUID.randomUUID();
    UUID deleted = UUID.randomUUID();
    for (UUID id : List.of(control, moved, deactivated, deleted)) {
      insertDaily(id, due, "Hi {name}", one);
    }
    // Armed: the projector shows the armed occurrence on each row.
    for (UUID id : List.of(control, moved, deactivated, deleted)) {
      awaitNextSendAt(id, due);
    }

    execute(db, "DELETE FROM recurring_messages WHERE id = ?", deleted);
    execute(
        db,
        "UPDATE recurring_messages SET is_active = false, updated_at = now()" + " WHERE id = ?",
        deactivated);
    execute(
        db,
        "UPDATE recurring_messages SET time_of_day = ?::time, updated_at = now()" + " WHERE id = ?",
        HH_MM_SS.format(retimed.atZone(ZONE)),
        moved);
    awaitNextSendAt(moved, retimed);
    await("deactivated row shows inactive")
        .atMost(DB_WAIT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                "inactive"
                    .equals(
                        row(
                                db,
                                "SELECT status FROM recurring_messages" + " WHERE id = ?",
                                deactivated)
                            .get("status")));
    assertThat(Instant.now())
        .as(
            "the changes must reach the scheduler before the old due instant, else this test"
                + " proves nothing (machine far too slow)")
        .isBefore(due);

    String controlKey = ScheduleKind.RECURRING.keyFor(control.toString());
    String movedKey = ScheduleKind.RECURRING.keyFor(moved.toString());
    String deactivatedKey = ScheduleKind.RECURRING.keyFor(deactivated.toString());
    String deletedKey = ScheduleKind.RECURRING.keyFor(deleted.toString());
    // The control fires at the old instant: the timers due then were processed.
    assertThat(commands.awaitAtLeast(controlKey, 1, FIRE_WAIT))
        .extracting(r -> r.command().occurrenceAt())
        .containsExactly(due);
    assertThat(commands.awaitAtLeast(movedKey, 1, FIRE_WAIT))
        .extracting(r -> r.command().occurrenceAt())
        .containsExactly(retimed);
    commands.assertStableFor(
        QUIET, Map.of(controlKey, 1, movedKey, 1, deactivatedKey, 0, deletedKey, 0));

    Map<String, Object> inactive =
        row(
            db,
            "SELECT status, next_send_at, execution_count"
                + " FROM recurring_messages WHERE id = ?",
            deactivated);
    assertThat(inactive)
        .containsEntry("status", "inactive")
        .containsEntry("next_send_at", null)
        .containsEntry("execution_count", 0);
    assertThat(
            PipelineSupport.query(
                db,
                "SELECT occurrence_at FROM recurring_message_logs"
                    + " WHERE recurring_message_id IN (?, ?)",
                deactivated,
                deleted))
        .isEmpty();
    awaitNextSendAt(moved, retimed.atZone(ZONE).plusDays(1).toInstant());
  }

  @Test
  @Order(3)
  void shouldFireBroadcastsOnceNowOrAtScheduledAtAndAutoPostToEachGroup() throws Exception {
    UUID now = UUID.randomUUID();
    UUID later = UUID.randomUUID();
    UUID draft = UUID.randomUUID();
    UUID autopost = UUID.randomUUID();
    Instant scheduledAt = wholeSecondsAhead(5);
    Instant autopostDue = wholeSecondsAhead(6);
    execute(
        db,
        "INSERT INTO broadcasts (id, user_id, device_id, name, message, target_contacts,"
            + " status) VALUES (?, ?, ?, 'now', 'Sale today', ?::jsonb, 'scheduled')",
        now,
        TENANT,
        DEVICE,
        phonesJson());
    execute(
        db,
        "INSERT INTO broadcasts (id, user_id, device_id, name, message, target_contacts,"
            + " scheduled_at, status) VALUES (?, ?, ?, 'later', 'Hi {name}', ?::jsonb, ?,"
            + " 'scheduled')",
        later,
        TENANT,
        DEVICE,
        phonesJson(),
        java.time.OffsetDateTime.ofInstant(scheduledAt, java.time.ZoneOffset.UTC));
    execute(
        db,
        "INSERT INTO broadcasts (id, user_id, device_id, name, message, target_contacts,"
            + " status) VALUES (?, ?, ?, 'draft', 'Not yet', ?::jsonb, 'draft')",
        draft,
        TENANT,
        DEVICE,
        phonesJson());
    List<String> groups = List.of("120363000000000001@g.us", "120363000000000002@g.us");
    execute(
        db,
        "INSERT INTO auto_post_schedules (id, user_id, device_id, name, message,"
            + " target_groups, frequency, time_of_day, timezone) VALUES (?, ?, ?, 'news',"
            + " 'Daily news', ?::jsonb, 'daily', ?::time, 'Europe/Berlin')",
        autopost,
        TENANT,
        DEVICE,
        "[\"" + String.join("\",\"", groups) + "\"]",
        HH_MM_SS.format(autopostDue.atZone(ZONE)));
    Instant createdAt =
        (Instant) row(db, "SELECT created_at FROM broadcasts WHERE id = ?", now).get("created_at");

    String nowKey = ScheduleKind.BROADCAST.keyFor(now.toString());
    String laterKey = ScheduleKind.BROADCAST.keyFor(later.toString());
    String draftKey = ScheduleKind.BROADCAST.keyFor(draft.toString());
    String autopostKey = ScheduleKind.AUTOPOST.keyFor(autopost.toString());
    List<Received> immediate = commands.awaitAtLeast(nowKey, 3, FIRE_WAIT);
    List<Received> scheduled = commands.awaitAtLeast(laterKey, 3, FIRE_WAIT);
    List<Received> posted = commands.awaitAtLeast(autopostKey, 2, FIRE_WAIT);
    commands.assertStableFor(QUIET, Map.of(nowKey, 3, laterKey, 3, draftKey, 0, autopostKey, 2));

    // "Now" is the row's created_at: the occurrence comes from the row, not the firing clock.
    assertThat(immediate)
        .allSatisfy(
            r -> {
              assertThat(r.command().occurrenceAt()).isEqualTo(createdAt);
              assertThat(r.command().text()).isEqualTo("Sale today");
              assertThat(r.key()).isEqualTo(DEVICE.toString());
              assertThat(r.command().commandId())
                  .isEqualTo(CommandId.of(nowKey, createdAt, r.command().recipient()));
            });
    assertThat(scheduled)
        .allSatisfy(
            r -> {
              assertThat(r.command().occurrenceAt()).isEqualTo(scheduledAt);
              assertThat(r.seenAt()).as("not before scheduled_at").isAfterOrEqualTo(scheduledAt);
              assertThat(r.command().text())
                  .isEqualTo("Hi " + CONTACTS.get(r.command().recipient()));
            });
    for (List<Received> l : List.of(immediate, scheduled)) {
      assertThat(l)
          .extracting(r -> r.command().recipient())
          .containsExactlyInAnyOrderElementsOf(CONTACTS.keySet());
    }
    assertThat(posted)
        .allSatisfy(
            r -> {
              SendCommand c = r.command();
              assertThat(c.recipientType()).isEqualTo(RecipientType.GROUP);
              assertThat(c.occurrenceAt()).isEqualTo(autopostDue);
              assertThat(c.kind()).isEqualTo(ScheduleKind.AUTOPOST);
              assertThat(r.key()).isEqualTo(DEVICE.toString());
              assertThat(c.text()).isEqualTo("Daily news");
            });
    assertThat(posted)
        .extracting(r -> r.command().recipient())
        .containsExactlyInAnyOrderElementsOf(groups);

    for (UUID id : List.of(now, later)) {
      await("broadcast " + id + " processing")
          .atMost(DB_WAIT)
          .pollInterval(Duration.ofMillis(100))
          .untilAsserted(
              () -> {
                Map<String, Object> b =
                    row(
                        db,
                        "SELECT status, started_at, total_count, last_error"
                            + " FROM broadcasts WHERE id = ?",
                        id);
                assertThat(b)
                    .containsEntry("status", "processing")
                    .containsEntry("total_count", 3)
                    .containsEntry("last_error", null);
                assertThat(b.get("started_at")).isNotNull();
              });
    }
    assertThat(row(db, "SELECT status FROM broadcasts WHERE id = ?", draft))
        .containsEntry("status", "draft");
    await("auto-post next_send_at")
        .atMost(DB_WAIT)
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () ->
                assertThat(
                        row(
                            db,
                            "SELECT next_send_at, execution_count, status"
                                + " FROM auto_post_schedules WHERE id = ?",
                            autopost))
                    .containsEntry("next_send_at", autopostDue.atZone(ZONE).plusDays(1).toInstant())
                    .containsEntry("execution_count", 1)
                    .containsEntry("status", "active"));
  }

  @Test
  @Order(4)
  void shouldMarkInvalidRowAndStillFireValidRowOfSameTransaction() throws Exception {
    Instant due = wholeSecondsAhead(6);
    UUID invalid = UUID.randomUUID();
    UUID valid = UUID.randomUUID();
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      execute(
          c,
          "INSERT INTO recurring_messages (id, user_id, device_id, name, message,"
              + " target_contacts, frequency, time_of_day, timezone) VALUES (?, ?, ?, 'typo',"
              + " 'Hi {name}', ?::jsonb, 'daily', ?::time, 'Europe/Berln')",
          invalid,
          TENANT,
          DEVICE,
          phonesJson(),
          HH_MM_SS.format(due.atZone(ZONE)));
      execute(
          c,
          "INSERT INTO recurring_messages (id, user_id, device_id, name, message,"
              + " target_contacts, frequency, time_of_day, timezone) VALUES (?, ?, ?, 'fine',"
              + " 'Hi {name}', ?::jsonb, 'daily', ?::time, 'Europe/Berlin')",
          valid,
          TENANT,
          DEVICE,
          phonesJson(),
          HH_MM_SS.format(due.atZone(ZONE)));
      c.commit();
    }

    await("invalid row marked")
        .atMost(DB_WAIT)
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> {
              Map<String, Object> r =
                  row(
                      db,
                      "SELECT status, last_error, next_send_at"
                          + " FROM recurring_messages WHERE id = ?",
                      invalid);
              assertThat(r).containsEntry("status", "invalid").containsEntry("next_send_at", null);
              assertThat((String) r.get("last_error"))
                  .contains("timezone 'Europe/Berln' is not an IANA zone")
                  .contains("did you mean Europe/Berlin?");
            });
    String validKey = ScheduleKind.RECURRING.keyFor(valid.toString());
    String invalidKey = ScheduleKind.RECURRING.keyFor(invalid.toString());
    assertThat(commands.awaitAtLeast(validKey, 3, FIRE_WAIT))
        .extracting(r -> r.command().occurrenceAt())
        .containsOnly(due);
    commands.assertStableFor(QUIET, Map.of(validKey, 3, invalidKey, 0));
    awaitNextSendAt(valid, due.atZone(ZONE).plusDays(1).toInstant());
  }

  /**
   * Stops the scheduler between two occurrences of the every-minute message and starts it again
   * with its state dir kept: each minute fires exactly once, none is skipped.
   */
  @Test
  @Order(5)
  void shouldFireEachMinuteExactlyOnceAcrossRestartWithStateKept() throws Exception {
    String key = ScheduleKind.RECURRING.keyFor(EVERY_MINUTE.toString());
    // Wait for a completed occurrence (all three recipients), then stop right after it.
    List<Received> before =
        commands.await(key, l -> completed(l).size() >= 1, Duration.ofSeconds(90));
    Instant lastBeforeStop = completed(before).lastKey();
    instance.close();
    instance = null;
    instance = Instance.start(env());

    Instant expectedNext = lastBeforeStop.plus(1, ChronoUnit.MINUTES);
    commands.await(key, l -> completed(l).containsKey(expectedNext), Duration.ofSeconds(120));

    List<Received> all = commands.of(key);
    TreeMap<Instant, List<Received>> byOccurrence = completed(all);
    assertThat(byOccurrence.keySet())
        .as("occurrences are consecutive minutes")
        .containsExactlyElementsOf(
            consecutiveMinutes(byOccurrence.firstKey(), byOccurrence.lastKey()));
    assertThat(byOccurrence.values()).allSatisfy(l -> assertThat(l).hasSize(3));
    assertThat(all).extracting(r -> r.command().commandId()).doesNotHaveDuplicates();
    assertThat(byOccurrence.keySet())
        .allSatisfy(o -> assertThat(o.atZone(ZONE).getSecond()).isZero());
  }

  /** Occurrences whose fan-out is complete (3 recipients), by instant. */
  private static TreeMap<Instant, List<Received>> completed(List<Received> l) {
    TreeMap<Instant, List<Received>> by =
        l.stream()
            .collect(
                Collectors.groupingBy(
                    r -> r.command().occurrenceAt(), TreeMap::new, Collectors.toList()));
    by.values().removeIf(v -> v.size() < 3);
    return by;
  }

  private static List<Instant> consecutiveMinutes(Instant first, Instant last) {
    List<Instant> out = new java.util.ArrayList<>();
    for (Instant t = first; !t.isAfter(last); t = t.plus(1, ChronoUnit.MINUTES)) {
      out.add(t);
    }
    return out;
  }

  private static void insertDaily(UUID id, Instant due, String message, String targets)
      throws Exception {
    execute(
        db,
        "INSERT INTO recurring_messages (id, user_id, device_id, name, message,"
            + " target_contacts, frequency, time_of_day, timezone) VALUES (?, ?, ?, 'daily', ?,"
            + " ?::jsonb, 'daily', ?::time, 'Europe/Berlin')",
        id,
        TENANT,
        DEVICE,
        message,
        targets,
        HH_MM_SS.format(due.atZone(ZONE)));
  }

  private static void awaitNextSendAt(UUID id, Instant expected) {
    await("next_send_at of " + id + " = " + expected)
        .atMost(DB_WAIT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                expected.equals(
                    row(db, "SELECT next_send_at FROM recurring_messages" + " WHERE id = ?", id)
                        .get("next_send_at")));
  }

  private static String phonesJson() {
    return CONTACTS.keySet().stream()
        .map(p -> "\"" + p + "\"")
        .collect(Collectors.joining(",", "[", "]"));
  }
}
