package io.herald.e2e;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.event.ChangeOp;
import io.herald.contracts.event.DeviceInfo;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.scheduler.rule.Compilation;
import io.herald.scheduler.rule.RuleCompiler;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One test's tenant, devices and schedules, and what they imply: for every schedule and every
 * occurrence its rule implies, one command id per recipient ({@link CommandId#of}, the same
 * derivation as the scheduler's). Devices go to the {@code devices} table (the sender reads them
 * there; CDC carries them to {@code herald.devices}) and are also produced to {@code
 * herald.devices} at once, so that the scheduler knows them before an event naming them arrives.
 * Schedules are either produced as events or inserted as rows ({@code *Row} methods). Each device
 * has its own {@code phone_number_id}, so the fake's requests can be told apart per test. Every
 * message carries {@link #textMarker} so that a log scan can look for message text.
 */
final class Workload {

  /**
   * A device of this workload; {@code simulated}: the sender's simulated transport, not the fake.
   */
  record Device(String id, String phoneNumberId, boolean simulated) {
    Device(String id, String phoneNumberId) {
      this(id, phoneNumberId, false);
    }
  }

  /**
   * A schedule and the occurrences its rule implies; {@code change} is null for a schedule that
   * exists as a database row (it reaches the scheduler through CDC).
   */
  record Planned(
      String key,
      ScheduleChange change,
      List<String> recipients,
      List<Instant> occurrences,
      Device device) {}

  final Pipeline pipeline;
  final String tenant = UUID.randomUUID().toString();
  final String textMarker = "E2ETEXT" + Long.toHexString(ThreadLocalRandom.current().nextLong());
  final List<Device> devices = new ArrayList<>();
  final List<Planned> planned = new ArrayList<>();
  final String phonePrefix;
  private int phoneSeq;

  /** Every workload of this JVM, for the log and metrics scans of SecurityIT. */
  static final List<Workload> ALL = new java.util.concurrent.CopyOnWriteArrayList<>();

  Workload(Pipeline pipeline) {
    ALL.add(this);
    this.pipeline = pipeline;
    this.phonePrefix = "+4915" + (10_000 + ThreadLocalRandom.current().nextInt(90_000));
  }

  /** n fresh, distinct E.164 numbers ({@code +4915} + 5 random digits + 6-digit sequence). */
  List<String> phones(int n) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(phonePrefix + String.format("%06d", phoneSeq++));
    }
    return out;
  }

  Device device() {
    return device(tenant, true);
  }

  /** A Cloud API device of {@code owner}; {@code announce} also produces it to herald.devices. */
  Device device(String owner, boolean announce) {
    return device(owner, announce, false);
  }

  /**
   * A device on the sender's {@code simulated} transport: the whole sending path (lane, ledger
   * claim, transport call, result) without HTTP, for volumes the fake would make slow.
   */
  Device simulatedDevice() {
    return device(tenant, true, true);
  }

  private Device device(String owner, boolean announce, boolean simulated) {
    String id = UUID.randomUUID().toString();
    String phoneNumberId =
        Long.toString(100_000_000_000L + ThreadLocalRandom.current().nextLong(800_000_000_000L));
    try (Connection c = pipeline.db.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO devices (id, user_id, name, transport, transport_config, status,"
                    + " max_per_second) VALUES (?, ?, 'e2e', ?, ?::jsonb, 'active', 1000)")) {
      ps.setObject(1, UUID.fromString(id), Types.OTHER);
      ps.setObject(2, UUID.fromString(owner), Types.OTHER);
      ps.setString(3, simulated ? "simulated" : "whatsapp_cloud");
      ps.setString(
          4,
          "{\"phone_number_id\":\""
              + phoneNumberId
              + "\",\"token_env\":\""
              + Pipeline.TOKEN_ENV
              + "\",\"api_version\":\"v21.0\"}");
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot insert device", e);
    }
    if (announce) {
      pipeline.produceDevice(
          new DeviceInfo(
              DeviceInfo.SCHEMA_VERSION,
              id,
              owner,
              simulated ? "simulated" : "whatsapp_cloud",
              "active",
              1000.0,
              false));
    }
    Device d = new Device(id, phoneNumberId, simulated);
    if (owner.equals(tenant)) {
      devices.add(d);
    }
    return d;
  }

  String message() {
    return "Hello {name}, " + textMarker + " on {date}";
  }

  /** A scheduled broadcast: once, at {@code at}. */
  Planned broadcastAt(Device device, List<String> recipients, Instant at) {
    String key = "broadcast:" + UUID.randomUUID();
    Instant createdAt = Instant.now();
    ScheduleChange change =
        new ScheduleChange(
            ScheduleChange.SCHEMA_VERSION,
            ChangeOp.UPSERT,
            key,
            ScheduleKind.BROADCAST,
            tenant,
            device.id(),
            "e2e broadcast",
            message(),
            null,
            recipients,
            RuleSpec.once(at.toString()),
            PacingSpec.none(),
            true,
            "scheduled",
            1L,
            createdAt,
            List.of());
    return plan(change, recipients, List.of(at), device);
  }

  /** A recurring message every minute (on the minute, UTC), {@code executions} times, fire_all. */
  Planned recurringEveryMinute(Device device, List<String> recipients, int executions) {
    String key = "recurring:" + UUID.randomUUID();
    Instant createdAt = Instant.now();
    RuleSpec rule =
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
            executions,
            "fire_all",
            3600,
            null);
    ScheduleChange change =
        new ScheduleChange(
            ScheduleChange.SCHEMA_VERSION,
            ChangeOp.UPSERT,
            key,
            ScheduleKind.RECURRING,
            tenant,
            device.id(),
            "e2e recurring",
            message(),
            null,
            recipients,
            rule,
            PacingSpec.none(),
            true,
            null,
            1L,
            createdAt,
            List.of());
    Compilation c = RuleCompiler.compile(rule, createdAt);
    if (!(c instanceof Compilation.Valid v)) {
      throw new IllegalStateException("test rule does not compile: " + c);
    }
    return plan(change, recipients, v.schedule().upcoming(createdAt, 0, executions), device);
  }

  /**
   * A recurring message (daily at {@code at}'s UTC time of day, to the second, once): a recurring
   * rule whose single occurrence is a few seconds away instead of at the next minute boundary.
   */
  Planned recurringOnceAt(Device device, List<String> recipients, Instant at) {
    String key = "recurring:" + UUID.randomUUID();
    Instant createdAt = Instant.now();
    RuleSpec rule = dailyAt(at);
    ScheduleChange change =
        new ScheduleChange(
            ScheduleChange.SCHEMA_VERSION,
            ChangeOp.UPSERT,
            key,
            ScheduleKind.RECURRING,
            tenant,
            device.id(),
            "e2e recurring",
            message(),
            null,
            recipients,
            rule,
            PacingSpec.none(),
            true,
            null,
            1L,
            createdAt,
            List.of());
    return plan(change, recipients, occurrences(rule, createdAt, 1), device);
  }

  static RuleSpec dailyAt(Instant at) {
    java.time.LocalDateTime t = java.time.LocalDateTime.ofInstant(at, ZoneOffset.UTC);
    return new RuleSpec(
        "daily",
        1,
        null,
        null,
        String.format("%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond()),
        null,
        null,
        "UTC",
        t.toLocalDate().toString(),
        null,
        1,
        "fire_all",
        3600,
        null);
  }

  static List<Instant> occurrences(RuleSpec rule, Instant createdAt, int n) {
    Compilation c = RuleCompiler.compile(rule, createdAt);
    if (!(c instanceof Compilation.Valid v)) {
      throw new IllegalStateException("test rule does not compile: " + c);
    }
    return v.schedule().upcoming(createdAt, 0, n);
  }

  // ---------------------------------------------------------------------------------------------
  // database rows (the CDC path)

  /**
   * Inserts a broadcast row (status {@code status}, scheduled at {@code at}) with manual pacing and
   * no delay; {@code planned}: its recipients are expected to be sent to at {@code at}. Idempotent
   * on {@code id} so that a writer can retry it across a database restart.
   */
  static void insertBroadcastRow(
      Connection c,
      String id,
      String tenant,
      Device device,
      List<String> recipients,
      Instant at,
      String status,
      String message)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO broadcasts (id, user_id, device_id, name, message, target_contacts,"
                + " scheduled_at, status, delay_type, delay_seconds, randomize_delay)"
                + " VALUES (?, ?, ?, 'e2e row broadcast', ?, ?::jsonb, ?, ?, 'manual', 0, false)"
                + " ON CONFLICT (id) DO NOTHING")) {
      ps.setObject(1, UUID.fromString(id), Types.OTHER);
      ps.setObject(2, UUID.fromString(tenant), Types.OTHER);
      ps.setObject(3, UUID.fromString(device.id()), Types.OTHER);
      ps.setString(4, message);
      ps.setString(5, jsonArray(recipients));
      ps.setObject(6, java.time.OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
      ps.setString(7, status);
      ps.executeUpdate();
    }
  }

  /** A broadcast row, scheduled at {@code at}, expected to fire. */
  Planned broadcastRow(Device device, List<String> recipients, Instant at) {
    String id = UUID.randomUUID().toString();
    try (Connection c = pipeline.db.connect()) {
      insertBroadcastRow(c, id, tenant, device, recipients, at, "scheduled", message());
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot insert broadcast row", e);
    }
    return planRow("broadcast:" + id, recipients, List.of(at), device);
  }

  /** A recurring_messages row that fires once, at {@code at} (daily at that second, UTC). */
  Planned recurringRow(Device device, List<String> recipients, Instant at) {
    String id = UUID.randomUUID().toString();
    RuleSpec rule = dailyAt(at);
    Instant createdAt;
    try (Connection c = pipeline.db.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO recurring_messages (id, user_id, device_id, name, message,"
                    + " target_contacts, frequency, time_of_day, timezone, start_date,"
                    + " max_executions, catch_up, catch_up_grace_seconds, is_active, delay_type,"
                    + " delay_seconds, randomize_delay) VALUES (?, ?, ?, 'e2e row recurring', ?,"
                    + " ?::jsonb, 'daily', ?::time, 'UTC', ?::date, 1, 'fire_all', 3600, true,"
                    + " 'manual', 0, false) RETURNING created_at")) {
      ps.setObject(1, UUID.fromString(id), Types.OTHER);
      ps.setObject(2, UUID.fromString(tenant), Types.OTHER);
      ps.setObject(3, UUID.fromString(device.id()), Types.OTHER);
      ps.setString(4, message());
      ps.setString(5, jsonArray(recipients));
      ps.setString(6, rule.timeOfDay());
      ps.setString(7, rule.startDate());
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        rs.next();
        createdAt = rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot insert recurring row", e);
    }
    return planRow("recurring:" + id, recipients, occurrences(rule, createdAt, 1), device);
  }

  Planned planRow(String key, List<String> recipients, List<Instant> occurrences, Device device) {
    return plan(key, null, recipients, occurrences, device);
  }

  static String jsonArray(List<String> values) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) {
      b.append(i == 0 ? "" : ",").append('"').append(values.get(i)).append('"');
    }
    return b.append(']').toString();
  }

  private Planned plan(
      ScheduleChange change, List<String> recipients, List<Instant> occurrences, Device device) {
    return plan(
        change == null ? null : change.scheduleKey(), change, recipients, occurrences, device);
  }

  private Planned plan(
      String key,
      ScheduleChange change,
      List<String> recipients,
      List<Instant> occurrences,
      Device device) {
    Planned p = new Planned(key, change, List.copyOf(recipients), List.copyOf(occurrences), device);
    planned.add(p);
    return p;
  }

  /** Produces every planned schedule not produced yet. */
  void produceAll() {
    for (Planned p : planned) {
      if (p.change() != null && produced.add(p.key())) {
        pipeline.produceChange(p.change());
      }
    }
  }

  private final Set<String> produced = new HashSet<>();

  /** The latest occurrence of all planned schedules. */
  Instant lastOccurrence() {
    return planned.stream()
        .flatMap(p -> p.occurrences().stream())
        .max(Instant::compareTo)
        .orElse(Instant.now());
  }

  /** Command id -> (schedule key, occurrence, recipient), for every implied send. */
  Map<String, String> expected() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Planned p : planned) {
      for (Instant o : p.occurrences()) {
        for (String r : p.recipients()) {
          out.put(
              CommandId.of(p.key(), o, r).value(),
              p.key() + " @ " + o.truncatedTo(ChronoUnit.MILLIS));
        }
      }
    }
    return out;
  }

  /** Command ids whose device uses the simulated transport (they never reach the fake). */
  Set<String> simulatedIds() {
    Set<String> out = new HashSet<>();
    for (Planned p : planned) {
      if (p.device() != null && p.device().simulated()) {
        for (Instant o : p.occurrences()) {
          for (String r : p.recipients()) {
            out.add(CommandId.of(p.key(), o, r).value());
          }
        }
      }
    }
    return out;
  }

  Set<String> phoneNumberIds() {
    Set<String> out = new HashSet<>();
    devices.forEach(d -> out.add(d.phoneNumberId()));
    return out;
  }

  /** Instant {@code seconds} from now, truncated to the second. */
  static Instant in(double seconds) {
    return Instant.now().plusMillis((long) (seconds * 1000)).truncatedTo(ChronoUnit.SECONDS);
  }
}
