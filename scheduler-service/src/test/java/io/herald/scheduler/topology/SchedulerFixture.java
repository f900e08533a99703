package io.herald.scheduler.topology;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.ChangeOp;
import io.herald.contracts.event.ContactInfo;
import io.herald.contracts.event.DeviceInfo;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.Occurrence;
import io.herald.contracts.outcome.ScheduleError;
import io.herald.contracts.topic.Topics;
import io.herald.scheduler.config.SchedulerConfig;
import io.herald.scheduler.store.FanOutJob;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

/**
 * A TopologyTestDriver over the very topology {@code main} runs, with a fixed wall clock and typed
 * topics. Test data builders for the three event kinds live here too.
 */
final class SchedulerFixture implements AutoCloseable {

  static final String TENANT = "tenant-a";
  static final String OTHER_TENANT = "tenant-b";
  static final String DEVICE = "11111111-1111-4111-8111-111111111111";
  static final String FOREIGN_DEVICE = "22222222-2222-4222-8222-222222222222";

  /** Monday 2026-06-01 06:00 UTC = 08:00 in Berlin (CEST). */
  static final Instant START = Instant.parse("2026-06-01T06:00:00Z");

  final SchedulerConfig config;
  final SchedulerMetrics metrics = SchedulerMetrics.noop();
  final TopologyTestDriver driver;
  final TestInputTopic<String, ScheduleChange> changes;
  final TestInputTopic<String, byte[]> rawChanges;
  final TestInputTopic<String, DeviceInfo> devices;
  final TestInputTopic<String, ContactInfo> contacts;
  final TestOutputTopic<String, SendCommand> commands;
  final TestOutputTopic<String, Occurrence> occurrences;
  final TestOutputTopic<String, ScheduleError> errors;
  final TestOutputTopic<byte[], byte[]> deadLetters;
  final TestOutputTopic<String, io.herald.contracts.outcome.ScheduleState> states;
  private Instant now = START;

  SchedulerFixture(Path stateDir) {
    this(stateDir, 2_000, 50_000);
  }

  SchedulerFixture(Path stateDir, int maxCommandsPerTick, int maxRecipients) {
    this(stateDir, maxCommandsPerTick, maxRecipients, NowSource.streamsClock());
  }

  SchedulerFixture(Path stateDir, NowSource now) {
    this(stateDir, 2_000, 50_000, now);
  }

