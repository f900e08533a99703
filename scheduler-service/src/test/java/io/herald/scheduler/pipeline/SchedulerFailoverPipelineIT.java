package io.herald.scheduler.pipeline;

import static io.herald.scheduler.pipeline.PipelineSupport.activeSlotPid;
import static io.herald.scheduler.pipeline.PipelineSupport.execute;
import static io.herald.scheduler.pipeline.PipelineSupport.row;
import static io.herald.scheduler.pipeline.PipelineSupport.wholeSecondsAhead;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.event.ScheduleKind;
import io.herald.scheduler.app.SchedulerApp;
import io.herald.scheduler.pipeline.PipelineSupport.CommandReader;
import io.herald.scheduler.pipeline.PipelineSupport.Deployment;
import io.herald.scheduler.pipeline.PipelineSupport.Instance;
import io.herald.scheduler.pipeline.PipelineSupport.Received;
import io.herald.testsupport.KafkaTestBroker;
import io.herald.testsupport.PostgresTestDatabase;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two instances of one scheduler deployment (same application id, slot, offsets and lease topics)
 * on real rows: instance A is the real {@link SchedulerApp#main} in a child JVM, B runs in this
 * JVM. Together they emit exactly the command ids a single instance emits (the ids are a function
 * of schedule key, occurrence and recipient); when A, which runs CDC, is killed with SIGKILL, CDC
 * moves to B within 30 s and every row inserted during the failover fires, once.
 */
class SchedulerFailoverPipelineIT {

  private static final Logger log = LoggerFactory.getLogger(SchedulerFailoverPipelineIT.class);

  private static final Duration FIRE_WAIT = Duration.ofSeconds(90);
  private static final Duration QUIET = Duration.ofSeconds(3);
  private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
  private static final List<String> PHONES =
      List.of("+4915112350001", "+4915112350002", "+4915112350003");
  private static final List<String> GROUPS =
      List.of("120363000000000011@g.us", "120363000000000012@g.us");

  @TempDir Path tmp;

  private final KafkaTestBroker broker = KafkaTestBroker.shared();
  private final PostgresTestDatabase db = PostgresTestDatabase.shared();
  private final Deployment deployment = Deployment.unique();
  private final UUID tenant = UUID.randomUUID();
  private final UUID device = UUID.randomUUID();
  private Process child;
  private Path childLog;
  private Instance b;
  private CommandReader commands;

  @AfterEach
  void tearDown() throws Exception {
    if (child != null) {
      child.destroyForcibly().waitFor();
      printProblemsOfChild();
    }
    if (commands != null) {
      commands.close();
    }
    if (b != null) {
      b.close();
    }
    db.dropReplicationSlot(deployment.slot());
    db.truncateAll();
  }

  @Test
  void shouldEmitSameCommandIdsAsOneInstanceAndLoseNoRowWhenCdcLeaderIsKilled() throws Exception {
    execute(
        db,
        "INSERT INTO devices (id, user_id, name, transport, status)"
            + " VALUES (?, ?, 'failover-it', 'simulated', 'active')",
        device,
        tenant);
    for (String phone : PHONES) {
      execute(
          db,
          "INSERT INTO contacts (user_id, phone_number, name) VALUES (?, ?, 'C')",
          tenant,
          phone);
    }

    // A: the production main in its own JVM, first, so that it takes the CDC lease.
    int portA = freePort();
    startChild(PipelineSupport.env(broker, db, deployment, tmp.resolve("a"), portA));
    await("A runs CDC")
        .atMost(PipelineSupport.START_WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> childAlive() && activeSlotPid(db, deployment.slot()) != null);
    Integer pidOfA = activeSlotPid(db, deployment.slot());

    b = Instance.start(PipelineSupport.env(broker, db, deployment, tmp.resolve("b"), 0));
    await("A and B both RUNNING")
        .atMost(PipelineSupport.START_WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> childAlive() && PipelineSupport.readiness(portA) == 200 && b.app.isReady());
    assertThat(b.metric("herald_scheduler_cdc_leader")).as("B waits for the lease").contains(0.0);
    commands = new CommandReader(broker);
    commands.failFastWhen(
        () -> b.streamsDied.get() ? "B's Kafka Streams reached ERROR (see the log above)" : null);

    // Phase 1: both instances run; each kind of schedule fires once.
    Map<String, Set<CommandId>> expected = new LinkedHashMap<>();
    Instant due = wholeSecondsAhead(8);
    UUID now = UUID.randomUUID();
    UUID recurring = UUID.randomUUID();
    UUID autopost = UUID.randomUUID();
    execute(
        db,
        "INSERT INTO broadcasts (id, user_id, device_id, message, target_contacts,"
            + " status) VALUES (?, ?, ?, 'Now', ?::jsonb, 'scheduled')",
        now,
        tenant,
        device,
        json(PHONES));
    String time = DateTimeFormatter.ofPattern("HH:mm:ss").format(due.atZone(ZONE));
    execute(
        db,
        "INSERT INTO recurring_messages (id, user_id, device_id, message,"
            + " target_contacts, frequency, time_of_day, timezone) VALUES (?, ?, ?, 'Hi {name}',"
            + " ?::jsonb, 'daily', ?::time, 'Europe/Berlin')",
        recurring,
        tenant,
        device,
        json(PHONES),
        time);
    execute(
        db,
        "INSERT INTO auto_post_schedules (id, user_id, device_id, message,"
            + " target_groups, frequency, time_of_day, timezone) VALUES (?, ?, ?, 'News', ?::jsonb,"
            + " 'daily', ?::time, 'Europe/Berlin')",
        autopost,
        tenant,
        device,
        json(GROUPS),
        time);
    expected.put(
        ScheduleKind.BROADCAST.keyFor(now.toString()),
        ids(ScheduleKind.BROADCAST.keyFor(now.toString()), createdAt("broadcasts", now), PHONES));
    expected.put(
        ScheduleKind.RECURRING.keyFor(recurring.toString()),
        ids(ScheduleKind.RECURRING.keyFor(recurring.toString()), due, PHONES));
    expected.put(
        ScheduleKind.AUTOPOST.keyFor(autopost.toString()),
        ids(ScheduleKind.AUTOPOST.keyFor(autopost.toString()), due, GROUPS));
    awaitExactly(expected);
    assertThat(activeSlotPid(db, deployment.slot())).as("A kept CDC throughout").isEqualTo(pidOfA);

    // Phase 2: kill A (no revocation, no LeaveGroup, an open transaction maybe) and keep
    // inserting rows until B streams CDC.
    long killedAt = System.nanoTime();
    child.destroyForcibly().waitFor();
    List<UUID> duringFailover = new ArrayList<>();
    duringFailover.add(insertBroadcastNow());
    await("B takes CDC over")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              Integer pid = activeSlotPid(db, deployment.slot());
              if (pid != null
                  && !pid.equals(pidOfA)
                  && b.metric("herald_scheduler_cdc_leader").equals(Optional.of(1.0))) {
                return true;
              }
              duringFailover.add(insertBroadcastNow());
              return false;
            });
    Duration failover = Duration.ofNanos(System.nanoTime() - killedAt);
    assertThat(failover).as("CDC failover time").isLessThan(Duration.ofSeconds(30));
    duringFailover.add(insertBroadcastNow());
    log.info(
        "CDC moved to B {} ms after A was killed; {} rows inserted around the failover",
        failover.toMillis(),
        duringFailover.size());

    for (UUID id : duringFailover) {
      String key = ScheduleKind.BROADCAST.keyFor(id.toString());
      expected.put(key, ids(key, createdAt("broadcasts", id), PHONES.subList(0, 1)));
    }
    // Phase 1's keys stay as they were: no re-fire when B took A's tasks over.
    awaitExactly(expected);
    for (UUID id : duringFailover) {
      await("broadcast " + id + " processing")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () ->
                  "processing"
                      .equals(
                          row(db, "SELECT status FROM broadcasts WHERE id = ?", id).get("status")));
    }
  }

  /** Waits until every key has all its expected ids, then checks nothing else comes. */
  private void awaitExactly(Map<String, Set<CommandId>> expected) {
    for (Map.Entry<String, Set<CommandId>> e : expected.entrySet()) {
      commands.awaitAtLeast(e.getKey(), e.getValue().size(), FIRE_WAIT);
    }
    Map<String, Integer> counts = new HashMap<>();
    expected.forEach((k, v) -> counts.put(k, v.size()));
    commands.assertStableFor(QUIET, counts);
    for (Map.Entry<String, Set<CommandId>> e : expected.entrySet()) {
      List<Received> got = commands.of(e.getKey());
      assertThat(got)
          .as("commands of %s", e.getKey())
          .extracting(r -> r.command().commandId())
          .doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(e.getValue());
      assertThat(got).allSatisfy(r -> assertThat(r.key()).isEqualTo(device.toString()));
    }
  }

  private UUID insertBroadcastNow() throws Exception {
    UUID id = UUID.randomUUID();
    execute(
        db,
        "INSERT INTO broadcasts (id, user_id, device_id, message, target_contacts,"
            + " status) VALUES (?, ?, ?, 'During failover', ?::jsonb, 'scheduled')",
        id,
        tenant,
        device,
        json(PHONES.subList(0, 1)));
    return id;
  }

  private Instant createdAt(String table, UUID id) throws Exception {
    return (Instant)
        row(db, "SELECT created_at FROM " + table + " WHERE id = ?", id).get("created_at");
  }

  private static Set<CommandId> ids(String key, Instant occurrence, List<String> recipients) {
    Set<CommandId> out = new HashSet<>();
    for (String r : recipients) {
      out.add(CommandId.of(key, occurrence, r));
    }
    return out;
  }

  private static String json(List<String> values) {
    return "[\"" + String.join("\",\"", values) + "\"]";
  }

  private void startChild(Map<String, String> env) throws Exception {
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    childLog = tmp.resolve("instance-a.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
                java,
                "-Xmx384m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                classpath,
                SchedulerApp.class.getName())
            .redirectErrorStream(true)
            .redirectOutput(childLog.toFile());
    pb.environment().putAll(env);
    child = pb.start();
  }

  private boolean childAlive() throws Exception {
    if (!child.isAlive()) {
      throw new AssertionError(
          "instance A exited with "
              + child.exitValue()
              + ":\n"
              + Files.readString(childLog, StandardCharsets.UTF_8));
    }
    return true;
  }

  /** Instance A's errors go to this JVM's output, where a failing run's report shows them. */
  private void printProblemsOfChild() throws Exception {
    if (childLog == null || !Files.exists(childLog)) {
      return;
    }
    List<String> problems =
        Files.readAllLines(childLog, StandardCharsets.UTF_8).stream()
            .filter(
                l -> l.contains(" ERROR ") || l.startsWith("Exception") || l.contains("Invalid"))
            .limit(40)
            .toList();
    if (!problems.isEmpty()) {
      System.out.println("Instance A (child JVM) logged:\n  " + String.join("\n  ", problems));
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
