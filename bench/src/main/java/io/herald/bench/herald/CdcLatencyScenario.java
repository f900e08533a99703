package io.herald.bench.herald;

import io.herald.bench.infra.ExecutionLog;
import io.herald.bench.report.ResultRow;
import io.herald.bench.report.ScenarioResult;
import io.herald.bench.scenario.BenchContext;
import io.herald.bench.scenario.Scenario;
import io.herald.contracts.outcome.ScheduleState;
import io.herald.contracts.topic.Topics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Scenario 4, CDC latency: a {@code recurring_messages} row committed in PostgreSQL → its timer
 * armed in Herald's scheduler. The real {@code SchedulerApp} runs with the Debezium engine (its own
 * application id, replication slot, offsets and lease topics) and the state projector, as {@code
 * SchedulerApp.create} wires them in production.
 *
 * <p>The bench inserts rows (device row first) with JDBC at a target rate, one transaction per row,
 * and records the wall clock when each commit returned. A schedule is armed when the scheduler
 * publishes its {@code ScheduleState} with status {@code active} on {@code herald.schedule-states}:
 * that record's timestamp is the arming instant (the topology stamps its wall clock), and the time
 * a {@code read_committed} consumer receives it is when the arming is visible downstream (after the
 * exactly-once commit). Latency = armed − commit returned.
 */
public final class CdcLatencyScenario implements Scenario {

  static final String TENANT = "00000000-0000-4000-8000-00000000b0b0";
  static final String DEVICE = "00000000-0000-4000-8000-00000000cdc0";

  /** Inserting threads (one connection each): one connection cannot commit 1,000/s here. */
  static final int WRITERS = 4;

  static final List<String> HERALD_TABLES =
      List.of(
          "recurring_messages",
          "devices",
          "contacts",
          "broadcasts",
          "auto_post_schedules",
          "recurring_message_logs",
          "deliveries");

  @Override
  public String id() {
    return "cdc";
  }

  @Override
  public String title() {
    return "4. CDC latency";
  }

  /** One measured phase: this many rows per second for this long. */
  record Phase(int ratePerSecond, int seconds) {
    int rows() {
      return ratePerSecond * seconds;
    }
  }

