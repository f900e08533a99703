package io.herald.scheduler.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.ChangeOp;
import io.herald.contracts.event.DeviceInfo;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.topic.Topics;
import io.herald.runtime.metrics.MetricsRegistries;
import io.herald.scheduler.app.Component;
import io.herald.scheduler.app.SchedulerApp;
import io.herald.scheduler.config.SchedulerConfig;
import io.herald.testsupport.KafkaTestBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduler on a real broker with exactly-once: restarts with kept and wiped state, and a
 * process killed with SIGKILL in the middle of a 10,000-recipient fan-out. Every assertion reads
 * {@code herald.send-commands} with {@code read_committed}, filtered to the test's own schedule
 * keys (the broker is shared with other ITs).
 */
class SchedulerTopologyIT {

  private static final String TENANT = "tenant-it";
  private static KafkaTestBroker broker;

  @TempDir Path tmp;

  @BeforeAll
  static void broker() {
    broker = KafkaTestBroker.shared();
  }

  private static Map<String, String> env(String appId, Path stateDir, int maxPerTick) {
    Map<String, String> env = new HashMap<>();
    env.put("HERALD_SCHEDULER_BOOTSTRAP_SERVERS", broker.bootstrapServers());
    env.put("HERALD_SCHEDULER_APPLICATION_ID", appId);
    env.put("HERALD_SCHEDULER_STATE_DIR", stateDir.toString());
    env.put("HERALD_SCHEDULER_METRICS_PORT", "0");
    env.put("HERALD_SCHEDULER_PARTITIONS", "2");
    // This IT feeds schedule changes straight into Kafka: no database, so no CDC or write-back.
    env.put("HERALD_SCHEDULER_CDC_ENABLED", "false");
    env.put("HERALD_SCHEDULER_PROJECTOR_ENABLED", "false");
    env.put("HERALD_SCHEDULER_MAX_COMMANDS_PER_TICK", Integer.toString(maxPerTick));
    // A killed member must leave the group quickly, or its partitions wait 45 s for a new owner.
    env.put("KAFKA_SESSION_TIMEOUT_MS", "6000");
    env.put("KAFKA_HEARTBEAT_INTERVAL_MS", "1000");
    return env;
  }

  private static SchedulerApp startApp(Map<String, String> env) {
    SchedulerConfig config = SchedulerConfig.fromEnv(env);
    SchedulerApp app =
        new SchedulerApp(
            config,
            MetricsRegistries.create("scheduler-it"),
            Component.none("cdc"),
            Component.none("projector"),
            () -> {});
    app.start();
    waitUntil("Streams RUNNING", Duration.ofSeconds(90), app::isReady);
    return app;
  }

  private static void produce(String deviceId, ScheduleChange change) {
    Map<String, Object> props = new HashMap<>(broker.clientConfig());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
    try (KafkaProducer<String, DeviceInfo> devices =
            new KafkaProducer<>(
                props, new StringSerializer(), Topics.DEVICES.valueSerde().serializer());
        KafkaProducer<String, ScheduleChange> changes =
            new KafkaProducer<>(
                props, new StringSerializer(), Topics.SCHEDULE_CHANGES.valueSerde().serializer())) {
      if (deviceId != null) {
        devices.send(
            new ProducerRecord<>(
                Topics.DEVICES.name(),
                deviceId,
                new DeviceInfo(1, deviceId, TENANT, "simulated", "active", null, false)));
        devices.flush();
      }
      changes.send(
          new ProducerRecord<>(Topics.SCHEDULE_CHANGES.name(), change.scheduleKey(), change));
      changes.flush();
    }
  }

  private static ScheduleChange schedule(
      ScheduleKind kind, String key, String deviceId, RuleSpec rule, List<String> recipients) {
    return new ScheduleChange(
        1,
        ChangeOp.UPSERT,
        key,
        kind,
        TENANT,
        deviceId,
        "it",
        "Hi {phone}",
        null,
        recipients,
        rule,
        PacingSpec.none(),
        true,
        null,
        1,
        Instant.now(),
        List.of());
  }