  SchedulerFixture(Path stateDir, int maxCommandsPerTick, int maxRecipients, NowSource now) {
    config =
        SchedulerConfig.defaults("unused:9092")
            .withInstance("herald-scheduler-test", stateDir)
            .withTuning(
                Duration.ofMillis(250), maxCommandsPerTick, maxRecipients, Duration.ofSeconds(30));
    Properties props = SchedulerTopology.streamsProperties(config, metrics);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver = new TopologyTestDriver(SchedulerTopology.build(config, metrics, now), props, START);
    changes =
        driver.createInputTopic(
            Topics.SCHEDULE_CHANGES.name(),
            new StringSerializer(),
            Topics.SCHEDULE_CHANGES.valueSerde().serializer());
    rawChanges =
        driver.createInputTopic(
            Topics.SCHEDULE_CHANGES.name(), new StringSerializer(), new ByteArraySerializer());
    devices =
        driver.createInputTopic(
            Topics.DEVICES.name(),
            new StringSerializer(),
            Topics.DEVICES.valueSerde().serializer());
    contacts =
        driver.createInputTopic(
            Topics.CONTACTS.name(),
            new StringSerializer(),
            Topics.CONTACTS.valueSerde().serializer());
    commands =
        driver.createOutputTopic(
            Topics.SEND_COMMANDS.name(),
            Topics.SEND_COMMANDS.keySerde().deserializer(),
            Topics.SEND_COMMANDS.valueSerde().deserializer());
    occurrences =
        driver.createOutputTopic(
            Topics.OCCURRENCES.name(),
            Topics.OCCURRENCES.keySerde().deserializer(),
            Topics.OCCURRENCES.valueSerde().deserializer());
    errors =
        driver.createOutputTopic(
            Topics.SCHEDULE_ERRORS.name(),
            Topics.SCHEDULE_ERRORS.keySerde().deserializer(),
            Topics.SCHEDULE_ERRORS.valueSerde().deserializer());
    states =
        driver.createOutputTopic(
            Topics.SCHEDULE_STATES.name(),
            Topics.SCHEDULE_STATES.keySerde().deserializer(),
            Topics.SCHEDULE_STATES.valueSerde().deserializer());
    deadLetters =
        driver.createOutputTopic(
            Topics.SCHEDULE_CHANGES.dlqName(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer());
  }

  Instant now() {
    return now;
  }

  /** Moves the wall clock; the driver runs every punctuation that falls due on the way. */
  void advance(Duration d) {
    // Small steps, as a real stream thread would tick: one big jump punctuates only once.
    Duration step = config.punctuateInterval();
    Duration left = d;
    while (left.compareTo(step) > 0) {
      tick(step);
      left = left.minus(step);
    }
    tick(left);
  }

  /** One jump of the wall clock: exactly one punctuation, as after a long pause. */
  void jump(Duration d) {
    tick(d);
  }

  private void tick(Duration d) {
    now = now.plus(d);
    driver.advanceWallClockTime(d);
  }

  void advanceTo(Instant t) {
    if (t.isAfter(now)) {
      advance(Duration.between(now, t));
    }
  }

  void device(String id, String tenant) {
    device(id, tenant, "active");
  }

  void device(String id, String tenant, String status) {
    devices.pipeInput(id, new DeviceInfo(1, id, tenant, "simulated", status, null, false));
  }

  void contact(String id, String phone, String name, boolean optedOut) {
    contacts.pipeInput(id, new ContactInfo(1, id, TENANT, phone, name, Map.of(), optedOut, false));
  }

  void send(ScheduleChange change) {
    changes.pipeInput(change.scheduleKey(), change, now);
  }

  List<SendCommand> commands() {
    return commands.readValuesToList();
  }

  List<TestRecord<String, SendCommand>> commandRecords() {
    return commands.readRecordsToList();
  }

  KeyValueStore<Bytes, String> timers() {
    return driver.getKeyValueStore(Names.TIMERS_STORE);
  }

  List<KeyValue<Bytes, String>> timerEntries() {
    List<KeyValue<Bytes, String>> out = new ArrayList<>();
    try (KeyValueIterator<Bytes, String> it = timers().all()) {
      it.forEachRemaining(out::add);
    }
    return out;
  }

  KeyValueStore<String, FanOutJob> fanouts() {
    return driver.getKeyValueStore(Names.FANOUTS_STORE);
  }

  /** Exact count: RocksDB's approximateNumEntries is an estimate that lags deletes. */
  int fanOutCount() {
    int n = 0;
    try (KeyValueIterator<String, FanOutJob> it = fanouts().all()) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }

  @Override
  public void close() {
    driver.close();
  }

  // ---- builders

  static RuleSpec daily(String time, String zone) {
    return new RuleSpec(
        "daily", 1, null, null, time, null, null, zone, "2026-06-01", null, null, null, null, null);
  }

  static RuleSpec dailyWithCatchUp(String time, String zone, String catchUp) {
    return new RuleSpec(
        "daily",
        1,
        null,
        null,
        time,
        null,
        null,
        zone,
        "2026-06-01",
        null,
        null,
        catchUp,
        null,
        null);
  }

  static ScheduleChange recurring(String id, RuleSpec rule, List<String> recipients, String text) {
    return change(ScheduleKind.RECURRING, id, rule, recipients, text, true, null);
  }

  static ScheduleChange change(
      ScheduleKind kind,
      String id,
      RuleSpec rule,
      List<String> recipients,
      String text,
      boolean active,
      String sourceStatus) {
    return new ScheduleChange(
        ScheduleChange.SCHEMA_VERSION,
        ChangeOp.UPSERT,
        kind.keyFor(id),
        kind,
        TENANT,
        DEVICE,
        "test " + id,
        text,
        null,
        recipients,
        rule,
        PacingSpec.none(),
        active,
        sourceStatus,
        1L,
        START.minusSeconds(3_600),
        List.of());
  }

  static ScheduleChange withDevice(ScheduleChange c, String deviceId) {
    return c.withDeviceId(deviceId);
  }

  static ScheduleChange withCreatedAt(ScheduleChange c, Instant createdAt) {
    return c.withCreatedAt(createdAt);
  }

  /** A newer version of {@code c}, active or not. */
  static ScheduleChange withActive(ScheduleChange c, boolean active, String sourceStatus) {
    return c.withStatus(active, sourceStatus).withSourceVersion(c.sourceVersion() + 1);
  }

  /** A newer version of {@code c} with another rule. */
  static ScheduleChange withRule(ScheduleChange c, RuleSpec rule) {
    return c.withRule(rule).withSourceVersion(c.sourceVersion() + 1);
  }

  static String contactId(int i) {
    return String.format("00000000-0000-4000-8000-%012d", i);
  }

  static String phone(int i) {
    return String.format("+62812%08d", i);
  }
}