  @Override
  public ScenarioResult run(BenchContext ctx) throws Exception {
    long started = System.currentTimeMillis();
    List<Phase> phases =
        ctx.smoke()
            ? List.of(new Phase(10, 1), new Phase(100, 1))
            : List.of(new Phase(10, 30), new Phase(1_000, 30));
    long budget = ctx.millis(60_000, 20_000);
    String appId = "bench-herald-" + ctx.runId() + "-cdc";
    String slot = "bench_cdc_" + ctx.runId();
    Map<String, String> overrides = HeraldBurstScenario.overrides(0);
    overrides.put("HERALD_SCHEDULER_CDC_SLOT", slot);
    overrides.put("HERALD_SCHEDULER_CDC_OFFSETS_TOPIC", "herald.cdc-offsets-" + appId);
    overrides.put("HERALD_SCHEDULER_CDC_LEADER_TOPIC", "herald.cdc-leader-" + appId);
    // The lease group's minimum: a lone instance is elected at once either way.
    overrides.put("HERALD_SCHEDULER_CDC_LEADER_SESSION_TIMEOUT", "PT6S");

    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put(
        "phases",
        phases.stream()
            .map(
                p ->
                    String.format(
                        Locale.ROOT, "%,d rows/s for %d s", p.ratePerSecond(), p.seconds()))
            .toList());
    settings.put("writers", WRITERS + " JDBC connections, autocommit, one row per transaction");
    settings.put("row", "recurring_messages daily at now+6 h UTC, 1 E.164 recipient, 1 device");
    settings.put(
        "armed",
        "first ScheduleState 'active' of recurring:<id> on herald.schedule-states"
            + " (record timestamp); visible = read_committed consumer receipt");
    List<ResultRow> rows = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    if (!ctx.runs("herald")) {
      return new ScenarioResult(
          id(),
          title(),
          settings,
          rows,
          List.of("Herald not selected."),
          System.currentTimeMillis() - started);
    }

    truncate(ctx);
    insertDevice(ctx);
    try (HeraldScheduler herald = HeraldScheduler.startWithCdc(ctx.infra(), appId, overrides);
        KafkaConsumer<String, ScheduleState> states = consumer(ctx);
        KafkaConsumer<String, byte[]> changes = changesConsumer(ctx)) {
      settings.put("herald", overrides);
      settings.put("eos commit interval", "Kafka Streams default under exactly_once_v2: 100 ms");
      settings.put(
          "cdc poll interval",
          overrides.getOrDefault("HERALD_SCHEDULER_CDC_POLL_INTERVAL", "PT0.05S (default)"));
      List<TopicPartition> partitions =
          states.partitionsFor(Topics.SCHEDULE_STATES.name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      states.assign(partitions);
      states.seekToBeginning(partitions);
      List<TopicPartition> changeParts =
          changes.partitionsFor(Topics.SCHEDULE_CHANGES.name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      changes.assign(changeParts);
      changes.seekToBeginning(changeParts);
      awaitSlotActive(ctx, slot, Duration.ofSeconds(120), herald);
      ctx.progress("cdc: scheduler streaming from slot %s", slot);

      // Warm-up: proves the device reached Herald (a schedule naming an unknown device waits
      // for it and shows no state) and warms Debezium, Streams and the projector.
      Phase warm = ctx.smoke() ? new Phase(5, 1) : new Phase(10, 3);
      Measured w = measure(ctx, herald, states, changes, warm, 0, Duration.ofSeconds(60));
      ctx.progress("cdc: warm-up armed %d of %d", w.armedCount, warm.rows());

      int phaseNo = 1;
      for (Phase phase : phases) {
        Measured m =
            measure(ctx, herald, states, changes, phase, phaseNo++, Duration.ofMillis(budget));
        ctx.progress(
            "cdc: %,d/s armed %,d of %,d (achieved %.0f rows/s)",
            phase.ratePerSecond(), m.armedCount, phase.rows(), m.achievedRate);
        rows.add(m.row(id(), phase, budget));
      }
    } finally {
      try {
        ctx.infra().database().dropReplicationSlot(slot);
      } catch (RuntimeException e) {
        notes.add("could not drop replication slot " + slot + ": " + e.getMessage());
      }
      HeraldScheduler.deleteTopics(ctx.infra(), appId);
      truncate(ctx);
    }
    notes.add(
        "Latency = record timestamp of the first 'active' ScheduleState − wall clock when"
            + " the row's autocommit INSERT returned (same host clock). Path: WAL → Debezium (poll"
            + " interval) → herald.schedule-changes (idempotent producer, acks=all) → Kafka Streams"
            + " (exactly_once_v2) → timer store → state published.");
    notes.add(
        "'captured' = record timestamp of the row's ScheduleChange on"
            + " herald.schedule-changes (the CDC engine's producer time) − commit: the Debezium half"
            + " of the path; 'armed' − 'captured' is Kafka Streams' half.");
    notes.add(
        "'visible' adds the exactly-once commit: a read_committed reader sees the state only"
            + " when Streams commits its transaction, every commit.interval.ms (100 ms by default"
            + " under EOS), so up to ~100 ms on top of 'armed' plus the commit itself.");
    boolean projector =
        !"false"
            .equalsIgnoreCase(overrides.getOrDefault("HERALD_SCHEDULER_PROJECTOR_ENABLED", "true"));
    notes.add(
        projector
            ? "The state projector is on (production wiring): it writes next_send_at back to each"
                + " row, which Debezium reads again and the mapper drops as a state-only update."
            : "The state projector is OFF (HERALD_SCHEDULER_PROJECTOR_ENABLED=false, a diagnosis):"
                + " no write-back, so Debezium reads each row once.");
    return new ScenarioResult(
        id(), title(), settings, rows, notes, System.currentTimeMillis() - started);
  }

  /** Latencies of one phase. */
  private static final class Measured {
    final long[] commit;
    final long[] armed;
    final long[] visible;
    final long[] captured;
    int armedCount;
    double achievedRate;
    long duplicates;

    Measured(int n) {
      commit = new long[n];
      armed = new long[n];
      visible = new long[n];
      captured = new long[n];
      Arrays.fill(armed, -1);
    }

    ResultRow row(String scenario, Phase phase, long budget) {
      int n = commit.length;
      long[] late = new long[armedCount];
      long[] seen = new long[armedCount];
      long[] cdc = new long[n];
      int k = 0;
      int c = 0;
      for (int i = 0; i < n; i++) {
        if (armed[i] >= 0 && commit[i] > 0) {
          late[k] = armed[i] - commit[i];
          seen[k] = visible[i] - commit[i];
          k++;
        }
        if (captured[i] > 0 && commit[i] > 0) {
          cdc[c++] = captured[i] - commit[i];
        }
      }
      late = Arrays.copyOf(late, k);
      seen = Arrays.copyOf(seen, k);
      cdc = Arrays.copyOf(cdc, c);
      Arrays.sort(late);
      Arrays.sort(seen);
      Arrays.sort(cdc);
      ExecutionLog.Percentiles p = new ExecutionLog.Percentiles(late, n);
      ExecutionLog.Percentiles v = new ExecutionLog.Percentiles(seen, n);
      ExecutionLog.Percentiles d = new ExecutionLog.Percentiles(cdc, n);
      ResultRow.Builder row =
          ResultRow.of(
              scenario,
              String.format(Locale.ROOT, "%,d changes/s", phase.ratePerSecond()),
              "herald",
              false);
      row.metric("rows", n);
      row.metric("achieved rows/s", Math.round(achievedRate));
      row.metric("armed", k);
      row.metric("captured p50 ms", value(d.at(0.5), budget));
      row.metric("captured p99 ms", value(d.at(0.99), budget));
      row.metric("armed p50 ms", value(p.at(0.5), budget));
      row.metric("armed p99 ms", value(p.at(0.99), budget));
      row.metric("armed max ms", value(p.max(), budget));
      row.metric("visible p50 ms", value(v.at(0.5), budget));
      row.metric("visible p99 ms", value(v.at(0.99), budget));
      row.metric("visible max ms", value(v.max(), budget));
      row.metric("repeated states", duplicates);
      String note =
          k < n
              ? String.format(
                  Locale.ROOT,
                  "%,d of %,d never armed within %d s after the last insert",
                  n - k,
                  n,
                  budget / 1000)
              : "";
      return row.note(note).build();
    }
  }

  private static Object value(OptionalLong v, long budget) {
    return v.isPresent() ? (Object) v.getAsLong() : "> " + budget;
  }

  /** Inserts one phase's rows at its rate while reading states; waits for all or the budget. */
  private static Measured measure(
      BenchContext ctx,
      HeraldScheduler herald,
      KafkaConsumer<String, ScheduleState> states,
      KafkaConsumer<String, byte[]> changes,
      Phase phase,
      int phaseNo,
      Duration budget)
      throws Exception {
    int n = phase.rows();
    Measured m = new Measured(n);
    Map<String, Integer> index = new HashMap<>(n * 2);
    String[] ids = new String[n];
    for (int i = 0; i < n; i++) {
      ids[i] =
          new UUID(0x0cdc_0000_0000_4000L | ((long) phaseNo << 16), 0x8000_0000_0000_0000L | i)
              .toString();
      index.put("recurring:" + ids[i], i);
    }
    String timeOfDay =
        LocalTime.now(ZoneOffset.UTC).plusHours(6).format(DateTimeFormatter.ofPattern("HH:mm:ss"));
    long start = System.currentTimeMillis() + 200;
    ExecutorService writers =
        Executors.newFixedThreadPool(
            WRITERS,
            r -> {
              Thread t = new Thread(r, "bench-cdc-writer");
              t.setDaemon(true);
              return t;
            });
    List<Future<?>> done = new ArrayList<>();
    double periodMs = 1000.0 / phase.ratePerSecond();
    for (int w = 0; w < WRITERS; w++) {
      int first = w;
      done.add(
          writers.submit(
              () -> {
                try (Connection c = ctx.infra().database().connection();
                    PreparedStatement ps =
                        c.prepareStatement(
                            "INSERT INTO recurring_messages (id, user_id, device_id, name, message,"
                                + " target_contacts, frequency, time_of_day, timezone, delay_type,"
                                + " delay_seconds, randomize_delay) VALUES (?::uuid, ?::uuid, ?::uuid, ?,"
                                + " 'Hello from the bench', ?::jsonb, 'daily', ?::time, 'UTC', 'manual', 0,"
                                + " false)")) {
                  c.setAutoCommit(true);
                  for (int i = first; i < n; i += WRITERS) {
                    long due = start + (long) (i * periodMs);
                    long wait = due - System.currentTimeMillis();
                    if (wait > 0) {
                      Thread.sleep(wait);
                    }
                    ps.setString(1, ids[i]);
                    ps.setString(2, TENANT);
                    ps.setString(3, DEVICE);
                    ps.setString(4, "bench cdc " + i);
                    ps.setString(5, "[\"" + HeraldBurstScenario.phone(i) + "\"]");
                    ps.setString(6, timeOfDay);
                    ps.executeUpdate();
                    m.commit[i] = System.currentTimeMillis();
                  }
                }
                return null;
              }));
    }
    writers.shutdown();
    long deadline = Long.MAX_VALUE;
    while (m.armedCount < n && System.currentTimeMillis() < deadline) {
      if (herald.failed()) {
        throw new IllegalStateException("Herald's Kafka Streams reached ERROR");
      }
      for (ConsumerRecord<String, byte[]> r : changes.poll(Duration.ofMillis(5))) {
        Integer i = index.get(r.key());
        if (i != null && m.captured[i] == 0) {
          m.captured[i] = r.timestamp();
        }
      }
      for (ConsumerRecord<String, ScheduleState> r : states.poll(Duration.ofMillis(15))) {
        long now = System.currentTimeMillis();
        Integer i = index.get(r.key());
        if (i == null || r.value() == null || !"active".equals(r.value().status())) {
          continue;
        }
        if (m.armed[i] >= 0) {
          m.duplicates++;
          continue;
        }
        m.armed[i] = r.timestamp();
        m.visible[i] = now;
        m.armedCount++;
      }
      if (deadline == Long.MAX_VALUE && writers.isTerminated()) {
        for (Future<?> f : done) {
          f.get(); // surfaces an insert failure
        }
        deadline = System.currentTimeMillis() + budget.toMillis();
      }
    }
    writers.shutdownNow();
    long first = Arrays.stream(m.commit).filter(t -> t > 0).min().orElse(start);
    long last = Arrays.stream(m.commit).max().orElse(start);
    // n commits span n - 1 intervals of the target period.
    m.achievedRate = (n - 1) / Math.max(0.001, (last - first) / 1000.0);
    return m;
  }

  private static void insertDevice(BenchContext ctx) throws SQLException {
    try (Connection c = ctx.infra().database().connection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO devices (id, user_id, name, transport, status)"
                    + " VALUES (?::uuid, ?::uuid, 'bench-cdc', 'simulated', 'active')")) {
      ps.setString(1, DEVICE);
      ps.setString(2, TENANT);
      ps.executeUpdate();
    }
  }

  static void truncate(BenchContext ctx) {
    ctx.infra().execute(List.of("TRUNCATE TABLE " + String.join(", ", HERALD_TABLES)));
  }

  static void awaitSlotActive(
      BenchContext ctx, String slot, Duration timeout, HeraldScheduler herald) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (herald.failed()) {
        throw new IllegalStateException("Herald's Kafka Streams reached ERROR");
      }
      try (Connection c = ctx.infra().database().connection();
          PreparedStatement ps =
              c.prepareStatement(
                  "SELECT 1 FROM pg_replication_slots WHERE slot_name = ? AND active")) {
        ps.setString(1, slot);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return;
          }
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("CDC did not attach to slot " + slot + " within " + timeout);
  }

  /** Reads what the CDC engine produced: its record timestamps (producer time). */
  private static KafkaConsumer<String, byte[]> changesConsumer(BenchContext ctx) {
    Properties p = new Properties();
    p.putAll(ctx.infra().broker().clientConfig());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    return new KafkaConsumer<>(
        p,
        new StringDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer());
  }

  static KafkaConsumer<String, ScheduleState> consumer(BenchContext ctx) {
    Properties p = new Properties();
    p.putAll(ctx.infra().broker().clientConfig());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    return new KafkaConsumer<>(
        p, new StringDeserializer(), Topics.SCHEDULE_STATES.valueSerde().deserializer());
  }
}