  private static void waitUntil(
      String what, Duration timeout, java.util.function.BooleanSupplier c) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Timed out after " + timeout + " waiting for: " + what);
      }
      try {
        Thread.sleep(100); // polling interval of a condition wait, not a fixed delay
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  /** Reads send-commands with read_committed from the beginning, keeping one schedule key. */
  private static final class Commands implements AutoCloseable {
    private final KafkaConsumer<String, SendCommand> consumer;
    private final String scheduleKey;
    final List<SendCommand> seen = new ArrayList<>();

    Commands(String scheduleKey) {
      this.scheduleKey = scheduleKey;
      Map<String, Object> props = new HashMap<>(broker.clientConfig());
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
      consumer =
          new KafkaConsumer<>(
              props, new StringDeserializer(), Topics.SEND_COMMANDS.valueSerde().deserializer());
      broker.createTopic(Topics.SEND_COMMANDS.name(), 2);
      List<TopicPartition> partitions =
          consumer.partitionsFor(Topics.SEND_COMMANDS.name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
    }

    void pollUntil(String what, Duration timeout, Predicate<List<SendCommand>> done) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!done.test(seen)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "Timed out after "
                  + timeout
                  + " waiting for: "
                  + what
                  + " (seen "
                  + seen.size()
                  + " commands)");
        }
        poll(Duration.ofMillis(200));
      }
    }

    void poll(Duration d) {
      for (ConsumerRecord<String, SendCommand> r : consumer.poll(d)) {
        if (r.value() != null && scheduleKey.equals(r.value().scheduleKey())) {
          seen.add(r.value());
        }
      }
    }

    /** Keeps reading for a while to catch late duplicates. */
    void drain(Duration d) {
      long end = System.nanoTime() + d.toNanos();
      while (System.nanoTime() < end) {
        poll(Duration.ofMillis(200));
      }
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  private static void wipe(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Issue 15 §4: an occurrence goes out as it was when it fired (ADR 0016), through Kafka. */
  @Nested
  class FanOutEdits {

    @Test
    void shouldSendWhatFiredWhenTextIsEditedAndRecipientsRemovedMidFanOut() throws Exception {
      String id = UUID.randomUUID().toString();
      String key = ScheduleKind.BROADCAST.keyFor(id);
      String device = UUID.randomUUID().toString();
      int n = 3_000;
      List<String> phones =
          IntStream.range(0, n).mapToObj(i -> String.format("+62814%08d", i)).toList();
      // 100 per 250 ms tick: the fan-out takes ≈ 7.5 s, the edit lands early in it
      Map<String, String> env =
          env("herald-scheduler-edits-" + id.substring(0, 8), tmp.resolve("state"), 100);
      SchedulerApp app = startApp(env);
      try (Commands commands = new Commands(key)) {
        ScheduleChange fired =
            schedule(ScheduleKind.BROADCAST, key, device, RuleSpec.once(null), phones);
        produce(device, fired);
        commands.pollUntil("part of the fan-out", Duration.ofSeconds(60), s -> s.size() >= 300);
        // one removed before the cursor (would shift every index), one in the middle, the tail
        List<String> fewer = new ArrayList<>(phones.subList(1, n - 500));
        fewer.remove(phones.get(n / 2));
        produce(
            null,
            fired.withMessage("Edited {phone}", null).withRecipients(fewer).withSourceVersion(2));
        int atEdit = commands.seen.size();
        commands.pollUntil("the whole fan-out", Duration.ofSeconds(120), s -> s.size() >= n);
        commands.drain(Duration.ofSeconds(3));
        produce(null, ScheduleChange.delete(key, ScheduleKind.BROADCAST, 3));

        assertThat(atEdit).as("the edit was produced mid fan-out").isLessThan(n);
        assertThat(commands.seen).extracting(SendCommand::commandId).doesNotHaveDuplicates();
        assertThat(commands.seen)
            .extracting(SendCommand::recipient)
            .containsExactlyInAnyOrderElementsOf(phones);
        assertThat(commands.seen)
            .allSatisfy(c -> assertThat(c.text()).startsWith("Hi +62814"))
            .extracting(SendCommand::occurrenceAt)
            .containsOnly(commands.seen.get(0).occurrenceAt());
      } finally {
        app.close();
      }
    }
  }

  @Nested
  class Restarts {

    @Test
    void shouldEmitEachOccurrenceExactlyOnceWhenRestartedWithStateKeptAndThenWiped()
        throws IOException {
      String id = UUID.randomUUID().toString();
      String key = ScheduleKind.RECURRING.keyFor(id);
      String device = UUID.randomUUID().toString();
      String appId = "herald-scheduler-it-" + id.substring(0, 8);
      Path stateDir = tmp.resolve("state");
      List<String> phones = List.of("+6281200000001", "+6281200000002", "+6281200000003");
      // Every minute, on the minute; fire_all so a slow restart can never skip one.
      RuleSpec everyMinute =
          new RuleSpec(
              "custom",
              1,
              "minutes",
              null,
              null,
              null,
              null,
              "UTC",
              LocalDate.now(ZoneOffset.UTC).minusDays(1).toString(),
              null,
              null,
              "fire_all",
              3_600,
              null);
      Map<String, String> env = env(appId, stateDir, 2_000);

      try (Commands commands = new Commands(key)) {
        SchedulerApp first = startApp(env);
        try {
          produce(device, schedule(ScheduleKind.RECURRING, key, device, everyMinute, phones));
          commands.pollUntil(
              "first occurrence",
              Duration.ofSeconds(100),
              seen -> occurrences(seen).size() >= 1 && seen.size() >= 3);
        } finally {
          first.close();
        }
        Instant o1 = occurrences(commands.seen).first();

        SchedulerApp kept = startApp(env); // same state dir
        try {
          commands.pollUntil(
              "occurrence after a restart with state kept",
              Duration.ofSeconds(100),
              seen -> occurrences(seen).contains(o1.plus(1, ChronoUnit.MINUTES)));
        } finally {
          kept.close();
        }

        wipe(stateDir); // lost disk: state comes back from the changelogs
        SchedulerApp wiped = startApp(env);
        try {
          commands.pollUntil(
              "occurrence after a restart with state wiped",
              Duration.ofSeconds(120),
              seen -> occurrences(seen).contains(o1.plus(2, ChronoUnit.MINUTES)));
          produce(null, ScheduleChange.delete(key, ScheduleKind.RECURRING, 2));
          commands.drain(Duration.ofSeconds(3));
        } finally {
          wiped.close();
        }

        TreeSet<Instant> fired = occurrences(commands.seen);
        List<Instant> expectedMinutes =
            IntStream.range(0, fired.size()).mapToObj(i -> o1.plus(i, ChronoUnit.MINUTES)).toList();
        assertThat(fired)
            .as("consecutive minutes, no gap")
            .containsExactlyElementsOf(expectedMinutes);
        Set<CommandId> expected = new HashSet<>();
        for (Instant o : fired) {
          phones.forEach(p -> expected.add(CommandId.of(key, o, p)));
        }
        List<CommandId> ids = commands.seen.stream().map(SendCommand::commandId).toList();
        assertThat(ids).as("no duplicate").doesNotHaveDuplicates();
        assertThat(new HashSet<>(ids)).isEqualTo(expected);
      }
    }

    private TreeSet<Instant> occurrences(List<SendCommand> seen) {
      return seen.stream()
          .map(SendCommand::occurrenceAt)
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  @Nested
  class Crash {

    @Test
    void shouldHaveNoDuplicateAndNoGapWhenKilledDuringALargeFanOut() throws Exception {
      String id = UUID.randomUUID().toString();
      String key = ScheduleKind.BROADCAST.keyFor(id);
      String device = UUID.randomUUID().toString();
      String appId = "herald-scheduler-crash-" + id.substring(0, 8);
      Path stateDir = tmp.resolve("state");
      List<String> phones =
          IntStream.range(0, 10_000).mapToObj(i -> String.format("+62813%08d", i)).toList();
      // 200 per 250 ms tick: the fan-out takes ≈ 12 s, long enough to be killed in the middle.
      Map<String, String> env = env(appId, stateDir, 200);

      try (Commands commands = new Commands(key)) {
        Process child = startChild(env, tmp.resolve("child.log"));
        try {
          waitUntil(
              "child ready",
              Duration.ofSeconds(90),
              () -> logContains(tmp.resolve("child.log"), "to=RUNNING") || !child.isAlive());
          assertThat(child.isAlive()).as("child alive; log in " + tmp).isTrue();
          produce(
              device, schedule(ScheduleKind.BROADCAST, key, device, RuleSpec.once(null), phones));
          commands.pollUntil(
              "part of the fan-out", Duration.ofSeconds(60), seen -> seen.size() >= 1_000);
        } finally {
          child.destroyForcibly(); // SIGKILL: no commit, no clean shutdown
          child.waitFor();
        }
        int beforeKill = commands.seen.size();
        assertThat(beforeKill).as("killed in the middle").isLessThan(10_000);

        SchedulerApp survivor = startApp(env); // the dead process's state dir, unclean
        try {
          commands.pollUntil(
              "the rest of the fan-out", Duration.ofSeconds(120), seen -> seen.size() >= 10_000);
          // Leave nothing armed for later instances (other application ids) on the shared broker.
          produce(null, ScheduleChange.delete(key, ScheduleKind.BROADCAST, 2));
          commands.drain(Duration.ofSeconds(3));
        } finally {
          survivor.close();
        }

        List<CommandId> ids = commands.seen.stream().map(SendCommand::commandId).toList();
        assertThat(ids).as("no duplicate").doesNotHaveDuplicates();
        Instant occurrence = commands.seen.get(0).occurrenceAt();
        Set<CommandId> expected =
            phones.stream().map(p -> CommandId.of(key, occurrence, p)).collect(Collectors.toSet());
        assertThat(new HashSet<>(ids)).as("no gap").isEqualTo(expected);
      }
    }

    private Process startChild(Map<String, String> env, Path log) throws IOException {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      ProcessBuilder pb =
          new ProcessBuilder(
              java,
              "-Xmx384m",
              "-cp",
              System.getProperty("java.class.path"),
              SchedulerApp.class.getName());
      pb.environment().putAll(env);
      pb.redirectErrorStream(true);
      pb.redirectOutput(log.toFile());
      return pb.start();
    }

    private boolean logContains(Path log, String text) {
      try {
        return Files.exists(log) && Files.readString(log).contains(text);
      } catch (IOException e) {
        return false;
      }
    }
  }
}
